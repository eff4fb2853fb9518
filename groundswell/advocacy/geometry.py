"""District shapes: read, check and repair them, and store them as WKB.

A district is a Polygon or a MultiPolygon in longitude/latitude (holes kept: a city's
boundary around an enclave, a lake). Files come from many tools and some of them write
shapes GEOS calls invalid: a ring that crosses itself, the parts of a multipolygon that
overlap. `repair` mends them with `make_valid` and keeps only the polygonal parts of what it
gives back (a ring folded onto itself leaves a line, which encloses nobody).

Everything here raises `ShapeError` with a sentence fit for the organizer who gave the file;
the importer adds which feature it was.
"""

import math
from typing import Any, TypeAlias

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

# A Polygon or a MultiPolygon (shapely ships no type stubs, so to mypy both are Any).
Boundary: TypeAlias = Any
Bounds = tuple[float, float, float, float]  # min longitude, min latitude, max longitude, max latitude

POLYGONAL = ("Polygon", "MultiPolygon")
# Degrees of latitude per kilometre, on the sphere people.places and events use.
KM_PER_DEGREE = 111.195


class ShapeError(ValueError):
    """A shape that cannot be a district; the message says why, in plain words."""


def from_geojson(geometry: Any) -> Boundary:
    """A GeoJSON geometry object (a dict) as a shapely Polygon or MultiPolygon, as written.

    Only polygons: a point or a line encloses nobody. The result may still be invalid
    (`repair` mends it); coordinates must be longitude, latitude (`check_lonlat`).
    """
    if not isinstance(geometry, dict):
        raise ShapeError("it has no geometry")
    kind = geometry.get("type")
    if kind not in POLYGONAL:
        raise ShapeError(f"its geometry is a {kind or 'shape of no type'}, not a Polygon or MultiPolygon")
    try:
        read = shape(geometry)
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        AttributeError,
        shapely.errors.ShapelyError,
    ) as error:
        raise ShapeError(f"its {kind} coordinates cannot be read ({error})") from error
    if read.is_empty:
        raise ShapeError("its geometry is empty")
    assert isinstance(read, Polygon | MultiPolygon)
    return read


def check_lonlat(geometry: BaseGeometry) -> None:
    """Refuse coordinates that are not longitude/latitude: a projected file (metres) would
    otherwise load as districts somewhere off the map, and no point would ever fall in one."""
    coordinates = shapely.get_coordinates(geometry)
    if coordinates.size and not bool(np.isfinite(coordinates).all()):
        raise ShapeError("its coordinates include a value that is not a number")
    west, south, east, north = geometry.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        raise ShapeError(
            "its coordinates are not longitude and latitude (they go beyond ±180°, ±90°): "
            "convert the file to WGS 84 (EPSG:4326) first"
        )


def repair(geometry: BaseGeometry) -> tuple[Boundary, bool]:
    """The shape made valid, as a Polygon or MultiPolygon, and whether it had to be mended.

    `make_valid`'s "structure" method unions the parts of a multipolygon that overlap (the
    "linework" method would cut their overlap out, leaving a hole where people live) and
    drops what collapses to a line. Z coordinates go: districts are flat.
    """
    geometry = shapely.force_2d(geometry)
    if geometry.is_valid and geometry.geom_type in POLYGONAL and not geometry.is_empty:
        return geometry, False
    try:
        mended = shapely.make_valid(geometry, method="structure", keep_collapsed=False)
    except TypeError:  # shapely < 2.1 has one method only
        mended = shapely.make_valid(geometry)
    polygons = polygonal_parts(mended)
    if not polygons:
        raise ShapeError("its polygon has no area (its rings collapse to lines or points)")
    result: Boundary = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    if not result.is_valid:  # parts of a collection may touch along an edge: merge them
        merged = shapely.union_all(polygons)
        parts = polygonal_parts(merged)
        result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return result, True


def polygonal_parts(geometry: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons inside any geometry (a collection's lines and points dropped)."""
    if geometry.is_empty:
        return []
    if isinstance(geometry, Polygon):
        return [geometry]
    parts: list[Polygon] = []
    for part in getattr(geometry, "geoms", ()):
        parts.extend(polygonal_parts(part))
    return parts


def to_wkb(geometry: BaseGeometry) -> bytes:
    """The bytes `District.boundary` stores: two-dimensional little-endian WKB, so the same
    shape always gives the same bytes (what re-imports compare to tell "unchanged")."""
    return bytes(shapely.to_wkb(geometry, output_dimension=2, byte_order=1))


def from_wkb(data: bytes | memoryview) -> Boundary:
    """A stored boundary back as shapely (PostgreSQL hands BinaryField back as a memoryview)."""
    geometry = shapely.from_wkb(bytes(data))
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise ShapeError(f"a stored boundary is a {geometry.geom_type}, not a Polygon or MultiPolygon")
    return geometry


def bounds(geometry: BaseGeometry) -> Bounds:
    """(min longitude, min latitude, max longitude, max latitude)."""
    west, south, east, north = geometry.bounds
    return float(west), float(south), float(east), float(north)


def circle(longitude: float, latitude: float, radius_km: float) -> Polygon:
    """A circle of `radius_km` around a point, drawn in degrees: an ellipse, wider in longitude
    by 1/cos(latitude), as a degree of longitude shrinks toward the poles. Good to a few
    percent of the radius at the distances a postcode spans (no map projection needed)."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(latitude)), 0.01)
    unit = Point(longitude, latitude).buffer(1.0, quad_segs=16)
    return affinity.scale(unit, xfact=dlon, yfact=dlat, origin=(longitude, latitude))


def area_km2(geometry: BaseGeometry) -> float:
    """Roughly how many square kilometres a shape covers (degrees scaled at its middle
    latitude): enough to say how big an overlap between two districts is."""
    if geometry.is_empty:
        return 0.0
    middle = (geometry.bounds[1] + geometry.bounds[3]) / 2
    return float(geometry.area * KM_PER_DEGREE**2 * math.cos(math.radians(middle)))
