"""`groundswell import districts`: GeoJSON and the Census's zipped shapefiles, each file made
here (no real data set is kept in the repository)."""

import io
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
import shapefile
from django.core.cache import cache
from django.core.management import CommandError, call_command
from shapely.geometry import Point

from groundswell.advocacy import districts, geometry
from groundswell.advocacy.imports import districts as importer
from groundswell.advocacy.models import District, Level
from groundswell.advocacy.tests.test_districts import fresh_index  # noqa: F401  (autouse)
from groundswell.core.errors import ValidationError

CA = "ocd-division/country:us/state:ca"


def square(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(properties: dict, geometry_: dict | None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry_}


def polygon(*rings: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def write_geojson(tmp_path: Path, features: list[dict], name: str = "districts.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def run(path: Path, **options) -> tuple[importer.Summary, str]:
    """The importer as the command runs it, with its output."""
    from rich.console import Console

    out = StringIO()
    console = Console(file=out, highlight=False, width=200)
    summary = importer.run({"file": str(path), **options}, console)
    return summary, out.getvalue()


def two_districts(tmp_path: Path, **names: str) -> Path:
    return write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/cd:1", "name": names.get("one", "District 1")}, polygon(square(0, 0))),
            feature({"ocd_id": f"{CA}/cd:2", "name": names.get("two", "District 2")}, polygon(square(1, 0))),
        ],
    )


# --- GeoJSON ---------------------------------------------------------------------------------


def test_a_geojson_file_is_imported(db, tmp_path):
    summary, out = run(two_districts(tmp_path))
    assert (summary.added, summary.changed, summary.unchanged) == (2, 0, 0)
    assert "Imported 2 districts from districts.geojson: 2 added, 0 changed, 0 unchanged." in out
    one = District.objects.get(ocd_id=f"{CA}/cd:1")
    assert one.name == "District 1"
    assert one.level == Level.FEDERAL  # a cd is federal unless --level says otherwise
    assert one.source == "districts.geojson"
    assert (one.min_longitude, one.min_latitude, one.max_longitude, one.max_latitude) == (0, 0, 1, 1)
    assert geometry.from_wkb(one.boundary).equals(geometry.from_geojson(polygon(square(0, 0))))


def test_a_re_import_updates_by_ocd_id_and_never_duplicates(db, tmp_path):
    run(two_districts(tmp_path))
    summary, out = run(two_districts(tmp_path))
    assert (summary.added, summary.changed, summary.unchanged) == (0, 0, 2)
    summary, out = run(two_districts(tmp_path, two="Renamed"))
    assert (summary.added, summary.changed, summary.unchanged) == (0, 1, 1)
    assert "0 added, 1 changed, 1 unchanged" in out
    assert District.objects.count() == 2
    assert District.objects.get(ocd_id=f"{CA}/cd:2").name == "Renamed"


def test_a_changed_boundary_is_a_change_and_districts_not_in_the_file_stay(db, tmp_path):
    run(two_districts(tmp_path))
    moved = write_geojson(
        tmp_path,
        [feature({"ocd_id": f"{CA}/cd:1", "name": "District 1"}, polygon(square(5, 5)))],
        name="one.geojson",
    )
    summary, _ = run(moved)
    assert (summary.added, summary.changed, summary.unchanged) == (0, 1, 0)
    assert District.objects.get(ocd_id=f"{CA}/cd:1").min_longitude == 5
    assert District.objects.filter(ocd_id=f"{CA}/cd:2").exists()


def test_property_names_level_and_prefix_come_from_the_command_line(db, tmp_path):
    path = write_geojson(
        tmp_path,
        [feature({"WARD": "E05000001", "WARD_NAME": "Aldersgate"}, polygon(square(0, 51)))],
    )
    run(
        path,
        id_property="WARD",
        name_property="WARD_NAME",
        id_prefix="ocd-division/country:gb/ward:",
        level="local",
    )
    ward = District.objects.get()
    assert ward.ocd_id == "ocd-division/country:gb/ward:e05000001"  # OCD ids are lower case
    assert ward.name == "Aldersgate"
    assert ward.level == Level.LOCAL


@pytest.mark.parametrize("key", ["ocdid", "OCD_ID", "id"])
def test_the_default_id_properties(db, tmp_path, key):
    path = write_geojson(tmp_path, [feature({key: f"{CA}/cd:3", "NAMELSAD": "CD 3"}, polygon(square(0, 0)))])
    run(path)
    assert District.objects.get().ocd_id == f"{CA}/cd:3"
    assert District.objects.get().name == "CD 3"


def test_a_feature_s_own_id_is_the_last_resort(db, tmp_path):
    path = tmp_path / "own.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": f"{CA}/cd:4",
                        "properties": {},
                        "geometry": polygon(square(0, 0)),
                    }
                ],
            }
        )
    )
    run(path)
    assert District.objects.get().ocd_id == f"{CA}/cd:4"
    assert District.objects.get().name == f"{CA}/cd:4"  # no name: the id stands in


