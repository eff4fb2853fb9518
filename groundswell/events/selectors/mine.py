"""A member's own events: My events, and their private calendar feed."""

from datetime import datetime

from django.db.models import Q, QuerySet

from groundswell.events.models import Attendance, Event, Shift
from groundswell.people.models import Person


def my_events(person: Person, *, with_drafts: bool = False) -> QuerySet[Event]:
    """Events the person hosts, co-hosts or has an RSVP for (not cancelled), soonest first;
    with their drafts (sent back for changes) when asked, for their own page."""
    mine = (
        Q(host=person)
        | Q(cohosts=person)
        | Q(
            attendances__person=person,
            attendances__status__in=[Attendance.Status.ACCEPTED, Attendance.Status.WAITLISTED],
        )
    )
    events = Event.objects.filter(mine)
    if with_drafts:
        events = events.exclude(Q(status=Event.Status.DRAFT) & ~Q(host=person) & ~Q(cohosts=person))
    else:
        events = events.exclude(status__in=[Event.Status.DRAFT, Event.Status.REJECTED])
    return events.distinct().order_by("starts_at", "id")


def my_calendar(person: Person) -> list[Event | Shift]:
    """What goes in a member's calendar feed: the events they host or co-host (a series with
    its rule), and the events, dates or shifts they are going to (two queries)."""
    hosting = list(
        Event.objects.filter(Q(host=person) | Q(cohosts=person))
        .exclude(status__in=[Event.Status.DRAFT, Event.Status.REJECTED])
        .distinct()
        .order_by("starts_at", "id")
    )
    hosted = {event.pk for event in hosting}
    going = (
        Attendance.objects.filter(
            person=person, status__in=[Attendance.Status.ACCEPTED, Attendance.Status.WAITLISTED]
        )
        .exclude(event_id__in=hosted)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event", "shift__event")
        .order_by("event__starts_at", "id")
    )
    return [*hosting, *(a.shift if a.shift is not None else a.event for a in going)]


# My events shows the latest past events; older ones are in the member's calendar feed.
PAST_SHOWN = 20


def my_past_events(person: Person, *, now: datetime, limit: int = PAST_SHOWN) -> list[Event]:
    """The person's events that are over, latest first (`limit` of them): those they hosted
    or co-hosted (each with `hosting` True, to offer "Host again") and those they went to.
    Two queries."""
    hosting = Q(host=person) | Q(cohosts=person)
    went = Q(attendances__person=person, attendances__status=Attendance.Status.ACCEPTED)
    events = list(
        Event.objects.filter(hosting | went, last_ends_at__lte=now)
        .exclude(status__in=[Event.Status.DRAFT, Event.Status.PENDING, Event.Status.REJECTED])
        .distinct()
        .order_by("-starts_at", "-id")[:limit]
    )
    return mark_hosting(person, events)


def mark_hosting(person: Person, events: list[Event]) -> list[Event]:
    """Sets each event's `hosting`: the person hosts or co-hosts it (one query)."""
    hosted = set(
        Event.objects.filter(Q(host=person) | Q(cohosts=person), pk__in=[event.pk for event in events])
        .values_list("pk", flat=True)
        .distinct()
    )
    for event in events:
        event.hosting = event.pk in hosted  # type: ignore[attr-defined]
    return events
