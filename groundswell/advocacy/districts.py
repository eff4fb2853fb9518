"""Which districts a point is in: a spatial index of every boundary, held in each process.

**The index.** Built once per process from every `District` row: the boundaries are read
from WKB, *prepared* (GEOS builds an index of each polygon's edges, so a point-in-polygon
test costs O(log n) in its vertices instead of O(n)) and put in a shapely 2 `STRtree` of
their bounding boxes. A lookup asks the tree for the few boxes around the point and tests
only those polygons: never a loop over every polygon, and no database query.

Measured (bench/district_lookup.py): the tree's own predicate query,
`tree.query(point, predicate="intersects")`, prepares the *point* and tests each candidate
polygon edge by edge; shapely 2.2 does not use the prepared tree geometries there. Asking the
tree for the candidates by box, then `intersects_xy` on each prepared candidate, gives the
same answer several times faster, so that is what `DistrictIndex.covering` does.

**Freshness.** Districts change a few times a year (an import, an organizer fixing one in
the admin), and lookups run on every "who represents me" page, so the hot path reads
nothing: one clock reading decides that the index was confirmed less than `CHECK_EVERY`
(one) second ago. At most once a second per process the index reads a version:

- with a cache shared between processes (Redis; `settings.CACHES`), a token in the cache
  under `VERSION_KEY`, which every write of districts replaces (`districts_changed`: the
  importer after it commits; a save or delete of a `District`, the admin's included,
  through the receivers at the bottom of this module). One cache read a second, no query;
  and once a minute the table's fingerprint (below), for a write that told nobody.
- with a cache private to the process (the laptop default, LocMemCache), or while the
  shared cache is unreachable, a token in it would not reach the web server from a
  `groundswell import districts` run in another terminal; so the version is the table's
  fingerprint instead: its row count, highest id and latest `modified_at`, one small
  aggregate query a second per process. (A `QuerySet.update()` that leaves `modified_at`
  alone would go unseen there: writes of districts go through the importer or `save()`.)

When the version differs from the index's, the index is rebuilt (a second or so for every
US congressional and state legislative district) while other threads keep answering from
the old one. A write in this process marks the index stale at once, so a page saved in the
admin shows its effect on the next lookup in that process, and the tests see what they
write without waiting for a commit (pytest-django never commits). The index is about as
large as the boundaries' WKB (tens of MB for every US legislative district at 1:500k).

**Answers.** `districts_at` gives the districts that *cover* the point (a point on an edge
is in), one per kind of district (`division_kind`: `cd`, `sldu`, `sldl`, `state`,
`county`, …) and level. A point exactly on the line two districts share is covered by both;
the one with the lowest OCD id (as a string) is the answer, every time, in every process.
Two districts of one kind overlapping (a bad file, or two files naming one district
differently) resolve the same way. One per *kind*, not one per level: a Californian is in a
state senate district (`sldu`) and an assembly district (`sldl`), both of the state level.
`districts_near` gives every district within a radius, for a postcode whose centroid alone
cannot be trusted (see `advocacy.selectors.representatives`).

OCD division ids (`ocd-division/country:us/state:ca/cd:12`) are how targets meet districts;
the helpers below read them, and `us_state_division` names a US state's division the way
the importers write it (DC and the territories are not `state:`).
"""

from __future__ import annotations

import math
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from shapely import STRtree
from shapely.geometry import Point

from groundswell.advocacy import geometry
from groundswell.advocacy.models import District, Level

# Seconds an index is trusted before its version is read again.
CHECK_EVERY = 1.0
# With a shared cache, seconds between comparisons of the table's fingerprint too: a write
# that told nobody (SQL typed into psql, a process that never loaded this module) still
# shows within a minute.
AUDIT_EVERY = 60.0
VERSION_KEY = "advocacy:districts:version"
# Caches that live inside one process: a version kept there is not seen by the others.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
EARTH_RADIUS_KM = 6371.0088


# --- OCD division ids ------------------------------------------------------------------------

# ocd-division/country:xx then type:id pairs. Types are lower-case words; ids are lower case
# (any script), digits and . _ ~ - (the OCD identifier rules).
OCD_ID = re.compile(r"^ocd-division/country:[a-z]{2}(/[a-z_]+:[^/:\sA-Z]+)*$")


def is_ocd_id(value: str) -> bool:
    return bool(OCD_ID.match(value))


