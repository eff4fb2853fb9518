"""Events for the synthetic movement: campaigns, events hosted by members and by staff,
monthly meetings, RSVPs, and who came.

The shapes (issue 3: "about half of RSVPs show up, member-hosted events grow over time,
some local meetings recur every month"):

- Few members host, about one in twenty-five: people who recruited someone are several
  times likelier to, and a host often hosts again, every five weeks or so. Hosts are
  members who have joined, so as the movement grows, so do member-hosted events per
  month. Staff (the founder, the admin account's person when the demo makes accounts)
  host town halls and online calls, most often in the first months: the member-hosted
  share (METRICS D1) rises.
- A handful of hosts keep a monthly meeting ("the 2nd Tuesday at 7 pm"). As the app
  stores a recurring event (one row with an RRULE, its dates as shifts made from the
  rule a year ahead by `events.services.sync_dates`), the next meeting carries the
  rule and its RSVPs are for its first date; the meetings already held are rows of
  their own, each "hosted again" from the one before (`previous`), so their RSVPs and
  attendance stay on record.
- Two campaigns: a season of house meetings that ran last year (open: events go live
  at once) and a national day of action a few weeks ahead (moderated: events wait
  for an organizer, unless the host is trusted; a few are still waiting, a few were
  turned down).
- RSVPs come from the host's recruits, from people who came to the host's earlier
  events (regulars), and from people in the same or a nearby ZIP code, who had
  joined by then; private events hear only from the host's own people. Past
  capacity, RSVPs are waitlisted. About half of the accepted RSVPs to past events
  came (METRICS B4: a flake rate near 50% is normal); people the host knows come a
  little more often. RSVPs to events still ahead are not checked in yet (None).
- Acts as the services log them: HOSTED and COHOSTED when the event is made (STAFF
  for staff events), RSVPED at the RSVP, CHECKED_IN and ATTENDED at check-in,
  NO_SHOW (SYSTEM) when the host closes the list after the event.

Everything is drawn before anything is written, by index (people by forest index,
events by their place in the plan); `write_events` writes it with `tables`.
"""

import json
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TypeVar

import numpy as np
import zipcodes
from dateutil.rrule import FR, MO, MONTHLY, SA, TH, TU, WE, rrule
from django.db.models import F, Max, OuterRef, Subquery

from groundswell.activity.models import Initiator, Verb
from groundswell.core.channels import Channel
from groundswell.demo.acts import Acts, ObjectKind
from groundswell.demo.event_kinds import (
    DAY_OF_ACTION_KICKOFF,
    DAY_OF_ACTION_KINDS,
    MEMBER_KINDS,
    MONTHLY_MEETING,
    REJECTION_NOTES,
    REPORT_NOTES,
    STAFF_KINDS,
    SUMMER_HOUSE_MEETING,
    Kind,
)
from groundswell.demo.forest import SECONDS_PER_DAY, Forest
from groundswell.demo.geography import metros, miles_between, zip_table
from groundswell.demo.tables import insert_rows, random_uuids, reset_id_sequence, timestamps
from groundswell.events.models import Attendance, Event, EventCampaign, TrustedHost
from groundswell.events.recurrence import monthly_rule_for
from groundswell.events.services import sync_dates
from groundswell.people.models import EmailAddress, Person
from groundswell.people.places import Place, place_postcode

HOUR = 3600.0
DAY = SECONDS_PER_DAY

# Who hosts: a small share of members, far more of those who recruited someone.
HOST_SHARE_OTHERS = 0.012
HOST_SHARE_RECRUITERS = 0.07
HOST_SHARE_PER_RECRUIT = 0.025
HOST_SHARE_MAX = 0.30
# After each event, the chance that a host hosts once more (so the number of events
# per host is geometric): recruiters are the keener hosts.
HOST_AGAIN_RECRUITERS = 0.65
HOST_AGAIN_OTHERS = 0.50
FIRST_EVENT_MEDIAN_DAYS = 40.0  # from joining to hosting the first event
BETWEEN_EVENTS_MEDIAN_DAYS = 35.0  # from one event made to the next
LEAD_MEDIAN_DAYS = 12.0  # from making an event to the day it happens
LEAD_MIN_DAYS, LEAD_MAX_DAYS = 2.0, 30.0

CANCELLED_SHARE = 0.04
VISIBILITY_MIX = {
    Event.Visibility.PUBLIC: 0.90,
    Event.Visibility.UNLISTED: 0.07,
    Event.Visibility.PRIVATE: 0.03,
}
NO_LIMIT_SHARE = 0.4  # events without a capacity; the rest hold 10 to 60
COHOST_SHARE = 0.15
REPORT_SHARE = 0.25  # hosts who file the after-event report

# Staff events per 30 days: a steady few, and many more in the first months.
STAFF_RATE_LATER = 1.5
STAFF_RATE_EARLY = 6.0
STAFF_EARLY_DAYS = 120.0
STAFF_AHEAD_DAYS = 30.0
ONLINE_URL = "https://meet.example.org/{slug}"  # RFC 2606: goes nowhere
ONLINE_TIME_ZONE = "America/New_York"
# The zones the host form offers (events.forms.TIME_ZONES), by where they apply.
US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles")
FAR_ZONES = {"AK": "America/Anchorage", "HI": "Pacific/Honolulu"}

# Monthly meetings: a handful of the hosts who have been at it a while.
PEOPLE_PER_SERIES = 4000
SERIES_MIN, SERIES_MAX = 4, 25
SERIES_MIN_HISTORY_DAYS = 150.0
SERIES_MIN_PEOPLE = 20  # living nearby, or recruited by the host

# The campaigns, in days before (or after) today.
# The house meetings ran over the last summer that is over (1 June to 31 August),
# announced in mid-May; half the member events of that summer were part of it.
HOUSE_MEETINGS_ANNOUNCED = (5, 15)
HOUSE_MEETINGS_FROM, HOUSE_MEETINGS_UNTIL = (6, 1), (9, 1)
HOUSE_MEETINGS_JOIN_SHARE = 0.5
DAY_OF_ACTION_ANNOUNCED_DAYS_AGO = 45.0
DAY_OF_ACTION_AT_LEAST_DAYS_AHEAD = 21  # then the next Saturday
DAY_OF_ACTION_ACTIVE_HOSTS = 0.4  # of members who hosted in the last year
DAY_OF_ACTION_RECRUITERS = 0.015
DAY_OF_ACTION_OTHERS = 0.002
DAY_OF_ACTION_COHOST_SHARE = 0.25
TRUSTED_AFTER_EVENTS = 3  # hosts this practised are trusted before the day of action
DAY_OF_ACTION_SIGNUP_SKEW = 1.5
REVIEW_MEDIAN_DAYS = 1.0
REVIEW_BACKLOG = 0.04  # of events waiting for approval, the newest are still waiting at least
REJECTED_SHARE = 0.06
METRO_KICKOFF_MILES = 15.0  # well inside the search's default 25 miles

