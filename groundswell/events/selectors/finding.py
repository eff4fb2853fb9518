"""Finding events: near a place (one written-out SQL statement), or soonest first, and each
event's next date."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from groundswell.events.models import Event, Shift

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.32


def listed_events() -> QuerySet[Event]:
    """Events anyone may find: published and public."""
    return Event.objects.filter(status=Event.Status.PUBLISHED, visibility=Event.Visibility.PUBLIC)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of the smallest box that holds the circle on the sphere
    `distance_km` measures. Near the poles or across the date line the box is widened to
    every longitude, which is still correct."""
    angle = radius_km / EARTH_RADIUS_KM  # radians of arc
    dlat = math.degrees(angle)
    cos_lat = math.cos(math.radians(lat))
    # The circle's widest longitude, exactly: asin(sin(d) / cos(lat)).
    # From a quarter of the way round the earth on, the circle reaches every longitude.
    wide = angle >= math.pi / 2 or math.sin(angle) >= cos_lat
    dlon = 180.0 if wide else math.degrees(math.asin(math.sin(angle) / cos_lat))
    west, east = lon - dlon, lon + dlon
    if west < -180 or east > 180:
        west, east = -180.0, 180.0
    return lat - dlat, lat + dlat, west, east


@dataclass
class NearbyEvent:
    event: Event
    distance_km: float | None  # None when the search was not near a place

    @property
    def next_starts_at(self) -> datetime:
        """When its next date starts (set by `with_next_dates`)."""
        return getattr(self.event, "next_starts_at", self.event.starts_at)

    @property
    def online(self) -> bool:
        """Held online only: no place to go, a link to join."""
        return self.event.latitude is None and bool(self.event.online_url)

    @property
    def distance_miles(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / 1.609344


def nearby_ids(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    starts_after: datetime,
    starts_before: datetime | None = None,
    campaign_id: int | None = None,
    beyond_km: float | None = None,
    limit: int | None = None,
) -> list[tuple[int, float]]:
    """(event id, km) of the listed events within `radius_km` with a date still to come
    after `starts_after` (and starting before `starts_before`), nearest first, then soonest;
    only those farther than `beyond_km`, and the first `limit`, when given.

    One query: the database narrows to a bounding box on its (latitude, longitude,
    last_ends_at) index, measures the exact (haversine) distance of the few inside, keeps
    those in the circle and sorts them. No loop over every event, no model built for an
    event not shown.
    """
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    haversine, haversine_params = _haversine_km(latitude, longitude)
    after = connection.ops.adapt_datetimefield_value(starts_after)
    conditions, condition_params = "", list[Any]()
    if starts_before is not None:
        before = connection.ops.adapt_datetimefield_value(starts_before)
        conditions += STARTS_BEFORE_SQL
        condition_params += [before, after, before, after]
    if campaign_id is not None:
        conditions += IN_CAMPAIGN_SQL
        condition_params.append(campaign_id)
    params = [
        *haversine_params,
        Event.Status.PUBLISHED,
        Event.Visibility.PUBLIC,
        south,
        north,
        west,
        east,
        after,
        *condition_params,
        radius_km,
    ]
    beyond, last = "", ""
    if beyond_km is not None:
        beyond = " AND distance > %s"
        params.append(beyond_km)
    if limit is not None:
        last = " LIMIT %s"
        params.append(limit)
    sql = NEARBY_SQL.format(haversine=haversine, conditions=conditions, beyond=beyond, limit=last)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cast("list[tuple[int, float]]", cursor.fetchall())


# The search as one statement, written out rather than built with the ORM: building and
# compiling the queryset took as long as running it (bench/radius_search.py). Listed events
# (as `listed_events`) in the box whose last date ends after `after` (as `_within_dates`).
NEARBY_SQL = """
SELECT id, distance FROM (
    SELECT id, starts_at, {haversine} AS distance
    FROM events_event
    WHERE status = %s AND visibility = %s
      AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s
      AND last_ends_at > %s{conditions}
) AS boxed
WHERE distance <= %s{beyond}
ORDER BY distance, starts_at, id{limit}
"""
# A date inside the window, as `_within_dates`: one of its shifts, or its own for an event
# without shifts. Parameters: before, after, before, after.
STARTS_BEFORE_SQL = """
      AND starts_at < %s
      AND (EXISTS (SELECT 1 FROM events_shift AS shift WHERE shift.event_id = events_event.id
                   AND shift.ends_at > %s AND shift.starts_at < %s)
           OR (ends_at > %s AND NOT EXISTS (SELECT 1 FROM events_shift AS shift
                                            WHERE shift.event_id = events_event.id)))"""
IN_CAMPAIGN_SQL = """
      AND campaign_id = %s"""

# `distance_km` as SQL, the same formula both databases run (SQLite gets sin, asin and the
# rest from Django; it spells LEAST as a two-argument MIN).
HAVERSINE_SQL = (
    "%s * asin({least}(1.0, sqrt(power(sin(radians(latitude - %s) / 2), 2)"
    " + %s * cos(radians(latitude)) * power(sin(radians(longitude - %s) / 2), 2))))"
)


def _haversine_km(latitude: float, longitude: float) -> tuple[str, tuple[float, ...]]:
    """The distance in km from (latitude, longitude) to a row's, as SQL and its parameters."""
    least = "MIN" if connection.vendor == "sqlite" else "LEAST"
    params = (2 * EARTH_RADIUS_KM, latitude, math.cos(math.radians(latitude)), longitude)
    return HAVERSINE_SQL.format(least=least), params


def _within_dates(events: QuerySet[Event], after: datetime, before: datetime | None) -> QuerySet[Event]:
    """Events with a date (the event itself, or one of its shifts or repeats) that ends after
    `after` and starts before `before`."""
    events = events.filter(last_ends_at__gt=after)
    if before is None:
        return events  # the last date ends after `after`: that is all it takes
    # A date inside the window: the event's own, for one without shifts, or one of its shifts.
    in_window = Shift.objects.filter(event=OuterRef("pk"), ends_at__gt=after, starts_at__lt=before)
    return events.filter(starts_at__lt=before).filter(
        Q(Exists(in_window)) | (Q(ends_at__gt=after) & ~Q(Exists(Shift.objects.filter(event=OuterRef("pk")))))
    )


def upcoming(
    *, after: datetime, before: datetime | None = None, campaign_id: int | None = None
) -> QuerySet[Event]:
    """Listed events with a date in the window, soonest first (for a search not near a place)."""
    events = _within_dates(listed_events(), after, before)
    if campaign_id is not None:
        events = events.filter(campaign_id=campaign_id)
    return events.order_by("starts_at", "id")


# How far the nearest events beyond an empty search are looked for: near first (cheap, on
# the index), then anywhere.
NEAREST_TIERS_KM = (400.0, math.pi * EARTH_RADIUS_KM)  # half way round: anywhere


def nearest_beyond_ids(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    starts_after: datetime,
    starts_before: datetime | None = None,
    campaign_id: int | None = None,
    limit: int = 3,
) -> list[tuple[int, float]]:
    """The `limit` nearest listed events farther than `radius_km` (as `nearby_ids`), for a
    search that found nothing within it."""
    for tier_km in NEAREST_TIERS_KM:
        found = nearby_ids(
            latitude=latitude,
            longitude=longitude,
            radius_km=max(tier_km, radius_km),
            starts_after=starts_after,
            starts_before=starts_before,
            campaign_id=campaign_id,
            beyond_km=radius_km,
            limit=limit,
        )
        if found:
            return found
    return []


def online_ids(
    *, after: datetime, before: datetime | None = None, campaign_id: int | None = None
) -> list[int]:
    """Listed online events (no place, a link to join) with a date in the window, soonest
    first: they belong in every search, wherever it is near."""
    events = upcoming(after=after, before=before, campaign_id=campaign_id)
    return list(events.filter(latitude__isnull=True).exclude(online_url="").values_list("id", flat=True))


def hydrate(pairs: Sequence[tuple[int, float | None]], *, after: datetime | None = None) -> list[NearbyEvent]:
    """The events for (id, km) pairs, in the same order, each with its next date after
    `after` (one query, and one more when a repeating event is among them)."""
    events = Event.objects.in_bulk([event_id for event_id, _ in pairs])
    found = [NearbyEvent(events[event_id], km) for event_id, km in pairs if event_id in events]
    with_next_dates([item.event for item in found], after=after or timezone.now())
    return found


def with_next_dates(events: Sequence[Event], *, after: datetime) -> Sequence[Event]:
    """Sets each event's `next_starts_at`: its own start, or for a repeating event the start
    of its first date still to come after `after` (one query, none without a series)."""
    # Only a series (or shifts past the event's own end) can have a later next date.
    series = [event.pk for event in events if event.last_ends_at > event.ends_at]
    next_starts = _next_starts(series, after) if series else {}
    for event in events:
        event.next_starts_at = next_starts.get(event.pk, event.starts_at)  # type: ignore[attr-defined]
    return events


def _next_starts(event_ids: list[int], after: datetime) -> dict[int, datetime]:
    """When the next shift or repeat of each of these events starts (for those that have them)."""
    rows = (
        Shift.objects.filter(event_id__in=event_ids, ends_at__gt=after)
        .values("event_id")
        .annotate(first=Min("starts_at"))
        .order_by()
    )
    return {row["event_id"]: row["first"] for row in rows}


def events_near(**search: Any) -> list[NearbyEvent]:
    """Every listed event within the radius, as `nearby_ids` orders them, with the events."""
    return hydrate(list(nearby_ids(**search)))
