"""Recurring events (RFC 5545): an RRULE and the dates it skips, read in the event's time zone.

A recurring event is one row; its occurrences are computed, not stored, so changing
the rule changes every future date at once.
"""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

from dateutil.rrule import rrule, rrulestr

from groundswell.core.errors import ValidationError

MAX_OCCURRENCES = 500


def parse_rule(rule: str, *, starts_at: datetime, time_zone: str) -> rrule:
    """The rule as dateutil reads it, anchored at the first occurrence in local time.
    Raises ValidationError for a rule that is not RFC 5545 or never ends sensibly."""
    local_start = starts_at.astimezone(zoneinfo.ZoneInfo(time_zone)).replace(tzinfo=None)
    try:
        parsed = rrulestr(rule.removeprefix("RRULE:"), dtstart=local_start)
    except (ValueError, TypeError):
        raise ValidationError("That repeat rule is not valid.", field="recurrence_rule") from None
    if not isinstance(parsed, rrule):
        raise ValidationError("Please give a single repeat rule.", field="recurrence_rule")
    return parsed


def occurrences(
    *,
    rule: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    exceptions: list[str],
    after: datetime,
    count: int,
) -> list[tuple[datetime, datetime]]:
    """The next `count` (start, end) pairs after `after`, skipping exception dates.
    Times follow the wall clock in the event's zone (7 pm stays 7 pm across DST)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    duration: timedelta = ends_at - starts_at
    skipped = {date.fromisoformat(day) for day in exceptions}
    parsed = parse_rule(rule, starts_at=starts_at, time_zone=time_zone)
    local_after = after.astimezone(zone).replace(tzinfo=None)
    found: list[tuple[datetime, datetime]] = []
    for index, local in enumerate(parsed.xafter(local_after, inc=True)):
        if index >= MAX_OCCURRENCES or len(found) >= count:
            break
        if local.date() in skipped:
            continue
        # In UTC, so the length is exact: a time the clocks skip (2:30 as they go forward)
        # becomes the same moment an hour on, and the end still comes after the start.
        start = local.replace(tzinfo=zone).astimezone(UTC)
        found.append((start, start + duration))
    return found


def monthly_rule_for(starts_at: datetime, time_zone: str) -> str:
    """ "The 2nd Tuesday of every month" for an event on a 2nd Tuesday (the last one as -1)."""
    local = starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][local.weekday()]
    nth = (local.day - 1) // 7 + 1
    return f"FREQ=MONTHLY;BYDAY={'-1' if nth == 5 else nth}{weekday}"


def weekly_rule_for(starts_at: datetime, time_zone: str) -> str:
    local = starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][local.weekday()]}"


DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday"}
DAY_NAMES |= {"SA": "Saturday", "SU": "Sunday"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}


def describe(rule: str) -> str:
    """The rules the host form makes, in words ("Every month, on the second Tuesday");
    any other rule as "Repeats"."""
    parts = dict(part.split("=", 1) for part in rule.removeprefix("RRULE:").split(";") if "=" in part)
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(parts.get("FREQ", ""))
    if unit is None or any(key.startswith("BY") and key != "BYDAY" for key in parts):
        return "Repeats"
    every = f"Every {parts['INTERVAL']} {unit}s" if parts.get("INTERVAL", "1") != "1" else f"Every {unit}"
    day = parts.get("BYDAY", "")
    nth, code = day[:-2], day[-2:]
    if not day:
        return every
    if unit == "week" and day in DAY_NAMES:
        return f"{every}, on {DAY_NAMES[day]}"
    if unit == "month" and code in DAY_NAMES and nth in ORDINALS:
        return f"{every}, on the {ORDINALS[nth]} {DAY_NAMES[code]}"
    return "Repeats"