# RSVPs: how many an event draws (lognormal around its kind's median), and from whom.
RSVP_SIGMA = 0.6
WEIGHT_REGULAR, WEIGHT_RECRUIT, WEIGHT_SAME_ZIP, WEIGHT_NEARBY = 5.0, 4.0, 2.0, 1.0
NEARBY_POOL_MAX = 3000  # a big city's neighbours are sampled down to this many
RSVP_CLOSES = 1800.0  # seconds before the start
# Whether an accepted RSVP comes: an event's own rate is Beta(8, 9) (mean 0.47), plus a
# little for people the host knows (their recruits and regulars).
SHOW_UP_BETA = (8.0, 9.0)
SHOW_UP_WARM_BONUS = 0.10

WEEKDAYS = (MO, TU, WE, TH, FR, SA)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA")


@dataclass
class PlannedCampaign:
    title: str
    slug: str
    description: str
    host_instructions: str
    approval: str
    created_ago: float


HOUSE_MEETINGS = PlannedCampaign(
    title="Summer of House Meetings",
    slug="summer-house-meetings",
    description="Invite ten neighbors into your living room for an evening. House meetings are "
    "where a movement starts: people meet, tell each other why they care, and decide what to "
    "do together. **Any member can host**, and your meeting goes live as soon as you post it.",
    host_instructions="1. Invite people you know personally; ask each to bring a friend.\n"
    "2. Start with stories: why does each of us care?\n"
    "3. End with a next step and a date, and ask who will host the next one.",
    approval=EventCampaign.Approval.OPEN.value,
    created_ago=0.0,  # drawn: see HOUSE_MEETINGS_ANNOUNCED
)
# {day}: the day of action, filled in when it is drawn.
DAY_OF_ACTION = PlannedCampaign(
    title="National Day of Action",
    slug="day-of-action",
    description="On {day}, members in hundreds of towns act on the same day: canvasses, "
    "rallies and phone banks, each hosted by a member where they live. Find one near you, or "
    "host one.",
    host_instructions="1. Pick a public meeting place people can find.\n"
    "2. Start between 10 am and 2 pm local time on {day}.\n"
    "3. An organizer approves each event, usually within a day.\n"
    "4. Afterwards, report how many came and what happened.",
    approval=EventCampaign.Approval.MODERATED.value,
    created_ago=DAY_OF_ACTION_ANNOUNCED_DAYS_AGO * DAY,
)


@dataclass
class PlannedEvent:
    host: int  # forest index
    kind: Kind
    created_ago: float  # seconds before now: when it was made (its HOSTED act)
    starts_ago: float  # negative: still ahead
    ends_ago: float
    time_zone: str
    place: Place | None  # None: online
    zip: int  # index into geography.zip_table(), -1 online
    title: str
    venue: str
    description: str
    online_url: str = ""
    capacity: int | None = None
    visibility: str = Event.Visibility.PUBLIC
    status: str = Event.Status.PUBLISHED
    staff: bool = False
    campaign: int = -1  # index into EventPlan.campaigns
    recurrence_rule: str = ""
    previous: "PlannedEvent | None" = None
    reviewed_ago: float | None = None
    review_note: str = ""
    report_attendance: int | None = None
    report_notes: str = ""
    reported_ago: float | None = None
    cohosts: list[int] = field(default_factory=list)
    index: int = -1  # place in EventPlan.events, once sorted
    seed: int = 0
    _rng: np.random.Generator | None = field(default=None, repr=False)

    def draws(self) -> np.random.Generator:
        """The event's own random numbers (co-hosts, RSVPs, report): the same for the same
        seed even when the day the demo runs on adds or drops an event elsewhere."""
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng

    @property
    def published_ago(self) -> float:
        """From when people could RSVP: once it went live."""
        return self.reviewed_ago if self.reviewed_ago is not None else self.created_ago


@dataclass
class Attendances:
    """One row per RSVP, in columns."""

    event: np.ndarray  # index into EventPlan.events
    person: np.ndarray  # forest index
    rsvp_ago: np.ndarray
    accepted: np.ndarray  # bool; otherwise waitlisted
    attended: np.ndarray  # int8: 1 came, 0 did not, -1 not known yet
    checked_in_ago: np.ndarray  # meaningful where attended == 1
    no_show_ago: np.ndarray  # meaningful where attended == 0

    @property
    def size(self) -> int:
        return len(self.event)


@dataclass
class EventPlan:
    campaigns: list[PlannedCampaign]
    events: list[PlannedEvent]  # in the order they were made, which their ids follow
    trusted: list[tuple[int, float]]  # (forest index, seconds ago)
    attendances: Attendances
    staff: int | None  # forest index of the staff host
    series: int  # how many monthly meetings


@dataclass
class EventSummary:
    events: int = 0
    member_hosted: int = 0
    staff_hosted: int = 0
    monthly_meetings: int = 0
    campaigns: int = 0
    attendances: int = 0
    accepted: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0

    @property
    def attended_share(self) -> float:
        """Of accepted RSVPs to past events (checked in or marked as no-shows), the share who came."""
        known = self.attended + self.no_shows
        return self.attended / known if known else 0.0


# --- Drawing ------------------------------------------------------------------------------


@dataclass
class _World:
    """What every drawing step reads."""

    rng: np.random.Generator
    forest: Forest
    homes: list[Place]
    zip_index: np.ndarray
    given: list[str]
    now: datetime


