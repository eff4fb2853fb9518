"""Local groups and their conversations for the synthetic movement, with the acts the groups
and conversations services log.

**Where.** Local groups sit where the demo's members cluster: greedily, the member ZIP code
with the most members within `POOL_MILES` not yet near a chosen group (at least
`CENTRES_APART_MILES` from the others), more groups for a bigger movement. Each meets at that
postcode and draws its members from the people living within `POOL_MILES`. Above them, a
region per state (an `area` named after the state, led by staff) under one national group.

**Who.** A group's starter leads it (STARTED_GROUP, JOINED_GROUP, LED_GROUP at once); the
people near it join over the months after, friends together (a recruit of a member joins
within days of their recruiter, `FRIENDS_JOIN`); a few become core members with a named role
("events coordinator": BECAME_CORE), and some leave (LEFT_GROUP, STEPPED_DOWN first for a
role). Groups open to all, by request (a few requests still waiting, with their notes) and by
invitation; one private.

**Two kinds, so METRICS H1 finds both.** *Thriving* groups are older than six months, with a
member leader, three or four core members, and a meeting about every four weeks hosted in
turn by the leader and core members (so every calendar month has one, and several people
host in any 90 days), attended by its members (RSVPED, CHECKED_IN, ATTENDED: they reach
L2); one of them has survived a leader change. *Faded* groups met monthly until their leader
stepped down and left a few months ago (`leaderless_since` set, its core members told after
30 days, `leaderless_told_at`); nothing since. The rest are in between: a few events, a
younger group. Existing demo events a member hosted near their group after joining it
become the group's (`Event.group`).

**Conversations.** Threads in each group (and on a couple of events and the staff call
campaign), replies by members who had joined by then, Markdown cooked once with
`core.markdown.cook` (and `mentions.cook_post` for the few posts that @mention someone:
Mention rows, WAS_MENTIONED acts), POSTED for a thread's opening post and REPLIED for each
reply, with the group (or event, campaign) as context. Some posts carry a link (a `Media` of
kind link with tags shared across groups, its `LinkCard` ready, with a made-up title on
example.org: no network).

**The demo's member** (MEMBER_EMAIL) leads the group nearest their home and is a member of
another. Everything is drawn with the generator's random numbers after advocacy, so a seed's
people, events and advocacy are unchanged; rows go in with `tables.insert_rows`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Max
from django.utils.text import slugify

from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.advocacy.models import AdvocacyCampaign
from groundswell.conversations.mentions import cook_post, mention_text
from groundswell.conversations.models import LinkCard, Media, Mention, Post, Tag, Thread
from groundswell.core.channels import Channel
from groundswell.core.markdown import cook
from groundswell.demo.events import fill_given_details, first_event_id, time_zone_for
from groundswell.demo.forest import SECONDS_PER_DAY
from groundswell.demo.geography import miles_between, zip_table
from groundswell.demo.tables import insert_rows, random_uuids, reset_id_sequence, timestamps
from groundswell.events.models import Attendance, Event, new_link_key
from groundswell.groups.models import Group, Membership
from groundswell.people.models import Person
from groundswell.people.places import place_postcode

if TYPE_CHECKING:
    from groundswell.demo.generator import Movement

DAY = SECONDS_PER_DAY
HOUR = 3600.0

PEOPLE_PER_GROUP = 150
GROUPS_MIN, GROUPS_MAX = 3, 14
POOL_MILES = 20.0
CENTRES_APART_MILES = 30.0
CANDIDATE_ZIPS = 3000  # the busiest member ZIP codes considered as centres
MIN_POOL = 6
THRIVING_LONG_TIMERS = 25  # people near it who have been members for 230 days or more
THRIVING_SHARE, FADED_SHARE = 0.4, 0.25
# Who joins, of the people living near: a share by kind, and friends of members more often.
JOIN_SHARE = {"thriving": 0.55, "faded": 0.35, "ordinary": 0.3}
FRIENDS_JOIN = 0.75
JOIN_DELAY_MEDIAN_DAYS = 25.0
MEMBERS_MAX = 150
LEFT_SHARE = 0.08
CORE_TITLES = (
    "events coordinator",
    "outreach lead",
    "welcome team",
    "social media",
    "treasurer",
    "note taker",
)
MEETING_EVERY_DAYS = 27.0  # under 28: every calendar month has one
REGULAR_SHARE, REGULAR_RSVP, OCCASIONAL_RSVP, CAME_SHARE = 0.45, 0.6, 0.1, 0.65
TAGS = (
    ("clean-water", "clean water"),
    ("rally", "rally"),
    ("canvass", "canvass"),
    ("house-meeting", "house meeting"),
    ("city-council", "city council"),
    ("lead-pipes", "lead pipes"),
)
LINK_SHARE = 0.12
MENTION_SHARE = 0.05
MENTIONS_MAX = 20

THREAD_TITLES = (
    "Welcome! Introduce yourself",
    "Next meeting: agenda ideas",
    "Canvassing this weekend: who's in?",
    "Photos and links from the rally",
    "Council hearing on lead pipes",
    "Carpools to the state capitol",
    "Reading list for new members",
    "Tabling at the farmers' market",
    "What went well, what to change",
    "Testing our tap water: results",
)
OPENINGS = (
    "Hi all! Let's use this thread for **{title_lower}**. Add your thoughts below.",
    "Starting a thread so we don't lose track:\n\n- what we know so far\n- who can help\n- what's next",
    "A few of us talked about this after the meeting. *Everyone* is welcome to chime in.",
)
# Replies that fit any thread, and each thread's own (a reply is one or the other).
REPLIES = (
    "Count me in!",
    "Thanks for organizing this. I'll share it with my neighbours.",
    "I'll take notes and post them here afterwards.",
)
TOPIC_REPLIES = {
    "Welcome! Introduce yourself": (
        "Hi everyone, I'm new here. I moved to the neighbourhood in the spring.",
        "I've lived here twenty years and finally decided to do something about our water.",
        "Hello! I work nights, so weekend actions suit me best.",
    ),
    "Next meeting: agenda ideas": (
        "Could we talk about the council vote next month?",
        "Let's keep the next one short: an hour, then snacks.",
        "Could we meet at the library instead? It's easier to reach by bus.",
    ),
    "Canvassing this weekend: who's in?": (
        "I can do Saturday morning, 10 to 12.",
        "Great turnout last time: **42 doors** knocked in two hours.",
        "I can bring a folding table and the sign-up sheets.",
    ),
    "Photos and links from the rally": (
        "My kids made posters, happy to bring them next time.",
        "What a day. Here are mine from the steps of city hall.",
        "So many new faces! Let's make sure everyone got the follow-up email.",
    ),
    "Council hearing on lead pipes": (
        "I wrote down the questions people asked:\n\n1. When will the pipes be replaced?\n2. Who pays?",
        "Can't make it this time, but I'll call my council member on Monday.",
        "I signed up to speak for two minutes. Any points I should make?",
    ),
    "Carpools to the state capitol": (
        "+1 to carpooling. I have three seats.",
        "I need a ride from the east side, happy to chip in for gas.",
        "We leave at 7 from the library parking lot.",
    ),
    "Reading list for new members": (
        "*Rules for Radicals* is a classic, but start with the water report.",
        "Here's the city's page on water testing: <https://example.org/water-testing>",
        "A short one: the two-page explainer we hand out at tables.",
    ),
    "Tabling at the farmers' market": (
        "I can do the 9 to 11 shift on Saturday.",
        "We signed up 18 people last week! The free test kits helped.",
        "I can bring a folding table and the sign-up sheets.",
    ),
    "What went well, what to change": (
        "Went well: the sign-in sheet. Change: start on time.",
        "More roles for new people. Several of them asked how to help.",
        "Let's keep the next one short: an hour, then snacks.",
    ),
    "Testing our tap water: results": (
        "Ours came back at 12 ppb. Above what I'd like with kids in the house.",
        "Below the action level here, but the building is from 1931.",
        "Here's the city's page on water testing: <https://example.org/water-testing>",
    ),
    "Who's coming?": (
        "I'll be there, and bringing my neighbour.",
        "Running ten minutes late, save me a seat.",
        "Can't make it this time, but I'll read the notes.",
    ),
    "How did your calls go?": (
        "Got the voicemail, left my story about our water bill.",
        "A staffer actually listened and asked for our test results!",
        "Took three minutes. Easier than I thought.",
    ),
}
LINK_TITLES = (
    "Lead pipes in our city: the map",
    "How to test your tap water at home",
    "Council agenda: water infrastructure",
    "Photos from Saturday's rally",
    "Canvassing tips for first-timers",
    "Why house meetings work",
)


@dataclass
class GroupSummary:
    regions: int = 0
    groups: int = 0  # local groups
    thriving: int = 0
    faded: int = 0
    memberships: int = 0
    threads: int = 0
    posts: int = 0
    links: int = 0
    events_added: int = 0  # the groups' meetings (in the events' summary too)
    events_linked: int = 0
    rsvps: int = 0  # to the meetings
    attended: int = 0
    no_shows: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    acts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Group:
    kind: str  # thriving, faded, ordinary, region, national
    name: str
    created_ago: float
    leader: int  # forest index
    pool: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    zip: int = -1
    area: str = ""
    parent: int = -1  # index in the list of groups
    join_policy: str = Group.JoinPolicy.OPEN
    visibility: str = Group.Visibility.PUBLIC
    left_ago: float | None = None  # the (last) leader stepped down and left
    # person -> [status, role, title, joined_ago, role_ago, note]
    members: dict[int, list[Any]] = field(default_factory=dict)
    meetings: list[tuple[int, float]] = field(default_factory=list)  # (host, starts_ago)
    existing: int | None = None  # a region (or the national group) an earlier run made
    keeps_leader: bool = False  # the demo's member leads it: no handover


class _Writer:
    """The acts, as columns of database ids (what `activity.services.record` fills for each),
    written at the end in the order they happened: thousands, so no model instance per act."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self.ago: list[float] = []
        self.rows: list[tuple[Any, ...]] = []

    def pid(self, person: int) -> int:
        return int(self.ids[person])

    def act(self, ago: float, person: int, verb: Verb, *, kind: int, obj: int, **extra: Any) -> None:
        self.add(ago, self.pid(person), verb, kind=kind, obj=obj, **extra)

    def add(
        self,
        ago: float,
        person_id: int,
        verb: Verb,
        *,
        kind: int,
        obj: int,
        context_kind: int | None = None,
        context_id: int | None = None,
        actor_id: int | str | None = "self",
        initiator: int = Initiator.MEMBER,
    ) -> None:
        """One act, done by the person themselves as a member unless `actor_id` and
        `initiator` say otherwise; directly, through nobody's link."""
        actor = person_id if actor_id == "self" else actor_id
        self.ago.append(float(ago))
        self.rows.append(
            (person_id, int(verb), int(kind), obj, context_kind, context_id, actor, int(initiator))
        )

    def write(self, now_us: int) -> dict[str, int]:
        if not self.rows:
            return {}
        ago = np.array(self.ago)
        order = np.argsort(-ago, kind="stable").tolist()
        rows = [self.rows[i] for i in order]
        names = (
            "person_id",
            "verb",
            "object_kind",
            "object_id",
            "context_kind",
            "context_id",
            "actor_id",
            "initiator",
        )
        columns: dict[str, Any] = {name: [row[k] for row in rows] for k, name in enumerate(names)}
        columns["occurred_at"] = timestamps(now_us, ago[order])
        columns["channel"] = [int(Channel.DIRECT)] * len(rows)
        insert_rows(Activity, columns)
        counted = Counter(row[1] for row in rows)
        return {Verb(v).label: n for v, n in sorted(counted.items())}


