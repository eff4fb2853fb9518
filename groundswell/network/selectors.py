"""Reads of the recruitment network: share links, the ripple, off-list reach."""

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum

from groundswell.accounts.models import User
from groundswell.activity.models import Verb
from groundswell.activity.selectors import verb_counts
from groundswell.core.channels import SHARE_CHANNELS, Channel
from groundswell.network.models import Contact, ShareClickCount, ShareCode
from groundswell.people.models import Person, PostalAddress

SHARE_TEXT = "I'm part of {site}. Join me:"
MAX_GENERATIONS = 50  # deep enough for any real tree; also stops a cycle, should one exist


@dataclass
class ShareLink:
    channel: Channel
    label: str
    url: str  # where the button goes (the network's share page, or the link itself)
    link: str  # the join link carried, credited to this channel


def share_links(code: ShareCode, *, page: str = "", text: str = "") -> list[ShareLink]:
    """Ready-made links to share `code` on each channel, each crediting its own channel.
    `page`: another page of ours to share (an event's address) instead of the join page."""
    from groundswell.network.services import share_url

    text = text or SHARE_TEXT.format(site=settings.SITE_NAME)
    links = []
    for channel in SHARE_CHANNELS:
        link = f"{page}?ref={code.code}&via={channel.slug}" if page else share_url(code, channel)
        q_link, q_text = quote(link, safe=""), quote(text, safe="")
        q_both = quote(f"{text} {link}", safe="")
        url = {
            Channel.FACEBOOK: f"https://www.facebook.com/sharer/sharer.php?u={q_link}",
            Channel.X: f"https://x.com/intent/post?text={q_text}&url={q_link}",
            Channel.BLUESKY: f"https://bsky.app/intent/compose?text={q_both}",
            Channel.MASTODON: f"{settings.MASTODON_SHARE_URL}?text={q_both}",
            Channel.WHATSAPP: f"https://wa.me/?text={q_both}",
            Channel.EMAIL: f"mailto:?subject={quote(f'Join me in {settings.SITE_NAME}')}&body={q_both}",
            Channel.LINK: link,
        }[channel]
        links.append(ShareLink(channel=channel, label=channel.label, url=url, link=link))
    return links


@dataclass
class RippleMember:
    person: Person
    generation: int
    channel: Channel
    recruited_by: Person | None
    did: list[tuple[str, int]]  # what they went on to do: (verb label, times)

    @property
    def shown_name(self) -> str:
        """The member knows the people they brought in by name; people further out are
        strangers to them, shown by first name and initial."""
        return self.person.display_name if self.generation == 1 else self.person.short_name


@dataclass
class Generation:
    number: int
    total: int


@dataclass
class RipplePage:
    """One page of a member's ripple, latest to join first, and what it was filtered by."""

    members: list[RippleMember]
    total: int  # how many match the search (all pages)
    number: int
    per_page: int
    query: str = ""
    generation: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


# What the ripple shows a member about the people they brought in.
RIPPLE_VERBS = [
    Verb.RECRUITED,
    Verb.RSVPED,
    Verb.ATTENDED,
    Verb.HOSTED,
    Verb.SIGNED,
    Verb.CONTACTED_TARGET,
    Verb.JOINED_GROUP,
    Verb.LED_GROUP,
    Verb.POSTED,
    Verb.LISTED_CONTACT,
]
RIPPLE_PER_PAGE = 20

# The recruitment tree below one person, walked in the database (SQLite and PostgreSQL
# both speak recursive CTEs and window functions). The generation cap also stops a
# cycle, should a merge of duplicates ever make one. Parameters: person id, cap.
RIPPLE_TREE_SQL = """
WITH RECURSIVE tree(id, generation) AS (
    SELECT id, 1 FROM people_person WHERE recruited_by_id = %s
    UNION ALL
    SELECT p.id, t.generation + 1
    FROM people_person p JOIN tree t ON p.recruited_by_id = t.id
    WHERE t.generation < %s
)
"""
RIPPLE_GENERATIONS_SQL = (
    RIPPLE_TREE_SQL
    + """
SELECT generation, COUNT(*) FROM tree GROUP BY generation ORDER BY generation
"""
)
# A page of the tree, latest to join first, with the number of matches. The name search
# reads the first name, and the last name only of the member's own recruits (the people
# they know): searching must not tell them more about strangers than the page shows.
RIPPLE_PAGE_SQL = (
    RIPPLE_TREE_SQL
    + """
SELECT t.id, t.generation, COUNT(*) OVER () AS total
FROM tree t JOIN people_person p ON p.id = t.id
WHERE (%s = '' OR LOWER(p.given_name) LIKE %s ESCAPE '\\'
       OR (t.generation = 1 AND LOWER(p.family_name) LIKE %s ESCAPE '\\'))
  AND (%s = 0 OR t.generation = %s)
ORDER BY p.created_at DESC, p.id DESC
LIMIT %s OFFSET %s
"""
)