def draw_events(
    rng: np.random.Generator,
    forest: Forest,
    *,
    homes: list[Place],
    zip_index: np.ndarray,
    given_names: list[str],
    channel: np.ndarray,
    staff: int | None,
    featured: int | None,
    now: datetime,
    acts: Acts,
) -> EventPlan:
    """Plan campaigns, events and RSVPs for the movement, and add their acts to `acts`.

    `staff` (the founder) hosts the staff events; `featured` (the member the demo signs
    in as) is made a host, so their pages have events on them.
    """
    world = _World(rng, forest, homes, zip_index, given_names, now)
    campaigns: list[PlannedCampaign] = []
    day_of_action = -1
    house_meetings: tuple[int, float, float] | None = None  # (campaign, from, until)
    founded_ago = float(forest.joined[staff]) if staff is not None else 0.0
    # A campaign needs someone to have run it: the founder, who joined before it began.
    announced_ago, from_ago, until_ago = _last_summer(now)
    if founded_ago > announced_ago:
        house_meetings = (len(campaigns), from_ago, until_ago)
        campaigns.append(replace(HOUSE_MEETINGS, created_ago=announced_ago))
    action_day = _day_of_action(now)
    if founded_ago > DAY_OF_ACTION.created_ago:
        day_of_action = len(campaigns)
        day = f"{action_day:%A} {action_day.day} {action_day:%B}"
        campaigns.append(
            replace(
                DAY_OF_ACTION,
                description=DAY_OF_ACTION.description.format(day=day),
                host_instructions=DAY_OF_ACTION.host_instructions.format(day=day),
            )
        )

    events = _member_events(world, staff=staff, featured=featured, house_meetings=house_meetings)
    neighbours = _Neighbours(forest, zip_index)
    series = _monthly_meetings(world, neighbours, events)
    events += series
    if staff is not None:
        events += _staff_events(world, staff)
    trusted: list[tuple[int, float]] = []
    if day_of_action >= 0:
        trusted = _trusted_hosts(events)
        events += _day_of_action_events(
            world,
            events,
            campaign=day_of_action,
            day=action_day,
            trusted={person for person, _ in trusted},
            staff=staff,
        )
    # Ids follow the order events were made in, as they would for real ones.
    events.sort(key=lambda e: -e.created_ago)
    for i, event in enumerate(events):
        event.index = i
    _draw_cohosts(world, neighbours, events)
    attendances = _draw_rsvps(world, neighbours, events)
    _draw_reports(events, attendances)
    _add_acts(acts, events, attendances, channel)
    return EventPlan(
        campaigns=campaigns,
        events=events,
        trusted=trusted,
        attendances=attendances,
        staff=staff,
        series=sum(1 for e in events if e.recurrence_rule),
    )


def _last_summer(now: datetime) -> tuple[float, float, float]:
    """Seconds ago of (announcement, start, end) of the house meetings: the last summer that is over."""
    year = now.year if (now.month, now.day) >= HOUSE_MEETINGS_UNTIL else now.year - 1

    def ago(month_day: tuple[int, int]) -> float:
        return (now - datetime(year, *month_day, 12, tzinfo=now.tzinfo)).total_seconds()

    return ago(HOUSE_MEETINGS_ANNOUNCED), ago(HOUSE_MEETINGS_FROM), ago(HOUSE_MEETINGS_UNTIL)


def _day_of_action(now: datetime) -> date:
    """The first Saturday at least three weeks from today."""
    day = now.date() + timedelta(days=DAY_OF_ACTION_AT_LEAST_DAYS_AHEAD)
    return day + timedelta(days=(5 - day.weekday()) % 7)


T = TypeVar("T")


def _pick(options: tuple[T, ...], u: float) -> T:
    return options[min(int(u * len(options)), len(options) - 1)]


def _choose_kind(kinds: tuple[tuple[Kind, float], ...], u: float) -> Kind:
    """The kind whose share of the weights `u` falls in."""
    at = int(np.searchsorted(_cumulative_shares(kinds), u, side="right"))
    return kinds[min(at, len(kinds) - 1)][0]


@cache
def _cumulative_shares(kinds: tuple[tuple[Kind, float], ...]) -> np.ndarray:
    weights = np.array([weight for _, weight in kinds])
    return np.cumsum(weights / weights.sum())


@cache
def _zip_time_zones() -> dict[str, str]:
    return {row["zip_code"]: row.get("timezone") or "" for row in zipcodes.list_all()}


@cache
def time_zone_for(postal_code: str, region: str, longitude: float | None) -> str:
    """The ZIP code's own zone when it is one the host form offers; otherwise one plausible
    for its longitude (Indiana's, Kentucky's and Dakota's zones keep their neighbours' clocks)."""
    own = _zip_time_zones().get(postal_code, "")
    if own in US_ZONES or own in FAR_ZONES.values():
        return own
    if region in FAR_ZONES:
        return FAR_ZONES[region]
    if longitude is None:
        return ONLINE_TIME_ZONE
    if longitude >= -86.5:
        return "America/New_York"
    if longitude >= -101.0:
        return "America/Chicago"
    if longitude >= -115.0:
        return "America/Denver"
    return "America/Los_Angeles"


def _zone_of(place: Place | None) -> str:
    if place is None:
        return ONLINE_TIME_ZONE
    return time_zone_for(place.postal_code, place.region, place.longitude)


def _local_times(
    now: datetime, approx_ago: float, zone_name: str, kind: Kind, u: np.ndarray
) -> tuple[float, float]:
    """(starts_ago, ends_ago) for an event due around `approx_ago`: on that local day (the
    next weekend, for weekend kinds), at one of its kind's hours in the event's zone."""
    zone = zoneinfo.ZoneInfo(zone_name)
    day = (now - timedelta(seconds=approx_ago)).astimezone(zone).date()
    if kind.weekend:
        day += timedelta(days=(5 - day.weekday()) % 7 + (1 if u[0] < 0.3 else 0))
    return _at(now, day, _pick(kind.hours, u[1]), _pick(kind.durations, u[2]), zone)


def _at(
    now: datetime, day: date, hour: float, duration: float, zone: zoneinfo.ZoneInfo
) -> tuple[float, float]:
    minutes = round(hour * 60)
    start = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    starts_ago = (now - start).total_seconds()
    return starts_ago, starts_ago - duration * HOUR


def _place_words(world: _World, host: int, place: Place | None) -> dict[str, str]:
    return {
        "place": place.locality if place and place.locality else "our town",
        "host": world.given[host] if 0 <= host < len(world.given) else "the host",
    }


def _event(
    world: _World,
    *,
    host: int,
    kind: Kind,
    created_ago: float,
    starts_ago: float,
    ends_ago: float,
    place: Place | None,
    zone: str,
    zip_: int,
    u: np.ndarray,
    words_host: int | None = None,
) -> PlannedEvent:
    """An event of `kind` with its words, capacity, visibility and seed drawn from `u`
    (twelve uniforms: 0-2 time, 3-7 here, 8-10 the caller's, 11 the seed)."""
    words = _place_words(world, host if words_host is None else words_host, place)
    title = _pick(kind.titles, u[3]).format(**words)
    online_url = ""
    if kind.online:
        online_url = ONLINE_URL.format(slug=title.lower().replace(" ", "-").replace("(", "").replace(")", ""))
    capacity = None if (kind.online or u[4] < NO_LIMIT_SHARE) else 10 + 5 * int(u[5] * 11)
    return PlannedEvent(
        host=host,
        kind=kind,
        created_ago=created_ago,
        starts_ago=starts_ago,
        ends_ago=ends_ago,
        time_zone=zone,
        place=place,
        zip=zip_,
        title=title,
        venue=_pick(kind.venues, u[6]).format(**words)[:200],
        description=kind.description.format(**words),
        online_url=online_url,
        capacity=capacity,
        visibility=_visibility(u[7]),
        seed=int(u[11] * 2**53),
    )


