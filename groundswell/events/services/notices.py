"""Emails about an event (approved, changed, cancelled, a place opened), and how an event's
time and place read in them."""

import zoneinfo
from datetime import datetime

from django.db.models import Q

from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.recurrence import describe
from groundswell.events.selectors.attendees import SELF_REGISTERED
from groundswell.messaging.services import send, system_message


def notify(key: str, person_ids: list[int], **context: str) -> int:
    """A one-off notice about an event to these people, through the messaging core.
    `key` names the occasion: each person hears of each occasion once."""
    if not person_ids:
        return 0
    message = system_message(key, template="event_notice")
    return send(message=message, person_ids=person_ids, context=dict.fromkeys(person_ids, context))


def people_coming(event: Event, *, now: datetime) -> list[int]:
    """Everyone who booked (or waits for) a date of the event still ahead, themselves: a
    walk-in was there already, and a host's typing is not a way onto anyone's mail."""
    ahead = Q(shift__isnull=True) | Q(shift__ends_at__gt=now)
    return list(
        Attendance.objects.filter(ahead, event=event, origin__in=SELF_REGISTERED)
        .exclude(status=Attendance.Status.CANCELLED)
        .values_list("person_id", flat=True)
        .distinct()
    )


def place_text(event: Event) -> str:
    return ", ".join(p for p in [event.venue, *event.address_lines, event.locality, event.region] if p) or (
        event.online_url or "online"
    )


def when_text(event: Event, shift: Shift | None = None) -> str:
    """The date in the event's own time zone: "Tuesday 8 December 2026, 19:00 (America/Chicago)"."""
    start = (shift or event).starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
    if shift is None and event.recurrence_rule:  # "Every month, on the second Tuesday at 19:00"
        return f"{describe(event.recurrence_rule)} at {start:%H:%M} ({event.time_zone})"
    return f"{start:%A} {start.day} {start:%B %Y, %H:%M} ({event.time_zone})"
