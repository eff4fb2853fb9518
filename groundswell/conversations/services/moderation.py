"""Moderation, after the fact: members post first; anyone signed in flags a post that breaks
an agreement; the group's leaders (in its threads) and organizers (everywhere) hide posts,
lock threads, block members from a group, approve held posts and dismiss flags.

Every act of moderation writes a `ModerationAction` (who, what, when, why, in which group):
the group's moderation log, read by its leaders and staff. A flag is a FLAGGED act in the
activity log too (it is a member's act); moderators' acts are the audit trail here.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.accounts.actors import Actor, actor_for_person
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.conversations.agreements import agreements_for
from groundswell.conversations.models import Flag, ModerationAction, Post, Thread
from groundswell.conversations.selectors import access
from groundswell.conversations.services import posting
from groundswell.conversations.services.audit import log_action as _log
from groundswell.conversations.services.audit import moderator_reason
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line
from groundswell.groups.models import Block, Group
from groundswell.groups.selectors import access as group_access
from groundswell.people.models import Person

FLAG_REASON_MAX = 1000


def _visible_post(actor: Actor, post: Post) -> Thread:
    thread = post.thread
    if not access.can_read(actor, thread) or not access.can_see_post(actor, post, thread):
        raise NotFound(access.MISSING_POST)
    return thread


def flag(*, actor: Actor, post: Post, agreement: str, reason: str = "", ip: str | None = None) -> Flag:
    """Someone signed in who may read the post says it breaks an agreement (one the page
    offered: the group's own or the movement's), once per person and post."""
    person = actor.require_person()
    thread = _visible_post(actor, post)
    if actor.is_person(post.author_id):
        raise ValidationError("That's your own post: you can change or delete it instead.")
    if post.deleted_at is not None:
        raise ValidationError("That post was deleted.")
    agreement = clean_line(agreement)
    if agreement not in agreements_for(access.group_of(thread)):
        raise ValidationError("Please choose which agreement the post breaks.", field="agreement")
    reason = clean_line(reason)
    if len(reason) > FLAG_REASON_MAX:
        raise ValidationError(f"Please keep the reason under {FLAG_REASON_MAX} characters.", field="reason")
    if Flag.objects.filter(post=post, flagged_by=person).exists():
        raise ValidationError("You've already flagged this post. Thank you: a moderator will look at it.")
    if not actor.is_staff:
        ratelimit.check("flag", ip=ip, person_id=person.pk)
    try:
        with transaction.atomic():
            made = Flag.objects.create(post=post, flagged_by=person, agreement=agreement, reason=reason)
            record(person=person, verb=Verb.FLAGGED, obj=post, context=access.thing_of(thread), actor=actor)
    except IntegrityError:  # the same person's second flag, sent at the same moment
        raise ValidationError(
            "You've already flagged this post. Thank you: a moderator will look at it."
        ) from None
    return made


def _resolve_flags(actor: Actor, post: Post, outcome: Flag.Outcome) -> int:
    return Flag.objects.filter(post=post, outcome=Flag.Outcome.OPEN).update(
        outcome=outcome, resolved_by=actor.person, resolved_at=timezone.now()
    )


def hide_post(*, actor: Actor, post: Post, reason: str) -> Post:
    """Hide a post from everyone but its author and the moderators; its author sees it was
    hidden and why. Open flags on it are resolved as "hidden"."""
    thread = _visible_post(actor, post)
    if not access.can_hide(actor, thread):
        raise PermissionDenied("Only the conversation's moderators can hide a post.")
    reason = moderator_reason(reason, missing="Please say why: its author will read it.")
    with transaction.atomic():
        if post.hidden_at is None:
            post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), actor.person, reason
            post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "modified_at"])
        _resolve_flags(actor, post, Flag.Outcome.HIDDEN)
        _log(
            actor,
            ModerationAction.Action.HIDE,
            reason=reason,
            group=access.group_of(thread),
            thread=thread,
            post=post,
            person=post.author_id,
        )
    return post


def unhide_post(*, actor: Actor, post: Post, reason: str = "") -> Post:
    thread = _visible_post(actor, post)
    if not access.can_hide(actor, thread):
        raise PermissionDenied("Only the conversation's moderators can show a hidden post again.")
    if post.hidden_at is None:
        return post
    with transaction.atomic():
        post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
        post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "modified_at"])
        _log(
            actor,
            ModerationAction.Action.UNHIDE,
            reason=clean_line(reason),
            group=access.group_of(thread),
            thread=thread,
            post=post,
            person=post.author_id,
        )
    return post


def _set_lock(actor: Actor, thread: Thread, reason: str, *, locked: bool) -> Thread:
    if not access.can_read(actor, thread):
        raise NotFound(access.MISSING_THREAD)
    if not access.can_moderate(actor, thread):
        raise PermissionDenied("Only the conversation's moderators can lock or unlock it.")
    if (thread.locked_at is not None) == locked:
        return thread
    with transaction.atomic():
        thread.locked_at = timezone.now() if locked else None
        thread.save(update_fields=["locked_at", "modified_at"])
        _log(
            actor,
            ModerationAction.Action.LOCK if locked else ModerationAction.Action.UNLOCK,
            reason=clean_line(reason),
            group=access.group_of(thread),
            thread=thread,
        )
    return thread


def lock_thread(*, actor: Actor, thread: Thread, reason: str = "") -> Thread:
    """The thread takes no more posts (its moderators may still write)."""
    return _set_lock(actor, thread, reason, locked=True)


def unlock_thread(*, actor: Actor, thread: Thread, reason: str = "") -> Thread:
    return _set_lock(actor, thread, reason, locked=False)


def block_member(*, actor: Actor, group: Group, person: Person, until: datetime | None, reason: str) -> Block:
    """Keep a member from posting in the group (and joining it again) until a time, or for
    good (`until` None). For the group's leaders and staff; a leader cannot block themselves,
    another leader, or staff (an organizer can)."""
    if not group_access.can_see(actor, group):
        raise NotFound(group_access.MISSING)
    if not group_access.can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can block a member.")
    if actor.is_person(person):
        raise ValidationError("You can't block yourself.")
    if not actor.is_staff:
        target = actor_for_person(person)
        if target.is_staff or group_access.is_leader(target, group):
            raise PermissionDenied("Only an organizer can block a leader of the group or an organizer.")
    reason = moderator_reason(reason, missing="Please say why: the block is in the group's moderation log.")
    if until is not None and until <= timezone.now():
        raise ValidationError("Please choose a time in the future, or block for good.", field="until")
    with transaction.atomic():
        block = Block.objects.create(
            group=group, person=person, until=until, reason=reason, blocked_by=actor.require_person()
        )
        _log(actor, ModerationAction.Action.BLOCK, reason=reason, group=group, person=person)
    return block


def lift_block(*, actor: Actor, block: Block, reason: str = "") -> Block:
    group = block.group
    if not group_access.can_see(actor, group):
        raise NotFound(group_access.MISSING)
    if not group_access.can_lead(actor, group):
        raise PermissionDenied("Only the group's leaders and organizers can lift a block.")
    if block.lifted_at is not None:
        return block
    with transaction.atomic():
        block.lifted_at = timezone.now()
        block.save(update_fields=["lifted_at", "modified_at"])
        _log(
            actor,
            ModerationAction.Action.UNBLOCK,
            reason=clean_line(reason),
            group=group,
            person=block.person_id,
        )
    return block


def approve_held(*, actor: Actor, post: Post) -> Post:
    """A held post goes out: counted, logged, its mentions told."""
    thread = _visible_post(actor, post)
    if not access.can_moderate(actor, thread):
        raise PermissionDenied("Only the conversation's moderators can approve a post.")
    if not post.held:
        return post
    with transaction.atomic():
        posting.approve(post=post)
        _log(
            actor,
            ModerationAction.Action.APPROVE,
            group=access.group_of(thread),
            thread=thread,
            post=post,
            person=post.author_id,
        )
    return post


def dismiss_flags(*, actor: Actor, post: Post, reason: str = "") -> int:
    """The post breaks nothing: its open flags are closed, the post stays. Returns how many."""
    thread = _visible_post(actor, post)
    if not access.can_moderate(actor, thread):
        raise PermissionDenied("Only the conversation's moderators can dismiss flags.")
    with transaction.atomic():
        count = _resolve_flags(actor, post, Flag.Outcome.DISMISSED)
        if count:
            _log(
                actor,
                ModerationAction.Action.DISMISS,
                reason=clean_line(reason),
                group=access.group_of(thread),
                thread=thread,
                post=post,
                person=post.author_id,
            )
    return count


def act_on_many(*, actor: Actor, posts: Iterable[Post], action: str, reason: str = "") -> int:
    """The organizers' queue's bulk actions in one go: "hide" or "dismiss" every post chosen,
    all or none (one transaction). Returns how many posts were acted on."""
    posts = list(posts)
    if action not in ("hide", "dismiss"):
        raise ValidationError("Please choose what to do with the posts you picked.", field="action")
    if not posts:
        raise ValidationError("Please pick at least one post.", field="posts")
    with transaction.atomic():
        for post in posts:
            if action == "hide":
                hide_post(actor=actor, post=post, reason=reason)
            else:
                dismiss_flags(actor=actor, post=post, reason=reason)
    return len(posts)


def log_removal(*, group: Group, moderator: Person, person_id: int, reason: str, **_: object) -> None:
    """A member removed from a group by a leader or organizer (`groups.signals.member_removed`,
    sent in the removal's transaction): the group's moderation log has it, with the reason."""
    _log(
        actor_for_person(moderator),
        ModerationAction.Action.REMOVE,
        reason=reason,
        group=group,
        person=person_id,
    )