def _stamps(now_us: int, agos: list[float | None]) -> list[str | None]:
    """Timestamps for seconds ago, None where None: one conversion for the whole column."""
    known = [i for i, ago in enumerate(agos) if ago is not None]
    found: list[str | None] = [None] * len(agos)
    for i, stamp in zip(
        known, timestamps(now_us, np.array([agos[i] for i in known], dtype=float)), strict=True
    ):
        found[i] = stamp
    return found


def _centres(rng: np.random.Generator, zip_index: np.ndarray, count: int) -> list[int]:
    """ZIP codes (indexes into the ZIP table) where groups meet: where most members live."""
    table = zip_table()
    zips, people = np.unique(zip_index, return_counts=True)
    order = np.argsort(-people, kind="stable")[:CANDIDATE_ZIPS]
    zips, people = zips[order], people[order]
    lat, lon = table.latitude[zips], table.longitude[zips]
    near = np.stack([miles_between(table, float(lat[i]), float(lon[i]), zips) for i in range(len(zips))])
    weight = ((near <= POOL_MILES) * people[None, :]).sum(axis=1).astype(float)
    chosen: list[int] = []
    for _ in range(count):
        if not len(weight) or weight.max() < MIN_POOL:
            break
        best = int(np.argmax(weight))
        chosen.append(int(zips[best]))
        weight[near[best] <= CENTRES_APART_MILES] = -1
    return chosen


