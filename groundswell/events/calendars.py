"""iCalendar (RFC 5545) for events: one event's .ics, and feeds of many."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from groundswell.events.models import Event


def calendar(events: Iterable[Event], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{settings.SITE_NAME}//Groundswell//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_component(event))
    return cal.to_ical()


def _component(event: Event) -> CalendarEvent:
    item = CalendarEvent()
    host = settings.SITE_URL.split("://", 1)[-1]
    item.add("uid", f"{event.uuid}@{host}")
    item.add("dtstamp", event.modified_at)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    if event.description:
        item.add("description", event.description)
    where = ", ".join(
        p for p in [event.venue, *event.address_lines, event.locality, event.region, event.postal_code] if p
    )
    if where or event.online_url:
        item.add("location", where or event.online_url)
    if event.latitude is not None and event.longitude is not None:
        item.add("geo", (event.latitude, event.longitude))
    item.add("url", f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}")
    item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    if event.recurrence_rule:
        item.add("rrule", _rrule(event.recurrence_rule))
        if event.recurrence_exceptions:
            # Skipped dates, at the event's own start time.
            start = event.starts_at
            item.add(
                "exdate",
                [
                    start.replace(year=d.year, month=d.month, day=d.day)
                    for d in map(date.fromisoformat, event.recurrence_exceptions)
                ],
            )
    return item


def _rrule(rule: str) -> dict[str, str]:
    """`FREQ=MONTHLY;BYDAY=1TU` → {"FREQ": "MONTHLY", "BYDAY": "1TU"}."""
    parts = (p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)
    return {key.upper(): value for key, value in parts}