def ripple_generations(person: Person, *, max_generations: int = MAX_GENERATIONS) -> list[Generation]:
    """How many people joined through `person`, and through those people, generation by
    generation: counts only (one query, however large the tree)."""
    with connection.cursor() as cursor:
        cursor.execute(RIPPLE_GENERATIONS_SQL, [person.pk, max_generations])
        return [Generation(number=number, total=total) for number, total in cursor.fetchall()]


def ripple_page(
    person: Person,
    *,
    page: int = 1,
    query: str = "",
    generation: int | None = None,
    per_page: int = RIPPLE_PER_PAGE,
    max_generations: int = MAX_GENERATIONS,
) -> RipplePage:
    """One page of the people in `person`'s ripple, latest to join first, matching a name
    search and a generation, each with what they went on to do. Three queries."""
    query = " ".join(query.split())[:100]
    pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    number = max(1, page)
    rows = _ripple_rows(person, query, pattern, generation or 0, per_page, number, max_generations)
    if not rows and number > 1:  # past the end (an old link, a shorter list): show the last page
        total = _ripple_rows(person, query, pattern, generation or 0, 1, 1, max_generations)
        last = max(1, -(-total[0][2] // per_page)) if total else 1
        number = last
        rows = _ripple_rows(person, query, pattern, generation or 0, per_page, number, max_generations)
    generation_of = {pid: gen for pid, gen, _ in rows}
    people = Person.objects.filter(pk__in=generation_of).select_related("recruited_by").in_bulk()
    counts = verb_counts(list(generation_of))
    members = []
    for pid, gen, _ in rows:
        p = people[pid]
        did = [(verb.label, counts[pid][verb]) for verb in RIPPLE_VERBS if counts[pid].get(verb)]
        members.append(
            RippleMember(
                person=p,
                generation=gen,
                channel=Channel(p.source_channel),
                recruited_by=p.recruited_by,
                did=did,
            )
        )
    return RipplePage(
        members=members,
        total=rows[0][2] if rows else 0,
        number=number,
        per_page=per_page,
        query=query,
        generation=generation,
    )


def _ripple_rows(
    person: Person, query: str, pattern: str, generation: int, per_page: int, page: int, max_generations: int
) -> list[tuple[int, int, int]]:
    params: list[int | str] = [
        person.pk,
        max_generations,
        query,
        pattern,
        pattern,
        generation,
        generation,
        per_page,
    ]
    with connection.cursor() as cursor:
        cursor.execute(RIPPLE_PAGE_SQL, [*params, (page - 1) * per_page])
        return [(int(a), int(b), int(c)) for a, b, c in cursor.fetchall()]


@dataclass
class ChannelReach:
    channel: Channel
    clicks: int
    joins: int

    @property
    def offlist(self) -> int:
        """Browsers that opened the link and have not joined through it."""
        return max(self.clicks - self.joins, 0)


def reach_by_channel(person: Person) -> list[ChannelReach]:
    """Per channel: browsers that opened the member's links, and people who joined through them."""
    clicks = dict(
        ShareClickCount.objects.filter(share_code__person=person)
        .values_list("channel")
        .annotate(n=Sum("clicks"))
        .order_by()
    )
    joins = dict(
        Person.objects.filter(recruited_by=person)
        .values_list("source_channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    channels = sorted(set(clicks) | set(joins))
    return [ChannelReach(Channel(c), clicks.get(c, 0), joins.get(c, 0)) for c in channels]


def contacts_of(person: Person) -> list[Contact]:
    """The people a member listed, each marked `proven` when the person it matched has
    signed in with a code at least once. Only then does the hub say "joined": a match made
    by someone typing the address (a walk-in, a form) must not tell the member whether that
    address was already on the list."""
    proven = User.objects.filter(person_id=OuterRef("person_id"), last_login__isnull=False)
    return list(Contact.objects.filter(owner=person).select_related("person").annotate(proven=Exists(proven)))


def inviter_town(share: ShareCode) -> str:
    """The town of the member whose link a visitor opened, for "Sam, from Dayton, invited
    you": only on the member's own links. A link handed out before its address was proven
    shows the name that was typed, and must not show the record's town beside it."""
    if share.shown_name:
        return ""
    return (
        PostalAddress.objects.filter(person_id=share.person_id)
        .exclude(locality="")
        .order_by("-primary", "-created_at")
        .values_list("locality", flat=True)
        .first()
        or ""
    )