def write_groups(
    rng: np.random.Generator,
    movement: Movement,
    *,
    ids: np.ndarray,
    event_ids: np.ndarray,
    now: datetime,
    now_us: int,
) -> GroupSummary:
    """Draw and write the movement's groups and conversations (see the module's docstring),
    inside the generator's transaction; rows per table and acts per verb in the summary."""
    summary = GroupSummary()
    forest = movement.forest
    staff = movement.events.staff
    if staff is None or forest.size < 50:
        return summary
    featured = movement.account_holders[1] if movement.account_holders is not None else None
    joined = forest.joined
    table = zip_table()
    wanted = int(np.clip(forest.size // PEOPLE_PER_GROUP, GROUPS_MIN, GROUPS_MAX))
    centres = _centres(rng, movement.zip_index, wanted)
    if not centres:
        return summary
    home_lat, home_lon = table.latitude[movement.zip_index], table.longitude[movement.zip_index]
    recruits = forest.direct_recruits()
    hosted = np.zeros(forest.size)
    for event in movement.events.events:
        hosted[event.host] += 1
    attended = np.zeros(forest.size)
    plan_rsvps = movement.events.attendances
    np.add.at(attended, plan_rsvps.person[plan_rsvps.attended == 1], 1)
    keen = recruits + 2 * hosted + 0.5 * attended + rng.random(forest.size)

    # The local groups: pools, kinds, leaders.
    groups: list[_Group] = []
    for zip_ in centres:
        miles = _miles(home_lat, home_lon, table.latitude[zip_], table.longitude[zip_])
        pool = np.flatnonzero((miles <= POOL_MILES) & (joined > DAY))
        pool = pool[pool != staff]
        groups.append(_Group(kind="ordinary", name="", created_ago=0.0, leader=-1, pool=pool, zip=zip_))
    featured_group = -1
    if featured is not None and featured != staff:
        miles = [
            float(
                _miles(home_lat[featured], home_lon[featured], table.latitude[g.zip], table.longitude[g.zip])
            )
            for g in groups
        ]
        featured_group = int(np.argmin(miles))
        if featured not in set(groups[featured_group].pool.tolist()):
            groups[featured_group].pool = np.append(groups[featured_group].pool, featured)
    # Kinds, the biggest pools first: a thriving group needs enough people who have been
    # members for months; a faded one a leader old enough to have started it long ago.
    by_size = sorted(range(len(groups)), key=lambda g: -len(groups[g].pool))
    thriving_n = max(1, round(THRIVING_SHARE * len(groups)))
    faded_n = max(1, round(FADED_SHARE * len(groups))) if len(groups) > 1 else 0
    for g in by_size:
        pool = groups[g].pool
        long_timers = int((joined[pool] > 230 * DAY).sum())
        featured_ok = g != featured_group or joined[featured] > 230 * DAY
        if thriving_n and long_timers >= THRIVING_LONG_TIMERS and featured_ok:
            groups[g].kind, thriving_n = "thriving", thriving_n - 1
    for g in reversed(by_size):  # the smaller ones fade
        old_enough = (joined[groups[g].pool] > 330 * DAY).sum() >= 3
        if faded_n and groups[g].kind == "ordinary" and g != featured_group and old_enough:
            groups[g].kind, faded_n = "faded", faded_n - 1
    names_used: set[str] = set()
    for index, group in enumerate(groups):
        place = place_postcode(zip_table().codes[group.zip])
        town = _town_of(group)
        group.name = _unique_name(f"Groundswell {town}", names_used)
        group.area = place.region if place else ""
        oldest = {"thriving": (200, 420), "faded": (300, 520), "ordinary": (40, 260)}[group.kind]
        seasoned = group.pool[joined[group.pool] > (oldest[0] + 14) * DAY]
        if index == featured_group:
            group.leader, group.keeps_leader = int(featured), True  # type: ignore[arg-type]
        elif len(seasoned):
            group.leader = int(seasoned[np.argmax(keen[seasoned])])
        elif len(group.pool):
            group.leader = int(group.pool[np.argmax(joined[group.pool])])
            if group.kind != "ordinary":
                group.kind = "ordinary"
        else:
            continue
        span = min(oldest[1] * DAY, joined[group.leader] - 7 * DAY)
        low = min(oldest[0] * DAY, span)
        group.created_ago = float(low + rng.random() * max(span - low, 0.0))
    groups = [g for g in groups if g.leader >= 0]
    if not groups:
        return summary
    ordinary = [i for i, g in enumerate(groups) if g.kind == "ordinary" and i != featured_group]
    if ordinary:
        groups[ordinary[0]].visibility = Group.Visibility.PRIVATE
        groups[ordinary[0]].join_policy = Group.JoinPolicy.REQUEST
    if len(ordinary) > 1:
        groups[ordinary[1]].join_policy = Group.JoinPolicy.INVITATION

    for group in groups:
        _draw_members(rng, movement, group, keen)
    if featured_group >= 0 and featured is not None:
        _featured_joins_another(rng, movement, groups, featured_group, int(featured))

    # Regions (a state each) under a national group, led by staff.
    states = sorted({g.area for g in groups if g.area})
    first_started = max(g.created_ago for g in groups)
    founded = float(min(joined[staff] - HOUR, first_started + 37 * DAY))
    national = _Group(kind="national", name="Groundswell national", created_ago=founded, leader=int(staff))
    national.area = "United States"
    regions = []
    for state in states:
        region = _Group(
            kind="region",
            name=f"Groundswell {_state_name(state)}",
            created_ago=founded - DAY,
            leader=int(staff),
        )
        region.area = _state_name(state)
        regions.append(region)
    for region in [national, *regions]:
        region.members[int(staff)] = ["active", "leader", "", region.created_ago, region.created_ago, ""]
    every = [national, *regions, *groups]
    for position, region in enumerate(regions):
        region.parent = 0
        for group in groups:
            if group.area and _state_name(group.area) == region.area:
                group.parent = 1 + position

    for group in groups:
        _draw_meetings(rng, group)

    writer = _Writer(ids)
    group_ids = _write_groups(movement, every, writer, now_us)
    summary.memberships = _write_memberships(every, group_ids, writer, now_us)
    added, linked = _write_events(rng, movement, every, group_ids, writer, event_ids, now_us, summary)
    summary.events_added, summary.events_linked = added, linked
    talk = _write_conversations(rng, movement, every, group_ids, writer, event_ids, now_us)
    summary.threads, summary.posts, summary.links = talk
    summary.regions = len(regions)
    summary.groups = len(groups)
    summary.thriving = sum(g.kind == "thriving" for g in groups)
    summary.faded = sum(g.kind == "faded" for g in groups)
    summary.rows = {
        "groups": sum(g.existing is None for g in every),
        "memberships": summary.memberships,
        "group events": added,
        "threads": summary.threads,
        "posts": summary.posts,
        "media": summary.links,
    }
    summary.acts = writer.write(now_us)
    return summary


def _miles(lat: Any, lon: Any, lat0: float, lon0: float) -> Any:
    p1, p2 = np.radians(lat0), np.radians(lat)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - lon0) / 2) ** 2
    return 2 * 3958.7613 * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _town_of(group: _Group) -> str:
    code = zip_table().codes[group.zip]
    return place_postcode(code).locality or code


