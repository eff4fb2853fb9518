"""The synthetic movement: people, their contact points, share codes and activity log,
drawn from a seed and written in bulk.

The shapes come from `forest` (who recruited whom, when), `names` and `geography`;
this module adds what else a real signup leaves behind (an email address and the
consent to use it, a postal address, a share code, the JOINED and RECRUITED acts,
shares and unsubscribes); `events` adds campaigns, events, RSVPs and who came;
`advocacy` districts, officials, campaigns, petitions, signatures and calls;
`groups` regions and local groups, their members, meetings and conversations. It
all goes in one transaction, so a failed run leaves nothing (see `tables` for why
not `bulk_create`), and the activity log goes in last, in the order things happened
(advocacy's and then groups' acts after the rest, each in their own order).

A join's acts come from `network.services.newcomer_acts`, the rule the join page logs
by; the rows mirror what `network.services.join` writes for a real signup (a test joins
through a demo recruiter's link and compares), and the events services' for hosting,
RSVPs and check-in, so the pages and analytics read demo data as they will read real
data.
"""

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role, User
from groundswell.accounts.services import create_account_for_email, ensure_account
from groundswell.activity.models import Activity, Verb
from groundswell.activity.models import ObjectKind as LogKind
from groundswell.activity.partitions import ensure_monthly_partitions, is_partitioned
from groundswell.core.channels import Channel
from groundswell.demo.acts import Acts, ObjectKind
from groundswell.demo.advocacy import AdvocacySummary, write_advocacy
from groundswell.demo.events import EventPlan, EventSummary, draw_events, first_event_id, write_events
from groundswell.demo.forest import SECONDS_PER_DAY, Forest, grow_forest
from groundswell.demo.geography import draw_homes, places_of
from groundswell.demo.groups import GroupSummary, write_groups
from groundswell.demo.names import Names, draw_names
from groundswell.demo.tables import insert_rows, random_uuids, reset_id_sequence, timestamps
from groundswell.network.models import ShareClickCount, ShareCode
from groundswell.network.services import CODE_ALPHABET, CODE_LENGTH, JOIN_CONSENT_WORDING, newcomer_acts
from groundswell.people.models import Consent, EmailAddress, EmailStatus, Person, PostalAddress
from groundswell.people.places import Place

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


@dataclass
class DemoResult:
    people: int
    roots: int
    recruited_nobody: float  # share of people
    rows: dict[str, int] = field(default_factory=dict)  # per table
    acts: dict[str, int] = field(default_factory=dict)  # activity rows per verb
    seconds: float = 0.0
    admin_email: str | None = None
    member_email: str | None = None
    member_reach: int = 0
    events: EventSummary = field(default_factory=EventSummary)
    advocacy: AdvocacySummary = field(default_factory=AdvocacySummary)
    groups: GroupSummary = field(default_factory=GroupSummary)


@dataclass
class Movement:
    """Everything drawn for a movement, person by person in forest order; no database ids yet."""

    forest: Forest
    channel: np.ndarray
    names: Names
    homes: list[Place]
    street_lines: list[str]
    subscribed: np.ndarray  # bool
    unsubscribed_ago: np.ndarray  # seconds before now; meaningful where not subscribed
    acts: Acts
    uuids: list[str]  # hex
    codes: list[str]
    # Who gets the demo's sign-in accounts, if the database is empty: (admin, member, reach).
    account_holders: tuple[int, int, int] | None
    zip_index: np.ndarray  # each person's home, as an index into geography.zip_table()
    events: EventPlan
    now: datetime  # what "seconds ago" counts back from


def demo_sign_ins() -> list[str]:
    """The demo's accounts still there, as the command prints them ("… (admin)")."""
    there = set(User.objects.filter(email__in=[ADMIN_EMAIL, MEMBER_EMAIL]).values_list("email", flat=True))
    labels = {ADMIN_EMAIL: "admin", MEMBER_EMAIL: "a member with a large network; see /hub/"}
    return [f"{email} ({labels[email]})" for email in (ADMIN_EMAIL, MEMBER_EMAIL) if email in there]


