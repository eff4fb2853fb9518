"""Telling members of new posts in their groups' conversations, as each chose per group
(`groups.Membership.notify`): every post by email, a daily digest (the default), or nothing.

Both go through the messaging core (`messaging.services.send`), whose Delivery rows (one
per message and person) make them idempotent: one Message per post (key `post:<uuid>`) and
one per day (key `digest:<day>`), so running either again mails nobody twice. Both are bulk
mail: an unsubscribed, bouncing or complaining address gets neither.

Who is told is decided here set-wise, never person by person, with the rules of
`conversations.selectors.access`: only posts everyone may see (not held, hidden or deleted),
in the threads of a group its active members may read (an active or archived group: public,
or private and they are members), never their own post, never anyone the group blocked.

Member-written text goes out as plain text from `raw` (never `cooked`), and never as
template source: a post's email is sent as written (`is_template=False`), and a digest's
template is ours with the members' words only in its context.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from groundswell.conversations.models import Post, Thread
from groundswell.conversations.selectors.threads import PAGE_SIZE
from groundswell.groups.models import Block, Group, Membership
from groundswell.messaging.models import Delivery, Message
from groundswell.messaging.services import send
from groundswell.people.models import EmailAddress, EmailStatus

log = logging.getLogger(__name__)

# A group whose threads its active members read: a pending or turned-down group's are its
# starter's and the organizers' only (groups.selectors.access.can_see).
READABLE_GROUPS = (Group.Status.ACTIVE, Group.Status.ARCHIVED)
EXCERPT_LINES = 3
EXCERPT_CHARS = 280
THREADS_PER_GROUP = 20  # in a digest; the rest are "and N more" with the group's link
DIGEST_BATCH_SIZE = 500
TEMPLATES = "conversations/email"


def visible_posts() -> Q:
    """Posts every reader of the thread sees (`access.can_see_post` for someone who is
    neither their author nor a moderator)."""
    return Q(held=False, hidden_at__isnull=True, deleted_at__isnull=True)


def _blocked_now() -> Exists:
    """Whether a block keeps this membership's person from its group now (the rule of
    `groups.selectors.access.active_block`), for a Membership queryset."""
    now = timezone.now()
    return Exists(
        Block.objects.filter(
            group=OuterRef("group"), person=OuterRef("person"), lifted_at__isnull=True
        ).filter(Q(until__isnull=True) | Q(until__gt=now))
    )


def _subscribed() -> Exists:
    """The person has an address that takes bulk mail (the core checks the primary one again
    when it sends: this only spares building a digest nobody would receive)."""
    return Exists(EmailAddress.objects.filter(person=OuterRef("person"), status=EmailStatus.SUBSCRIBED))


# --- Links ---------------------------------------------------------------------------------


def post_url(thread_uuid: object, number: int) -> str:
    page = (number - 1) // PAGE_SIZE + 1
    query = f"?page={page}" if page > 1 else ""
    path = reverse("conversations:thread", args=[thread_uuid])
    return f"{settings.SITE_URL}{path}{query}#post-{number}"


def group_url(slug: str) -> str:
    return f"{settings.SITE_URL}{reverse('groups:detail', args=[slug])}"


def choice_url(slug: str) -> str:
    """The group page's "email me about new posts" choice (members see it there)."""
    return f"{group_url(slug)}#notify"


def excerpt(raw: str, *, lines: int = EXCERPT_LINES, chars: int = EXCERPT_CHARS) -> list[str]:
    """The first few non-empty lines of what the member wrote, as plain text, at most
    `chars` in all; "…" ends them when there is more."""
    kept = [line.strip() for line in raw.splitlines() if line.strip()]
    shown: list[str] = []
    left = chars
    for line in kept[:lines]:
        if left <= 0:
            break
        shown.append(line[:left].rstrip())
        left -= len(line)
    if shown and (len(kept) > len(shown) or left < 0):
        shown[-1] += " …"
    return shown


# --- Every post ----------------------------------------------------------------------------


def each_post_readers(post: Post) -> QuerySet[Membership]:
    """The memberships told of this post by email: active members of its thread's group
    who chose every post, but not its author nor anyone the group blocked."""
    group_id = post.thread.group_id
    if group_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            group_id=group_id, status=Membership.Status.ACTIVE, notify=Membership.Notify.EACH_POST
        )
        .exclude(person_id=post.author_id)
        .exclude(_blocked_now())
    )


def notify_of_post(post: Post | int) -> int:
    """Email a new post in a group's thread to the members who chose every post. Call it
    once the post is published and committed (`transaction.on_commit`); safe to call again
    (one Message per post, one Delivery per person). Returns how many emails are queued.

    The post is read afresh: one hidden, deleted or still held by now is not sent."""
    post_id = post if isinstance(post, int) else post.pk
    found = (
        Post.objects.select_related("thread__group", "author")
        .filter(pk=post_id, thread__group__isnull=False)
        .filter(visible_posts())
        .first()
    )
    if found is None:
        return 0  # not a group's post, or not one everyone may see
    thread, group = found.thread, found.thread.group
    assert group is not None
    if group.status not in READABLE_GROUPS:
        return 0
    readers = list(each_post_readers(found).values_list("person_id", flat=True))
    if not readers:
        return 0
    with transaction.atomic():
        message, _ = Message.objects.get_or_create(
            key=f"post:{found.uuid}", defaults=_post_message(found, thread, group)
        )
        return send(message=message, person_ids=readers)