def _unique_name(name: str, used: set[str]) -> str:
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name} {n}", n + 1
    used.add(candidate)
    return candidate


def _state_name(postal: str) -> str:
    from groundswell.advocacy.districts import US_STATES_BY_POSTAL

    state = US_STATES_BY_POSTAL.get(postal)
    return state.name if state is not None else postal


def _draw_members(rng: np.random.Generator, movement: Movement, group: _Group, keen: np.ndarray) -> None:
    """Who joined, when, their roles now; who left."""
    forest = movement.forest
    joined = forest.joined
    start = group.created_ago
    group.members[group.leader] = ["active", "leader", "", start, start, ""]
    pool = group.pool[(group.pool != group.leader) & (joined[group.pool] > 2 * DAY)]
    pool = pool[np.argsort(-joined[pool], kind="stable")]  # oldest members first
    share = JOIN_SHARE[group.kind]
    u = rng.random(len(pool))
    delay = rng.lognormal(np.log(JOIN_DELAY_MEDIAN_DAYS * DAY), 1.0, size=len(pool))
    friends = rng.random(len(pool)) * 5 * DAY
    for person, ui, wait, soon in zip(
        pool.tolist(), u.tolist(), delay.tolist(), friends.tolist(), strict=True
    ):
        if len(group.members) >= MEMBERS_MAX:
            break
        recruiter = int(forest.parent[person])
        together = recruiter in group.members
        if ui >= (FRIENDS_JOIN if together else share):
            continue
        latest = min(start, float(joined[person])) - HOUR
        ago = group.members[recruiter][3] - soon if together else latest - wait
        ago = float(np.clip(min(ago, latest), 2 * HOUR, None))
        group.members[person] = ["active", "member", "", ago, ago, ""]
    others = [p for p in group.members if p != group.leader]
    # Core members: the keenest who have been in a while.
    cores = {"thriving": 4, "faded": 2, "ordinary": int(rng.integers(0, 3))}[group.kind]
    settled = [p for p in others if group.members[p][3] > 45 * DAY]
    settled.sort(key=lambda p: -keen[p])
    for position, person in enumerate(settled[:cores]):
        row = group.members[person]
        row[1], row[2] = "core", CORE_TITLES[position % len(CORE_TITLES)]
        row[4] = row[3] - (10 + rng.random() * 30) * DAY
    new, handover = -1, 0.0
    if group.kind == "thriving" and len(settled) > cores and rng.random() < 0.5 and not group.keeps_leader:
        # A leader change survived: the starter handed over and stayed on the core.
        new = settled[cores]
        handover = min(group.members[group.leader][3] / 2, group.members[new][3] - 5 * DAY)
    if new >= 0 and handover > 20 * DAY:
        group.members[new][1:3] = ["leader", ""]
        group.members[new][4] = handover
        old = group.members[group.leader]
        old[1], old[2], old[4] = "core", "mentor", handover
        old.append(("handed", handover))
        group.leader = new
    # Some left (never the leader or core of a thriving group).
    for person in others:
        row = group.members[person]
        if row[1] == "member" and rng.random() < LEFT_SHARE and row[3] > 10 * DAY:
            row[0] = "left"
            row.append(("left", row[3] * rng.random()))
    if group.kind == "faded":
        group.left_ago = float((60 + rng.random() * 90) * DAY)
        row = group.members[group.leader]
        row[0], row[1] = "left", "member"
        row.append(("leader left", group.left_ago))
    if group.join_policy == Group.JoinPolicy.REQUEST:
        near = [p for p in pool.tolist() if p not in group.members][:3]
        for person in near:
            ago = float(min(joined[person], 20 * DAY) * rng.random() + HOUR)
            group.members[person] = ["requested", "member", "", ago, ago, "I live nearby and want to help."]


def _featured_joins_another(
    rng: np.random.Generator, movement: Movement, groups: list[_Group], led: int, featured: int
) -> None:
    others = [i for i in range(len(groups)) if i != led and featured not in groups[i].members]
    if not others:
        return
    best = max(others, key=lambda i: (groups[i].kind == "thriving", len(groups[i].members)))
    ago = float(min(movement.forest.joined[featured], groups[best].created_ago) * (0.2 + 0.5 * rng.random()))
    groups[best].members[featured] = ["active", "member", "", ago, ago, ""]


def _draw_meetings(rng: np.random.Generator, group: _Group) -> None:
    """The group's own meetings: every four weeks for a thriving group (hosted in turn), until
    the leader left for a faded one, a few now and then for the rest."""
    hosts = [group.leader] + [
        p for p, row in group.members.items() if row[1] == "core" and row[0] == "active"
    ]
    if group.kind == "thriving":
        ago = -(10 + rng.random() * 10) * DAY  # the next one, ahead
        turn = 0
        while ago < min(group.created_ago - 21 * DAY, 240 * DAY):
            group.meetings.append((hosts[turn % len(hosts)], ago))
            turn += 1
            ago += MEETING_EVERY_DAYS * DAY - rng.random() * 2 * DAY
    elif group.kind == "faded" and group.left_ago is not None:
        ago = group.left_ago + (5 + rng.random() * 10) * DAY
        while ago < min(group.created_ago - 21 * DAY, 400 * DAY):
            group.meetings.append((group.leader, ago))
            ago += MEETING_EVERY_DAYS * DAY
    else:
        for _ in range(int(rng.integers(0, 3))):
            ago = rng.random() * min(group.created_ago - 21 * DAY, 120 * DAY) - 14 * DAY
            group.meetings.append((hosts[int(rng.integers(len(hosts)))], float(ago)))


