"""Reads of conversations: the latest threads on a thing, a page of a thread, the people in
it, the organizers' queue and a group's moderation log.

A page of a thread is a range on `number` (posts 51 to 100 are page 2), never an OFFSET, and
costs the same few queries whatever the page and however many posts: the posts with their
authors, flag counts and whether the reader flagged each, all in one query.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.conversations.models import Flag, Media, ModerationAction, Post, Thread
from groundswell.conversations.selectors import access
from groundswell.conversations.selectors.access import Thing
from groundswell.groups.models import Block, Group
from groundswell.people.models import Person

PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
LATEST = 10


def _field_for(thing: Thing) -> str:
    return {
        "Group": "group",
        "Event": "event",
        "AdvocacyCampaign": "advocacy_campaign",
        "Petition": "petition",
    }[type(thing).__name__]


def latest_threads(actor: Actor, thing: Thing, *, limit: int = LATEST) -> list[Thread]:
    """The latest conversations on `thing` this actor may read (a thread whose opening post is
    held only for its author and the moderators), newest word first, with their authors."""
    if not access.can_read_on(actor, thing):
        return []
    threads = Thread.objects.filter(**{_field_for(thing): thing}).select_related("author")
    if not access.can_moderate_on(actor, thing):
        mine = Q(author_id=actor.person_id) if actor.person_id is not None else Q(pk__in=[])
        threads = threads.filter(Q(post_count__gt=0) | mine)
    return list(threads.order_by("-last_posted_at", "-id")[:limit])


@dataclass
class ThreadPage:
    thread: Thread
    number: int
    pages: int
    posts: list[Post] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous(self) -> int:
        return self.number - 1

    @property
    def next(self) -> int:
        return self.number + 1


def page_count(thread: Thread) -> int:
    last = thread.posts.aggregate(last=Max("number"))["last"] or 0
    return max(1, (last + PAGE_SIZE - 1) // PAGE_SIZE)


def thread_page(actor: Actor, thread: Thread, page: int) -> ThreadPage:
    """Posts `(page-1)*50+1` to `page*50` of the thread that this actor may see, by number,
    each with its author, `open_flags` (moderators' count), `flagged_by_me`, and the post it
    answers, and `media_items` (images and link cards). Two queries, whatever the page, and a
    third when any post on it carries media."""
    pages = page_count(thread)
    page = min(max(1, page), pages)
    first = (page - 1) * PAGE_SIZE + 1
    posts = (
        thread.posts.filter(number__gte=first, number__lt=first + PAGE_SIZE)
        .filter(access.visible_posts(actor, thread))
        .select_related("author", "reply_to", "hidden_by")
        .annotate(
            open_flags=Count("flags", filter=Q(flags__outcome=Flag.Outcome.OPEN)),
            has_media=Exists(Media.objects.filter(post=OuterRef("pk"))),
        )
        .order_by("number")
    )
    if actor.person_id is not None:
        posts = posts.annotate(
            flagged_by_me=Exists(Flag.objects.filter(post=OuterRef("pk"), flagged_by_id=actor.person_id))
        )
    loaded: list[Post] = list(posts)
    # Each post's images and link cards, with their tags: one more query for a page that
    # has any (known from the posts' own query), none for a page of words only.
    from groundswell.conversations.selectors.media import attach_media

    attach_media([post for post in loaded if getattr(post, "has_media", False)])
    return ThreadPage(thread=thread, number=page, pages=pages, posts=loaded)


def participants(thread: Thread, *, limit: int = 30) -> list[Person]:
    """People who wrote in the thread (for the list of whom to mention), first to last."""
    ids = (
        thread.posts.filter(held=False, hidden_at__isnull=True, deleted_at__isnull=True)
        .values("author_id")
        .annotate(first=Min("number"))
        .order_by("first")[:limit]
    )
    order = [row["author_id"] for row in ids]
    people = Person.objects.in_bulk(order)
    return [people[pk] for pk in order if pk in people]


# --- The organizers' queue and the moderation log -----------------------------------------


def queue(*, page: int | str | None = 1) -> Page:
    """Posts with open flags, and held posts, oldest first (by their first open flag, or for
    a held post by when it was written), with their threads, authors and open flags."""
    open_flags = Q(flags__outcome=Flag.Outcome.OPEN)
    posts: QuerySet[Post] = (
        Post.objects.filter(Q(held=True) | Q(Exists(Flag.objects.filter(post=OuterRef("pk"), outcome=""))))
        .annotate(first_flag_at=Min("flags__created_at", filter=open_flags))
        .select_related(
            "author",
            "thread",
            "thread__group",
            "thread__event",
            "thread__advocacy_campaign",
            "thread__petition",
        )
        .order_by("first_flag_at", "created_at", "id")
    )
    posts = posts.prefetch_related(
        Prefetch(
            "flags",
            queryset=Flag.objects.filter(outcome=Flag.Outcome.OPEN)
            .select_related("flagged_by")
            .order_by("created_at"),
            to_attr="open_flag_list",
        )
    )
    return Paginator(posts, QUEUE_PAGE_SIZE).get_page(page)


def queue_size() -> int:
    return Post.objects.filter(
        Q(held=True) | Q(Exists(Flag.objects.filter(post=OuterRef("pk"), outcome=Flag.Outcome.OPEN)))
    ).count()


def moderation_log(group: Group, *, page: int | str | None = 1) -> Page:
    """Every act of moderation in the group, newest first, with who did it and to whom."""
    actions = (
        ModerationAction.objects.filter(group=group)
        .select_related("moderator", "person", "thread", "post")
        .order_by("-created_at", "-id")
    )
    return Paginator(actions, LOG_PAGE_SIZE).get_page(page)


def active_blocks(group: Group) -> list[Block]:
    """The group's blocks in force now, newest first."""
    return list(
        Block.objects.filter(group=group, lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))
        .select_related("person", "blocked_by")
        .order_by("-created_at")
    )