def _post_message(post: Post, thread: Thread, group: Group) -> dict[str, object]:
    """The email of one post, the same for every reader: sent as written (the member's words
    are never a template), with why the reader has it and how to change that. The core adds
    the unsubscribe link and headers."""
    author = post.author.short_name
    did = "started a conversation" if post.number == 1 else "replied"
    body = (
        f"{author} {did} in “{thread.title}” ({group.name}):\n\n"
        f"{post.raw.strip()}\n\n"
        f"Read it and reply: {post_url(thread.uuid, post.number)}\n\n"
        f"You get every post in {group.name} by email. To get a daily digest or nothing instead:\n"
        f"{choice_url(group.slug)}\n"
    )
    return {
        "kind": Message.Kind.BULK,
        # No author: an author's Message counts towards their day's cap of member mail.
        "subject": f"[{group.name}] {thread.title}"[:255],
        "body_text": body,
        "is_template": False,
    }


@shared_task(name="groundswell.conversations.notifications.notify_post")
def notify_post(post_id: int) -> int:
    return notify_of_post(post_id)


# --- The daily digest ----------------------------------------------------------------------


def digest_window(day: date) -> tuple[datetime, datetime]:
    """The posts published on the day (written, or approved after being held): from its
    midnight to the next, in the site's time zone. Each day's digest covers its own day, so
    consecutive digests neither miss nor repeat a post."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return start, end


@dataclass
class _Thread:
    id: int
    uuid: str
    title: str
    group_id: int
    # Per author: (posts that day, the newest one's id). Ids grow with `number` in a thread
    # (numbers are taken under the thread's lock), so the highest id is the newest post.
    by_author: dict[int, tuple[int, int]]

    def for_reader(self, person_id: int) -> tuple[int, int] | None:
        """(new posts by others, the newest of them) for this reader; None if only theirs."""
        others = [
            (count, newest) for author, (count, newest) in self.by_author.items() if author != person_id
        ]
        if not others:
            return None
        return sum(count for count, _ in others), max(newest for _, newest in others)


@dataclass
class _Quote:
    url: str
    excerpt: list[str]
    author: str


@dataclass
class _Group:
    name: str
    url: str
    choice_url: str


@dataclass
class DayNews:
    """Everything new on the day, read once per run: the threads with visible posts in
    readable groups (by group), the groups' names and links, and the newest posts a digest
    may quote (their links and excerpts made once here, not once per reader)."""

    day: date
    threads_of: dict[int, list[_Thread]]
    groups: dict[int, _Group]
    quotes: dict[int, _Quote]


def _chunks(values: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def day_news(day: date) -> DayNews:
    """Three queries (four past 900 threads): the day's posts counted per thread and
    author, the threads with their groups, and the newest two authors' newest posts per
    thread (a reader's own newest is never quoted to them: the other's is)."""
    start, end = digest_window(day)
    counted = (
        Post.objects.filter(visible_posts(), published_at__gte=start, published_at__lt=end)
        .filter(thread__group__isnull=False, thread__group__status__in=READABLE_GROUPS)
        .values("thread_id", "author_id")
        .annotate(n=Count("id"), newest=Max("id"))
        .order_by()
    )
    by_thread: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for count in counted:
        by_thread[count["thread_id"]][count["author_id"]] = (count["n"], count["newest"])
    threads: dict[int, _Thread] = {}
    groups: dict[int, _Group] = {}
    for ids in _chunks(list(by_thread)):
        for row in Thread.objects.filter(pk__in=ids).values(
            "id", "uuid", "title", "group_id", "group__name", "group__slug"
        ):
            threads[row["id"]] = _Thread(
                id=row["id"],
                uuid=str(row["uuid"]),
                title=row["title"],
                group_id=row["group_id"],
                by_author=by_thread[row["id"]],
            )
            if row["group_id"] not in groups:
                slug = row["group__slug"]
                groups[row["group_id"]] = _Group(row["group__name"], group_url(slug), choice_url(slug))
    quoted: list[int] = []
    for thread in threads.values():
        newest = sorted((newest for _, newest in thread.by_author.values()), reverse=True)
        quoted.extend(newest[:2])
    quotes: dict[int, _Quote] = {}
    for ids in _chunks(sorted(quoted)):
        for post in (
            Post.objects.filter(pk__in=ids)
            .select_related("author")
            .only("id", "thread_id", "number", "raw", "author__given_name", "author__family_name")
        ):
            quotes[post.pk] = _Quote(
                url=post_url(threads[post.thread_id].uuid, post.number),
                excerpt=excerpt(post.raw),
                author=post.author.short_name,
            )
    threads_of: dict[int, list[_Thread]] = defaultdict(list)
    for thread in threads.values():
        threads_of[thread.group_id].append(thread)
    return DayNews(day=day, threads_of=dict(threads_of), groups=groups, quotes=quotes)


def digest_for(news: DayNews, person_id: int, group_ids: Iterable[int]) -> dict[str, object] | None:
    """The digest's context for one reader: per group (by name), the threads with posts by
    others that day (newest first). None when there is nothing from anyone else."""
    sections: list[dict[str, object]] = []
    total = 0
    for group_id in group_ids:
        lines = []
        for thread in news.threads_of.get(group_id, []):
            seen = thread.for_reader(person_id)
            if seen is None:
                continue
            count, newest_id = seen
            quote = news.quotes[newest_id]
            line = {
                "title": thread.title,
                "new_posts": count,
                "author": quote.author,
                "excerpt": quote.excerpt,
                "url": quote.url,
            }
            lines.append((newest_id, line))
            total += count
        if not lines:
            continue
        lines.sort(key=lambda line: line[0], reverse=True)
        group = news.groups[group_id]
        sections.append(
            {
                "name": group.name,
                "url": group.url,
                "choice_url": group.choice_url,
                "threads": [line for _, line in lines[:THREADS_PER_GROUP]],
                "more": max(0, len(lines) - THREADS_PER_GROUP),
            }
        )
    if not sections:
        return None
    sections.sort(key=lambda section: (str(section["name"]).casefold(), str(section["url"])))
    return {
        "day_label": f"{news.day:%A, %B} {news.day.day}",
        "groups": sections,
        "new_posts": total,
    }


def digest_message(day: date) -> Message:
    """The day's digest: one Message (its templates ours, each reader's news in their
    delivery's context), made once."""

    def source(name: str) -> str:
        return get_template(f"{TEMPLATES}/{name}").template.source  # type: ignore[attr-defined]

    message, _ = Message.objects.get_or_create(
        key=f"digest:{day.isoformat()}",
        defaults={
            "kind": Message.Kind.BULK,
            "subject": source("digest_subject.txt").strip(),
            "body_text": source("digest.txt"),
            "body_html": source("digest.html"),
        },
    )
    return message