# --- Writing -----------------------------------------------------------------------------------


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _write_groups(movement: Movement, every: list[_Group], writer: _Writer, now_us: int) -> list[int]:
    table = zip_table()
    # A second demo run into the same database keeps the regions already there.
    there = dict(
        Group.objects.filter(postal_code="", name__in=[g.name for g in every if g.zip < 0]).values_list(
            "name", "id"
        )
    )
    for group in every:
        group.existing = there.get(group.name) if group.zip < 0 else None
    base = _next_id(Group)
    fresh = iter(range(base, base + len(every)))
    group_ids = [g.existing if g.existing is not None else next(fresh) for g in every]
    every_new = [g for g in every if g.existing is None]
    all_ids = group_ids
    group_ids = [i for g, i in zip(every, all_ids, strict=True) if g.existing is None]
    parents = [all_ids[g.parent] if g.parent >= 0 else None for g in every_new]
    every = every_new
    taken = set(Group.objects.values_list("slug", flat=True))
    slugs = []
    for group in every:
        slug, n = slugify(group.name)[:70], 2
        while slug in taken:
            slug, n = f"{slugify(group.name)[:70]}-{n}", n + 1
        taken.add(slug)
        slugs.append(slug)
    places = [place_postcode(table.codes[g.zip]) if g.zip >= 0 else None for g in every]
    descriptions = [_description(g) for g in every]
    agreements = (
        "1. Assume good faith.\n2. Speak for yourself; let others speak for themselves.\n3. No harassment."
    )
    created = timestamps(now_us, np.array([g.created_ago for g in every]))
    leaderless = [g.left_ago if g.kind == "faded" else None for g in every]
    told = [a - 30 * DAY if a is not None and a > 30 * DAY else None for a in leaderless]
    insert_rows(
        Group,
        {
            "id": group_ids,
            "uuid": random_uuids(len(every)),
            "name": [g.name for g in every],
            "slug": slugs,
            "description": descriptions,
            "description_html": [cook(d) for d in descriptions],
            "agreements": [agreements if g.zip >= 0 else "" for g in every],
            "agreements_html": [cook(agreements) if g.zip >= 0 else "" for g in every],
            "parent_id": parents,
            "postal_code": [p.postal_code if p else "" for p in places],
            "country": [p.country if p else "US" for p in places],
            "locality": [p.locality if p else "" for p in places],
            "region": [p.region if p else "" for p in places],
            "area": [g.area if g.zip < 0 else "" for g in every],
            "latitude": [p.latitude if p else None for p in places],
            "longitude": [p.longitude if p else None for p in places],
            "join_policy": [str(g.join_policy) for g in every],
            "visibility": [str(g.visibility) for g in every],
            "status": [Group.Status.ACTIVE.value] * len(every),
            "started_by_id": [writer.pid(g.leader) for g in every],
            "leaderless_since": _stamps(now_us, leaderless),
            "leaderless_told_at": _stamps(now_us, told),
            "created_at": created,
            "modified_at": created,
        },
    )
    reset_id_sequence(Group)
    for group, group_id in zip(every, group_ids, strict=True):
        staff = group.kind in ("region", "national")
        initiator = Initiator.STAFF if staff else Initiator.MEMBER
        # The starter: whoever handed over later, else the leader.
        founder = next((p for p, row in group.members.items() if ("handed", row[4]) in row[6:]), group.leader)
        for verb in (Verb.STARTED_GROUP, Verb.JOINED_GROUP, Verb.LED_GROUP):
            writer.act(
                group.created_ago, founder, verb, kind=ObjectKind.GROUP, obj=group_id, initiator=initiator
            )
    return all_ids


def _description(group: _Group) -> str:
    if group.kind == "national":
        return "The whole movement: every region and local group."
    if group.kind == "region":
        return f"Local groups across {group.area}. Organizers keep in touch with each group's leaders here."
    return (
        f"We're neighbours in and around {group.name.removeprefix('Groundswell ')} working for clean, "
        "safe water.\n\n**We meet every month**: newcomers welcome. Bring a friend!"
    )


def _write_memberships(every: list[_Group], group_ids: list[int], writer: _Writer, now_us: int) -> int:
    """The rows as they are now, and the acts that led there."""
    columns: dict[str, list[Any]] = {
        name: []
        for name in (
            "group_id", "person_id", "status", "role", "core_title", "joined_at", "role_since",
            "request_note", "created_at", "modified_at",
        )
    }  # fmt: skip
    for group, group_id in zip(every, group_ids, strict=True):
        if group.existing is not None:
            continue
        initiator = Initiator.STAFF if group.kind in ("region", "national") else Initiator.MEMBER
        leaders = [p for p, row in group.members.items() if row[1] == "leader" and row[0] == "active"]
        handed_to = leaders[0] if leaders else group.leader
        for person, row in group.members.items():
            status, role, title, joined_ago, role_ago, note = row[:6]
            events = row[6:]
            columns["group_id"].append(group_id)
            columns["person_id"].append(writer.pid(person))
            columns["status"].append(status)
            columns["role"].append(role)
            columns["core_title"].append(title)
            columns["joined_at"].append(joined_ago if status != "requested" else None)
            columns["role_since"].append(role_ago if status == "active" else None)
            columns["request_note"].append(note)
            columns["created_at"].append(joined_ago)
            columns["modified_at"].append(min([joined_ago, role_ago, *(ago for _, ago in events)]))
            g = {"kind": ObjectKind.GROUP, "obj": group_id}
            if status == "requested":
                writer.act(joined_ago, person, Verb.ASKED_TO_JOIN_GROUP, **g)
                continue
            is_starter = joined_ago == group.created_ago and (
                person == group.leader or ("handed", role_ago) in events
            )
            if not is_starter:
                writer.act(joined_ago, person, Verb.JOINED_GROUP, initiator=initiator, **g)
            for what, ago in events:
                if what == "handed":
                    # The starter handed over to the new leader and stayed on as core.
                    writer.act(ago, handed_to, Verb.LED_GROUP, actor_id=writer.pid(person), **g)
                    writer.act(ago, person, Verb.STEPPED_DOWN, actor_id=writer.pid(person), **g)
            if role == "core" and ("handed", role_ago) not in events:
                writer.act(role_ago, person, Verb.BECAME_CORE, actor_id=writer.pid(handed_to), **g)
            if role == "core" and ("handed", role_ago) in events:
                pass  # stepping down to core is the STEPPED_DOWN above
            for what, ago in events:
                if what == "left":
                    writer.act(ago, person, Verb.LEFT_GROUP, **g)
                elif what == "leader left":
                    writer.act(ago, person, Verb.STEPPED_DOWN, **g)
                    writer.act(ago, person, Verb.LEFT_GROUP, **g)
    for name in ("joined_at", "role_since", "created_at", "modified_at"):
        columns[name] = _stamps(now_us, columns[name])
    return insert_rows(Membership, columns)


