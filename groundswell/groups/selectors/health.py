"""A group's health: the inputs of METRICS H1 (a self-sustaining group), as its leaders'
panel and a region's page show them.

- `members`: active members; `active_90d`: those of them who did something themselves in
  the last 90 days (any act but those done *to* them, `PASSIVE_VERBS`, or by the system);
- `events_by_month`: the group's published events held in each of the last 4 calendar
  months (this one included, up to now), oldest first, in the site's time zone. A repeating
  event (a monthly meeting) counts each of its dates: it is one row whose dates are shifts;
- `hosts_90d`: distinct people who hosted or co-hosted its events held in the last 90 days
  (a series begun a year ago counts while its dates go on);
- `core_members`, and its leaders with the day each took the role (their tenure);
- `leaderless_since`: since when it has had no leader, if it has none.

`health_of` reads any number of groups in a fixed number of queries (four), never one
group at a time: a region's page lists dozens.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from groundswell.activity.models import Activity, Initiator, Verb
from groundswell.events.models import Event, Shift
from groundswell.groups.models import Group, Membership
from groundswell.people.models import Person

ACTIVE_DAYS = 90
MONTHS = 4
# Acts done to a member rather than by them: being tagged, mentioned, merged, given a role
# (or having one taken), a missed event. They do not make a member active.
PASSIVE_VERBS = (
    Verb.WAS_MENTIONED,
    Verb.TAGGED,
    Verb.UNTAGGED,
    Verb.MERGED,
    Verb.ROLE_CHANGED,
    Verb.FORGOTTEN,
    Verb.CHECK_IN_UNDONE,
    Verb.NO_SHOW,
    Verb.BECAME_CORE,
    Verb.LED_GROUP,
    Verb.STEPPED_DOWN,
)


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

    @property
    def busiest_month(self) -> int:
        """The most events in one of the months (at least 1): the bar chart's scale."""
        return max([1, *(count for _, count in self.events_by_month)])


def _month_starts(now: datetime) -> list[date]:
    """The first day of each of the last MONTHS months, oldest first, by the local calendar
    (late on the 31st in New York is already the 1st in UTC)."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for _ in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _held_between(ids: list[int], start: datetime, end: datetime) -> Q:
    """Events of these groups held between start and end: a single event by its start, a
    repeating one by any of its dates."""
    dates = Shift.objects.filter(
        event__group_id__in=ids, from_rule=True, starts_at__gte=start, starts_at__lte=end
    ).values("event_id")
    return Q(recurrence_rule="", starts_at__gte=start, starts_at__lte=end) | Q(
        ~Q(recurrence_rule=""), pk__in=dates
    )


def health_of(groups: Sequence[Group], *, now: datetime | None = None) -> dict[int, Health]:
    """Each group's health by id, in four queries whatever the number of groups."""
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
        Activity.objects.filter(person_id__in=members, occurred_at__gte=since_90, occurred_at__lte=now)
        .exclude(verb__in=PASSIVE_VERBS)
        .exclude(initiator=Initiator.SYSTEM)
        .values_list("person_id", flat=True)
        .distinct()
    )
    for group_id, people in members_by_group.items():
        found[group_id].active_90d = len(people & recent)

    # 3. Events by month: single events by their start, repeating ones by each date held.
    counts: dict[tuple[int, date], int] = defaultdict(int)
    published = Event.objects.filter(group_id__in=ids, status=Event.Status.PUBLISHED)
    singles = (
        published.filter(recurrence_rule="", starts_at__gte=first_month, starts_at__lte=now)
        .values_list("group_id", "starts_at")
        .order_by()
    )
    dates = Shift.objects.filter(
        event__group_id__in=ids,
        event__status=Event.Status.PUBLISHED,
        from_rule=True,
        starts_at__gte=first_month,
        starts_at__lte=now,
    ).exclude(event__recurrence_rule="")
    for group_id, starts_at in singles.union(
        dates.values_list("event__group_id", "starts_at").order_by(), all=True
    ):
        local = timezone.localtime(starts_at, current)
        counts[(group_id, date(local.year, local.month, 1))] += 1
    for group_id in ids:
        found[group_id].events_by_month = [(month, counts[(group_id, month)]) for month in months]

    # 4. Distinct hosts and co-hosts of events held in the last 90 days.
    held = published.filter(_held_between(ids, since_90, now))
    hosts: dict[int, set[int]] = defaultdict(set)
    for group_id, host_id in (
        held.values_list("group_id", "host_id")
        .order_by()
        .union(held.filter(cohosts__isnull=False).values_list("group_id", "cohosts").order_by(), all=True)
    ):
        hosts[group_id].add(host_id)
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