def digest_readers(group_ids: list[int]) -> QuerySet[Membership]:
    """Memberships that take a digest of these groups: active, digest chosen, not blocked,
    with an address that takes bulk mail."""
    return (
        Membership.objects.filter(
            group_id__in=group_ids, status=Membership.Status.ACTIVE, notify=Membership.Notify.DIGEST
        )
        .filter(_subscribed())
        .exclude(_blocked_now())
    )


@dataclass
class DigestRun:
    day: date
    sent: int = 0  # deliveries queued this run
    batches: int = 0


def send_digests(day: date | None = None, batch_size: int = DIGEST_BATCH_SIZE) -> DigestRun:
    """Send the digest of `day` (yesterday by default, in the site's time zone) to every
    member who chose a digest in a group with new posts that day. Readers are taken in
    batches of `batch_size` people, in a fixed number of queries per batch, never per
    reader. Running it again for the same day sends nothing new."""
    day = day or timezone.localdate() - timedelta(days=1)
    run = DigestRun(day=day)
    news = day_news(day)
    group_ids = sorted(news.threads_of)
    if not group_ids:
        return run
    message = digest_message(day)
    readers = digest_readers(group_ids)
    # Paged by person, on the plain choice (the person index, no subqueries): a person cut
    # off at a page's end still has all their groups read, by `_send_batch`.
    choosers = Membership.objects.filter(
        group_id__in=group_ids, status=Membership.Status.ACTIVE, notify=Membership.Notify.DIGEST
    )
    last = 0
    while True:
        batch = sorted(
            set(
                choosers.filter(person_id__gt=last)
                .order_by("person_id")
                .values_list("person_id", flat=True)[:batch_size]
            )
        )
        if not batch:
            return run
        last = batch[-1]
        run.batches += 1
        run.sent += _send_batch(news, message, readers, batch)


def _send_batch(news: DayNews, message: Message, readers: QuerySet[Membership], batch: list[int]) -> int:
    told = set(
        Delivery.objects.filter(message=message, person_id__in=batch).values_list("person_id", flat=True)
    )
    wanted = [person_id for person_id in batch if person_id not in told]
    if not wanted:
        return 0
    groups_of: dict[int, list[int]] = defaultdict(list)
    for person_id, group_id in readers.filter(person_id__in=wanted).values_list("person_id", "group_id"):
        groups_of[person_id].append(group_id)
    context = {}
    for person_id in wanted:
        digest = digest_for(news, person_id, groups_of[person_id])
        if digest is not None:
            context[person_id] = digest
    if not context:
        return 0
    return send(message=message, person_ids=list(context), context=context)


@shared_task(name="groundswell.conversations.notifications.send_daily_digests")
def send_daily_digests(day: str | None = None) -> int:
    """Celery beat, daily: yesterday's digest (or the ISO `day`'s). Returns emails queued."""
    run = send_digests(date.fromisoformat(day) if day else None)
    log.info("digest of %s: %s queued in %s batches", run.day, run.sent, run.batches)
    return run.sent
