"""The spatial index: which districts a point is in (advocacy.districts).

Hand-made shapes: squares sharing edges and a corner, a district with a hole and an island
in it, a district in two parts, districts of several kinds stacked, points outside all.
"""

import pytest
from django.core.cache import cache
from shapely.geometry import MultiPolygon, box
from shapely.geometry.base import BaseGeometry

from groundswell.advocacy import districts, geometry
from groundswell.advocacy.models import District, Level

CA = "ocd-division/country:us/state:ca"


def make_district(ocd_id: str, shape: BaseGeometry, level: Level = Level.FEDERAL, name: str = "") -> District:
    """A district saved as the importer saves one (and as the admin would: through save())."""
    west, south, east, north = geometry.bounds(shape)
    return District.objects.create(
        ocd_id=ocd_id,
        name=name or ocd_id.rsplit("/", 1)[-1],
        level=level,
        boundary=geometry.to_wkb(shape),
        min_longitude=west,
        min_latitude=south,
        max_longitude=east,
        max_latitude=north,
    )


@pytest.fixture(autouse=True)
def fresh_index():
    """The index is per process and the test database rolls back under it: start afresh."""
    districts.forget()
    yield
    districts.forget()


def ids(found):
    return [district.ocd_id for district in found]


# --- Answers on hand-made shapes -------------------------------------------------------------


@pytest.fixture
def grid(db):
    """Four unit squares meeting at (1, 1): cd:1 bottom left, cd:2 bottom right, cd:3 top
    left, cd:4 top right; made in an order that is not the OCD ids' order."""
    made = {}
    for number, (x, y) in [(4, (1, 1)), (2, (1, 0)), (3, (0, 1)), (1, (0, 0))]:
        made[number] = make_district(f"{CA}/cd:{number}", box(x, y, x + 1, y + 1))
    return made


def test_a_point_inside_one_district(grid):
    assert ids(districts.districts_at(0.5, 0.5)) == [f"{CA}/cd:1"]
    assert ids(districts.districts_at(1.5, 1.5)) == [f"{CA}/cd:4"]


def test_a_point_on_a_shared_edge_gets_one_answer_the_lowest_ocd_id(grid):
    # On the edge between cd:2 (below) and cd:4 (above); both cover it.
    assert ids(districts.districts_at(1.5, 1.0)) == [f"{CA}/cd:2"]
    # On the edge between cd:3 and cd:4.
    assert ids(districts.districts_at(1.0, 1.5)) == [f"{CA}/cd:3"]
    # The corner all four share.
    assert ids(districts.districts_at(1.0, 1.0)) == [f"{CA}/cd:1"]


def test_the_boundary_answer_is_the_same_after_a_rebuild_and_in_any_order(grid):
    first = ids(districts.districts_at(1.0, 1.0))
    districts.forget()
    assert ids(districts.districts_at(1.0, 1.0)) == first
    grid[1].delete()  # without cd:1, the corner goes to the next lowest
    assert ids(districts.districts_at(1.0, 1.0)) == [f"{CA}/cd:2"]


def test_a_point_on_the_outer_edge_is_in(grid):
    assert ids(districts.districts_at(0.0, 0.5)) == [f"{CA}/cd:1"]
    assert ids(districts.districts_at(2.0, 2.0)) == [f"{CA}/cd:4"]


def test_points_outside_everything_are_in_nothing(grid):
    for longitude, latitude in [(-0.001, 0.5), (2.5, 2.5), (-120, 37), (179.9, -89.9)]:
        assert districts.districts_at(longitude, latitude) == []


def test_points_that_are_not_numbers_are_in_nothing(grid):
    assert districts.districts_at(float("nan"), 0.5) == []
    assert districts.districts_at(0.5, float("inf")) == []


def test_a_hole_is_not_in_its_district_but_in_the_island_inside_it(db):
    ring = geometry.from_geojson(
        {
            "type": "Polygon",
            "coordinates": [
                [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]],
            ],
        }
    )
    make_district("ocd-division/country:us/state:ca/place:donut", ring, Level.LOCAL)
    make_district("ocd-division/country:us/state:ca/place:island", box(1, 1, 3, 3), Level.LOCAL)
    assert ids(districts.districts_at(0.5, 0.5)) == [f"{CA}/place:donut"]
    assert ids(districts.districts_at(2, 2)) == [f"{CA}/place:island"]
    # The hole's edge is both districts' edge: one answer.
    assert ids(districts.districts_at(1, 2)) == [f"{CA}/place:donut"]


def test_a_district_in_two_parts_is_found_from_either(db):
    two_parts = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 6, 6)])
    make_district(f"{CA}/cd:7", two_parts)
    assert ids(districts.districts_at(0.5, 0.5)) == [f"{CA}/cd:7"]
    assert ids(districts.districts_at(5.5, 5.5)) == [f"{CA}/cd:7"]
    assert districts.districts_at(3, 3) == []