def people_exist() -> bool:
    return Person.objects.exists()


def make_movement(*, people: int, seed: int, accounts: bool = True) -> DemoResult:
    """Generate `people` people from `seed` and write them, in one transaction.

    On an empty database (with `accounts`, and at least two people) two of them get
    sign-in accounts: the movement's founder becomes the admin ADMIN_EMAIL, and the
    member with the widest reach becomes MEMBER_EMAIL, so their hub shows a rich ripple.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    movement = draw_movement(rng, people)
    with transaction.atomic():
        result = _write_movement(rng, movement, accounts=accounts)
    result.seconds = time.perf_counter() - started
    return result


def draw_movement(rng: np.random.Generator, people: int, now: datetime | None = None) -> Movement:
    now = now or timezone.now()
    forest = grow_forest(rng, people)
    channel = _draw_channels(rng, forest)
    names = draw_names(rng, people)
    zip_index = draw_homes(rng, forest)
    places = places_of(zip_index)
    holders = _pick_account_holders(forest) if people >= 2 else None
    subscribed = rng.random(people) < SUBSCRIBED_SHARE
    if holders is not None:
        subscribed[list(holders[:2])] = True  # they are there to be signed in as
    unsubscribed_ago = np.maximum(
        forest.joined - rng.lognormal(np.log(UNSUBSCRIBE_MEDIAN_DAYS), 1.0, size=people) * SECONDS_PER_DAY,
        1.0,
    )
    homes = [places[z] for z in zip_index.tolist()]
    street_lines = _draw_street_lines(rng, people)
    acts = _draw_acts(rng, forest, channel, subscribed, unsubscribed_ago)
    uuids = random_uuids(people)
    codes = _draw_share_codes(rng, people)
    # Events come last, so the people a seed makes stay those it made before there were events.
    # The founder hosts as staff (the admin, when the demo makes accounts).
    events = draw_events(
        rng,
        forest,
        homes=homes,
        zip_index=zip_index,
        given_names=names.given,
        channel=channel,
        staff=holders[0] if holders is not None else int(forest.roots[0]),
        featured=holders[1] if holders is not None else None,
        now=now,
        acts=acts,
    )
    return Movement(
        forest=forest,
        channel=channel,
        names=names,
        homes=homes,
        street_lines=street_lines,
        subscribed=subscribed,
        unsubscribed_ago=unsubscribed_ago,
        acts=acts,
        uuids=uuids,
        codes=codes,
        account_holders=holders,
        zip_index=zip_index,
        events=events,
        now=now,
    )


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
        f"{number[i]} {STREETS[street[i]]} {STREET_KINDS[kind[i]]}" if has[i] else "" for i in range(count)
    ]


def _draw_acts(
    rng: np.random.Generator,
    forest: Forest,
    channel: np.ndarray,
    subscribed: np.ndarray,
    unsubscribed_ago: np.ndarray,
) -> Acts:
    acts = Acts()
    # Everyone joined through the join page, ticking "email me" (leavers unsubscribe later).
    parents, channels = forest.parent.tolist(), channel.tolist()
    acts.add_arrivals(
        (
            (
                i,
                newcomer_acts(
                    person_id=i,
                    recruiter_id=parents[i] if parents[i] >= 0 else None,
                    channel=Channel(channels[i]),
                    subscribed=True,
                    actor=ANONYMOUS,
                ),
            )
            for i in range(forest.size)
        ),
        forest.joined,
    )
    recruits = forest.recruits
    recruiter = forest.parent[recruits]

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
    founder (the earliest root other than that member) as admin."""
    reach = forest.reach()
    member = int(np.argmax(reach))
    others = [r for r in forest.roots[:2].tolist() if r != member]
    admin = others[0] if others else (0 if member != 0 else 1)
    return admin, member, int(reach[member])