def test_sldu_and_sldl_are_state_level(db, tmp_path):
    path = write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/sldu:11"}, polygon(square(0, 0))),
            feature({"ocd_id": f"{CA}/sldl:17"}, polygon(square(0, 0))),
            feature({"ocd_id": f"{CA}/place:oakland"}, polygon(square(0, 0))),
            feature({"ocd_id": "ocd-division/country:us/state:ca/school:x"}, polygon(square(0, 0))),
        ],
    )
    run(path)
    levels = dict(District.objects.values_list("ocd_id", "level"))
    assert levels[f"{CA}/sldu:11"] == Level.STATE
    assert levels[f"{CA}/sldl:17"] == Level.STATE
    assert levels[f"{CA}/place:oakland"] == Level.LOCAL
    assert levels[f"{CA}/school:x"] == Level.OTHER


# --- Bad files: a clear message, nothing imported --------------------------------------------


def assert_refused(path: Path, *expected: str, **options) -> str:
    with pytest.raises(ValidationError) as raised:
        run(path, **options)
    for text in expected:
        assert text in raised.value.message
    assert District.objects.count() == 0
    return raised.value.message


def test_features_without_an_id_are_listed_and_nothing_is_imported(db, tmp_path):
    path = write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/cd:1"}, polygon(square(0, 0))),  # fine, but not written
            feature({"NAME": "No id"}, polygon(square(1, 0))),
            feature({"ocd_id": "  "}, polygon(square(2, 0))),
        ],
    )
    message = assert_refused(
        path, "2 problems", "feature 2: it has no OCD id", "feature 3", "nothing was imported"
    )
    assert "--id-property" in message
    assert "NAME" in message  # what properties it does have


def test_a_named_id_property_that_is_missing(db, tmp_path):
    assert_refused(two_districts(tmp_path), "it has no property 'GEOID'", id_property="GEOID")


def test_an_id_that_is_not_an_ocd_id(db, tmp_path):
    path = write_geojson(tmp_path, [feature({"id": "12"}, polygon(square(0, 0)))])
    assert_refused(path, "'12' is not an OCD division id", "--id-prefix")


def test_a_district_twice(db, tmp_path):
    path = write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/cd:1"}, polygon(square(0, 0))),
            feature({"ocd_id": f"{CA}/cd:1"}, polygon(square(1, 0))),
        ],
    )
    assert_refused(path, f"feature 2: {CA}/cd:1 is also feature 1")


@pytest.mark.parametrize(
    "shape, expected",
    [
        (None, "it has no geometry"),
        ({"type": "Point", "coordinates": [0, 0]}, "a Point, not a Polygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "a LineString"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        (polygon(square(500_000, 4_100_000, 1000)), "not longitude and latitude"),
        (polygon([[0, 0], [1, 1], [2, 2], [0, 0]]), "no area"),
    ],
)
def test_empty_non_polygon_or_projected_geometry(db, tmp_path, shape, expected):
    path = write_geojson(tmp_path, [feature({"ocd_id": f"{CA}/cd:1"}, shape)])
    assert_refused(path, f"feature 1 ({CA}/cd:1)", expected)


def test_more_than_ten_problems_are_counted_not_all_listed(db, tmp_path):
    path = write_geojson(tmp_path, [feature({}, polygon(square(i, 0))) for i in range(14)])
    message = assert_refused(path, "14 problems", "… and 4 more")
    assert "feature 11" not in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"ocd_id,name\nx,y\n", "neither GeoJSON (a FeatureCollection) nor a zipped shapefile"),
        (b"", "neither GeoJSON"),
        (b"{not json", "is not valid JSON"),
        (b'{"type": "Topology", "objects": {}}', "not a GeoJSON FeatureCollection (its type is 'Topology')"),
        (b'{"type": "FeatureCollection", "features": []}', "holds no features"),
        (b'{"type": "FeatureCollection", "features": {}}', '"features" is not a list'),
        (b"PK\x03\x04 not really a zip", "not a readable zip file"),
    ],
)
def test_files_that_are_not_geojson_or_a_shapefile(db, tmp_path, content, expected):
    path = tmp_path / "upload.geojson"
    path.write_bytes(content)
    assert_refused(path, expected)


