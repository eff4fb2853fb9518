"""What a group's leaders read: its member list with contact details (and the CSV of it),
and the group's events. Only for those who lead it (`access.can_lead`): anyone else is told
the group does not exist, as `access_group(..., for_lead=True)` does.

Each member's primary email, phone and town are read as correlated subqueries of the one
query that lists the page: a page of 50 members is one query (and its count), not 150.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.core.errors import NotFound
from groundswell.core.spreadsheets import SupportsWrite, write_csv
from groundswell.core.text import clean_line
from groundswell.events.models import Event
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.access import MISSING, can_lead
from groundswell.people.models import EmailAddress, PhoneNumber, PostalAddress

SEARCH_MAX = 100
CSV_HEADER = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "town",
    "role",
    "core_role",
    "joined",
    "role_since",
]


def _require_lead(actor: Actor, group: Group) -> None:
    if not can_lead(actor, group):
        raise NotFound(MISSING)


def members(actor: Actor, group: Group, *, search: str = "") -> QuerySet[Membership]:
    """The group's active members, leaders first, then core, then by name; each with
    `email`, `phone` and `town` annotated. `search` narrows by name or email."""
    _require_lead(actor, group)
    primary = {"person": OuterRef("person_id"), "primary": True}
    found = (
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
        .select_related("person")
        .annotate(
            email=Subquery(EmailAddress.objects.filter(**primary).values("address")[:1]),
            phone=Subquery(PhoneNumber.objects.filter(**primary).values("number")[:1]),
            town=Subquery(PostalAddress.objects.filter(**primary).values("locality")[:1]),
        )
    )
    words = clean_line(search or "")[:SEARCH_MAX].split()
    for word in words[:5]:
        found = found.filter(
            Q(person__given_name__icontains=word)
            | Q(person__family_name__icontains=word)
            | Q(person__email_addresses__address__icontains=word, person__email_addresses__primary=True)
        )
    # The role's order is spelled out: alphabetical would put "core" before "leader".
    rank = Case(
        When(role=Membership.Role.LEADER, then=Value(0)),
        When(role=Membership.Role.CORE, then=Value(1)),
        default=Value(2),
    )
    return found.annotate(rank=rank).order_by("rank", "person__given_name", "person__family_name", "id")


def write_members_csv(actor: Actor, group: Group, out: SupportsWrite) -> None:
    """The active members' contact details as CSV a spreadsheet opens safely."""
    rows: Iterator[list[object]] = (
        [
            m.person.given_name,
            m.person.family_name,
            m.email,  # type: ignore[attr-defined]
            m.phone,  # type: ignore[attr-defined]
            m.town,  # type: ignore[attr-defined]
            m.role,
            m.core_title,
            m.joined_at.date().isoformat() if m.joined_at else "",
            m.role_since.date().isoformat() if m.role_since else "",
        ]
        for m in members(actor, group).iterator(chunk_size=2000)
    )
    write_csv(out, CSV_HEADER, rows)


def group_events(
    group: Group, *, now: datetime | None = None, limit: int = 10
) -> tuple[list[Event], list[Event]]:
    """The group's events for its leaders: those not over yet (drafts and those waiting for
    review too), soonest first, and the most recent ones that are over."""
    now = now or timezone.now()
    mine = Event.objects.filter(group=group).exclude(status=Event.Status.REJECTED).select_related("host")
    upcoming = list(mine.filter(last_ends_at__gt=now).order_by("starts_at", "id")[:limit])
    recent = list(
        mine.filter(last_ends_at__lte=now, status=Event.Status.PUBLISHED).order_by("-starts_at", "-id")[
            :limit
        ]
    )
    return upcoming, recent


def feed_events(group: Group) -> QuerySet[Event]:
    """What the group's calendar carries: its published public and unlisted events, and
    those called off (so calendars drop them), that have not ended a month ago."""
    month_ago = timezone.now() - timedelta(days=31)
    return (
        Event.objects.filter(
            group=group,
            status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED],
            last_ends_at__gte=month_ago,
        )
        .exclude(visibility=Event.Visibility.PRIVATE)
        .order_by("starts_at", "id")
    )