def division_kind(ocd_id: str) -> str:
    """The type of a division's last part: `cd` for `…/state:ca/cd:12`, `state` for a state."""
    last = ocd_id.rsplit("/", 1)[-1]
    return last.split(":", 1)[0] if ":" in last else ""


def parent_divisions(ocd_id: str) -> list[str]:
    """The divisions a division lies in, nearest first: `…/state:ca/cd:12` is in
    `…/state:ca`, which is in `ocd-division/country:us`. (What OCD ids nest, the land does:
    every point of a congressional district is in its state.)"""
    parts = ocd_id.split("/")
    return ["/".join(parts[:end]) for end in range(len(parts) - 1, 1, -1)]


@dataclass(frozen=True)
class USState:
    fips: str
    postal: str
    name: str
    # The OCD division type: states are `state:`, DC is `district:dc`, the rest `territory:`.
    division_type: str = "state"

    @property
    def division(self) -> str:
        return f"ocd-division/country:us/{self.division_type}:{self.postal.lower()}"


US_STATES: tuple[USState, ...] = tuple(
    USState(fips, postal, name, kind)
    for fips, postal, name, kind in [
        ("01", "AL", "Alabama", "state"),
        ("02", "AK", "Alaska", "state"),
        ("04", "AZ", "Arizona", "state"),
        ("05", "AR", "Arkansas", "state"),
        ("06", "CA", "California", "state"),
        ("08", "CO", "Colorado", "state"),
        ("09", "CT", "Connecticut", "state"),
        ("10", "DE", "Delaware", "state"),
        ("11", "DC", "District of Columbia", "district"),
        ("12", "FL", "Florida", "state"),
        ("13", "GA", "Georgia", "state"),
        ("15", "HI", "Hawaii", "state"),
        ("16", "ID", "Idaho", "state"),
        ("17", "IL", "Illinois", "state"),
        ("18", "IN", "Indiana", "state"),
        ("19", "IA", "Iowa", "state"),
        ("20", "KS", "Kansas", "state"),
        ("21", "KY", "Kentucky", "state"),
        ("22", "LA", "Louisiana", "state"),
        ("23", "ME", "Maine", "state"),
        ("24", "MD", "Maryland", "state"),
        ("25", "MA", "Massachusetts", "state"),
        ("26", "MI", "Michigan", "state"),
        ("27", "MN", "Minnesota", "state"),
        ("28", "MS", "Mississippi", "state"),
        ("29", "MO", "Missouri", "state"),
        ("30", "MT", "Montana", "state"),
        ("31", "NE", "Nebraska", "state"),
        ("32", "NV", "Nevada", "state"),
        ("33", "NH", "New Hampshire", "state"),
        ("34", "NJ", "New Jersey", "state"),
        ("35", "NM", "New Mexico", "state"),
        ("36", "NY", "New York", "state"),
        ("37", "NC", "North Carolina", "state"),
        ("38", "ND", "North Dakota", "state"),
        ("39", "OH", "Ohio", "state"),
        ("40", "OK", "Oklahoma", "state"),
        ("41", "OR", "Oregon", "state"),
        ("42", "PA", "Pennsylvania", "state"),
        ("44", "RI", "Rhode Island", "state"),
        ("45", "SC", "South Carolina", "state"),
        ("46", "SD", "South Dakota", "state"),
        ("47", "TN", "Tennessee", "state"),
        ("48", "TX", "Texas", "state"),
        ("49", "UT", "Utah", "state"),
        ("50", "VT", "Vermont", "state"),
        ("51", "VA", "Virginia", "state"),
        ("53", "WA", "Washington", "state"),
        ("54", "WV", "West Virginia", "state"),
        ("55", "WI", "Wisconsin", "state"),
        ("56", "WY", "Wyoming", "state"),
        ("60", "AS", "American Samoa", "territory"),
        ("66", "GU", "Guam", "territory"),
        ("69", "MP", "Northern Mariana Islands", "territory"),
        ("72", "PR", "Puerto Rico", "territory"),
        ("78", "VI", "U.S. Virgin Islands", "territory"),
    ]
)
US_STATES_BY_FIPS = {state.fips: state for state in US_STATES}
US_STATES_BY_POSTAL = {state.postal: state for state in US_STATES}


