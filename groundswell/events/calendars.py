"""iCalendar (RFC 5545) for events: one event's .ics, and feeds of many."""

import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from groundswell.events.models import Event, Shift
from groundswell.events.selectors.places import EventPlace, public_place


def calendar(
    entries: Iterable[Event | Shift],
    *,
    name: str,
    place_for: Callable[[Event], EventPlace] = public_place,
) -> bytes:
    """A calendar of events (a repeating one with its rule) and of single dates or shifts.
    `place_for`: where each event is, as the reader may see it (by default, what anyone may:
    a host's street address only when they show it to everyone)."""
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SITE_NAME}//Groundswell//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for entry in entries:
        event = entry.event if isinstance(entry, Shift) else entry
        cal.add_component(_component(event, place_for(event), entry if isinstance(entry, Shift) else None))
    # Times are written in each event's own zone (TZID), so a monthly 7 pm meeting stays at
    # 7 pm across daylight saving; the zones' definitions (VTIMEZONE) go in the file.
    cal.add_missing_timezones()
    return cal.to_ical()


def _component(event: Event, place: EventPlace, shift: Shift | None = None) -> CalendarEvent:
    zone = zoneinfo.ZoneInfo(event.time_zone)
    slot = shift or event
    item = CalendarEvent()
    host = settings.SITE_URL.split("://", 1)[-1]
    item.add("uid", f"{event.uuid}-{shift.pk}@{host}" if shift else f"{event.uuid}@{host}")
    item.add("dtstamp", event.modified_at)
    item.add("dtstart", slot.starts_at.astimezone(zone))
    item.add("dtend", slot.ends_at.astimezone(zone))
    item.add("summary", f"{event.title}: {shift.label}" if shift and shift.label else event.title)
    if event.description:
        item.add("description", event.description)
    if place.in_person or place.online_url:
        item.add("location", place.text)
    if place.latitude is not None and place.longitude is not None:
        item.add("geo", (place.latitude, place.longitude))
    item.add("url", f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}")
    item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    if event.recurrence_rule and shift is None:
        item.add("rrule", _rrule(event.recurrence_rule))
        if event.recurrence_exceptions:
            # Skipped days, at the series' local start time on each (as RFC 5545 matches them).
            start = event.starts_at.astimezone(zone)
            item.add(
                "exdate",
                [
                    datetime.combine(day, start.time(), tzinfo=zone)
                    for day in map(date.fromisoformat, event.recurrence_exceptions)
                ],
            )
    return item


def _rrule(rule: str) -> dict[str, str]:
    """`FREQ=MONTHLY;BYDAY=1TU` → {"FREQ": "MONTHLY", "BYDAY": "1TU"}."""
    parts = (p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)
    return {key.upper(): value for key, value in parts}
