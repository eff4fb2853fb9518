"""Finding groups: active groups near a place (nearest first, with the distance), and for a
visitor with no place, the regions and the largest groups.

Near a place is one statement, as events' search is (`events.selectors.finding`): a bounding
box on the (status, latitude, longitude) index, the exact haversine distance in SQL for the
few inside, the circle and the order. The page then loads only the groups it shows, with
their member counts in one more query.
"""

import math
from dataclasses import dataclass
from typing import cast

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from groundswell.events.selectors import EARTH_RADIUS_KM, HAVERSINE_SQL, bounding_box
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.health import member_counts

KM_PER_MILE = 1.609344
NEAREST_TIERS_KM = (400.0, math.pi * EARTH_RADIUS_KM)  # near first, then anywhere
REGIONS_SHOWN = 30
LARGEST_SHOWN = 10


@dataclass
class FoundGroup:
    group: Group
    distance_km: float | None = None
    members: int = 0

    @property
    def distance_miles(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / KM_PER_MILE

    @property
    def town(self) -> str:
        group = self.group
        if group.locality:
            return f"{group.locality}, {group.region}" if group.region else group.locality
        return group.area


NEARBY_SQL = """
SELECT id, distance FROM (
    SELECT id, name, {haversine} AS distance
    FROM groups_group
    WHERE status = %s
      AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s
) AS boxed
WHERE distance <= %s{beyond}
ORDER BY distance, name, id{limit}
"""


def nearby_group_ids(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    beyond_km: float | None = None,
    limit: int | None = None,
) -> list[tuple[int, float]]:
    """(group id, km) of the active groups within `radius_km`, nearest first; only those
    farther than `beyond_km`, and the first `limit`, when given. One query."""
    south, north, west, east = bounding_box(latitude, longitude, radius_km)
    least = "MIN" if connection.vendor == "sqlite" else "LEAST"
    haversine = HAVERSINE_SQL.format(least=least)
    params: list[float | str] = [
        2 * EARTH_RADIUS_KM,
        latitude,
        math.cos(math.radians(latitude)),
        longitude,
        Group.Status.ACTIVE,
        south,
        north,
        west,
        east,
        radius_km,
    ]
    beyond = last = ""
    if beyond_km is not None:
        beyond = " AND distance > %s"
        params.append(beyond_km)
    if limit is not None:
        last = " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(NEARBY_SQL.format(haversine=haversine, beyond=beyond, limit=last), params)
        return cast("list[tuple[int, float]]", cursor.fetchall())


def nearest_beyond_ids(
    *, latitude: float, longitude: float, radius_km: float, limit: int = 3
) -> list[tuple[int, float]]:
    """The `limit` nearest active groups farther than `radius_km`, for an empty search."""
    for tier_km in NEAREST_TIERS_KM:
        found = nearby_group_ids(
            latitude=latitude,
            longitude=longitude,
            radius_km=max(tier_km, radius_km),
            beyond_km=radius_km,
            limit=limit,
        )
        if found:
            return found
    return []


def hydrate(pairs: list[tuple[int, float | None]]) -> list[FoundGroup]:
    """The groups of these (id, km) pairs, in that order, with their member counts: two
    queries whatever their number."""
    ids = [group_id for group_id, _ in pairs]
    groups = Group.objects.in_bulk(ids)
    found = [FoundGroup(groups[group_id], km) for group_id, km in pairs if group_id in groups]
    counts = member_counts([item.group for item in found]) if found else {}
    for item in found:
        item.members = counts.get(item.group.pk, 0)
    return found


def regions() -> list[FoundGroup]:
    """Active groups that have active groups under them, by name, with their sizes."""
    has_children = Group.objects.filter(parent=OuterRef("pk"), status=Group.Status.ACTIVE)
    rows = list(
        Group.objects.filter(Exists(has_children), status=Group.Status.ACTIVE).order_by("name", "id")[
            :REGIONS_SHOWN
        ]
    )
    return hydrate([(group.pk, None) for group in rows])


def largest() -> list[FoundGroup]:
    """The active groups with the most members."""
    rows = (
        Group.objects.filter(status=Group.Status.ACTIVE)
        .annotate(size=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)))
        .order_by("-size", "name", "id")
        .values_list("id", "size")[:LARGEST_SHOWN]
    )
    pairs = list(rows)
    groups = Group.objects.in_bulk([group_id for group_id, _ in pairs])
    return [FoundGroup(groups[group_id], None, size) for group_id, size in pairs if group_id in groups]


def map_points(found: list[FoundGroup], url_for: object) -> list[dict[str, object]]:
    """Markers for the map over the list: a group's point is its ZIP code's centre (public:
    where it meets is no one's home). `url_for(group)` gives each marker's link."""
    return [
        {
            "lat": item.group.latitude,
            "lon": item.group.longitude,
            "title": item.group.name,
            "url": url_for(item.group),  # type: ignore[operator]
        }
        for item in found
        if item.group.latitude is not None and item.group.longitude is not None
    ]