def _visibility(u: float) -> str:
    running = 0.0
    for visibility, share in VISIBILITY_MIX.items():
        running += share
        if u < running:
            return str(visibility)
    return str(Event.Visibility.PUBLIC)


def _member_events(
    world: _World,
    *,
    staff: int | None,
    featured: int | None,
    house_meetings: tuple[int, float, float] | None,
) -> list[PlannedEvent]:
    """Events members host: who hosts, how often, when, and what."""
    rng, forest = world.rng, world.forest
    recruits = forest.direct_recruits()
    share = np.where(
        recruits > 0,
        np.minimum(HOST_SHARE_RECRUITERS + HOST_SHARE_PER_RECRUIT * recruits, HOST_SHARE_MAX),
        HOST_SHARE_OTHERS,
    )
    is_host = rng.random(forest.size) < share
    if featured is not None:
        is_host[featured] = True
    if staff is not None:
        is_host[staff] = False
    hosts = np.flatnonzero(is_host)
    again = np.where(recruits[hosts] > 0, HOST_AGAIN_RECRUITERS, HOST_AGAIN_OTHERS)
    count = rng.geometric(1.0 - again)
    if featured is not None:
        count[hosts == featured] = np.maximum(count[hosts == featured], 6)
    host = np.repeat(hosts, count)
    first = np.cumsum(count) - count  # each host's first event
    gap = rng.lognormal(np.log(BETWEEN_EVENTS_MEDIAN_DAYS), 0.6, size=len(host))
    gap[first] = rng.lognormal(np.log(FIRST_EVENT_MEDIAN_DAYS), 0.9, size=len(hosts))
    if featured is not None and len(host):
        # The member the demo signs in as started hosting soon after joining.
        gap[first[hosts == featured]] = 10.0
    elapsed = np.cumsum(gap)
    elapsed -= np.repeat(elapsed[first] - gap[first], count)
    created_ago = forest.joined[host] - elapsed * DAY
    lead = np.clip(rng.lognormal(np.log(LEAD_MEDIAN_DAYS), 0.5, size=len(host)), LEAD_MIN_DAYS, LEAD_MAX_DAYS)
    u = rng.random((len(host), 12))
    made = created_ago > HOUR  # whoever would host after today has not yet
    host, created_ago, lead, u = host[made], created_ago[made], lead[made], u[made]
    approx_ago = created_ago - lead * DAY
    events = []
    for i, (h, created, approx) in enumerate(
        zip(host.tolist(), created_ago.tolist(), approx_ago.tolist(), strict=True)
    ):
        in_campaign = (
            house_meetings is not None
            and house_meetings[2] < approx < house_meetings[1]
            and u[i, 8] < HOUSE_MEETINGS_JOIN_SHARE
        )
        kind = SUMMER_HOUSE_MEETING if in_campaign else _choose_kind(MEMBER_KINDS, u[i, 9])
        place = world.homes[h]
        zone = _zone_of(place)
        starts, ends = _local_times(world.now, approx, zone, kind, u[i])
        if starts > created - HOUR:
            continue  # moved onto the day it was made: never happens with a two-day lead
        event = _event(
            world,
            host=h,
            kind=kind,
            created_ago=created,
            starts_ago=starts,
            ends_ago=ends,
            place=place,
            zone=zone,
            zip_=int(world.zip_index[h]),
            u=u[i],
        )
        if house_meetings is not None and in_campaign:
            event.campaign = house_meetings[0]
        elif u[i, 10] < CANCELLED_SHARE:
            event.status = Event.Status.CANCELLED
        events.append(event)
    return events


