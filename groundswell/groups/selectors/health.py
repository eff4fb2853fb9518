"""A group's health: the inputs of METRICS H1 (a self-sustaining group), as its leaders'
panel and a region's page show them.

- `members`: active members; `active_90d`: those of them with any act in the last 90 days;
- `events_by_month`: the group's published events starting in each of the last 4 calendar
  months (this one included), oldest first;
- `hosts_90d`: distinct people who hosted or co-hosted its events that started in 90 days;
- `core_members`, and its leaders with the day each took the role (their tenure);
- `leaderless_since`: since when it has had no leader, if it has none.

`health_of` reads any number of groups in a fixed number of queries (five), never one
group at a time: a region's page lists dozens.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from groundswell.activity.models import Activity
from groundswell.events.models import Event
from groundswell.groups.models import Group, Membership
from groundswell.people.models import Person

ACTIVE_DAYS = 90
MONTHS = 4


@dataclass
class LeaderTenure:
    person: Person
    since: datetime | None


@dataclass
class Health:
    members: int = 0
    active_90d: int = 0
    events_by_month: list[tuple[date, int]] = field(default_factory=list)
    hosts_90d: int = 0
    core_members: int = 0
    leaders: list[LeaderTenure] = field(default_factory=list)
    leaderless_since: datetime | None = None

    @property
    def months_with_events(self) -> int:
        return sum(1 for _, count in self.events_by_month if count)


def _month_starts(now: datetime) -> list[date]:
    """The first day of each of the last MONTHS months, oldest first."""
    year, month = now.year, now.month
    starts = []
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def health_of(groups: Sequence[Group], *, now: datetime | None = None) -> dict[int, Health]:
    """Each group's health by id, in five queries whatever the number of groups."""
    now = now or timezone.now()
    ids = [group.pk for group in groups]
    found = {group.pk: Health(leaderless_since=group.leaderless_since) for group in groups}
    if not ids:
        return found
    months = _month_starts(now)
    since_90 = now - timedelta(days=ACTIVE_DAYS)
    current = timezone.get_current_timezone()
    first_month = datetime(months[0].year, months[0].month, 1, tzinfo=current)

    # 1. Active members, with role and tenure.
    members_by_group: dict[int, set[int]] = defaultdict(set)
    for membership in (
        Membership.objects.filter(group_id__in=ids, status=Membership.Status.ACTIVE)
        .select_related("person")
        .order_by("role_since", "id")
    ):
        health = found[membership.group_id]
        health.members += 1
        members_by_group[membership.group_id].add(membership.person_id)
        if membership.role == Membership.Role.CORE:
            health.core_members += 1
        elif membership.role == Membership.Role.LEADER:
            health.leaders.append(LeaderTenure(membership.person, membership.role_since))

    # 2. Which of those members acted in the last 90 days (one query over the log; the
    # members as a subquery, not a list of ids: a region's groups hold thousands).
    members = Membership.objects.filter(group_id__in=ids, status=Membership.Status.ACTIVE).values("person_id")
    recent = set(
        Activity.objects.filter(person_id__in=members, occurred_at__gte=since_90)
        .values_list("person_id", flat=True)
        .distinct()
    )
    for group_id, people in members_by_group.items():
        found[group_id].active_90d = len(people & recent)

    # 3. Events by month.
    counts: dict[tuple[int, date], int] = defaultdict(int)
    events = Event.objects.filter(
        group_id__in=ids, status=Event.Status.PUBLISHED, starts_at__gte=first_month, starts_at__lte=now
    )
    for group_id, starts_at in events.values_list("group_id", "starts_at"):
        local = timezone.localtime(starts_at, current)
        counts[(group_id, date(local.year, local.month, 1))] += 1
    for group_id in ids:
        found[group_id].events_by_month = [(month, counts[(group_id, month)]) for month in months]

    # 4 and 5. Distinct hosts and co-hosts of events that started in the last 90 days.
    recent_events = Event.objects.filter(
        group_id__in=ids, status=Event.Status.PUBLISHED, starts_at__gte=since_90, starts_at__lte=now
    )
    hosts: dict[int, set[int]] = defaultdict(set)
    for group_id, host_id in recent_events.values_list("group_id", "host_id"):
        hosts[group_id].add(host_id)
    for group_id, cohost_id in recent_events.filter(cohosts__isnull=False).values_list("group_id", "cohosts"):
        hosts[group_id].add(cohost_id)
    for group_id, people in hosts.items():
        found[group_id].hosts_90d = len(people)
    return found


def member_counts(groups: Sequence[Group]) -> dict[int, int]:
    """Active members per group, in one query (for lists that show only the size)."""
    rows = (
        Membership.objects.filter(group__in=groups, status=Membership.Status.ACTIVE)
        .values("group_id")
        .annotate(n=Count("id"))
    )
    return {row["group_id"]: row["n"] for row in rows}