def test_one_district_of_each_kind_federal_first(db):
    make_district(CA, box(-10, -10, 10, 10), Level.STATE, "California")
    make_district(f"{CA}/sldl:17", box(0, 0, 1, 1), Level.STATE)
    make_district(f"{CA}/sldu:11", box(0, 0, 2, 2), Level.STATE)
    make_district(f"{CA}/cd:12", box(-1, -1, 1, 1), Level.FEDERAL)
    make_district(f"{CA}/county:san_francisco", box(0, 0, 3, 3), Level.LOCAL)
    found = districts.districts_at(0.5, 0.5)
    assert ids(found) == [f"{CA}/cd:12", CA, f"{CA}/sldl:17", f"{CA}/sldu:11", f"{CA}/county:san_francisco"]
    assert [district.kind for district in found] == ["cd", "state", "sldl", "sldu", "county"]


def test_overlapping_districts_of_one_kind_resolve_to_the_lowest_id(db):
    make_district(f"{CA}/cd:9", box(0, 0, 2, 2))
    make_district(f"{CA}/cd:10", box(1, 1, 3, 3))
    # "…/cd:10" sorts before "…/cd:9" as a string: the rule is the string order, every time.
    assert ids(districts.districts_at(1.5, 1.5)) == [f"{CA}/cd:10"]
    assert ids(districts.districts_at(0.5, 0.5)) == [f"{CA}/cd:9"]


def test_districts_near_a_point(grid):
    # About 5 km around (0.98, 0.5): cd:1 holds the point, cd:2 is 2.2 km east.
    near = districts.districts_near(0.98, 0.5, 5.0)
    assert [(n.district.ocd_id, n.covers) for n in near] == [(f"{CA}/cd:1", True), (f"{CA}/cd:2", False)]
    assert near[0].distance_km == 0
    assert 2.0 < near[1].distance_km < 2.5
    assert ids(n.district for n in districts.districts_near(0.5, 0.5, 1.0)) == [f"{CA}/cd:1"]
    assert districts.districts_near(50, 50, 5.0) == []


def test_an_empty_index_answers_nothing(db):
    assert districts.districts_at(0.5, 0.5) == []
    assert districts.districts_near(0.5, 0.5, 5) == []
    assert not districts.has_districts()


# --- Freshness -------------------------------------------------------------------------------


def test_a_lookup_reads_no_database_once_the_index_is_built(grid, django_assert_num_queries):
    districts.districts_at(0.5, 0.5)
    with django_assert_num_queries(0):
        for _ in range(100):
            districts.districts_at(0.5, 0.5)


def test_a_save_or_delete_in_this_process_shows_at_the_next_lookup(grid):
    assert districts.districts_at(5.5, 5.5) == []
    made = make_district(f"{CA}/cd:5", box(5, 5, 6, 6))
    assert ids(districts.districts_at(5.5, 5.5)) == [f"{CA}/cd:5"]
    made.boundary = geometry.to_wkb(box(7, 7, 8, 8))
    made.save()
    assert districts.districts_at(5.5, 5.5) == []
    made.delete()
    assert districts.districts_at(7.5, 7.5) == []


def _bulk(ocd_id: str, shape: BaseGeometry) -> None:
    """A write the index is not told about: another process's import, as seen from here."""
    west, south, east, north = geometry.bounds(shape)
    District.objects.bulk_create(
        [
            District(
                ocd_id=ocd_id,
                name=ocd_id,
                boundary=geometry.to_wkb(shape),
                min_longitude=west,
                min_latitude=south,
                max_longitude=east,
                max_latitude=north,
            )
        ]
    )


@pytest.fixture
def local_cache(monkeypatch):
    """The cache as the laptop default has it: inside this process only (even when the run
    has REDIS_URL set)."""
    monkeypatch.setattr(districts, "_shared_cache", lambda: False)


def test_without_a_shared_cache_another_process_s_write_shows_within_a_second(grid, local_cache, monkeypatch):
    districts.districts_at(0.5, 0.5)
    monkeypatch.setattr(districts, "CHECK_EVERY", 3600.0)
    _bulk(f"{CA}/cd:6", box(6, 6, 7, 7))
    assert districts.districts_at(6.5, 6.5) == []  # within the interval nothing is read
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)  # the second has passed
    assert ids(districts.districts_at(6.5, 6.5)) == [f"{CA}/cd:6"]


def test_the_table_fingerprint_check_is_one_query_and_no_rebuild(
    grid, local_cache, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)
    districts.districts_at(0.5, 0.5)
    index = districts.current()
    # Built inside the test's transaction, the index is not trusted (its version is None)
    # until a check outside one confirms it; confirm it as a web process's would be.
    assert index.version is None
    index.version = districts._version()
    with django_assert_num_queries(1):
        districts.districts_at(0.5, 0.5)
    assert districts.current() is index


