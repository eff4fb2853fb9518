"""A repeating event's dates: shifts made from its rule a year ahead and kept in step with it."""

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from groundswell.events.links import event_url
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.recurrence import occurrences
from groundswell.events.services.notices import notify, when_text
from groundswell.events.services.rsvps import fill_from_waitlist

logger = logging.getLogger(__name__)

# A repeating event's dates are made a year ahead (a daily task keeps the year full).
SERIES_AHEAD = timedelta(days=366)
SERIES_MAX_DATES = 60


def sync_dates(event: Event, *, now: datetime | None = None) -> None:
    """Keep a repeating event's dates (shifts made from its rule) in step with the rule,
    a year ahead, each with the event's capacity; then `last_ends_at`.

    A date is matched by its local day, so moving the meeting from 7 pm to 6 pm moves
    each booked date with its RSVPs. A date the rule no longer has (skipped, or the event
    no longer repeats) is removed, and anyone booked on it is told it is off; except the
    event's own first date, whose RSVPs stay with the event when it stops repeating.
    More places on a date go to its waitlist. The caller holds the event's row lock.
    """
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(event.time_zone)
    upcoming = {
        shift.starts_at.astimezone(zone).date(): shift
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
            shift = upcoming.pop(starts_at.astimezone(zone).date(), None)
            if shift is None:
                Shift.objects.create(
                    event=event, starts_at=starts_at, ends_at=ends_at, capacity=event.capacity, from_rule=True
                )
            elif (shift.starts_at, shift.ends_at, shift.capacity) != (starts_at, ends_at, event.capacity):
                shift.starts_at, shift.ends_at, shift.capacity = starts_at, ends_at, event.capacity
                shift.save(update_fields=["starts_at", "ends_at", "capacity"])
                fill_from_waitlist(event, shift)
        _carry_rsvps_to_first_date(event)
    for shift in upcoming.values():  # dates the rule no longer has
        _drop_date(event, shift, now=now)
    last_shift_end = event.shifts.aggregate(last=Max("ends_at"))["last"]
    event.last_ends_at = max(event.ends_at, last_shift_end) if last_shift_end else event.ends_at
    Event.objects.filter(pk=event.pk).update(last_ends_at=event.last_ends_at)


def _carry_rsvps_to_first_date(event: Event) -> None:
    """An event that starts repeating: RSVPs made to it as a one-off go to its first date
    (each date has its own RSVPs; one left on the event itself would belong to no date)."""
    first = event.shifts.filter(from_rule=True, starts_at=event.starts_at).first()
    loose = Attendance.objects.filter(event=event, shift__isnull=True)
    if first is None or not loose.exists():
        return
    on_first = set(first.attendances.values_list("person_id", flat=True))
    loose.filter(person_id__in=on_first).delete()  # they booked the date too: keep that one
    loose.update(shift=first)


def _drop_date(event: Event, shift: Shift, *, now: datetime) -> None:
    booked = shift.attendances.exclude(status=Attendance.Status.CANCELLED)
    if not event.recurrence_rule and shift.starts_at == event.starts_at:
        # No longer repeating: the first date is the event itself, RSVPs and all (a person
        # with an RSVP of their own to the event keeps theirs if it is live, else this one).
        loose = Attendance.objects.filter(event=event, shift__isnull=True)
        loose.filter(status=Attendance.Status.CANCELLED, person__in=booked.values("person_id")).delete()
        booked.exclude(person__in=loose.values("person_id")).update(shift=None)
    else:
        notify(
            f"date-off:{shift.pk}:{now.timestamp()}",
            list(booked.values_list("person_id", flat=True)),
            subject=f"Off: {event.title}, {when_text(event, shift)}",
            text=f"{event.title} will not meet on {when_text(event, shift)}: the host has changed its dates.",
            link=event_url(event),
            link_label="See the dates it does meet",
        )
    shift.delete()


def extend_series(*, now: datetime | None = None) -> int:
    """Add the dates that have come within a year of every live repeating event. One
    event that fails is logged and skipped, not allowed to stop the others."""
    series = Event.objects.exclude(recurrence_rule="").exclude(
        status__in=[Event.Status.CANCELLED, Event.Status.REJECTED]
    )
    extended = 0
    for event in series:
        try:
            with transaction.atomic():
                sync_dates(Event.objects.select_for_update().get(pk=event.pk), now=now)
        except Exception:
            logger.exception("Could not add the dates of repeating event %s", event.pk)
        else:
            extended += 1
    return extended
