"""A repeating event's dates: shifts made from its rule a year ahead and kept in step with it."""

import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.recurrence import occurrences

# A repeating event's dates are made a year ahead (a daily task keeps the year full).
SERIES_AHEAD = timedelta(days=366)


SERIES_MAX_DATES = 60


def sync_dates(event: Event, *, now: datetime | None = None) -> None:
    """Keep a repeating event's dates (shifts made from its rule) in step with the rule,
    a year ahead, each with the event's capacity; then `last_ends_at`.

    A date is matched by its local day, so moving the meeting from 7 pm to 6 pm moves
    each booked date with its RSVPs. Dates the rule no longer has are removed unless
    someone is still booked on them: those people were told, the host can write to them.
    """
    now = now or timezone.now()
    upcoming = {
        shift.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date(): shift
        for shift in event.shifts.filter(from_rule=True, starts_at__gt=now)
    }
    if event.recurrence_rule:
        dates = occurrences(
            rule=event.recurrence_rule,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            time_zone=event.time_zone,
            exceptions=event.recurrence_exceptions,
            after=max(event.starts_at, now),
            count=SERIES_MAX_DATES,
        )
        for starts_at, ends_at in dates:
            if starts_at > now + SERIES_AHEAD:
                break
            shift = upcoming.pop(starts_at.date(), None)
            if shift is None:
                Shift.objects.create(
                    event=event, starts_at=starts_at, ends_at=ends_at, capacity=event.capacity, from_rule=True
                )
            elif (shift.starts_at, shift.ends_at, shift.capacity) != (starts_at, ends_at, event.capacity):
                shift.starts_at, shift.ends_at, shift.capacity = starts_at, ends_at, event.capacity
                shift.save(update_fields=["starts_at", "ends_at", "capacity"])
    for shift in upcoming.values():  # dates the rule no longer has
        if not shift.attendances.exclude(status=Attendance.Status.CANCELLED).exists():
            shift.delete()
    last_shift_end = event.shifts.aggregate(last=Max("ends_at"))["last"]
    event.last_ends_at = max(event.ends_at, last_shift_end) if last_shift_end else event.ends_at
    Event.objects.filter(pk=event.pk).update(last_ends_at=event.last_ends_at)


def extend_series(*, now: datetime | None = None) -> int:
    """Add the dates that have come within a year of every live repeating event."""
    series = Event.objects.exclude(recurrence_rule="").exclude(status=Event.Status.CANCELLED)
    for event in series:
        with transaction.atomic():
            sync_dates(event, now=now)
    return len(series)