def test_a_missing_file(db, tmp_path):
    assert_refused(tmp_path / "nowhere.geojson", "no such file")


def test_the_command_prints_the_message_and_fails(db, tmp_path):
    path = write_geojson(tmp_path, [feature({"NAME": "No id"}, polygon(square(0, 0)))])
    with pytest.raises(CommandError, match="feature 1: it has no OCD id"):
        call_command("import", "districts", str(path), stdout=StringIO())
    assert District.objects.count() == 0


def test_the_command_imports_and_summarizes(db, tmp_path):
    out = StringIO()
    call_command("import", "districts", str(two_districts(tmp_path)), "--level", "state", stdout=out)
    assert "2 added, 0 changed, 0 unchanged" in out.getvalue()
    assert set(District.objects.values_list("level", flat=True)) == {Level.STATE}


# --- Repairs, overlaps, dry runs -------------------------------------------------------------


def test_a_self_intersecting_polygon_is_repaired_and_counted(db, tmp_path):
    bowtie = polygon([[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]])
    path = write_geojson(tmp_path, [feature({"ocd_id": f"{CA}/cd:1"}, bowtie)])
    summary, out = run(path)
    assert summary.repaired == 1
    assert "1 invalid polygon repaired" in out
    stored = geometry.from_wkb(District.objects.get().boundary)
    assert stored.is_valid
    assert stored.covers(Point(0.2, 1.0)) and stored.covers(Point(1.8, 1.0))


def test_overlapping_districts_of_one_kind_are_a_warning_and_still_imported(db, tmp_path):
    path = write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/cd:1"}, polygon(square(0, 0, 0.2))),
            feature({"ocd_id": f"{CA}/cd:2"}, polygon(square(0.1, 0.1, 0.2))),
            # A state over both is another kind: no warning for it.
            feature({"ocd_id": CA}, polygon(square(-1, -1, 3))),
        ],
    )
    summary, out = run(path)
    assert summary.added == 3
    assert f"Warning: {CA}/cd:1 and {CA}/cd:2 overlap" in out
    assert f"{CA}/cd:1 and {CA}" not in out.replace(f"{CA}/cd:2", "")
    assert [d.ocd_id for d in districts.districts_at(0.15, 0.15) if d.kind == "cd"] == [f"{CA}/cd:1"]


def test_a_dry_run_writes_nothing_and_says_what_it_would(db, tmp_path):
    summary, out = run(two_districts(tmp_path), dry_run=True)
    assert summary.added == 2
    assert "Would import 2 districts" in out and "Dry run: nothing was written." in out
    assert District.objects.count() == 0