def _write_events(
    rng: np.random.Generator,
    movement: Movement,
    every: list[_Group],
    group_ids: list[int],
    writer: _Writer,
    event_ids: np.ndarray,
    now_us: int,
    summary: GroupSummary,
) -> tuple[int, int]:
    """The groups' own meetings, with RSVPs and who came; and demo events a member hosted
    near their group after joining it, marked as the group's."""
    table = zip_table()
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "title", "description", "starts_ago", "made_ago", "host", "group", "postal_code", "locality",
            "region", "latitude", "longitude", "time_zone", "visibility",
        )
    }  # fmt: skip
    att: dict[str, list[Any]] = {name: [] for name in ("event", "person", "rsvp_ago", "came", "host")}
    now = datetime.fromtimestamp(now_us / 1_000_000, tz=UTC)
    for group, group_id in zip(every, group_ids, strict=True):
        if not group.meetings:
            continue
        active = [(p, row) for p, row in group.members.items() if row[0] != "requested"]
        founder = max(active, key=lambda item: item[1][3])[0]  # the first in: who started it
        # Regulars come to most meetings (the core, and about half the members), the rest now and then.
        regulars = {p for p, row in active if row[1] != "member" or rng.random() < REGULAR_SHARE}
        for host, approx_ago in group.meetings:
            if group.members[host][3] < approx_ago + 15 * DAY:
                host = founder  # whose turn it was had not joined yet
            # At the host's home (as members' events are), 7 pm there.
            place = movement.homes[host]
            zone_name = time_zone_for(place.postal_code, place.region, place.longitude)
            zone = ZoneInfo(zone_name)
            day = (now - timedelta(seconds=approx_ago)).astimezone(zone).date()
            ago = (now - datetime.combine(day, time(19, 0), tzinfo=zone)).total_seconds()
            event = len(rows["title"])
            rows["title"].append(f"{group.name}: monthly meeting")
            rows["description"].append(
                "Our monthly meeting: news from the campaign, plans for the month, and time to meet "
                "each other. Newcomers welcome."
            )
            made_ago = max(ago + 14 * DAY, 3 * DAY)  # announced two weeks ahead (or lately)
            rows["starts_ago"].append(ago)
            rows["made_ago"].append(made_ago)
            rows["host"].append(host)
            rows["group"].append(group_id)
            for name in ("postal_code", "locality", "region", "latitude", "longitude"):
                rows[name].append(getattr(place, name))
            rows["time_zone"].append(zone_name)
            rows["visibility"].append(
                Event.Visibility.PRIVATE.value
                if group.visibility == Group.Visibility.PRIVATE
                else Event.Visibility.PUBLIC.value
            )
            area = place.postal_code[:3]
            for person, row in active:
                share = REGULAR_RSVP if person in regulars else OCCASIONAL_RSVP
                if person == host or row[3] < ago + 3 * DAY or rng.random() >= share:
                    continue
                # Those who live nearby (the same postal area) or whom the host brought in.
                if movement.homes[person].postal_code[:3] != area and movement.forest.parent[person] != host:
                    continue
                if row[0] == "left" and row[6:] and min(a for _, a in row[6:]) > ago:
                    continue
                # After the meeting was announced and they had joined, before it starts, by now.
                latest, earliest = max(ago, 0.0) + HOUR, min(made_ago, row[3]) - HOUR
                if earliest <= latest:
                    continue
                att["event"].append(event)
                att["person"].append(person)
                att["rsvp_ago"].append(latest + rng.random() * min(earliest - latest, 10 * DAY))
                att["came"].append(-1 if ago < 0 else int(rng.random() < CAME_SHARE))
                att["host"].append(host)
    count = len(rows["title"])
    added = 0
    if count:
        base = first_event_id()
        new_ids = [base + i for i in range(count)]
        starts = np.array(rows["starts_ago"])
        made = np.array(rows["made_ago"])
        empty = "[]"
        insert_rows(
            Event,
            {
                "id": new_ids,
                "uuid": random_uuids(count),
                "title": rows["title"],
                "description": rows["description"],
                "starts_at": timestamps(now_us, starts),
                "ends_at": timestamps(now_us, starts - 2 * HOUR),
                "last_ends_at": timestamps(now_us, starts - 2 * HOUR),
                "time_zone": rows["time_zone"],
                "venue": ["Public library, community room"] * count,
                "address_lines": [empty] * count,
                "locality": rows["locality"],
                "region": rows["region"],
                "postal_code": rows["postal_code"],
                "country": ["US"] * count,
                "latitude": rows["latitude"],
                "longitude": rows["longitude"],
                "visibility": rows["visibility"],
                "status": [Event.Status.PUBLISHED.value] * count,
                "host_id": [writer.pid(h) for h in rows["host"]],
                "group_id": rows["group"],
                "invitation_key": [new_link_key() for _ in range(count)],
                "recurrence_exceptions": [empty] * count,
                "report_links": [empty] * count,
                "created_at": timestamps(now_us, made),
                "modified_at": timestamps(now_us, made),
            },
        )
        reset_id_sequence(Event)
        for i in range(count):
            writer.act(made[i], rows["host"][i], Verb.HOSTED, kind=ObjectKind.EVENT, obj=new_ids[i])
        n = len(att["event"])
        if n:
            came = np.array(att["came"])
            rsvp = np.array(att["rsvp_ago"])
            summary.rsvps = n
            summary.attended, summary.no_shows = int((came == 1).sum()), int((came == 0).sum())
            checked = np.array([starts[e] - 0.2 * HOUR for e in att["event"]])
            insert_rows(
                Attendance,
                {
                    "uuid": random_uuids(n),
                    "created_at": timestamps(now_us, rsvp),
                    "modified_at": timestamps(now_us, np.where(came == 1, checked, rsvp)),
                    "event_id": [new_ids[e] for e in att["event"]],
                    "person_id": [writer.pid(p) for p in att["person"]],
                    "status": [Attendance.Status.ACCEPTED.value] * n,
                    "attended": [None if c < 0 else bool(c) for c in came.tolist()],
                    "checked_in_at": [
                        s if c == 1 else None
                        for s, c in zip(timestamps(now_us, checked), came.tolist(), strict=True)
                    ],
                    "cancel_key": [new_link_key() for _ in range(n)],
                    "channel": [int(Channel.DIRECT)] * n,
                },
            )
            fill_given_details(np.array(new_ids))
            for i in range(n):
                event, person = new_ids[att["event"][i]], att["person"][i]
                writer.act(rsvp[i], person, Verb.RSVPED, kind=ObjectKind.EVENT, obj=event)
                if came[i] == 1:
                    host = writer.pid(att["host"][i])
                    for verb in (Verb.CHECKED_IN, Verb.ATTENDED):
                        writer.act(checked[i], person, verb, kind=ObjectKind.EVENT, obj=event, actor_id=host)
                elif came[i] == 0:
                    writer.act(
                        checked[i] - 3 * HOUR,
                        person,
                        Verb.NO_SHOW,
                        kind=ObjectKind.EVENT,
                        obj=event,
                        actor_id=None,
                        initiator=Initiator.SYSTEM,
                    )
        added = count
    # Demo events a member hosted near the group, after joining it, become the group's.
    linked = 0
    for group, group_id in zip(every, group_ids, strict=True):
        if group.zip < 0:
            continue
        lat, lon = table.latitude[group.zip], table.longitude[group.zip]
        mine = []
        for planned in movement.events.events:
            hosting = group.members.get(planned.host)
            if (
                hosting is None
                or hosting[0] != "active"
                or planned.staff
                or planned.zip < 0
                or planned.starts_ago > hosting[3]
                # A faded group's members host on their own once it has no leader.
                or (group.left_ago is not None and planned.starts_ago < group.left_ago)
                or float(_miles(table.latitude[planned.zip], table.longitude[planned.zip], lat, lon))
                > POOL_MILES
            ):
                continue
            mine.append(int(event_ids[planned.index]))
        if mine:
            linked += Event.objects.filter(pk__in=mine, group__isnull=True).update(group_id=group_id)
    return added, linked


