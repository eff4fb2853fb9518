"""Times as a person reads them: "Sat, Dec 26, 10:00 AM", with the zone ("EST") named only
when it is not the viewer's own.

An event keeps its own zone: a 10 AM rally in Chicago is at 10 AM on its page wherever the
reader is, and the zone is added when the reader's clock says otherwise. The viewer's zone
comes from the `viewer_time_zone` the context processor sets (the member's postcode, else the
site's); where the context has none (an email), the zone is always named.

    {% load times %}
    {% when event.starts_at event.time_zone %}
    {% when_span event.starts_at event.ends_at event.time_zone %}
"""

import zoneinfo
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()

DAY = "D, M j"
DAY_WITH_YEAR = "D, M j, Y"
CLOCK = "g:i A"


def _zone(name: object) -> zoneinfo.ZoneInfo | None:
    if isinstance(name, zoneinfo.ZoneInfo):
        return name
    try:
        return zoneinfo.ZoneInfo(str(name)) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _viewer_zone(context: template.Context) -> zoneinfo.ZoneInfo | None:
    viewer = context.get("viewer_time_zone")
    return _zone(viewer() if callable(viewer) else viewer)


def _same_clock(moment: datetime, zone: zoneinfo.ZoneInfo, viewer: zoneinfo.ZoneInfo | None) -> bool:
    """Same offset at that moment: Detroit and New York read the same clock."""
    return viewer is not None and moment.astimezone(zone).utcoffset() == moment.astimezone(viewer).utcoffset()


def _day(local: datetime) -> str:
    this_year = timezone.now().astimezone(local.tzinfo).year
    return date_format(local, DAY if local.year == this_year else DAY_WITH_YEAR)


def _zone_suffix(local: datetime, zone: zoneinfo.ZoneInfo, viewer: zoneinfo.ZoneInfo | None) -> str:
    return "" if _same_clock(local, zone, viewer) else f" {local.tzname()}"


def format_when(moment: datetime | None, zone_name: object, viewer: zoneinfo.ZoneInfo | None = None) -> str:
    """One moment in its own zone: "Sat, Dec 26, 10:00 AM EST" (zone left out for a viewer
    on the same clock)."""
    if moment is None:
        return ""
    zone = _zone(zone_name) or timezone.get_current_timezone()
    local = moment.astimezone(zone)
    return f"{_day(local)}, {date_format(local, CLOCK)}{_zone_suffix(local, zone, viewer)}"


def format_span(
    start: datetime | None,
    end: datetime | None,
    zone_name: object,
    viewer: zoneinfo.ZoneInfo | None = None,
) -> str:
    """Start to end: "Sat, Dec 26, 10:00 AM - 12:00 PM EST" (an en dash); the end's day is repeated only
    when it is another day."""
    if start is None:
        return ""
    if end is None:
        return format_when(start, zone_name, viewer)
    zone = _zone(zone_name) or timezone.get_current_timezone()
    first, last = start.astimezone(zone), end.astimezone(zone)
    opening = f"{_day(first)}, {date_format(first, CLOCK)}"
    closing = (
        date_format(last, CLOCK)
        if first.date() == last.date()
        else f"{_day(last)}, {date_format(last, CLOCK)}"
    )
    return f"{opening} – {closing}{_zone_suffix(last, zone, viewer)}"


@register.simple_tag(takes_context=True)
def when(context: template.Context, moment: datetime | None, zone_name: object) -> str:
    return format_when(moment, zone_name, _viewer_zone(context))


@register.simple_tag(takes_context=True)
def when_span(
    context: template.Context, start: datetime | None, end: datetime | None, zone_name: object
) -> str:
    return format_span(start, end, zone_name, _viewer_zone(context))