def us_state_division(postal: str) -> str | None:
    """The OCD division of a US state, DC or territory from its postal code ("CA"), where
    US senators and statewide officials are filed; None for anything else (APO codes)."""
    state = US_STATES_BY_POSTAL.get((postal or "").strip().upper())
    return state.division if state else None


# --- The index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedDistrict:
    """What a lookup answers with: enough to name a district and find its targets."""

    id: int
    ocd_id: str
    name: str
    level: Level
    kind: str

    @property
    def sort_key(self) -> tuple[int, str]:
        return (int(self.level), self.ocd_id)


@dataclass(frozen=True)
class NearbyDistrict:
    district: IndexedDistrict
    covers: bool  # the point itself is in it
    distance_km: float  # 0 when it covers the point


class DistrictIndex:
    """Every district's prepared boundary in an STRtree; built by `current()`."""

    def __init__(
        self,
        districts: Sequence[IndexedDistrict],
        boundaries: Sequence[Any],
        version: Any,
        fingerprint: Any = None,
    ):
        self.districts = tuple(districts)
        self.boundaries = np.array(boundaries, dtype=object)
        shapely.prepare(self.boundaries)
        self.tree = STRtree(self.boundaries)
        # What the index was built at; None when that could not be confirmed (built inside
        # a transaction that may yet roll back): the next check then rebuilds it.
        self.version = version
        # The table's fingerprint when it was read (see `_fingerprint`).
        self.fingerprint = fingerprint
        self.by_ocd_id = {district.ocd_id: district for district in self.districts}
        self.by_id = {district.id: district for district in self.districts}

    def __len__(self) -> int:
        return len(self.districts)

    def covering(self, longitude: float, latitude: float) -> list[int]:
        """Positions of every district covering the point (its edge included)."""
        if not (math.isfinite(longitude) and math.isfinite(latitude)):
            return []
        boxes = self.tree.query(Point(longitude, latitude))
        return [int(i) for i in boxes if shapely.intersects_xy(self.boundaries[i], longitude, latitude)]

    def at(self, longitude: float, latitude: float) -> list[IndexedDistrict]:
        """The districts the point is in: one per (level, kind), the lowest OCD id where a
        shared edge or an overlap puts the point in several."""
        best: dict[tuple[int, str], IndexedDistrict] = {}
        for position in self.covering(longitude, latitude):
            district = self.districts[position]
            key = (int(district.level), district.kind)
            if key not in best or district.ocd_id < best[key].ocd_id:
                best[key] = district
        return sorted(best.values(), key=lambda district: district.sort_key)

    def near(self, longitude: float, latitude: float, radius_km: float) -> list[NearbyDistrict]:
        """Every district within `radius_km` of the point: by level and kind, then the ones
        covering the point first, then nearest first."""
        if not (math.isfinite(longitude) and math.isfinite(latitude)) or len(self) == 0:
            return []
        area = geometry.circle(longitude, latitude, max(radius_km, 0.0))
        inside = set(self.covering(longitude, latitude))
        found = []
        point = Point(longitude, latitude)
        for position in self.tree.query(area, predicate="intersects"):
            position = int(position)
            covers = position in inside
            distance = 0.0 if covers else _distance_km(point, self.boundaries[position])
            found.append(NearbyDistrict(self.districts[position], covers, distance))
        return sorted(
            found,
            key=lambda near: (
                int(near.district.level),
                near.district.kind,
                not near.covers,
                near.distance_km,
                near.district.ocd_id,
            ),
        )


def _distance_km(point: Point, boundary: Any) -> float:
    """Great-circle distance from a point to the nearest point of a boundary (the nearest
    in degrees: close enough to order a handful of districts)."""
    line = shapely.shortest_line(point, boundary)
    (lon1, lat1), (lon2, lat2) = shapely.get_coordinates(line)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class _ProcessIndex:
    """This process's index and when it was last confirmed; shared by its threads."""

    def __init__(self) -> None:
        self.index: DistrictIndex | None = None
        self.checked_at = 0.0
        self.audited_at = 0.0
        # Bumped by every write of districts in this process; the index remembers the
        # count it was built at, so a write during a rebuild is not lost.
        self.writes = 0
        self.built_at_writes = -1
        self.lock = threading.Lock()


_process = _ProcessIndex()