def _write_conversations(
    rng: np.random.Generator,
    movement: Movement,
    every: list[_Group],
    group_ids: list[int],
    writer: _Writer,
    event_ids: np.ndarray,
    now_us: int,
) -> tuple[int, int, int]:
    """Threads and posts; mentions; links with tags."""
    threads: dict[str, list[Any]] = {
        name: [] for name in ("title", "author", "group", "event", "campaign", "context_kind", "context_id")
    }
    posts: dict[str, list[Any]] = {
        name: [] for name in ("thread", "number", "author", "raw", "ago", "mention")
    }
    for group, group_id in zip(every, group_ids, strict=True):
        if group.zip < 0:
            continue
        count = {"thriving": 5, "faded": 2, "ordinary": 2}[group.kind] + int(rng.integers(0, 2))
        talkers = [(p, row) for p, row in group.members.items() if row[0] != "requested"]
        titles = rng.permutation(len(THREAD_TITLES)).tolist()  # no title twice in a group
        for position in range(count):
            latest = group.left_ago if group.kind == "faded" and group.left_ago else 2 * HOUR
            start = latest + rng.random() * max(group.created_ago - latest - DAY, HOUR)
            here = [p for p, row in talkers if row[3] > start]
            if not here:
                continue
            weights = np.array([3.0 if group.members[p][1] != "member" else 1.0 for p in here])
            author = here[int(rng.choice(len(here), p=weights / weights.sum()))]
            title = THREAD_TITLES[titles[position % len(titles)]]
            _thread(rng, threads, posts, group, here, author, start, ObjectKind.GROUP, group_id, title)
            threads["group"][-1] = group_id
    # A couple on events (the groups' next meetings), and one on the staff call campaign.
    upcoming = Event.objects.filter(group_id__in=group_ids, starts_at__gt=movement.now).order_by("id")[:2]
    for meeting in upcoming:
        group = every[group_ids.index(int(meeting.group_id or 0))]
        coming = [p for p, row in group.members.items() if row[0] == "active" and row[3] > 3 * DAY]
        if not coming:
            continue
        host = next((p for p in coming if writer.pid(p) == meeting.host_id), coming[0])
        _thread(
            rng, threads, posts, group, coming, host, 3 * DAY, ObjectKind.EVENT, meeting.pk, "Who's coming?"
        )
        threads["event"][-1] = meeting.pk
    campaign = AdvocacyCampaign.objects.filter(title__startswith="Call Congress").order_by("-id").first()
    if campaign is not None:
        callers = [
            p
            for g in every
            if g.kind == "thriving"
            for p, row in g.members.items()
            if row[0] == "active" and row[3] > 20 * DAY
        ]
        if callers:
            _thread(
                rng,
                threads,
                posts,
                every[0],
                callers,
                callers[0],
                20 * DAY,
                ObjectKind.ADVOCACY_CAMPAIGN,
                campaign.pk,
                "How did your calls go?",
            )
            threads["campaign"][-1] = campaign.pk

    n_threads = len(threads["title"])
    if not n_threads:
        return 0, 0, 0
    base = _next_id(Thread)
    thread_ids = [base + i for i in range(n_threads)]
    thread_posts: dict[int, list[int]] = {}
    for i, t in enumerate(posts["thread"]):
        thread_posts.setdefault(t, []).append(i)
    ago = np.array(posts["ago"])
    started = [ago[thread_posts[t][0]] for t in range(n_threads)]
    last = [ago[thread_posts[t][-1]] for t in range(n_threads)]
    insert_rows(
        Thread,
        {
            "id": thread_ids,
            "uuid": random_uuids(n_threads),
            "title": threads["title"],
            "author_id": [writer.pid(a) for a in threads["author"]],
            "group_id": threads["group"],
            "event_id": threads["event"],
            "advocacy_campaign_id": threads["campaign"],
            "last_posted_at": timestamps(now_us, np.array(last)),
            "post_count": [len(thread_posts[t]) for t in range(n_threads)],
            "created_at": timestamps(now_us, np.array(started)),
            "modified_at": timestamps(now_us, np.array(last)),
        },
    )
    reset_id_sequence(Thread)
    # The few posts that mention someone go through the mention cooker, as the service does.
    cooked: list[str] = []
    mentions: list[tuple[int, int]] = []
    for i, raw in enumerate(posts["raw"]):
        who = posts["mention"][i]
        if who >= 0:
            person = Person.objects.only("id", "uuid", "given_name", "family_name").get(pk=writer.pid(who))
            raw = f"{mention_text(person)} {raw}"
            posts["raw"][i] = raw
            result = cook_post(raw, may_mention=lambda _: True)
            cooked.append(result.html)
            mentions.extend((i, m.pk) for m in result.mentioned)
        else:
            cooked.append(cook(raw))
    n_posts = len(posts["raw"])
    post_base = _next_id(Post)
    post_ids = [post_base + i for i in range(n_posts)]
    stamps = timestamps(now_us, ago)
    insert_rows(
        Post,
        {
            "id": post_ids,
            "uuid": random_uuids(n_posts),
            "thread_id": [thread_ids[t] for t in posts["thread"]],
            "number": posts["number"],
            "author_id": [writer.pid(a) for a in posts["author"]],
            "raw": posts["raw"],
            "cooked": cooked,
            "created_at": stamps,
            "modified_at": stamps,
            "published_at": stamps,
        },
    )
    reset_id_sequence(Post)
    for i in range(n_posts):
        t = posts["thread"][i]
        context = {"context_kind": threads["context_kind"][t], "context_id": threads["context_id"][t]}
        if posts["number"][i] == 1:
            writer.act(
                ago[i], posts["author"][i], Verb.POSTED, kind=ObjectKind.THREAD, obj=thread_ids[t], **context
            )
        else:
            writer.act(
                ago[i], posts["author"][i], Verb.REPLIED, kind=ObjectKind.POST, obj=post_ids[i], **context
            )
    if mentions:
        Mention.objects.bulk_create([Mention(post_id=post_ids[i], person_id=pk) for i, pk in mentions])
        for i, pk in mentions:
            t = posts["thread"][i]
            writer.add(
                float(ago[i]),
                pk,
                Verb.WAS_MENTIONED,
                kind=ObjectKind.POST,
                obj=post_ids[i],
                context_kind=threads["context_kind"][t],
                context_id=threads["context_id"][t],
                actor_id=writer.pid(posts["author"][i]),
            )
    links = _write_links(rng, posts, post_ids, writer, now_us)
    return n_threads, n_posts, links


