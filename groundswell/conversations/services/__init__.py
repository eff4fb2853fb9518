"""Every write of conversations: `posting` (threads, posts, mentions) and `moderation`
(flags, hiding, locking, blocking, the queue)."""

from groundswell.conversations.services.moderation import (
    act_on_many,
    approve_held,
    block_member,
    dismiss_flags,
    flag,
    hide_post,
    lift_block,
    lock_thread,
    unhide_post,
    unlock_thread,
)
from groundswell.conversations.services.posting import delete_post, edit_post, reply, start_thread

__all__ = [
    "act_on_many",
    "approve_held",
    "block_member",
    "delete_post",
    "dismiss_flags",
    "edit_post",
    "flag",
    "hide_post",
    "lift_block",
    "lock_thread",
    "reply",
    "start_thread",
    "unhide_post",
    "unlock_thread",
]