def test_the_index_is_rebuilt_after_an_import(db, tmp_path, django_capture_on_commit_callbacks):
    assert districts.districts_at(0.5, 0.5) == []
    version = cache.get(districts.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        run(two_districts(tmp_path))
    assert [d.ocd_id for d in districts.districts_at(0.5, 0.5)] == [f"{CA}/cd:1"]
    assert cache.get(districts.VERSION_KEY) != version  # every other process is told too


def test_an_unchanged_re_import_does_not_rebuild_anyone_s_index(
    db, tmp_path, django_capture_on_commit_callbacks
):
    run(two_districts(tmp_path))
    cache.set(districts.VERSION_KEY, "before")
    with django_capture_on_commit_callbacks(execute=True):
        run(two_districts(tmp_path))
    assert cache.get(districts.VERSION_KEY) == "before"


# --- Zipped shapefiles, as the Census publishes them -----------------------------------------

GEOGRAPHIC_PRJ = b'GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983"]]'
PROJECTED_PRJ = b'PROJCS["NAD_1983_UTM_Zone_10N",GEOGCS["GCS_North_American_1983"]]'


def clockwise(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    """An outer ring as shapefiles write them (clockwise)."""
    return [[x, y], [x, y + size], [x + size, y + size], [x + size, y], [x, y]]


def anticlockwise(x: float, y: float, size: float = 1.0) -> list[list[float]]:
    """A hole's ring (counter-clockwise)."""
    return list(reversed(clockwise(x, y, size)))


def write_shapefile_zip(
    tmp_path: Path,
    name: str,
    fields: list[tuple[str, str, int]],
    records: list[tuple[list, list[list[list[float]]]]],
    *,
    prj: bytes | None = GEOGRAPHIC_PRJ,
    shape_type: int = shapefile.POLYGON,
    leave_out: tuple[str, ...] = (),
    extra: dict[str, bytes] | None = None,
) -> Path:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type)
    for field_name, kind, size in fields:
        writer.field(field_name, kind, size=size)
    for values, rings in records:
        if shape_type == shapefile.POINT:
            writer.point(*rings[0][0])
        else:
            writer.poly(rings)
        writer.record(*values)
    writer.close()
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        parts = {".shp": shp.getvalue(), ".shx": shx.getvalue(), ".dbf": dbf.getvalue(), ".cpg": b"UTF-8"}
        if prj is not None:
            parts[".prj"] = prj
        for extension, data in parts.items():
            if extension not in leave_out:
                archive.writestr(f"{name}{extension}", data)
        for member, data in (extra or {}).items():
            archive.writestr(member, data)
    return path


CD_FIELDS = [("STATEFP", "C", 2), ("CD119FP", "C", 2), ("GEOID", "C", 4), ("NAMELSAD", "C", 60)]


def congressional_file(tmp_path: Path, **kwargs) -> Path:
    return write_shapefile_zip(
        tmp_path,
        "cb_2024_us_cd119_500k",
        CD_FIELDS,
        [
            (["06", "12", "0612", "Congressional District 12"], [clockwise(-122.5, 37.7, 0.1)]),
            (["56", "00", "5600", "Congressional District (at Large)"], [clockwise(-108, 41, 1)]),
            (["11", "98", "1198", "Delegate District (at Large)"], [clockwise(-77.1, 38.8, 0.1)]),
            (["06", "ZZ", "06ZZ", "Congressional Districts not defined"], [clockwise(-123.5, 37, 0.1)]),
        ],
        **kwargs,
    )


def test_a_census_congressional_district_file(db, tmp_path):
    summary, out = run(congressional_file(tmp_path))
    assert (summary.added, summary.skipped) == (3, 1)
    assert "1 area the Census puts in no district (code ZZ or ZZZ) skipped." in out
    found = dict(District.objects.values_list("ocd_id", "name"))
    assert found == {
        f"{CA}/cd:12": "California Congressional District 12",
        "ocd-division/country:us/state:wy/cd:at-large": "Wyoming Congressional District (at Large)",
        # DC's delegate is filed on DC itself, as the target importers file her.
        "ocd-division/country:us/district:dc": "District of Columbia Delegate District (at Large)",
    }
    assert set(District.objects.values_list("level", flat=True)) == {Level.FEDERAL}
    assert District.objects.get(ocd_id=f"{CA}/cd:12").source == "cb_2024_us_cd119_500k.zip"
    assert [d.ocd_id for d in districts.districts_at(-122.45, 37.75)] == [f"{CA}/cd:12"]


def test_state_legislative_districts_numbered_and_named(db, tmp_path):
    upper = write_shapefile_zip(
        tmp_path,
        "cb_2024_06_sldu_500k",
        [
            ("STATEFP", "C", 2),
            ("SLDUST", "C", 3),
            ("GEOID", "C", 5),
            ("NAME", "C", 40),
            ("NAMELSAD", "C", 60),
        ],
        [(["06", "011", "06011", "11", "State Senate District 11"], [clockwise(-122.5, 37.7, 0.1)])],
    )
    lower = write_shapefile_zip(
        tmp_path,
        "cb_2024_25_sldl_500k",
        [
            ("STATEFP", "C", 2),
            ("SLDLST", "C", 3),
            ("GEOID", "C", 5),
            ("NAME", "C", 40),
            ("NAMELSAD", "C", 60),
        ],
        [
            (
                ["25", "D01", "25D01", "1st Barnstable", "1st Barnstable District"],
                [clockwise(-70, 41.6, 0.1)],
            ),
            (["27", "01A", "2701A", "01A", "State House District 01A"], [clockwise(-96, 48, 0.1)]),
            (
                ["25", "ZZZ", "25ZZZ", "", "State Legislative Districts not defined"],
                [clockwise(-70, 42, 0.1)],
            ),
        ],
    )
    run(upper)
    summary, _ = run(lower)
    assert summary.skipped == 1
    assert dict(District.objects.values_list("ocd_id", "level")) == {
        f"{CA}/sldu:11": Level.STATE,
        "ocd-division/country:us/state:ma/sldl:1st_barnstable": Level.STATE,
        "ocd-division/country:us/state:mn/sldl:1a": Level.STATE,
    }
    assert District.objects.get(ocd_id=f"{CA}/sldu:11").name == "California State Senate District 11"


def test_a_census_state_file(db, tmp_path):
    path = write_shapefile_zip(
        tmp_path,
        "cb_2024_us_state_500k",
        [("STATEFP", "C", 2), ("STUSPS", "C", 2), ("GEOID", "C", 2), ("NAME", "C", 40)],
        [
            (["06", "CA", "06", "California"], [clockwise(-124, 32, 10)]),
            (["72", "PR", "72", "Puerto Rico"], [clockwise(-67.3, 17.9, 1.5)]),
        ],
    )
    run(path)
    assert dict(District.objects.values_list("ocd_id", "name")) == {
        CA: "California",
        "ocd-division/country:us/territory:pr": "Puerto Rico",
    }


def test_a_shapefile_keeps_holes_and_parts(db, tmp_path):
    path = write_shapefile_zip(
        tmp_path,
        "wards",
        [("ocd_id", "C", 80), ("name", "C", 40)],
        [
            (
                [f"{CA}/place:donut", "Donut"],
                [clockwise(0, 0, 4), anticlockwise(1, 1, 2), clockwise(10, 10, 1)],
            )
        ],
    )
    run(path)
    assert [d.ocd_id for d in districts.districts_at(0.5, 0.5)] == [f"{CA}/place:donut"]
    assert [d.ocd_id for d in districts.districts_at(10.5, 10.5)] == [f"{CA}/place:donut"]
    assert districts.districts_at(2, 2) == []  # the hole


def test_a_projected_shapefile_is_refused_with_the_fix(db, tmp_path):
    assert_refused(
        congressional_file(tmp_path, prj=PROJECTED_PRJ), "projected coordinate system", "EPSG:4326"
    )


def test_a_shapefile_of_points_is_refused(db, tmp_path):
    path = write_shapefile_zip(
        tmp_path, "points", CD_FIELDS, [(["06", "12", "0612", "x"], [[[0, 0]]])], shape_type=shapefile.POINT
    )
    assert_refused(path, "holds point shapes, not polygons")


def test_a_zip_without_the_dbf_is_refused(db, tmp_path):
    assert_refused(congressional_file(tmp_path, leave_out=(".dbf",)), "not its .dbf file")


def test_a_zip_with_two_shapefiles_is_refused(db, tmp_path):
    path = congressional_file(tmp_path, extra={"other.shp": b"x"})
    assert_refused(path, "exactly one shapefile", "other.shp")


def test_a_zip_with_no_shapefile_is_refused(db, tmp_path):
    path = tmp_path / "nothing.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert_refused(path, "exactly one shapefile (.shp); it holds none")


def test_a_census_record_with_an_unknown_state_code(db, tmp_path):
    path = write_shapefile_zip(
        tmp_path, "odd", CD_FIELDS, [(["99", "01", "9901", "Congressional District 1"], [clockwise(0, 0)])]
    )
    assert_refused(path, "its STATEFP '99' is not a US state")


def test_a_census_file_re_imported_is_unchanged(db, tmp_path):
    run(congressional_file(tmp_path))
    summary, _ = run(congressional_file(tmp_path))
    assert (summary.added, summary.changed, summary.unchanged) == (0, 0, 3)


def test_a_bare_shp_with_its_files_beside_it(db, tmp_path):
    zipped = congressional_file(tmp_path)
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(tmp_path / "unzipped")
    summary, _ = run(tmp_path / "unzipped" / "cb_2024_us_cd119_500k.shp")
    assert summary.added == 3
    (tmp_path / "unzipped" / "cb_2024_us_cd119_500k.shx").unlink()
    with pytest.raises(ValidationError, match=r"needs its \.shx file"):
        run(tmp_path / "unzipped" / "cb_2024_us_cd119_500k.shp")


def test_a_single_geojson_feature(db, tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(feature({"ocd_id": f"{CA}/cd:5"}, polygon(square(0, 0)))))
    run(path)
    assert District.objects.get().ocd_id == f"{CA}/cd:5"


# --- Hostile files: a message naming the file, nothing imported ------------------------------


def test_geojson_nested_too_deeply_is_a_message_not_a_traceback(db, tmp_path):
    path = tmp_path / "deep.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [' + "[" * 200_000 + "]" * 200_000 + "]}")
    assert_refused(path, "deep.geojson is nested too deeply", "Nothing was imported")


