"""Reads of the recruitment network: share links, the ripple, off-list reach."""

from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum

from groundswell.accounts.models import User
from groundswell.activity.models import Verb
from groundswell.activity.selectors import verb_counts
from groundswell.core.channels import SHARE_CHANNELS, Channel
from groundswell.network.models import Contact, ShareClickCount, ShareCode
from groundswell.people.models import Person

SHARE_TEXT = "I'm part of {site}. Join me:"
MAX_GENERATIONS = 50  # deep enough for any real tree; also stops a cycle, should one exist
SHOWN_PER_GENERATION = 50


@dataclass
class ShareLink:
    channel: Channel
    label: str
    url: str  # where the button goes (the network's share page, or the link itself)
    link: str  # the join link carried, credited to this channel


def share_links(code: ShareCode) -> list[ShareLink]:
    """Ready-made links to share `code` on each channel, each crediting its own channel."""
    from groundswell.network.services import share_url

    text = SHARE_TEXT.format(site=settings.SITE_NAME)
    links = []
    for channel in SHARE_CHANNELS:
        link = share_url(code, channel)
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
    channel: Channel
    recruited_by: Person | None
    did: list[tuple[str, int]]  # what they went on to do: (verb label, times)


@dataclass
class Generation:
    number: int
    total: int
    shown: list[RippleMember] = field(default_factory=list)


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


# The recruitment tree below one person, walked in the database (SQLite and PostgreSQL
# both speak recursive CTEs and window functions). The generation cap also stops a
# cycle, should a merge of duplicates ever make one.
RIPPLE_SQL = """
WITH RECURSIVE tree(id, generation, created_at) AS (
    SELECT id, 1, created_at FROM people_person WHERE recruited_by_id = %s
    UNION ALL
    SELECT p.id, t.generation + 1, p.created_at
    FROM people_person p JOIN tree t ON p.recruited_by_id = t.id
    WHERE t.generation < %s
),
ranked AS (
    SELECT id, generation,
           ROW_NUMBER() OVER (PARTITION BY generation ORDER BY created_at, id) AS position,
           COUNT(*) OVER (PARTITION BY generation) AS total
    FROM tree
)
SELECT id, generation, total FROM ranked WHERE position <= %s ORDER BY generation, position
"""


def ripple(person: Person, *, max_generations: int = MAX_GENERATIONS) -> list[Generation]:
    """Everyone who joined through `person`, and through those people, generation by generation,
    with what each went on to do. Three queries, however deep or wide the tree."""
    with connection.cursor() as cursor:
        cursor.execute(RIPPLE_SQL, [person.pk, max_generations, SHOWN_PER_GENERATION])
        rows = cursor.fetchall()
    generations: dict[int, Generation] = {}
    generation_of: dict[int, int] = {}
    for pid, number, total in rows:
        generations.setdefault(number, Generation(number=number, total=total))
        generation_of[pid] = number
    if not rows:
        return []
    people = (
        Person.objects.filter(pk__in=generation_of)
        .select_related("recruited_by")
        .order_by("created_at", "id")
    )
    counts = verb_counts(list(generation_of))
    for p in people:
        did = [(verb.label, counts[p.pk][verb]) for verb in RIPPLE_VERBS if counts[p.pk].get(verb)]
        generations[generation_of[p.pk]].shown.append(
            RippleMember(person=p, channel=Channel(p.source_channel), recruited_by=p.recruited_by, did=did)
        )
    return [generations[n] for n in sorted(generations)]


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