def _draw_share_codes(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct codes. Among 31^8 codes, 100,000 draws repeat one another about
    once in 170 runs; the repeats are drawn again."""
    alphabet = np.frombuffer(CODE_ALPHABET.encode(), dtype=np.uint8)
    draws = rng.integers(0, len(alphabet), size=(count, CODE_LENGTH))
    codes = alphabet[draws].view(f"S{CODE_LENGTH}").ravel().astype(f"U{CODE_LENGTH}").tolist()
    return _avoid_taken_codes(rng, codes, taken=set())


def _avoid_taken_codes(
    rng: np.random.Generator, codes: list[str], taken: set[str] | None = None
) -> list[str]:
    """The codes, with any already taken (by default: in the database) drawn again."""
    if taken is None:
        taken = set(ShareCode.objects.values_list("code", flat=True)) if ShareCode.objects.exists() else set()
    fresh = []
    for code in codes:
        while code in taken:
            code = "".join(CODE_ALPHABET[j] for j in rng.integers(0, len(CODE_ALPHABET), CODE_LENGTH))
        taken.add(code)
        fresh.append(code)
    return fresh


# --- Writing ------------------------------------------------------------------------------


def _write_movement(rng: np.random.Generator, movement: Movement, *, accounts: bool) -> DemoResult:
    forest, people = movement.forest, movement.forest.size
    now = movement.now
    now_us = round(now.timestamp() * 1_000_000)
    # Ids are assigned here rather than by the database: each row needs its recruiter's
    # id, and recruiters go in with their recruits. Ids follow the order of joining.
    base = (Person.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    ids = base + np.arange(people, dtype=np.int64)
    person_ids = ids.tolist()
    names = movement.names
    emails = [
        f"{g}.{f}.{i}@{EMAIL_DOMAIN}"
        for g, f, i in zip(names.given_ascii, names.family_ascii, person_ids, strict=True)
    ]
    result = DemoResult(
        people=people,
        roots=len(forest.roots),
        recruited_nobody=float((forest.direct_recruits() == 0).mean()),
    )
    holders = movement.account_holders if accounts and base == 1 else None
    if holders is not None:
        admin, member, result.member_reach = holders
        emails[admin], emails[member] = ADMIN_EMAIL, MEMBER_EMAIL
    is_subscribed = movement.subscribed.tolist()
    joined_at = timestamps(now_us, forest.joined)
    unsubscribed_at = timestamps(now_us, movement.unsubscribed_ago)

    result.rows["people"] = insert_rows(
        Person,
        {
            "id": person_ids,
            # Hex: what Django stores on SQLite (char(32)), and text PostgreSQL's uuid reads.
            "uuid": movement.uuids,
            "given_name": names.given,
            "family_name": names.family,
            "source_channel": movement.channel.tolist(),
            "recruited_by_id": _ids_or_none(forest.parent, ids),
            "source_detail": [SOURCE_DETAIL] * people,
            "created_at": joined_at,
            "modified_at": joined_at,
        },
    )
    reset_id_sequence(Person)
    result.rows["email addresses"] = insert_rows(
        EmailAddress,
        {
            "person_id": person_ids,
            "address": emails,
            "primary": [True] * people,
            "status": [
                EmailStatus.SUBSCRIBED.value if s else EmailStatus.UNSUBSCRIBED.value for s in is_subscribed
            ],
            "created_at": joined_at,
            "status_changed_at": [
                None if s else t for s, t in zip(is_subscribed, unsubscribed_at, strict=True)
            ],
        },
    )
    # Everyone ticked "email me" on the join form; unsubscribing later changes the
    # address's status (as `messaging` does), not the consent given at the time.
    result.rows["consents"] = insert_rows(
        Consent,
        {
            "person_id": person_ids,
            "purpose": [Consent.Purpose.EMAIL.value] * people,
            "granted": [True] * people,
            "wording": [JOIN_CONSENT_WORDING] * people,
            "channel": movement.channel.tolist(),
            "recorded_at": joined_at,
        },
    )
    homes = movement.homes
    result.rows["postal addresses"] = insert_rows(
        PostalAddress,
        {
            "person_id": person_ids,
            "primary": [True] * people,
            "address_lines": [json.dumps([line] if line else []) for line in movement.street_lines],
            "locality": [p.locality for p in homes],
            "region": [p.region for p in homes],
            "postal_code": [p.postal_code for p in homes],
            "country": [p.country for p in homes],
            "latitude": [p.latitude for p in homes],
            "longitude": [p.longitude for p in homes],
            "created_at": joined_at,
        },
    )
    result.rows["share codes"] = insert_rows(
        ShareCode,
        {
            "person_id": person_ids,
            "code": _avoid_taken_codes(rng, movement.codes),
            "created_at": joined_at,
        },
    )
    event_ids = first_event_id() + np.arange(len(movement.events.events), dtype=np.int64)
    event_rows, result.events = write_events(
        movement.events,
        person_ids=ids,
        channel=movement.channel,
        event_ids=event_ids,
        now=now,
        now_us=now_us,
    )
    result.rows.update(event_rows)
    result.acts = _write_acts(movement.acts, ids, event_ids, now, now_us)
    result.rows["activities"] = sum(result.acts.values())
    result.rows["share link visits"] = _write_share_visits(rng, movement, person_ids, now_us)
    # Advocacy last, drawn after the rest: a seed's people and events stay as they were.
    result.advocacy = write_advocacy(rng, movement, ids=ids, now=now, now_us=now_us)
    result.rows.update(result.advocacy.rows)
    for verb, count in result.advocacy.acts.items():
        result.acts[verb] = result.acts.get(verb, 0) + count
        result.rows["activities"] += count
    # Groups and their conversations after advocacy, on the same random numbers: a seed's
    # people, events and advocacy stay as they were.
    result.groups = write_groups(rng, movement, ids=ids, event_ids=event_ids, now=now, now_us=now_us)
    result.rows.update(result.groups.rows)
    # The groups' meetings are events like any other: counted with them.
    events, groups = result.events, result.groups
    events.events += groups.events_added
    events.member_hosted += groups.events_added
    events.attendances += groups.rsvps
    events.accepted += groups.rsvps
    events.attended += groups.attended
    events.no_shows += groups.no_shows
    result.rows["events"] = result.rows.get("events", 0) + result.rows.pop("group events", 0)
    result.rows["attendances"] = result.rows.get("attendances", 0) + groups.rsvps
    for verb, count in result.groups.acts.items():
        result.acts[verb] = result.acts.get(verb, 0) + count
        result.rows["activities"] += count
    if holders is not None:
        admin, member, _ = holders
        create_account_for_email(email=ADMIN_EMAIL, role=Role.ADMIN)
        ensure_account(person=Person.objects.get(pk=person_ids[member]), email=MEMBER_EMAIL)
        result.admin_email, result.member_email = ADMIN_EMAIL, MEMBER_EMAIL
    return result


# Most people who open a friend's link do not join: for each join through a link, this many
# other browsers opened it on average (the hub's "opened" is never below its "joined").
VISITS_PER_JOIN = 2.5
# Members whose links were opened by people who never joined.
OPENED_WITHOUT_JOINS_SHARE = 0.15


def _write_share_visits(
    rng: np.random.Generator, movement: Movement, person_ids: list[int], now_us: int
) -> int:
    """ShareClickCount rows: every join through a link is a visit on that link's channel on
    the day of the join, with visitors who did not join on the same days; a few links were
    opened and nobody joined. Drawn last, so the rest of the seed's movement is unchanged."""
    forest = movement.forest
    recruits = np.flatnonzero(forest.parent >= 0)
    visits: dict[tuple[int, int, str], int] = {}
    days = [t[:10] for t in timestamps(now_us, forest.joined[recruits])]
    extra = rng.poisson(VISITS_PER_JOIN, size=len(recruits)).tolist()
    for child, day, more in zip(recruits.tolist(), days, extra, strict=True):
        key = (int(forest.parent[child]), int(movement.channel[child]), day)
        visits[key] = visits.get(key, 0) + 1 + more
    quiet = np.flatnonzero(
        (forest.direct_recruits() == 0) & (rng.random(forest.size) < OPENED_WITHOUT_JOINS_SHARE)
    )
    quiet_days = timestamps(now_us, forest.joined[quiet] * rng.random(len(quiet)))
    channels = rng.choice(np.array([int(c) for c in CHANNEL_MIX]), size=len(quiet)).tolist()
    clicks = rng.integers(1, 6, size=len(quiet)).tolist()
    for person, day, channel, count in zip(quiet.tolist(), quiet_days, channels, clicks, strict=True):
        visits[(person, channel, day[:10])] = count
    code_of = dict(ShareCode.objects.filter(person_id__in=person_ids).values_list("person_id", "id"))
    keys = list(visits)
    return insert_rows(
        ShareClickCount,
        {
            "share_code_id": [code_of[person_ids[p]] for p, _, _ in keys],
            "channel": [c for _, c, _ in keys],
            "day": [d for _, _, d in keys],
            "clicks": list(visits.values()),
        },
    )


def _write_acts(
    acts: Acts, ids: np.ndarray, event_ids: np.ndarray, now: datetime, now_us: int
) -> dict[str, int]:
    """Write the activity log; returns how many acts of each verb."""
    seconds_ago = np.concatenate(acts.seconds_ago)
    # The log in the order things happened, as a live log would be.
    order = np.argsort(-seconds_ago, kind="stable")
    seconds_ago = seconds_ago[order]
    person = np.concatenate(acts.person)[order]
    verb = np.concatenate(acts.verb)[order]
    obj = np.concatenate(acts.obj)[order]
    obj_kind = np.concatenate(acts.obj_kind)[order]
    initiator = np.concatenate(acts.initiator)[order].tolist()
    if is_partitioned(connection):
        # Give every month its own partition before the rows arrive, rather than
        # piling them into the DEFAULT partition for a later move.
        first = (now - timedelta(seconds=float(seconds_ago[0]))).date()
        months = (now.year - first.year) * 12 + now.month - first.month + 3
        ensure_monthly_partitions(connection, start=first, months=months)
    kinds = {ObjectKind.PERSON: LogKind.PERSON, ObjectKind.EVENT: LogKind.EVENT}
    type_of = np.array([int(kinds[ObjectKind(k)]) for k in range(len(ObjectKind))], dtype=np.int64)
    object_ids = {ObjectKind.PERSON: ids, ObjectKind.EVENT: event_ids}
    object_id = np.full(len(obj), -1, dtype=np.int64)
    for kind, kind_ids in object_ids.items():
        mine = (obj_kind == kind) & (obj >= 0)
        object_id[mine] = kind_ids[obj[mine]]
    has_object = (obj >= 0).tolist()
    insert_rows(
        Activity,
        {
            "person_id": ids[person].tolist(),
            "verb": verb.tolist(),
            "object_kind": [
                t if o else None for t, o in zip(type_of[obj_kind].tolist(), has_object, strict=True)
            ],
            "object_id": [i if o else None for i, o in zip(object_id.tolist(), has_object, strict=True)],
            "occurred_at": timestamps(now_us, seconds_ago),
            "channel": np.concatenate(acts.channel)[order].tolist(),
            # Credit as the services give it: a join credits the recruiter whose link it came
            # through; other acts came directly (lineage is read from recruited_by).
            "referrer_id": _ids_or_none(np.concatenate(acts.referrer)[order], ids),
            "actor_id": _ids_or_none(np.concatenate(acts.actor)[order], ids),
            "initiator": initiator,
        },
    )
    counted = np.bincount(verb, minlength=max(Verb) + 1)
    return {Verb(v).label: int(counted[v]) for v in np.flatnonzero(counted).tolist()}


def _ids_or_none(index: np.ndarray, ids: np.ndarray) -> list[int | None]:
    """Database ids for forest indexes, None where the index is -1 (no one)."""
    mapped = ids[np.maximum(index, 0)].tolist()
    return [m if i >= 0 else None for m, i in zip(mapped, index.tolist(), strict=True)]