def _monthly_meetings(
    world: _World, neighbours: "_Neighbours", events: list[PlannedEvent]
) -> list[PlannedEvent]:
    """A handful of hosts keep a monthly meeting, from their first event until now: hosts
    with people around them (a meeting nobody comes to does not last)."""
    rng, forest = world.rng, world.forest
    first_made: dict[int, float] = {}
    for event in events:
        first_made[event.host] = max(first_made.get(event.host, 0.0), event.created_ago)
    seasoned = sorted(
        h
        for h, ago in first_made.items()
        if ago > SERIES_MIN_HISTORY_DAYS * DAY
        and len(neighbours.nearby(int(world.zip_index[h]))) + len(neighbours.recruits(h)) >= SERIES_MIN_PEOPLE
    )
    wanted = int(np.clip(round(forest.size / PEOPLE_PER_SERIES), SERIES_MIN, SERIES_MAX))
    chosen: list[int] = (
        rng.choice(seasoned, size=min(wanted, len(seasoned)), replace=False).tolist() if seasoned else []
    )
    meetings: list[PlannedEvent] = []
    seeds = rng.integers(0, 2**63 - 1, size=len(chosen)).tolist()
    for host, seed in zip(sorted(chosen), seeds, strict=True):
        # Each series draws from its own stream: how many meetings it has so far
        # depends on the day the demo runs, and should not change the other series.
        own = np.random.default_rng(seed)
        u = own.random(12)
        place = world.homes[host]
        zone_name = _zone_of(place)
        zone = zoneinfo.ZoneInfo(zone_name)
        nth = 1 + int(u[8] * 4)
        weekday = int(u[9] * 4)  # Monday to Thursday
        hour = _pick(MONTHLY_MEETING.hours, u[1])
        duration = _pick(MONTHLY_MEETING.durations, u[2])
        # From the host's first event, and a week after joining at the earliest.
        begin_ago = min(first_made[host], float(forest.joined[host]) - 7 * DAY)
        begin = (world.now - timedelta(seconds=begin_ago)).astimezone(zone).replace(tzinfo=None)
        minutes = round(hour * 60)
        dtstart = datetime.combine(begin.date(), time(minutes // 60, minutes % 60))
        rule = rrule(MONTHLY, dtstart=dtstart, byweekday=WEEKDAYS[weekday](nth))
        local_now = world.now.astimezone(zone).replace(tzinfo=None)
        template = _event(
            world,
            host=host,
            kind=MONTHLY_MEETING,
            created_ago=0.0,
            starts_ago=0.0,
            ends_ago=0.0,
            place=place,
            zone=zone_name,
            zip_=int(world.zip_index[host]),
            u=u,
        )
        template.visibility = Event.Visibility.PUBLIC
        previous: PlannedEvent | None = None
        for local in rule:
            if local < dtstart:
                continue
            starts_ago, ends_ago = _at(world.now, local.date(), hour, duration, zone)
            if previous is None:
                created_ago = min(starts_ago + own.uniform(7, 14) * DAY, float(forest.joined[host]) - 60)
            else:
                created_ago = previous.ends_ago - own.uniform(1, 5) * DAY
                if created_ago < 60:
                    created_ago = (previous.created_ago + 60) / 2
            meeting = replace(template, cohosts=[], seed=int(own.integers(0, 2**53)))
            meeting.created_ago, meeting.starts_ago, meeting.ends_ago = created_ago, starts_ago, ends_ago
            meeting.previous = previous
            meetings.append(meeting)
            previous = meeting
            if local > local_now:
                # The next meeting carries the rule: the app computes the ones after it.
                meeting.recurrence_rule = monthly_rule_for(
                    world.now - timedelta(seconds=starts_ago), zone_name
                )
                assert meeting.recurrence_rule == f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAY_CODES[weekday]}"
                break
    return meetings


def _staff_events(world: _World, staff: int) -> list[PlannedEvent]:
    """Town halls and online calls by staff: a steady few a month, many more at first."""
    rng, forest = world.rng, world.forest
    founded_ago = float(forest.joined[staff]) - DAY
    span = founded_ago + STAFF_AHEAD_DAYS * DAY
    peak = (STAFF_RATE_LATER + STAFF_RATE_EARLY) / (30 * DAY)
    approx = founded_ago - rng.uniform(0, span, size=rng.poisson(peak * span))
    age = founded_ago - approx
    rate = STAFF_RATE_LATER + STAFF_RATE_EARLY * np.exp(-age / (STAFF_EARLY_DAYS * DAY))
    approx = np.sort(approx[rng.random(len(approx)) < rate / (STAFF_RATE_LATER + STAFF_RATE_EARLY)])[::-1]
    lead = rng.lognormal(np.log(14.0), 0.4, size=len(approx)) * DAY
    joined_order = -forest.joined  # non-decreasing: forest indexes follow joining
    events = []
    for approx_ago, lead_s in zip(approx.tolist(), lead.tolist(), strict=True):
        u = rng.random(12)
        kind = _choose_kind(STAFF_KINDS, u[9])
        created_ago = min(approx_ago + lead_s, founded_ago)
        if created_ago < HOUR:
            continue
        place: Place | None = None
        zip_ = -1
        words_host = staff
        if not kind.online:
            # In a town where members live: the home of someone who had joined by then.
            members = int(np.searchsorted(joined_order, -created_ago, side="left"))
            local = int(u[10] * max(members, 1))
            place, zip_, words_host = world.homes[local], int(world.zip_index[local]), local
        zone = _zone_of(place)
        starts, ends = _local_times(world.now, approx_ago, zone, kind, u)
        if starts > created_ago - HOUR:
            continue
        event = _event(
            world,
            host=staff,
            kind=kind,
            created_ago=created_ago,
            starts_ago=starts,
            ends_ago=ends,
            place=place,
            zone=zone,
            zip_=zip_,
            u=u,
            words_host=words_host,
        )
        event.staff, event.visibility = True, Event.Visibility.PUBLIC
        events.append(event)
    return events


def _trusted_hosts(events: list[PlannedEvent]) -> list[tuple[int, float]]:
    """Members who had hosted a few times were trusted by an organizer just before the
    day of action was announced, so their events for it skip the wait."""
    trusted_ago = (DAY_OF_ACTION_ANNOUNCED_DAYS_AGO + 2) * DAY
    made: dict[int, int] = {}
    for event in events:
        if not event.staff and event.created_ago > trusted_ago:
            made[event.host] = made.get(event.host, 0) + 1
    return [(host, trusted_ago) for host in sorted(made) if made[host] >= TRUSTED_AFTER_EVENTS]


def _day_of_action_events(
    world: _World,
    events: list[PlannedEvent],
    *,
    campaign: int,
    day: date,
    trusted: set[int],
    staff: int | None,
) -> list[PlannedEvent]:
    """Events on the day of action: hosted by recent hosts, some recruiters, a few others."""
    rng, forest = world.rng, world.forest
    announced_ago = DAY_OF_ACTION_ANNOUNCED_DAYS_AGO * DAY
    active = np.zeros(forest.size, dtype=bool)
    for event in events:
        if not event.staff and event.created_ago < 365 * DAY:
            active[event.host] = True
    recruits = forest.direct_recruits()
    share = np.where(
        active,
        DAY_OF_ACTION_ACTIVE_HOSTS,
        np.where(recruits > 0, DAY_OF_ACTION_RECRUITERS, DAY_OF_ACTION_OTHERS),
    )
    joined_before = forest.joined > announced_ago
    hosts = np.flatnonzero(joined_before & (rng.random(forest.size) < share))
    if staff is not None:
        hosts = hosts[hosts != staff]
    # Sign-ups quicken as the day nears.
    created = HOUR + (announced_ago - HOUR) * rng.random(len(hosts)) ** DAY_OF_ACTION_SIGNUP_SKEW
    review = rng.lognormal(np.log(REVIEW_MEDIAN_DAYS), 0.8, size=len(hosts)) * DAY
    # The organizers have not got to the newest few yet, whatever the draw.
    untrusted = np.flatnonzero(~np.isin(hosts, list(trusted)))
    newest = untrusted[np.argsort(created[untrusted])][: max(1, round(REVIEW_BACKLOG * len(untrusted)))]
    review[newest] = np.maximum(review[newest], created[newest] + HOUR)
    u = rng.random((len(hosts), 12))
    planned = []
    for i, host in enumerate(hosts.tolist()):
        kind = _choose_kind(DAY_OF_ACTION_KINDS, u[i, 9])
        place = world.homes[host]
        zone_name = _zone_of(place)
        starts, ends = _at(
            world.now,
            day,
            _pick(kind.hours, u[i, 1]),
            _pick(kind.durations, u[i, 2]),
            zoneinfo.ZoneInfo(zone_name),
        )
        event = _event(
            world,
            host=host,
            kind=kind,
            created_ago=float(created[i]),
            starts_ago=starts,
            ends_ago=ends,
            place=place,
            zone=zone_name,
            zip_=int(world.zip_index[host]),
            u=u[i],
        )
        event.campaign = campaign
        event.visibility = Event.Visibility.PUBLIC
        if host not in trusted:
            reviewed_ago = float(created[i] - review[i])
            if reviewed_ago <= 0:
                event.status = Event.Status.PENDING
            else:
                event.reviewed_ago = reviewed_ago
                if u[i, 8] < REJECTED_SHARE:
                    event.status = Event.Status.REJECTED
                    event.review_note = _pick(REJECTION_NOTES, u[i, 10])
        planned.append(event)
    if staff is not None and planned:
        # The organizers' own flagship, in the town with the most events that day.
        busiest = max(Counter(e.zip for e in planned).items(), key=lambda item: (item[1], item[0]))[0]
        local = next(e.host for e in planned if e.zip == busiest)
        place = world.homes[local]
        zone_name = _zone_of(place)
        starts, ends = _at(world.now, day, 11.0, 2.0, zoneinfo.ZoneInfo(zone_name))
        flagship = _event(
            world,
            host=staff,
            kind=DAY_OF_ACTION_KICKOFF,
            created_ago=announced_ago,
            starts_ago=starts,
            ends_ago=ends,
            place=place,
            zone=zone_name,
            zip_=busiest,
            u=rng.random(12),
            words_host=local,
        )
        flagship.campaign, flagship.staff = campaign, True
        flagship.visibility, flagship.capacity = Event.Visibility.PUBLIC, None
        planned.append(flagship)
    if staff is not None:
        planned += _metro_kickoffs(world, planned, campaign=campaign, day=day, staff=staff)
        planned.append(_training_call(world, campaign=campaign, day=day, staff=staff))
    return planned


def _training_call(world: _World, *, campaign: int, day: date, staff: int) -> PlannedEvent:
    """An online call for the day's hosts the week before: every search, wherever it is
    near, has an online event to show."""
    kind = next(kind for kind, _ in STAFF_KINDS if kind.name == "host training call")
    starts, ends = _at(world.now, day - timedelta(days=7), 19.0, 1.0, zoneinfo.ZoneInfo(ONLINE_TIME_ZONE))
    call = _event(
        world,
        host=staff,
        kind=kind,
        created_ago=DAY_OF_ACTION_ANNOUNCED_DAYS_AGO * DAY,
        starts_ago=starts,
        ends_ago=ends,
        place=None,
        zone=ONLINE_TIME_ZONE,
        zip_=-1,
        u=world.rng.random(12),
    )
    call.campaign, call.staff, call.visibility = campaign, True, Event.Visibility.PUBLIC
    return call


def _metro_kickoffs(
    world: _World, planned: list[PlannedEvent], *, campaign: int, day: date, staff: int
) -> list[PlannedEvent]:
    """The organizers hold a kickoff in each big metro that has no live event for the day
    within METRO_KICKOFF_MILES of its centre, so that a visitor's first search from a big
    city finds one, however small the movement."""
    table = zip_table()
    live = [e.zip for e in planned if e.zip >= 0 and e.status == Event.Status.PUBLISHED]
    kickoffs = []
    for metro in metros():
        lat, lon = table.latitude[metro.centre], table.longitude[metro.centre]
        if live and miles_between(table, lat, lon, np.array(live)).min() <= METRO_KICKOFF_MILES:
            continue
        place = place_postcode(table.codes[metro.centre])
        zone_name = _zone_of(place)
        starts, ends = _at(world.now, day, 11.0, 2.0, zoneinfo.ZoneInfo(zone_name))
        kickoff = _event(
            world,
            host=staff,
            kind=DAY_OF_ACTION_KICKOFF,
            created_ago=DAY_OF_ACTION_ANNOUNCED_DAYS_AGO * DAY,
            starts_ago=starts,
            ends_ago=ends,
            place=place,
            zone=zone_name,
            zip_=metro.centre,
            u=world.rng.random(12),
        )
        kickoff.campaign, kickoff.staff = campaign, True
        kickoff.visibility, kickoff.capacity = Event.Visibility.PUBLIC, None
        kickoffs.append(kickoff)
    return kickoffs


class _Neighbours:
    """People by ZIP code, by three-digit area and by recruiter, for finding who RSVPs."""

    def __init__(self, forest: Forest, zip_index: np.ndarray) -> None:
        table = zip_table()
        self.area_first, self.area_size = table.area_first, table.area_size
        self.by_zip = np.argsort(zip_index, kind="stable")
        self.zip_bounds = np.searchsorted(zip_index[self.by_zip], np.arange(len(table.codes) + 1))
        parent = forest.parent
        self.by_parent = np.argsort(parent, kind="stable")
        self.parent_bounds = np.searchsorted(parent[self.by_parent], np.arange(forest.size + 1))

    def same_zip(self, z: int) -> np.ndarray:
        return self.by_zip[self.zip_bounds[z] : self.zip_bounds[z + 1]]

    def nearby(self, z: int) -> np.ndarray:
        first = self.area_first[z]
        return self.by_zip[self.zip_bounds[first] : self.zip_bounds[first + self.area_size[z]]]

    def recruits(self, person: int) -> np.ndarray:
        return self.by_parent[self.parent_bounds[person] : self.parent_bounds[person + 1]]


def _draw_cohosts(world: _World, neighbours: "_Neighbours", events: list[PlannedEvent]) -> None:
    """Some member events have a co-host: one of the host's recruits, or their recruiter."""
    forest = world.forest
    for event in events:
        u = event.draws().random(2)
        share = DAY_OF_ACTION_COHOST_SHARE if event.campaign >= 0 else COHOST_SHARE
        if event.staff or u[0] >= share:
            continue
        people = neighbours.recruits(event.host)
        recruiter = int(forest.parent[event.host])
        if recruiter >= 0:
            people = np.append(people, recruiter)
        people = people[forest.joined[people] > event.created_ago]
        if len(people):
            event.cohosts = [int(people[int(u[1] * len(people))])]


def _draw_rsvps(world: _World, neighbours: "_Neighbours", events: list[PlannedEvent]) -> Attendances:
    """Who RSVP'd to each published event, when, whether they got a place, and whether they came."""
    joined = world.forest.joined
    joined_order = -joined
    came_before: dict[int, np.ndarray] = {}  # host → people who came to their events
    columns: dict[str, list[np.ndarray]] = {k: [] for k in Attendances.__dataclass_fields__}
    # In the order they happen, so regulars are those who came before.
    for event in sorted(events, key=lambda e: -e.starts_ago):
        if event.status != Event.Status.PUBLISHED:
            continue
        rng = event.draws()
        wanted = round(event.kind.rsvps * rng.lognormal(0.0, RSVP_SIGMA))
        closes = max(event.starts_ago, 0.0) + RSVP_CLOSES  # before the start, and by now
        opens = event.published_ago - 60
        if wanted == 0 or opens <= closes:
            continue
        regulars = came_before.get(event.host, np.empty(0, dtype=np.int64))
        recruits = neighbours.recruits(event.host)
        if event.zip < 0:
            # Online: anyone who had joined by then; calls for newcomers draw the newest.
            members = int(np.searchsorted(joined_order, -closes - 60, side="left"))
            recent = int(np.searchsorted(joined_order, -(closes + 90 * DAY), side="left"))
            low = recent if event.kind.name == "orientation call" else 0
            if members - low < 1:
                continue
            pool = low + rng.choice(members - low, size=min(wanted * 3, members - low), replace=False)
            weight = np.ones(len(pool))
        else:
            # Staff events draw on the town alone; a member's, on their own people first.
            parts = [] if event.staff else [regulars, recruits]
            weights = [] if event.staff else [WEIGHT_REGULAR, WEIGHT_RECRUIT]
            if event.visibility != Event.Visibility.PRIVATE:
                nearby = neighbours.nearby(event.zip)
                if len(nearby) > NEARBY_POOL_MAX:
                    nearby = nearby[rng.random(len(nearby)) < NEARBY_POOL_MAX / len(nearby)]
                parts += [neighbours.same_zip(event.zip), nearby]
                weights += [WEIGHT_SAME_ZIP, WEIGHT_NEARBY]
            pool = np.concatenate(parts).astype(np.int64)
            weight = np.concatenate([np.full(len(p), w) for p, w in zip(parts, weights, strict=True)])
            # Each person once, at their strongest tie.
            strongest = np.argsort(-weight, kind="stable")
            pool, first = np.unique(pool[strongest], return_index=True)
            weight = weight[strongest][first]
        keep = (joined[pool] > closes + 60) & (pool != event.host)
        for cohost in event.cohosts:
            keep &= pool != cohost
        pool, weight = pool[keep], weight[keep]
        if not len(pool):
            continue
        # A weighted draw without replacement (Efraimidis & Spirakis): the largest keys win.
        keys = rng.random(len(pool)) ** (1.0 / weight)
        n = min(wanted, len(pool))
        chosen = np.argpartition(-keys, n - 1)[:n] if n < len(pool) else np.arange(len(pool))
        person, warm = pool[chosen], weight[chosen] >= WEIGHT_RECRUIT
        earliest = np.minimum(opens, joined[person] - 60)
        rsvp_ago = closes + (earliest - closes) * rng.random(n)
        order = np.argsort(-rsvp_ago, kind="stable")  # first come, first served
        person, warm, rsvp_ago = person[order], warm[order], rsvp_ago[order]
        accepted = np.ones(n, dtype=bool)
        if event.capacity is not None:
            accepted[event.capacity :] = False
        attended = np.full(n, -1, dtype=np.int8)
        checked_in_ago = event.starts_ago - rng.uniform(-600, 1800, size=n)
        no_show_ago = event.ends_ago - rng.uniform(HOUR, DAY, size=n)
        if event.starts_ago > 0:
            rate = rng.beta(*SHOW_UP_BETA)
            came = rng.random(n) < np.clip(rate + SHOW_UP_WARM_BONUS * warm, 0.02, 0.98)
            attended[accepted & came & (checked_in_ago > 1)] = 1
            attended[accepted & ~came & (no_show_ago > 1)] = 0
            if (attended == 1).any():
                came_before[event.host] = np.union1d(regulars, person[attended == 1])
        columns["event"].append(np.full(n, event.index, dtype=np.int64))
        columns["person"].append(person)
        columns["rsvp_ago"].append(rsvp_ago)
        columns["accepted"].append(accepted)
        columns["attended"].append(attended)
        columns["checked_in_ago"].append(checked_in_ago)
        columns["no_show_ago"].append(no_show_ago)
    empty = {
        "event": np.int64,
        "person": np.int64,
        "rsvp_ago": np.float64,
        "accepted": bool,
        "attended": np.int8,
        "checked_in_ago": np.float64,
        "no_show_ago": np.float64,
    }
    return Attendances(
        **{k: np.concatenate(v) if v else np.empty(0, dtype=empty[k]) for k, v in columns.items()}
    )


def _draw_reports(events: list[PlannedEvent], attendances: Attendances) -> None:
    """Some hosts report after the event: how many came, and a line about it."""
    came = np.bincount(attendances.event[attendances.attended == 1], minlength=len(events))
    for event in events:
        u = event.draws().random(3)
        reported_ago = event.ends_ago - (1 + 2 * u[1]) * DAY
        if event.status != Event.Status.PUBLISHED or reported_ago < 60 or u[0] >= REPORT_SHARE:
            continue
        event.report_attendance = int(came[event.index])
        event.report_notes = _pick(REPORT_NOTES, u[2])
        event.reported_ago = reported_ago


def _add_acts(acts: Acts, events: list[PlannedEvent], rsvps: Attendances, channel: np.ndarray) -> None:
    """The acts the events services would have logged. Each act carries its own channel:
    the demo's RSVPs and hosting came directly (no share link), as `events.services` logs
    them then; `channel` (each person's first touch) is not copied onto them."""
    channel = np.zeros_like(channel)
    index = np.array([e.index for e in events], dtype=np.int64)
    host = np.array([e.host for e in events], dtype=np.int64)
    made = np.array([e.created_ago for e in events], dtype=np.float64)
    initiator = np.where(
        np.array([e.staff for e in events], dtype=bool), int(Initiator.STAFF), int(Initiator.MEMBER)
    )
    acts.add(host, Verb.HOSTED, made, channel[host], index, obj_kind=ObjectKind.EVENT, initiator=initiator)
    pairs = [(e.index, c) for e in events for c in e.cohosts]
    if pairs:
        event, cohost = (np.array(column, dtype=np.int64) for column in zip(*pairs, strict=True))
        acts.add(
            cohost,
            Verb.COHOSTED,
            made[event],
            channel[cohost],
            event,
            obj_kind=ObjectKind.EVENT,
            initiator=initiator[event],
        )
    person, event = rsvps.person, rsvps.event
    acts.add(person, Verb.RSVPED, rsvps.rsvp_ago, channel[person], event, obj_kind=ObjectKind.EVENT)
    came = rsvps.attended == 1
    for verb in (Verb.CHECKED_IN, Verb.ATTENDED):
        acts.add(
            person[came],
            verb,
            rsvps.checked_in_ago[came],
            channel[person[came]],
            event[came],
            obj_kind=ObjectKind.EVENT,
        )
    missed = rsvps.attended == 0
    acts.add(
        person[missed],
        Verb.NO_SHOW,
        rsvps.no_show_ago[missed],
        channel[person[missed]],
        event[missed],
        obj_kind=ObjectKind.EVENT,
        initiator=Initiator.SYSTEM,
    )


# --- Writing ------------------------------------------------------------------------------


def fill_given_details(event_ids: np.ndarray) -> None:
    """The name and email each RSVP shares with its hosts (what `rsvp` copies from a
    signed-in member who keeps the default), and its place in the queue, in one UPDATE."""
    person = OuterRef("person_id")
    Attendance.objects.filter(event_id__in=event_ids.tolist()).update(
        given_name=Subquery(Person.objects.filter(pk=person).values("given_name")[:1]),
        family_name=Subquery(Person.objects.filter(pk=person).values("family_name")[:1]),
        email=Subquery(EmailAddress.objects.filter(person_id=person, primary=True).values("address")[:1]),
        queued_at=F("created_at"),
    )


def first_event_id() -> int:
    return (Event.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def write_events(
    plan: EventPlan,
    *,
    person_ids: np.ndarray,
    channel: np.ndarray,
    event_ids: np.ndarray,
    now: datetime,
    now_us: int,
) -> tuple[dict[str, int], EventSummary]:
    """Write the plan's campaigns, events, co-hosts, trusted hosts and RSVPs (not their
    acts: `generator` writes the whole log at once). Each RSVP carries what a signed-in
    member shares by default (name and email), as `events.services.rsvp` copies it.
    Returns rows per table and a summary."""
    rows: dict[str, int] = {}
    staff_id = int(person_ids[plan.staff]) if plan.staff is not None else None
    campaign_ids = []
    for campaign in plan.campaigns:
        created = now - timedelta(seconds=campaign.created_ago)
        made = EventCampaign.objects.create(
            title=campaign.title,
            slug=_free_slug(campaign.slug),
            description=campaign.description,
            host_instructions=campaign.host_instructions,
            approval=campaign.approval,
            created_by_id=staff_id,
        )
        EventCampaign.objects.filter(pk=made.pk).update(created_at=created, modified_at=created)
        campaign_ids.append(made.pk)
    rows["event campaigns"] = len(campaign_ids)

    events = plan.events
    count = len(events)

    def stamps(values: list[float | None]) -> list[str | None]:
        known = timestamps(now_us, np.array([0.0 if v is None else v for v in values]))
        return [None if v is None else s for v, s in zip(values, known, strict=True)]

    created_at = stamps([e.created_ago for e in events])
    modified_at = stamps(
        [
            min([e.created_ago] + [ago for ago in (e.reviewed_ago, e.reported_ago) if ago is not None])
            for e in events
        ]
    )
    ids = event_ids.tolist()
    places = [e.place for e in events]
    empty_list = json.dumps([])
    rows["events"] = insert_rows(
        Event,
        {
            "id": ids,
            "uuid": random_uuids(count),
            "title": [e.title for e in events],
            "description": [e.description for e in events],
            "starts_at": stamps([e.starts_ago for e in events]),
            "ends_at": stamps([e.ends_ago for e in events]),
            "last_ends_at": stamps([e.ends_ago for e in events]),  # the series' dates follow below
            "time_zone": [e.time_zone for e in events],
            "venue": [e.venue for e in events],
            "address_lines": [empty_list] * count,
            "locality": [p.locality if p else "" for p in places],
            "region": [p.region if p else "" for p in places],
            "postal_code": [p.postal_code if p else "" for p in places],
            "country": [p.country if p else "" for p in places],
            "latitude": [p.latitude if p else None for p in places],
            "longitude": [p.longitude if p else None for p in places],
            "online_url": [e.online_url for e in events],
            "capacity": [e.capacity for e in events],
            "visibility": [str(e.visibility) for e in events],
            "status": [str(e.status) for e in events],
            "host_id": [int(person_ids[e.host]) for e in events],
            "campaign_id": [campaign_ids[e.campaign] if e.campaign >= 0 else None for e in events],
            "recurrence_rule": [e.recurrence_rule for e in events],
            "recurrence_exceptions": [empty_list] * count,
            "review_note": [e.review_note for e in events],
            "reviewed_by_id": [staff_id if e.reviewed_ago is not None else None for e in events],
            "reviewed_at": stamps([e.reviewed_ago for e in events]),
            "previous_id": [ids[e.previous.index] if e.previous is not None else None for e in events],
            "report_attendance": [e.report_attendance for e in events],
            "report_notes": [e.report_notes for e in events],
            "report_links": [empty_list] * count,
            "created_at": created_at,
            "modified_at": modified_at,
        },
    )
    reset_id_sequence(Event)
    pairs = [(ids[e.index], int(person_ids[c])) for e in events for c in e.cohosts]
    rows["co-hosts"] = insert_rows(
        Event.cohosts.through,
        {"event_id": [p[0] for p in pairs], "person_id": [p[1] for p in pairs]},
    )
    rows["trusted hosts"] = insert_rows(
        TrustedHost,
        {
            "person_id": [int(person_ids[p]) for p, _ in plan.trusted],
            "trusted_by_id": [staff_id] * len(plan.trusted),
            "created_at": stamps([ago for _, ago in plan.trusted]),
        },
    )

    rsvps = plan.attendances
    attended = rsvps.attended
    checked_in = np.where(attended == 1, rsvps.checked_in_ago, np.inf)
    settled = np.where(
        attended == 1, rsvps.checked_in_ago, np.where(attended == 0, rsvps.no_show_ago, np.inf)
    )
    rsvp_at = timestamps(now_us, rsvps.rsvp_ago)
    checked_in_at = timestamps(now_us, np.where(attended == 1, rsvps.checked_in_ago, 0.0))
    modified = timestamps(now_us, np.minimum(rsvps.rsvp_ago, settled))
    accepted = rsvps.accepted.tolist()
    rows["attendances"] = insert_rows(
        Attendance,
        {
            "uuid": random_uuids(rsvps.size),
            "created_at": rsvp_at,
            "modified_at": modified,
            "event_id": event_ids[rsvps.event].tolist(),
            "person_id": person_ids[rsvps.person].tolist(),
            "status": [
                Attendance.Status.ACCEPTED.value if a else Attendance.Status.WAITLISTED.value
                for a in accepted
            ],
            "attended": [None if a < 0 else bool(a) for a in attended.tolist()],
            "checked_in_at": [
                s if np.isfinite(c) else None for s, c in zip(checked_in_at, checked_in.tolist(), strict=True)
            ],
            "channel": [int(Channel.DIRECT)] * rsvps.size,  # came directly, as in `_add_acts`
        },
    )
    fill_given_details(event_ids)
    _date_series(ids, now)
    summary = EventSummary(
        events=count,
        member_hosted=sum(1 for e in events if not e.staff),
        staff_hosted=sum(1 for e in events if e.staff),
        monthly_meetings=plan.series,
        campaigns=len(campaign_ids),
        attendances=rsvps.size,
        accepted=int(rsvps.accepted.sum()),
        waitlisted=int((~rsvps.accepted).sum()),
        attended=int((attended == 1).sum()),
        no_shows=int((attended == 0).sum()),
    )
    return rows, summary


def _date_series(event_ids: list[int], now: datetime) -> None:
    """A monthly meeting's dates as the app keeps them (shifts made from its rule, a year
    ahead), with the RSVPs drawn for its next meeting on that date."""
    for event in Event.objects.filter(pk__in=event_ids).exclude(recurrence_rule=""):
        sync_dates(event, now=now)
        first = event.shifts.order_by("starts_at").first()
        if first is not None:
            Attendance.objects.filter(event=event, shift=None).update(shift=first)


def _free_slug(slug: str) -> str:
    """The slug, or slug-2, slug-3... if a campaign (from an earlier demo run) has it."""
    taken = set(EventCampaign.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate
