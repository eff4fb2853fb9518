"""A group's health on hand-made data: members active in 90 days, events in each of the
last 4 months (a repeating meeting by its dates), distinct hosts and co-hosts in 90 days,
core members, leaders' tenure; and a fixed number of queries for 1 and for 20 groups."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.events.models import Event, Shift
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.health import health_of, member_counts

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def make_group(starter, **fields) -> Group:
    number = next(_numbers)
    values = {"name": f"Health {number}", "slug": f"health-{number}", "started_by": starter.person}
    return Group.objects.create(**{**values, **fields})


def join(user, group, role=Membership.Role.MEMBER, *, status=Membership.Status.ACTIVE, since=None):
    return Membership.objects.create(
        group=group, person=user.person, role=role, status=status, joined_at=since, role_since=since
    )


def event(group, host, starts_at, *, status=Event.Status.PUBLISHED, cohosts=(), rule="", dates=()):
    made = Event.objects.create(
        title="Meeting",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        last_ends_at=(dates[-1] if dates else starts_at) + timedelta(hours=2),
        host=host.person,
        status=status,
        group=group,
        recurrence_rule=rule,
    )
    made.cohosts.add(*(c.person for c in cohosts))
    Shift.objects.bulk_create(
        Shift(event=made, starts_at=day, ends_at=day + timedelta(hours=2), from_rule=True) for day in dates
    )
    return made


def act(user, verb, days_ago, **extra):
    Activity.objects.create(
        person=user.person, verb=verb, occurred_at=NOW - timedelta(days=days_ago), **extra
    )


@pytest.fixture
def town(make_member):
    """A group with a leader (since March), a core member, two members, one who left and
    one who only asked; its acts and events, hand-made around 15 June 2025."""
    names = ["Lena", "Cora", "Mo", "Nia", "Gone", "Asks", "H1", "H2", "H3", "H4", "H5", "H6", "H7"]
    people = {name: make_member(name) for name in names}
    group = make_group(people["Lena"])
    other = make_group(people["H7"])
    leader_since = datetime(2025, 3, 1, tzinfo=UTC)
    join(people["Lena"], group, Membership.Role.LEADER, since=leader_since)
    join(people["Cora"], group, Membership.Role.CORE, since=leader_since)
    join(people["Mo"], group)
    join(people["Nia"], group)
    join(people["Gone"], group, status=Membership.Status.LEFT)
    join(people["Asks"], group, status=Membership.Status.REQUESTED)
    # Making the members logged their joining now: put it long ago, then act by hand.
    Activity.objects.update(occurred_at=NOW - timedelta(days=400))
    act(people["Lena"], Verb.POSTED, 10)  # active
    act(people["Cora"], Verb.ATTENDED, 89)  # active, just inside 90 days
    act(people["Mo"], Verb.ATTENDED, 91)  # outside 90 days
    act(people["Mo"], Verb.WAS_MENTIONED, 2)  # done to him: not active
    act(people["Mo"], Verb.BECAME_CORE, 2, actor=people["Lena"].person)  # done to him
    act(people["Nia"], Verb.RSVPED, 3, initiator=Initiator.SYSTEM)  # the system's, not hers
    act(people["Nia"], Verb.POSTED, -2)  # after `now`: not yet
    act(people["Gone"], Verb.POSTED, 1)  # left the group: not counted
    act(people["Asks"], Verb.POSTED, 1)  # only asked: not counted
    p = people
    at = lambda m, d: datetime(2025, m, d, 18, tzinfo=UTC)  # noqa: E731
    event(group, p["H4"], at(2, 20))  # before the four months
    event(group, p["H4"], at(3, 5))  # March; before the 90 days (from 17 March)
    event(group, p["H4"], at(3, 12))
    event(group, p["H1"], at(5, 3), cohosts=[p["H2"]])  # May, in 90 days
    event(group, p["H5"], at(5, 20), status=Event.Status.CANCELLED)  # called off: not counted
    event(group, p["H5"], at(4, 20), status=Event.Status.PENDING)  # never went live
    event(group, p["H1"], at(6, 10))  # June, before now
    event(group, p["H6"], at(6, 20))  # June, still ahead: not held yet
    event(other, p["H7"], at(5, 5))  # another group's
    # A monthly meeting begun in January: one row, a date a month; hosted by H3.
    dates = [at(m, 8) for m in range(1, 8)]
    event(group, p["H3"], dates[0], rule="FREQ=MONTHLY;BYMONTHDAY=8", dates=dates)
    return group, other, people


def test_the_numbers(town):
    group, other, people = town
    health = health_of([group, other], now=NOW)[group.pk]
    assert health.members == 4  # not who left or only asked
    assert health.core_members == 1
    assert health.active_90d == 2  # Lena and Cora
    assert health.events_by_month == [
        (date(2025, 3, 1), 3),  # two single events and the meeting's date
        (date(2025, 4, 1), 1),  # the meeting; the pending event is not live
        (date(2025, 5, 1), 2),  # one event and the meeting; the cancelled one is not counted
        (date(2025, 6, 1), 2),  # one held, the meeting; not the one still ahead
    ]
    assert health.months_with_events == 4
    assert health.hosts_90d == 3  # H1, his co-host H2, and H3 whose series goes on
    assert [(t.person, t.since) for t in health.leaders] == [
        (people["Lena"].person, datetime(2025, 3, 1, tzinfo=UTC))
    ]
    assert health.leaderless_since is None
    assert health_of([group, other], now=NOW)[other.pk].events_by_month[2] == (date(2025, 5, 1), 1)


def test_a_leaderless_group(make_member):
    founder = make_member("Founder")
    since = NOW - timedelta(days=40)
    group = make_group(founder, leaderless_since=since)
    join(founder, group)
    health = health_of([group], now=NOW)[group.pk]
    assert health.leaders == [] and health.leaderless_since == since
    assert health.events_by_month == [(date(2025, m, 1), 0) for m in (3, 4, 5, 6)]
    assert health.busiest_month == 1


@override_settings(TIME_ZONE="America/New_York")
def test_months_by_the_local_calendar(make_member):
    """At 02:00 UTC on 1 June it is still 31 May in New York: the event is May's, and "now"
    is in May too (the four months are February to May)."""
    host = make_member("Host")
    group = make_group(host)
    early_june_utc = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    event(group, host, early_june_utc - timedelta(hours=1))
    with timezone.override("America/New_York"):
        months = health_of([group], now=early_june_utc)[group.pk].events_by_month
    assert months == [
        (date(2025, 2, 1), 0),
        (date(2025, 3, 1), 0),
        (date(2025, 4, 1), 0),
        (date(2025, 5, 1), 1),
    ]


def test_no_groups_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert health_of([]) == {}


@pytest.mark.parametrize("how_many", [1, 20])
def test_a_fixed_number_of_queries(make_member, django_assert_num_queries, how_many):
    host = make_member("Host")
    groups = []
    for _ in range(how_many):
        group = make_group(host)
        join(host, group, Membership.Role.LEADER, since=NOW)
        event(group, host, NOW - timedelta(days=3))
        groups.append(group)
    Activity.objects.create(
        person=host.person, verb=Verb.POSTED, occurred_at=NOW, object_kind=ObjectKind.GROUP
    )
    with django_assert_num_queries(4):
        found = health_of(groups, now=NOW)
    assert all(found[g.pk].members == 1 and found[g.pk].hosts_90d == 1 for g in groups)
    with django_assert_num_queries(1):
        assert set(member_counts(groups).values()) == {1}