def current() -> DistrictIndex:
    """The index, rebuilt first if districts changed (checked at most once a second)."""
    state = _process
    index = state.index
    if (
        index is not None
        and state.built_at_writes == state.writes
        and time.monotonic() - state.checked_at < CHECK_EVERY
    ):
        return index
    if index is not None and not state.lock.acquire(blocking=False):
        return index  # another thread is checking or rebuilding: answer from what there is
    if index is None:
        state.lock.acquire()
    try:
        index = state.index
        writes = state.writes
        version = _version()
        stale = (
            index is None
            or index.version is None
            or index.version != version
            or state.built_at_writes != writes
        )
        by_cache = version[0] == "cache"
        if not stale and by_cache and time.monotonic() - state.audited_at >= AUDIT_EVERY:
            assert index is not None
            state.audited_at = time.monotonic()
            stale = _fingerprint() != index.fingerprint
        if stale:
            index = _build(version, _fingerprint() if by_cache else version)
            state.index = index
            state.built_at_writes = writes
            state.audited_at = time.monotonic()
        state.checked_at = time.monotonic()
        assert index is not None
        return index
    finally:
        state.lock.release()


def districts_at(longitude: float, latitude: float) -> list[IndexedDistrict]:
    """The districts containing the point (edges included), one per level and kind of
    district, by level then OCD id. See the module's docstring for the tie rule."""
    return current().at(longitude, latitude)


def districts_near(longitude: float, latitude: float, radius_km: float) -> list[NearbyDistrict]:
    """Every district within `radius_km` of the point (those covering it first)."""
    return current().near(longitude, latitude, radius_km)


def has_districts() -> bool:
    """Whether any boundary is loaded at all (the page explains what to import if not)."""
    return len(current()) > 0


def districts_changed() -> None:
    """Tell every process that districts changed: this one rebuilds at its next lookup,
    the others within a second of their next (see the module's docstring). Call it after the
    write has committed; `mark_changed` arranges that from inside a transaction."""
    _process.writes += 1
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def mark_changed() -> None:
    """From inside a write of districts: this process rebuilds at its next lookup (which
    reads its own transaction's rows), and every process once the write commits."""
    _process.writes += 1
    transaction.on_commit(districts_changed, robust=True)


def forget() -> None:
    """Drop this process's index: the next lookup builds a fresh one. For tests, whose
    databases roll back under the index without any write to tell it."""
    with _process.lock:
        _process.index = None
        _process.checked_at = 0.0
        _process.writes += 1


def _shared_cache() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return backend not in PROCESS_LOCAL_CACHES


def _version() -> Any:
    """The districts' version now: the cache's token, or the table's fingerprint."""
    if _shared_cache():
        token = cache.get(VERSION_KEY)
        if token is None:  # never set, evicted or flushed: start one (the first wins)
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(VERSION_KEY)
        if token is not None:  # None: the cache is unreachable (it fails open)
            return ("cache", token)
    return _fingerprint()


def _fingerprint() -> tuple[Any, ...]:
    """The table's row count, highest id and latest change: one small aggregate query."""
    row = District.objects.aggregate(rows=Count("id"), top=Max("id"), last=Max("modified_at"))
    return ("table", row["rows"], row["top"], row["last"])


def _build(version: Any, fingerprint: Any) -> DistrictIndex:
    districts: list[IndexedDistrict] = []
    boundaries = []
    rows = District.objects.order_by("id").values_list("id", "ocd_id", "name", "level", "boundary")
    for pk, ocd_id, name, level, boundary in rows.iterator(chunk_size=500):
        districts.append(IndexedDistrict(pk, ocd_id, name, Level(level), division_kind(ocd_id)))
        boundaries.append(geometry.from_wkb(boundary))
    # Rows read inside a transaction may never commit: such an index is used, but rebuilt
    # at the next check rather than trusted.
    confirmed = not connection.in_atomic_block
    return DistrictIndex(districts, boundaries, version if confirmed else None, fingerprint)


def _district_written(**kwargs: Any) -> None:
    if not kwargs.get("raw"):  # fixtures loading rows
        mark_changed()


# A save or delete of a district anywhere (the admin, the shell, a fix in a migration) marks
# the index stale. This is the cache's housekeeping, not a domain side effect: nothing else
# follows from it. Bulk writes send no signals: the importer calls `mark_changed` itself.
post_save.connect(_district_written, sender=District, dispatch_uid="advocacy.districts.saved")
post_delete.connect(_district_written, sender=District, dispatch_uid="advocacy.districts.deleted")
