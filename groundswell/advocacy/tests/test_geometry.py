"""Reading, checking and repairing district shapes (advocacy.geometry)."""

import math

import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

from groundswell.advocacy import geometry
from groundswell.advocacy.geometry import ShapeError

SQUARE = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
HOLE = [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]


def test_a_polygon_keeps_its_hole():
    shape = geometry.from_geojson({"type": "Polygon", "coordinates": [SQUARE, HOLE]})
    assert isinstance(shape, Polygon)
    assert len(shape.interiors) == 1
    assert not shape.covers(Point(2, 2))  # in the hole
    assert shape.covers(Point(0.5, 0.5))
    assert shape.area == 16 - 4


def test_a_multipolygon_keeps_every_part_and_hole():
    shape = geometry.from_geojson(
        {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [[[10, 10], [11, 10], [11, 11], [10, 10]]]]}
    )
    assert isinstance(shape, MultiPolygon)
    assert len(shape.geoms) == 2
    assert shape.covers(Point(10.7, 10.2))
    assert not shape.covers(Point(2, 2))


@pytest.mark.parametrize(
    "geojson, message",
    [
        ({"type": "Point", "coordinates": [1, 2]}, "a Point, not a Polygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "a LineString"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1]]]}, "cannot be read"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "cannot be read"),
        (None, "no geometry"),
        ({"coordinates": [SQUARE]}, "shape of no type"),
    ],
)
def test_what_is_not_a_district_shape_is_refused_with_a_reason(geojson, message):
    with pytest.raises(ShapeError, match=message):
        geometry.from_geojson(geojson)


def test_projected_coordinates_are_refused():
    metres = box(500_000, 4_100_000, 510_000, 4_110_000)  # UTM, not degrees
    with pytest.raises(ShapeError, match="not longitude and latitude"):
        geometry.check_lonlat(metres)
    geometry.check_lonlat(box(-122.5, 37.7, -122.3, 37.8))  # degrees pass


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_coordinates_that_are_not_numbers_are_refused():
    with pytest.raises(ShapeError, match="not a number"):
        geometry.check_lonlat(Polygon([(0, 0), (1, 0), (float("nan"), 1), (0, 0)]))


def test_a_valid_shape_is_left_alone():
    square = box(0, 0, 1, 1)
    repaired, mended = geometry.repair(square)
    assert not mended
    assert repaired.equals(square)


def test_a_ring_that_crosses_itself_is_repaired_into_both_lobes():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    assert not bowtie.is_valid
    repaired, mended = geometry.repair(bowtie)
    assert mended
    assert repaired.is_valid
    assert isinstance(repaired, MultiPolygon)
    assert math.isclose(repaired.area, 2.0)
    assert repaired.covers(Point(0.2, 1.0)) and repaired.covers(Point(1.8, 1.0))


def test_overlapping_parts_of_a_multipolygon_are_joined_not_cut_out():
    overlapping = MultiPolygon([box(0, 0, 2, 2), box(1, 1, 3, 3)])
    assert not overlapping.is_valid
    repaired, mended = geometry.repair(overlapping)
    assert mended and repaired.is_valid
    assert math.isclose(repaired.area, 7.0)  # the union; "linework" would leave a hole of 1
    assert repaired.covers(Point(1.5, 1.5))  # the overlap is still someone's district


def test_a_polygon_with_no_area_is_refused():
    flat = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    with pytest.raises(ShapeError, match="no area"):
        geometry.repair(flat)


def test_a_third_dimension_is_dropped():
    raised = Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 0, 5)])
    repaired, _ = geometry.repair(raised)
    assert not repaired.has_z


def test_wkb_round_trips_and_is_the_same_bytes_each_time():
    shape = geometry.from_geojson({"type": "Polygon", "coordinates": [SQUARE, HOLE]})
    data = geometry.to_wkb(shape)
    assert data == geometry.to_wkb(geometry.from_geojson(mapping(shape)))
    assert geometry.from_wkb(data).equals(shape)
    assert geometry.from_wkb(memoryview(data)).equals(shape)  # as PostgreSQL hands it back


def test_a_stored_point_is_not_a_boundary():
    with pytest.raises(ShapeError):
        geometry.from_wkb(shapely.to_wkb(Point(1, 1)))


def test_bounds():
    assert geometry.bounds(box(-122.5, 37.7, -122.3, 37.8)) == (-122.5, 37.7, -122.3, 37.8)


def test_a_circle_is_as_wide_in_kilometres_east_as_north():
    lat = 60.0  # a degree of longitude is half a degree of latitude's length here
    ring = geometry.circle(10.0, lat, 5.0)
    _, _, east, north = ring.bounds
    north_km = (north - lat) * geometry.KM_PER_DEGREE
    east_km = (east - 10.0) * geometry.KM_PER_DEGREE * math.cos(math.radians(lat))
    assert math.isclose(north_km, 5.0, rel_tol=0.01)
    assert math.isclose(east_km, 5.0, rel_tol=0.01)


def test_area_in_square_kilometres():
    # A tenth of a degree square at the equator: about 11.1 km a side.
    assert math.isclose(geometry.area_km2(box(0, 0, 0.1, 0.1)), 123.6, rel_tol=0.01)