@pytest.fixture
def shared_cache(monkeypatch):
    """The cache as Redis would be: one for every process (here the local one stands in)."""
    monkeypatch.setattr(districts, "_shared_cache", lambda: True)


def test_with_a_shared_cache_the_version_is_read_from_it_not_the_database(
    grid, shared_cache, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)
    districts.districts_at(0.5, 0.5)
    token = cache.get(districts.VERSION_KEY)
    assert token
    # Confirmed outside a transaction the index would be trusted; here it was built inside
    # the test's, so mark it confirmed as a web process's would be.
    districts.current().version = ("cache", token)
    with django_assert_num_queries(0):
        districts.districts_at(0.5, 0.5)


def test_with_a_shared_cache_another_process_s_import_shows_when_it_bumps_the_version(
    grid, shared_cache, monkeypatch
):
    districts.districts_at(0.5, 0.5)
    districts.current().version = ("cache", cache.get(districts.VERSION_KEY))
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)
    _bulk(f"{CA}/cd:6", box(6, 6, 7, 7))
    assert districts.districts_at(6.5, 6.5) == []  # not told: the version is the same
    cache.set(districts.VERSION_KEY, "another process imported")
    assert ids(districts.districts_at(6.5, 6.5)) == [f"{CA}/cd:6"]


def test_with_a_shared_cache_a_write_that_told_nobody_shows_within_a_minute(grid, shared_cache, monkeypatch):
    districts.districts_at(0.5, 0.5)
    districts.current().version = ("cache", cache.get(districts.VERSION_KEY))
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)
    _bulk(f"{CA}/cd:6", box(6, 6, 7, 7))  # and no version bump
    assert districts.districts_at(6.5, 6.5) == []
    monkeypatch.setattr(districts, "AUDIT_EVERY", 0.0)  # the minute has passed
    assert [d.ocd_id for d in districts.districts_at(6.5, 6.5)] == [f"{CA}/cd:6"]


def test_a_commit_tells_every_process(grid, shared_cache, django_capture_on_commit_callbacks):
    districts.districts_at(0.5, 0.5)
    before = cache.get(districts.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        make_district(f"{CA}/cd:8", box(8, 8, 9, 9))
    assert cache.get(districts.VERSION_KEY) != before


def test_with_the_shared_cache_unreachable_the_table_decides(grid, shared_cache, monkeypatch):
    class Unreachable:  # what ResilientRedisCache answers while Redis is down
        def get(self, key, default=None):
            return default

        def add(self, *args, **kwargs):
            return True

        def set(self, *args, **kwargs):
            return None

    monkeypatch.setattr(districts, "cache", Unreachable())
    monkeypatch.setattr(districts, "CHECK_EVERY", 0.0)
    districts.districts_at(0.5, 0.5)
    _bulk(f"{CA}/cd:6", box(6, 6, 7, 7))
    assert ids(districts.districts_at(6.5, 6.5)) == [f"{CA}/cd:6"]


# --- OCD ids ---------------------------------------------------------------------------------


def test_division_kinds_and_parents():
    assert districts.division_kind(f"{CA}/cd:12") == "cd"
    assert districts.division_kind(CA) == "state"
    assert districts.division_kind("ocd-division/country:us") == "country"
    assert districts.parent_divisions(f"{CA}/cd:12") == [CA, "ocd-division/country:us"]
    assert districts.parent_divisions("ocd-division/country:us") == []


@pytest.mark.parametrize(
    "value, ok",
    [
        (f"{CA}/cd:12", True),
        (f"{CA}/sldl:1st_barnstable", True),
        ("ocd-division/country:us/district:dc", True),
        ("ocd-division/country:gb/ward:e05000001", True),
        ("ocd-division/country:US/state:ca", False),
        ("ocd-division/country:us/state:CA", False),
        ("ocd-division/country:us/state ca", False),
        ("12", False),
        ("", False),
    ],
)
def test_what_an_ocd_id_looks_like(value, ok):
    assert districts.is_ocd_id(value) is ok


def test_state_divisions_are_spelled_as_the_target_importers_spell_them():
    from groundswell.advocacy.imports import ocd

    assert districts.us_state_division("ca") == CA
    assert districts.us_state_division("DC") == "ocd-division/country:us/district:dc"
    assert districts.us_state_division("PR") == "ocd-division/country:us/territory:pr"
    assert districts.us_state_division("AE") is None  # an armed forces "state"
    for state in districts.US_STATES:
        assert districts.us_state_division(state.postal) == ocd.us_division(state.postal)
    assert len(districts.US_STATES) == 56