def _patched(path: Path, member: str, central_offset: int, value: bytes) -> Path:
    """The zip with bytes of one member's central directory entry replaced (a field zipfile
    trusts: flags, compression method, sizes)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    start = data.index(b"PK\x01\x02")
    while data[start + 46 : start + 46 + len(name)] != name:
        start = data.index(b"PK\x01\x02", start + 1)
    data[start + central_offset : start + central_offset + len(value)] = value
    path.write_bytes(bytes(data))
    return path


def test_a_zip_with_a_bad_crc(db, tmp_path):
    path = congressional_file(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("cb_2024_us_cd119_500k.dbf")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 40] ^= 0xFF  # inside the first record, stored uncompressed
    path.write_bytes(bytes(data))
    assert_refused(path, "cb_2024_us_cd119_500k.zip is damaged", "Bad CRC-32")


def test_an_encrypted_zip(db, tmp_path):
    path = _patched(congressional_file(tmp_path), "cb_2024_us_cd119_500k.shp", 8, b"\x01\x00")
    assert_refused(path, "cb_2024_us_cd119_500k.zip is encrypted", "without a password")


def test_a_zip_compressed_in_a_way_python_cannot_unpack(db, tmp_path):
    path = _patched(congressional_file(tmp_path), "cb_2024_us_cd119_500k.shp", 10, b"\x63\x00")  # 99: AES
    assert_refused(path, "uses a compression this import cannot unpack")


def test_a_zip_whose_header_lies_about_a_size(db, tmp_path):
    path = _patched(congressional_file(tmp_path), "cb_2024_us_cd119_500k.dbf", 24, b"\x10\x00\x00\x00")
    assert_refused(path, "cb_2024_us_cd119_500k.zip is damaged")


def test_a_zip_that_unpacks_to_more_than_the_limit(db, tmp_path, monkeypatch):
    path = congressional_file(tmp_path)
    monkeypatch.setattr(importer, "MAX_UNZIPPED_BYTES", 1000)
    message = assert_refused(path, "would unpack to", "at most 1,000 are read")
    monkeypatch.setattr(importer, "MAX_UNZIPPED_BYTES", 1024**3)
    assert run(path)[0].added == 3 and message


def test_a_zip_bomb_member_is_refused_before_it_is_unpacked(db, tmp_path, monkeypatch):
    plain = congressional_file(tmp_path)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".prj"):
                data += b" " * 2_000_000  # packs about a thousand to one
            archive.writestr(info.filename, data)
    monkeypatch.setattr(importer, "RATIO_CHECKED_OVER", 1_000_000)
    unpacked: list[tuple] = []

    def record_unpack(*args: object) -> bytes:
        unpacked.append(args)
        return b""

    monkeypatch.setattr(importer, "_unpack", record_unpack)
    assert_refused(bomb, "cb_2024_us_cd119_500k.prj is packed", "to 1", "zip bomb")
    assert unpacked == []


def test_district_names_are_cleaned_of_controls_and_bidi_overrides(db, tmp_path):
    path = write_geojson(
        tmp_path, [feature({"ocd_id": f"{CA}/cd:1", "name": "Dis\u202etrict\n 1\x00"}, polygon(square(0, 0)))]
    )
    run(path)
    assert District.objects.get().name == "District 1"


@pytest.mark.parametrize("bad", ["cd:1\u202e", "place:pe\u00f1asco", "cd:1<b>"])
def test_an_ocd_id_with_characters_outside_the_spec(db, tmp_path, bad):
    path = write_geojson(
        tmp_path,
        [
            feature({"ocd_id": f"{CA}/cd:2"}, polygon(square(1, 0))),
            feature({"ocd_id": f"{CA}/{bad}"}, polygon(square(0, 0))),
        ],
    )
    assert_refused(path, "feature 2: its id", "an OCD id holds only a-z, 0-9")