def _thread(
    rng: np.random.Generator,
    threads: dict[str, list[Any]],
    posts: dict[str, list[Any]],
    group: _Group,
    here: list[int],
    author: int,
    start: float,
    context_kind: int,
    context_id: int,
    title: str = "",
) -> None:
    t = len(threads["title"])
    title = title or THREAD_TITLES[int(rng.integers(len(THREAD_TITLES)))]
    threads["title"].append(title)
    threads["author"].append(author)
    for name in ("group", "event", "campaign"):
        threads[name].append(None)
    threads["context_kind"].append(int(context_kind))
    threads["context_id"].append(context_id)
    opening = OPENINGS[int(rng.integers(len(OPENINGS)))].format(title_lower=title.lower())
    posts["thread"].append(t)
    posts["number"].append(1)
    posts["author"].append(author)
    posts["raw"].append(opening)
    posts["ago"].append(start)
    posts["mention"].append(-1)
    replies = int(rng.geometric(1 / (8 if group.kind == "thriving" else 4))) - 1
    ago = start
    for number in range(2, replies + 2):
        ago = ago - rng.lognormal(np.log(6 * HOUR), 1.2)
        if ago < 60:
            break
        who = here[int(rng.integers(len(here)))]
        posts["thread"].append(t)
        posts["number"].append(number)
        posts["author"].append(who)
        fitting = REPLIES + TOPIC_REPLIES.get(title, ())
        posts["raw"].append(fitting[int(rng.integers(len(fitting)))])
        posts["ago"].append(ago)
        mention = who != author and rng.random() < MENTION_SHARE
        posts["mention"].append(
            author if mention and sum(m >= 0 for m in posts["mention"]) < MENTIONS_MAX else -1
        )


def _write_links(
    rng: np.random.Generator, posts: dict[str, list[Any]], post_ids: list[int], writer: _Writer, now_us: int
) -> int:
    """Links members posted, each a ready card on example.org, tagged."""
    chosen = [i for i in range(len(post_ids)) if rng.random() < LINK_SHARE]
    if not chosen:
        return 0
    cards = []
    for k, title in enumerate(LINK_TITLES):
        url = f"https://example.org/{slugify(title)}"
        digest = hashlib.sha256(url.encode()).hexdigest()
        card, _ = LinkCard.objects.get_or_create(
            url_hash=digest,
            defaults={
                "url": url,
                "status": LinkCard.Status.READY,
                "title": title,
                "description": "From the movement's own reading list (demo).",
                "fetched_at": datetime.fromtimestamp(now_us / 1e6, tz=UTC) - timedelta(days=k + 1),
            },
        )
        cards.append(card)
    tags = []
    for slug, label in TAGS:
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"label": label})
        tags.append(tag)
    ago = np.array([posts["ago"][i] for i in chosen])
    stamps = timestamps(now_us, ago)
    pick = rng.integers(len(cards), size=len(chosen)).tolist()
    base = _next_id(Media)
    media_ids = [base + k for k in range(len(chosen))]
    insert_rows(
        Media,
        {
            "id": media_ids,
            "uuid": random_uuids(len(chosen)),
            "post_id": [post_ids[i] for i in chosen],
            "author_id": [writer.pid(posts["author"][i]) for i in chosen],
            "kind": [Media.Kind.LINK.value] * len(chosen),
            "status": [Media.Status.READY.value] * len(chosen),
            "link_id": [cards[c].pk for c in pick],
            "variants": ["{}"] * len(chosen),
            "created_at": stamps,
            "modified_at": stamps,
        },
    )
    reset_id_sequence(Media)
    through: Any = Media.tags.through
    pairs = set()
    for media_id, c in zip(media_ids, pick, strict=True):
        pairs.add((media_id, tags[c % len(tags)].pk))
        pairs.add((media_id, tags[int(rng.integers(len(tags)))].pk))
    through.objects.bulk_create([through(media_id=m, tag_id=t) for m, t in sorted(pairs)])
    return len(chosen)
