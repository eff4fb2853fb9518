"""The synthetic movement: people, their contact points, share codes and activity log,
drawn from a seed and written in bulk.

The shapes come from `forest` (who recruited whom, when), `names` and `geography`;
this module adds what else a real signup leaves behind (an email address, a postal
address, a share code, the JOINED and RECRUITED acts, shares and unsubscribes) and
writes it all with `bulk_create` in one transaction, so a failed run leaves nothing.

Rows mirror what `network.services.join` writes for a real signup, so the pages and
analytics read demo data exactly as they will read real data.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.services import create_account_for_email, ensure_account
from groundswell.activity.models import Activity, Initiator, Verb
from groundswell.activity.partitions import ensure_monthly_partitions, is_partitioned
from groundswell.core.channels import Channel
from groundswell.demo.forest import SECONDS_PER_DAY, Forest, grow_forest
from groundswell.demo.geography import draw_homes, places_of, zip_table
from groundswell.demo.names import draw_names
from groundswell.network.models import ShareCode
from groundswell.network.services import CODE_ALPHABET, CODE_LENGTH
from groundswell.people.models import EmailAddress, EmailStatus, Person, PostalAddress

ADMIN_EMAIL = "admin@example.org"
MEMBER_EMAIL = "member@example.org"
# RFC 2606 reserves example.org: mail to these addresses goes nowhere.
EMAIL_DOMAIN = "example.org"
# Marks every generated person, so demo data can be told apart (and deleted) later.
SOURCE_DETAIL = "demo"

# How recruits arrived: the share channel of the link they followed.
CHANNEL_MIX: dict[Channel, float] = {
    Channel.FACEBOOK: 0.30,
    Channel.WHATSAPP: 0.20,
    Channel.EMAIL: 0.20,
    Channel.LINK: 0.12,
    Channel.X: 0.08,
    Channel.BLUESKY: 0.05,
    Channel.MASTODON: 0.05,
}
# People mostly share where they already talk: most of a member's recruits come
# through their favourite channel. The overall mix stays CHANNEL_MIX.
FAVOURITE_CHANNEL_SHARE = 0.6
# Roots found the movement on their own (its website, a rally, the news).
ROOT_CHANNEL = Channel.DIRECT

SUBSCRIBED_SHARE = 0.85
UNSUBSCRIBE_MEDIAN_DAYS = 60.0
# Members who shared their link without anyone joining through it (yet).
FRUITLESS_SHARER_SHARE = 0.2
STREET_ADDRESS_SHARE = 0.4

STREETS = (
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Park",
    "Washington",
    "Lake",
    "Hill",
    "Pine",
    "Martin Luther King Jr",
    "Cesar Chavez",
    "Sunset",
    "Church",
    "Harriet Tubman",
    "Broad",
)
STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Way", "Ct")

# Objects built per bulk_create call: bounds memory at a few MB whatever the size.
CHUNK = 5_000

M = TypeVar("M", bound=models.Model)


@dataclass
class DemoResult:
    people: int
    roots: int
    recruited_nobody: float  # share of people
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    admin_email: str | None = None
    member_email: str | None = None
    member_reach: int = 0


@dataclass
class Acts:
    """Columns of activity rows, by index into the forest (not yet database ids)."""

    person: list[np.ndarray] = field(default_factory=list)
    verb: list[np.ndarray] = field(default_factory=list)
    obj: list[np.ndarray] = field(default_factory=list)  # forest index of a person, or -1
    seconds_ago: list[np.ndarray] = field(default_factory=list)
    channel: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        person: np.ndarray,
        verb: Verb,
        seconds_ago: np.ndarray,
        channel: np.ndarray,
        obj: np.ndarray | None = None,
    ) -> None:
        self.person.append(person)
        self.verb.append(np.full(len(person), int(verb), dtype=np.int64))
        self.obj.append(obj if obj is not None else np.full(len(person), -1, dtype=np.int64))
        self.seconds_ago.append(seconds_ago)
        self.channel.append(channel)


def people_exist() -> bool:
    return Person.objects.exists()


def make_movement(*, people: int, seed: int, accounts: bool = True) -> DemoResult:
    """Generate `people` people from `seed` and write them, in one transaction.

    On an empty database (and with `accounts`) two people get sign-in accounts:
    the movement's founder is the admin ADMIN_EMAIL, and the member with the
    largest reach is MEMBER_EMAIL, so their hub shows a rich ripple.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    forest = grow_forest(rng, people)
    channel = _draw_channels(rng, forest)
    names = draw_names(rng, people)
    homes = draw_homes(rng, forest)
    places = places_of(homes)
    street = _draw_street_lines(rng, people)
    subscribed = rng.random(people) < SUBSCRIBED_SHARE
    unsubscribed_ago = np.maximum(
        forest.joined
        - rng.lognormal(np.log(UNSUBSCRIBE_MEDIAN_DAYS), 1.0, size=people) * SECONDS_PER_DAY,
        1.0,
    )
    acts = _draw_acts(rng, forest, channel, subscribed, unsubscribed_ago)

    now = timezone.now()
    with transaction.atomic():
        codes = _share_codes(rng, people)
        # Ids are assigned here rather than by the database: recruiters are written in
        # the same batches as their recruits, and each row needs its recruiter's id.
        base = (Person.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        empty = base == 1 and not Person.objects.exists()
        ids = base + np.arange(people, dtype=np.int64)
        emails = [
            f"{g}.{f}.{i}@{EMAIL_DOMAIN}"
            for g, f, i in zip(names.given_ascii, names.family_ascii, ids.tolist(), strict=True)
        ]
        result = DemoResult(
            people=people,
            roots=len(forest.roots),
            recruited_nobody=float((forest.direct_recruits() == 0).mean()),
        )
        admin = member = None
        if empty and accounts:
            admin, member, result.member_reach = _pick_account_holders(forest)
            emails[admin], emails[member] = ADMIN_EMAIL, MEMBER_EMAIL
            subscribed[[admin, member]] = True

        joined_at = _datetimes(now, forest.joined)
        parent_id = np.where(forest.parent >= 0, ids[np.maximum(forest.parent, 0)], -1)
        with _timestamps_as_given():
            result.rows["people"] = _write(
                Person,
                people,
                lambda i, t=joined_at, p=parent_id.tolist(), c=channel.tolist(): Person(
                    id=base + i,
                    given_name=names.given[i],
                    family_name=names.family[i],
                    source_channel=c[i],
                    recruited_by_id=p[i] if p[i] >= 0 else None,
                    source_detail=SOURCE_DETAIL,
                    created_at=t[i],
                    modified_at=t[i],
                ),
            )
            _reset_id_sequence(Person)
            unsubscribed_at = _datetimes(now, unsubscribed_ago)
            result.rows["email addresses"] = _write(
                EmailAddress,
                people,
                lambda i, t=joined_at, s=subscribed.tolist(): EmailAddress(
                    person_id=base + i,
                    address=emails[i],
                    primary=True,
                    status=EmailStatus.SUBSCRIBED if s[i] else EmailStatus.UNSUBSCRIBED,
                    created_at=t[i],
                    status_changed_at=None if s[i] else unsubscribed_at[i],
                ),
            )
            home = homes.tolist()
            result.rows["postal addresses"] = _write(
                PostalAddress,
                people,
                lambda i, t=joined_at: PostalAddress(
                    person_id=base + i,
                    primary=True,
                    address_lines=[street[i]] if street[i] else [],
                    locality=places[home[i]].locality,
                    region=places[home[i]].region,
                    postal_code=places[home[i]].postal_code,
                    country=places[home[i]].country,
                    latitude=places[home[i]].latitude,
                    longitude=places[home[i]].longitude,
                    created_at=t[i],
                ),
            )
            result.rows["share codes"] = _write(
                ShareCode,
                people,
                lambda i, t=joined_at: ShareCode(person_id=base + i, code=codes[i], created_at=t[i]),
            )
        result.rows.update(_write_acts(acts, forest, ids, now))
        if admin is not None and member is not None:
            create_account_for_email(email=ADMIN_EMAIL, role=Role.ADMIN)
            ensure_account(person=Person.objects.get(pk=int(ids[member])), email=MEMBER_EMAIL)
            result.admin_email, result.member_email = ADMIN_EMAIL, MEMBER_EMAIL
    result.seconds = time.perf_counter() - started
    return result


# --- Drawing ------------------------------------------------------------------------------


def _draw_channels(rng: np.random.Generator, forest: Forest) -> np.ndarray:
    """Each person's source channel: ROOT_CHANNEL for roots, a share channel for recruits."""
    mix = np.array([int(c) for c in CHANNEL_MIX])
    weights = np.array(list(CHANNEL_MIX.values()))
    weights = weights / weights.sum()
    favourite = rng.choice(mix, size=forest.size, p=weights)
    other = rng.choice(mix, size=forest.size, p=weights)
    through_favourite = rng.random(forest.size) < FAVOURITE_CHANNEL_SHARE
    recruiter_favourite = favourite[np.maximum(forest.parent, 0)]
    channel = np.where(through_favourite, recruiter_favourite, other)
    return np.where(forest.parent >= 0, channel, int(ROOT_CHANNEL))


def _draw_street_lines(rng: np.random.Generator, count: int) -> list[str]:
    """A street line for some people (the join form asks only for a ZIP code)."""
    has = (rng.random(count) < STREET_ADDRESS_SHARE).tolist()
    number = rng.integers(1, 9_999, size=count).tolist()
    street = rng.integers(0, len(STREETS), size=count).tolist()
    kind = rng.integers(0, len(STREET_KINDS), size=count).tolist()
    return [
        f"{number[i]} {STREETS[street[i]]} {STREET_KINDS[kind[i]]}" if has[i] else ""
        for i in range(count)
    ]


def _draw_acts(
    rng: np.random.Generator,
    forest: Forest,
    channel: np.ndarray,
    subscribed: np.ndarray,
    unsubscribed_ago: np.ndarray,
) -> Acts:
    acts = Acts()
    everyone = np.arange(forest.size, dtype=np.int64)
    acts.add(everyone, Verb.JOINED, forest.joined, channel)
    recruits = forest.recruits
    recruiter = forest.parent[recruits]
    acts.add(recruiter, Verb.RECRUITED, forest.joined[recruits], channel[recruits], obj=recruits)

    # A recruit followed a link: its recruiter shared on that channel before the first
    # recruit from it arrived. One share per (recruiter, channel), between the
    # recruiter joining and that first recruit, usually a day or so before.
    pair = recruiter * 64 + channel[recruits]
    first = np.lexsort((-forest.joined[recruits], pair))  # by pair, earliest join first
    _, start = np.unique(pair[first], return_index=True)
    first_recruit = recruits[first[start]]
    sharer = forest.parent[first_recruit]
    gap = forest.joined[sharer] - forest.joined[first_recruit]
    lead = rng.lognormal(np.log(SECONDS_PER_DAY), 1.0, size=len(sharer))
    shared_ago = forest.joined[first_recruit] + np.maximum(np.minimum(lead, gap * 0.9), gap * 0.1)
    acts.add(sharer, Verb.SHARED, shared_ago, channel[first_recruit])

    # Some who recruited nobody shared anyway, a few days after joining.
    idle = np.flatnonzero(forest.direct_recruits() == 0)
    idle = idle[rng.random(len(idle)) < FRUITLESS_SHARER_SHARE]
    after = rng.lognormal(np.log(2 * SECONDS_PER_DAY), 1.2, size=len(idle))
    favourite = rng.choice(np.array([int(c) for c in CHANNEL_MIX]), size=len(idle))
    acts.add(idle, Verb.SHARED, np.maximum(forest.joined[idle] - after, 1.0), favourite)

    leavers = np.flatnonzero(~subscribed)
    acts.add(
        leavers,
        Verb.UNSUBSCRIBED,
        unsubscribed_ago[leavers],
        np.full(len(leavers), int(Channel.EMAIL)),
    )
    return acts


def _pick_account_holders(forest: Forest) -> tuple[int, int, int]:
    """(admin, member, member's reach): the member with the widest reach, and the
    earliest root (the founder) as admin."""
    reach = forest.reach()
    member = int(np.argmax(reach))
    admin = int(next(r for r in forest.roots.tolist() if r != member)) if forest.size > 1 else member
    return admin, member, int(reach[member])


def _share_codes(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct codes, none already in the database. Among 31^8 codes, 100,000
    draws repeat one another about once in 170 runs: those few are drawn again."""
    alphabet = np.frombuffer(CODE_ALPHABET.encode(), dtype=np.uint8)
    draws = rng.integers(0, len(alphabet), size=(count, CODE_LENGTH))
    codes = alphabet[draws].view(f"S{CODE_LENGTH}").ravel().astype(f"U{CODE_LENGTH}").tolist()
    taken: set[str] = set()
    if ShareCode.objects.exists():
        taken = set(ShareCode.objects.values_list("code", flat=True))
    for i, code in enumerate(codes):
        while code in taken:
            code = "".join(CODE_ALPHABET[j] for j in rng.integers(0, len(alphabet), CODE_LENGTH))
        codes[i] = code
        taken.add(code)
    return codes


# --- Writing ------------------------------------------------------------------------------


def _write(model: type[M], count: int, build: Callable[[int], M]) -> int:
    for start in range(0, count, CHUNK):
        model._default_manager.bulk_create([build(i) for i in range(start, min(count, start + CHUNK))])
    return count


def _write_acts(acts: Acts, forest: Forest, ids: np.ndarray, now: datetime) -> dict[str, int]:
    person = np.concatenate(acts.person)
    seconds_ago = np.concatenate(acts.seconds_ago)
    # The log in the order things happened, as a live log would be.
    order = np.argsort(-seconds_ago, kind="stable")
    person = person[order]
    verb = np.concatenate(acts.verb)[order]
    obj = np.concatenate(acts.obj)[order]
    channel = np.concatenate(acts.channel)[order]
    seconds_ago = seconds_ago[order]
    occurred = _datetimes(now, seconds_ago)
    # Credit as `activity.services.record` does: a member's acts count for whoever
    # recruited them (a RECRUITED act credits the recruiter's own recruiter).
    referrer = forest.parent[person]
    person_ids = ids[person].tolist()
    referrer_ids = np.where(referrer >= 0, ids[np.maximum(referrer, 0)], -1).tolist()
    object_ids = np.where(obj >= 0, ids[np.maximum(obj, 0)], -1).tolist()
    verbs, channels = verb.tolist(), channel.tolist()
    person_type = ContentType.objects.get_for_model(Person).pk

    if is_partitioned(connection):
        # Give every month its own partition before the rows arrive, rather than
        # piling them into the DEFAULT partition for a later move.
        first = occurred[0].date() if occurred else now.date()
        months = (now.year - first.year) * 12 + now.month - first.month + 3
        ensure_monthly_partitions(connection, start=first, months=months)

    def build(i: int) -> Activity:
        return Activity(
            person_id=person_ids[i],
            verb=verbs[i],
            object_type_id=person_type if object_ids[i] >= 0 else None,
            object_id=object_ids[i] if object_ids[i] >= 0 else None,
            occurred_at=occurred[i],
            channel=channels[i],
            referrer_id=referrer_ids[i] if referrer_ids[i] >= 0 else None,
            initiator=Initiator.MEMBER,
        )

    _write(Activity, len(person_ids), build)
    counted = np.bincount(verb, minlength=max(Verb) + 1)
    rows = {"activities": len(person_ids)}
    rows.update({Verb(v).label: int(counted[v]) for v in np.flatnonzero(counted).tolist()})
    return rows


def _datetimes(now: datetime, seconds_ago: np.ndarray) -> list[datetime]:
    """Aware datetimes `seconds_ago` before `now`, to the microsecond."""
    now_us = np.int64(round(now.timestamp() * 1_000_000))
    stamps = (now_us - np.round(seconds_ago * 1_000_000).astype(np.int64)).astype("datetime64[us]")
    return [d.replace(tzinfo=UTC) for d in stamps.astype(object).tolist()]


@contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """Let bulk_create keep the join times we set on `auto_now`/`auto_now_add` fields.

    Django stamps such fields with the current time on every insert, bulk ones
    included. The flags are switched off only for the duration of the writes and
    always restored; a management command runs alone in its process, so no other
    save sees them off.
    """
    stamped: Sequence[tuple[type[models.Model], str]] = (
        (Person, "created_at"),
        (Person, "modified_at"),
        (EmailAddress, "created_at"),
        (PostalAddress, "created_at"),
        (ShareCode, "created_at"),
    )
    saved: list[tuple[Any, bool, bool]] = []
    for model, name in stamped:
        f: Any = model._meta.get_field(name)
        saved.append((f, f.auto_now, f.auto_now_add))
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _reset_id_sequence(model: type[models.Model]) -> None:
    """After writing explicit ids, move the id sequence past them (PostgreSQL; SQLite
    follows the largest id by itself), so the next real signup gets a fresh id."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
