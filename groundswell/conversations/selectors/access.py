"""Who may read, write and moderate a thread, and see each post: the rules, in one place,
decided from the Actor and the thing the thread is on (a group, an event, an advocacy
campaign or a petition), whose own access rules they follow.

- A group's threads: read as `groups.selectors.access.can_read_threads` (a public group's by
  anyone, a private group's by its members and staff); written by its active members who are
  not blocked, and staff; moderated by its leaders and staff.
- An event's: read by anyone who may see the event (`events.selectors.access.can_see`);
  written by its hosts, people with a live RSVP, and staff; moderated by staff.
- An advocacy campaign's or a petition's: read by anyone who may see it (advocacy's
  `can_see`); written by anyone signed in; moderated by staff, and a member who started it
  may also hide posts in its threads (not lock, approve or dismiss: those stay with staff).
- A hidden post is gone for everyone but its author and those who may hide posts there; a
  held post (a new member's first, when the site holds them) is seen by its author and the
  moderators only. A thread whose only posts are held is likewise theirs alone.
- A locked thread takes no posts but its moderators'.

Anyone who may not read a thread or a post is told it does not exist (NotFound, the same
words as for one that does not), never that it is forbidden: an outsider guessing uuids of a
private group's thread learns nothing.
"""

import uuid
from typing import Union

from django.db.models import Q, QuerySet

from groundswell.accounts.actors import Actor
from groundswell.advocacy.models import AdvocacyCampaign, Petition
from groundswell.advocacy.selectors import access as advocacy_access
from groundswell.conversations.models import Post, Thread
from groundswell.core.errors import NotFound
from groundswell.events.models import Event
from groundswell.events.selectors import access as event_access
from groundswell.groups.models import Group
from groundswell.groups.selectors import access as group_access

Thing = Union[Group, Event, AdvocacyCampaign, Petition]  # noqa: UP007 (read as a type alias)

MISSING_THREAD = "We couldn't find that conversation."
MISSING_POST = "We couldn't find that post."


def thing_of(thread: Thread) -> Thing:
    """What the thread is on (its related row is loaded once and kept on the thread)."""
    for name in ("group", "event", "advocacy_campaign", "petition"):
        if getattr(thread, f"{name}_id") is not None:
            return getattr(thread, name)
    raise ValueError("a thread is on exactly one thing")


def group_of(thread: Thread) -> Group | None:
    return thread.group if thread.group_id is not None else None


def can_read_on(actor: Actor, thing: Thing) -> bool:
    if isinstance(thing, Group):
        return group_access.can_read_threads(actor, thing)
    if isinstance(thing, Event):
        return event_access.can_see(actor, thing)
    return advocacy_access.can_see(actor, thing)


def can_moderate_on(actor: Actor, thing: Thing) -> bool:
    """Lock threads, approve held posts, dismiss flags, hide and delete posts."""
    if isinstance(thing, Group):
        return group_access.can_lead(actor, thing)
    return actor.is_staff


def can_hide_on(actor: Actor, thing: Thing) -> bool:
    """Hide and show posts again (and so see hidden ones): the moderators, and the member
    who started a campaign or petition, in its threads."""
    if can_moderate_on(actor, thing):
        return True
    if isinstance(thing, (AdvocacyCampaign, Petition)):
        return advocacy_access.is_starter(actor, thing)
    return False


def why_not_write_on(actor: Actor, thing: Thing) -> str | None:
    """Why this actor may not post here (a sentence to show), or None when they may."""
    if actor.person is None:
        return "Please sign in to take part in the conversation."
    if not can_read_on(actor, thing):
        return MISSING_THREAD
    if actor.is_staff:
        return None
    if isinstance(thing, Group):
        if thing.status != Group.Status.ACTIVE:
            return "This group isn't taking new posts."
        if not group_access.is_member(actor, thing):
            return "Join the group to take part in its conversations."
        block = group_access.active_block(actor.person_id, thing)
        if block is not None:
            until = f" until {block.until:%b %d, %Y}" if block.until else ""
            return f"A leader of this group has blocked you from posting here{until}."
        return None
    if isinstance(thing, Event):
        if event_access.is_host(actor, thing) or event_access.has_live_rsvp(actor, thing):
            return None
        return "RSVP to the event to take part in its conversation."
    return None


def can_write_on(actor: Actor, thing: Thing) -> bool:
    return why_not_write_on(actor, thing) is None


# --- Threads and posts --------------------------------------------------------------------


def can_read(actor: Actor, thread: Thread) -> bool:
    """The thread opens to this actor: they may read what it is on, and it has a post they
    may see (a thread whose opening post is held is its author's and the moderators')."""
    thing = thing_of(thread)
    if not can_read_on(actor, thing):
        return False
    if thread.post_count > 0:
        return True
    return actor.is_person(thread.author_id) or can_moderate_on(actor, thing)


def can_moderate(actor: Actor, thread: Thread) -> bool:
    return can_moderate_on(actor, thing_of(thread))


def can_hide(actor: Actor, thread: Thread) -> bool:
    return can_hide_on(actor, thing_of(thread))


def why_not_write(actor: Actor, thread: Thread) -> str | None:
    """Why this actor may not reply in this thread, or None when they may."""
    thing = thing_of(thread)
    reason = why_not_write_on(actor, thing)
    if reason is None and thread.locked_at is not None and not can_moderate_on(actor, thing):
        return "This conversation is locked: it takes no new posts."
    return reason


def can_see_post(actor: Actor, post: Post, thread: Thread) -> bool:
    """Whether this actor may see the post (its thread already readable to them)."""
    if actor.is_person(post.author_id):
        return True
    if post.held:
        return can_moderate(actor, thread)
    if post.hidden_at is not None:
        return can_hide(actor, thread)
    return True


def visible_posts(actor: Actor, thread: Thread) -> Q:
    """The posts of `thread` this actor may see, as a filter (one rule with `can_see_post`)."""
    mine = Q(author_id=actor.person_id) if actor.person_id is not None else Q(pk__in=[])
    shown = Q(held=False, hidden_at__isnull=True)
    if can_hide(actor, thread):
        shown = Q(held=False)
    if can_moderate(actor, thread):
        return Q(pk__isnull=False)  # every post (an empty Q() would vanish in the OR below)
    return shown | mine


def _thread_rows() -> QuerySet[Thread]:
    return Thread.objects.select_related("group", "event", "advocacy_campaign", "petition", "author")


def _parse(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def access_thread(actor: Actor, thread_id: object) -> Thread:
    """The thread, as this actor may read it; NotFound otherwise, whether or not it exists."""
    public_id = _parse(thread_id)
    thread = _thread_rows().filter(uuid=public_id).first() if public_id else None
    if thread is None or not can_read(actor, thread):
        raise NotFound(MISSING_THREAD)
    return thread


def access_post(actor: Actor, post_id: object) -> Post:
    """The post (with its thread), as this actor may see it; NotFound otherwise."""
    public_id = _parse(post_id)
    post = (
        Post.objects.select_related(
            "author",
            "thread",
            "thread__group",
            "thread__event",
            "thread__advocacy_campaign",
            "thread__petition",
            "thread__author",
        )
        .filter(uuid=public_id)
        .first()
        if public_id
        else None
    )
    if post is None or not can_read(actor, post.thread) or not can_see_post(actor, post, post.thread):
        raise NotFound(MISSING_POST)
    return post
