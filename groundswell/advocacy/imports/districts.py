"""Import district boundaries from GeoJSON or a zipped shapefile (the Census's own files).

    groundswell import districts cb_2024_us_cd119_500k.zip
    groundswell import districts cb_2024_06_sldu_500k.zip --dry-run
    groundswell import districts wards.geojson --id-property ward_ocd --name-property ward_name --level local

**What it reads.** A GeoJSON FeatureCollection, or a shapefile zipped with its .shx and .dbf
(a bare .shp with those beside it works too), read with pyshp: no GDAL. Shapes must be
Polygons or MultiPolygons in longitude/latitude; a projected shapefile (its .prj a PROJCS)
is refused with the fix to make. The file's kind is told from its first bytes, not its name.

**Ids.** Every district needs its Open Civic Data division id, the key targets are filed
under. From, in order: the property named by `--id-property`; a property `ocd_id` or
`ocdid`; the Census fields of a cartographic boundary file (below); a property `id`.
`--id-prefix` is put before ids that are not OCD ids yet (`--id-prefix
ocd-division/country:gb/ward:`). The name from `--name-property`, else `name`, `NAME` or
`NAMELSAD`, else the id.

**Census files** (cb_2024_us_cd119_500k.zip, cb_2024_06_sldu_500k.zip, …_sldl_…,
cb_2024_us_state_500k.zip) carry no OCD id; it is made from STATEFP (by the FIPS table in
`advocacy.districts`) and the district's code: `CD119FP` "12" → `…/state:ca/cd:12`, "00" (a
state's single seat) → `cd:at-large`, and DC's and Puerto Rico's seat ("98") the division
itself (`country:us/district:dc`), where the target importers file their delegates;
`SLDUST`/`SLDLST` "011" → `sldu:11`, "01A" → `sldl:1a`, and where a state names its
districts rather than numbering them (Massachusetts, New Hampshire, Vermont) the Census
NAME as OCD writes names: "1st Barnstable" → `sldl:1st_barnstable`. Areas the Census
assigns to no district (code ZZ or ZZZ, mostly water) are skipped and counted.

**Checks before writes.** The whole file is read and checked first: ids present, valid and
unique, geometry present, polygonal and in longitude/latitude. Any problem stops the import
with every problem listed (the first ten) and nothing written. Invalid polygons (a ring
crossing itself, overlapping parts) are repaired with `make_valid` and counted; districts of
one kind whose polygons overlap each other are listed as a warning (a point in the overlap
goes to the lowest OCD id, see `advocacy.districts`), not refused.

**Writes.** In one transaction: new districts added, known ones (by OCD id) changed only
where their name, level or boundary differ, the rest left alone; districts the file does
not name are kept (one state's file must not remove another's). Then every process's
spatial index is told (`districts.mark_changed`). A summary says what was added, changed and
unchanged; `--dry-run` says the same and writes nothing.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from argparse import ArgumentParser
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapefile
import shapely
from django.db import transaction
from django.utils import timezone
from shapely import STRtree

from groundswell.advocacy import districts, geometry
from groundswell.advocacy.models import District, Level
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line

ID_PROPERTIES = ("ocd_id", "ocdid")
FALLBACK_ID_PROPERTIES = ("id",)
NAME_PROPERTIES = ("name", "NAME", "NAMELSAD")
LEVELS = {"federal": Level.FEDERAL, "state": Level.STATE, "local": Level.LOCAL, "other": Level.OTHER}
# The level a district is filed under when --level does not say, by its kind.
LEVEL_OF_KIND = {
    "country": Level.FEDERAL,
    "cd": Level.FEDERAL,
    "state": Level.STATE,
    "district": Level.STATE,  # district:dc
    "territory": Level.STATE,
    "sldu": Level.STATE,
    "sldl": Level.STATE,
    "county": Level.LOCAL,
    "parish": Level.LOCAL,
    "borough": Level.LOCAL,
    "place": Level.LOCAL,
    "council_district": Level.LOCAL,
    "ward": Level.LOCAL,
}
POLYGON_SHAPE_TYPES = {shapefile.POLYGON, shapefile.POLYGONZ, shapefile.POLYGONM}
PROBLEMS_SHOWN = 10
MAX_FIELD = 200  # District.ocd_id, .name, .source
# An overlap smaller than this is the noise of two files' generalized edges, not a mistake.
OVERLAP_KM2 = 0.05
BATCH = 200
# A zip's members are unpacked in memory: the whole of the Census's largest file
# (cb_2024_us_bg_500k, block groups) is about 300 MB unpacked, so 1 GiB is room enough and
# bounds what a crafted zip (a "zip bomb") can make us hold.
MAX_UNZIPPED_BYTES = 1024**3
# Shapefiles compress 3 to 10 times; a large member packed tighter than this is a bomb.
MAX_RATIO = 200
RATIO_CHECKED_OVER = 10 * 1024**2
CHUNK = 1024**2
# What an OCD id may hold once lower-cased (the OCD spec's characters).
OCD_ID_CHARACTERS = re.compile(r"[a-z0-9:/_.~\-]+")


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("file", help="a GeoJSON FeatureCollection or a zipped shapefile (.zip)")
    parser.add_argument(
        "--id-property",
        metavar="P",
        help="the property holding each district's OCD id (default: ocd_id, ocdid, Census fields, id)",
    )
    parser.add_argument(
        "--name-property", metavar="P", help="the property holding each name (default: name, NAME, NAMELSAD)"
    )
    parser.add_argument(
        "--id-prefix",
        default="",
        metavar="PREFIX",
        help="put before ids that are not OCD ids yet, e.g. ocd-division/country:gb/ward:",
    )
    parser.add_argument(
        "--level",
        choices=list(LEVELS),
        help="file every district under this level (default: from the kind of district)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check and compare, write nothing")


@dataclass
class Feature:
    """One feature as read, before any checks."""

    number: int  # 1-based, as a person counts them
    properties: dict[str, Any]
    geometry: Any  # a GeoJSON geometry dict (pyshp gives the same)


@dataclass
class Parsed:
    number: int
    ocd_id: str
    name: str
    level: Level
    boundary: geometry.Boundary
    wkb: bytes
    repaired: bool


@dataclass
class Summary:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    repaired: int = 0
    skipped: int = 0


def run(options: dict[str, Any], console: Any) -> Summary:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    path = Path(options["file"])
    features = read(path)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # a log or a pipe gets the summary, not blank lines
    )
    with progress:
        checking = progress.add_task("Checking", total=len(features))
        parsed, skipped = check(features, options, advance=lambda: progress.advance(checking))
    summary = Summary(skipped=skipped, repaired=sum(1 for item in parsed if item.repaired))
    for warning in overlaps(parsed):
        console.print(f"[yellow]Warning:[/yellow] {warning}")
    with progress:
        writing = progress.add_task(
            "Writing" if not options.get("dry_run") else "Comparing", total=len(parsed)
        )
        write(
            parsed,
            source=path.name[:MAX_FIELD],
            summary=summary,
            dry_run=bool(options.get("dry_run")),
            advance=lambda n: progress.advance(writing, n),
        )
    verb = "Would import" if options.get("dry_run") else "Imported"
    console.print(
        f"{verb} {len(parsed)} district{'s' if len(parsed) != 1 else ''} from {path.name}: "
        f"{summary.added} added, {summary.changed} changed, {summary.unchanged} unchanged."
    )
    notes = []
    if summary.repaired:
        notes.append(f"{summary.repaired} invalid polygon{'s' if summary.repaired != 1 else ''} repaired")
    if summary.skipped:
        areas = "area" if summary.skipped == 1 else "areas"
        notes.append(f"{summary.skipped} {areas} the Census puts in no district (code ZZ or ZZZ) skipped")
    if notes:
        line = "; ".join(notes)
        console.print(line[:1].upper() + line[1:] + ".")
    if options.get("dry_run"):
        console.print("Dry run: nothing was written.")
    return summary


# --- Reading ---------------------------------------------------------------------------------


def read(path: Path) -> list[Feature]:
    """Every feature of the file, whatever its kind."""
    if not path.is_file():
        raise ValidationError(f"{path}: no such file.", field="file")
    with path.open("rb") as handle:
        start = handle.read(512)
    if start.startswith(b"PK\x03\x04"):
        return read_zipped_shapefile(path)
    if start[:4] in (b"\x00\x00\x27\x0a",):  # a bare .shp: its file code, 9994
        return read_shapefile(path)
    text_start = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text_start.startswith(b"{"):
        return read_geojson(path)
    raise ValidationError(
        f"{path.name} is neither GeoJSON (a FeatureCollection) nor a zipped shapefile "
        "(a .zip holding the .shp, .shx and .dbf). Nothing was imported.",
        field="file",
    )


def read_geojson(path: Path) -> list[Feature]:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path.name} is not valid JSON ({error}). Nothing was imported.") from error
    except RecursionError as error:
        raise ValidationError(
            f"{path.name} is nested too deeply to be read (GeoJSON nests a few levels). Nothing was imported."
        ) from error
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ValidationError(
            f"{path.name} is JSON but not a GeoJSON FeatureCollection (its type is {kind!r}). "
            "Nothing was imported."
        )
    items = data.get("features")
    if not isinstance(items, list):
        raise ValidationError(f'{path.name}: its "features" is not a list. Nothing was imported.')
    if not items:
        raise ValidationError(f"{path.name} holds no features. Nothing was imported.")
    features = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            features.append(Feature(number, {}, None))
            continue
        properties = item.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
        if "id" in item and "id" not in properties:
            properties = {**properties, "id": item["id"]}  # a feature's own id, as a last resort
        features.append(Feature(number, properties, item.get("geometry")))
    return features


def read_zipped_shapefile(path: Path) -> list[Feature]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValidationError(f"{path.name} is not a readable zip file ({error}).") from error
    try:
        with archive:
            parts = _read_archive(path, archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        # A bad CRC, a damaged deflate stream, a header that lies about a member's size.
        raise ValidationError(f"{path.name} is damaged ({error}). Nothing was imported.") from error
    except NotImplementedError as error:  # before RuntimeError: it is one
        raise ValidationError(
            f"{path.name} uses a compression this import cannot unpack ({error}): zip it again with the "
            "usual (deflate) compression. Nothing was imported."
        ) from error
    except RuntimeError as error:  # zipfile's word for an encrypted member
        raise ValidationError(
            f"{path.name} is encrypted ({error}): zip it again without a password. Nothing was imported."
        ) from error
    return _read_shapefile_parts(
        path.name, {ext: parts[ext] for ext in (".shp", ".shx", ".dbf")}, parts[".prj"], parts[".cpg"]
    )


def _read_archive(path: Path, archive: zipfile.ZipFile) -> dict[str, bytes | None]:
    """The shapefile's parts (.shp, .shx, .dbf, and .prj and .cpg or None), unpacked."""
    names = [
        name for name in archive.namelist() if not name.startswith("__MACOSX/") and not name.endswith("/")
    ]
    shps = [name for name in names if name.lower().endswith(".shp")]
    if len(shps) != 1:
        found = ", ".join(shps) if shps else "none"
        raise ValidationError(
            f"{path.name} should hold exactly one shapefile (.shp); it holds {found}. Nothing was imported."
        )
    stem = shps[0][:-4]

    def find(extension: str, required: bool = True) -> zipfile.ZipInfo | None:
        for name in names:
            if name[: -len(extension)] == stem and name.lower().endswith(extension):
                return archive.getinfo(name)
        if required:
            raise ValidationError(
                f"{path.name} has {shps[0]} but not its {extension} file, which a shapefile needs. "
                "Nothing was imported."
            )
        return None

    members = {ext: find(ext, required=ext in (".shp", ".shx", ".dbf")) for ext in PARTS}
    budget = _check_sizes(path.name, [info for info in members.values() if info is not None])
    read: dict[str, bytes | None] = {}
    for extension, info in members.items():
        read[extension] = None if info is None else _unpack(path.name, archive, info, budget)
        budget -= len(read[extension] or b"")
    return read


PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def _check_sizes(label: str, members: list[zipfile.ZipInfo]) -> int:
    """Refuse, before unpacking anything, members whose headers promise too much; returns
    the bytes the unpacking may still make."""
    total = sum(info.file_size for info in members)
    if total > MAX_UNZIPPED_BYTES:
        raise ValidationError(
            f"{label} would unpack to {total:,} bytes; at most {MAX_UNZIPPED_BYTES:,} are read. "
            "Nothing was imported."
        )
    for info in members:
        if info.file_size > RATIO_CHECKED_OVER and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ValidationError(
                f"{label}: {info.filename} is packed {info.file_size // max(info.compress_size, 1):,} to 1 "
                f"(more than {MAX_RATIO} to 1, which no shapefile is): it looks like a zip bomb. "
                "Nothing was imported."
            )
    return MAX_UNZIPPED_BYTES


def _unpack(label: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """A member's bytes, counted as they come: a header that lies about the size is caught
    here, not after the memory is gone."""
    limit = min(info.file_size, budget)
    chunks, count = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(CHUNK):
            count += len(chunk)
            if count > limit:
                raise ValidationError(
                    f"{label}: {info.filename} unpacks to more than the {info.file_size:,} bytes its "
                    "header says: the zip is damaged or crafted. Nothing was imported."
                )
            chunks.append(chunk)
    return b"".join(chunks)


def read_shapefile(path: Path) -> list[Feature]:
    parts: dict[str, bytes | None] = {}
    for extension in (".shp", ".shx", ".dbf"):
        sibling = path.with_suffix(extension)
        if not sibling.is_file():
            raise ValidationError(f"{path.name} needs its {extension} file beside it ({sibling.name}).")
        parts[extension] = sibling.read_bytes()
    prj, cpg = path.with_suffix(".prj"), path.with_suffix(".cpg")
    return _read_shapefile_parts(
        path.name,
        parts,
        prj.read_bytes() if prj.is_file() else None,
        cpg.read_bytes() if cpg.is_file() else None,
    )


def _read_shapefile_parts(
    label: str, parts: dict[str, bytes | None], prj: bytes | None, cpg: bytes | None
) -> list[Feature]:
    if prj is not None and prj.lstrip().upper().startswith(b"PROJCS"):
        raise ValidationError(
            f"{label} is in a projected coordinate system (metres or feet), not longitude and "
            "latitude: convert it to WGS 84 (EPSG:4326), or use the Census's cartographic boundary "
            "files, which are in longitude and latitude. Nothing was imported."
        )
    encoding = "utf-8"
    if cpg:
        declared = cpg.decode("ascii", "ignore").strip().lower()
        encoding = {"": "utf-8", "utf8": "utf-8", "ansi 1252": "cp1252", "1252": "cp1252"}.get(
            declared, declared
        )
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(parts[".shp"] or b""),
            shx=io.BytesIO(parts[".shx"] or b""),
            dbf=io.BytesIO(parts[".dbf"] or b""),
            encoding=encoding,
            encodingErrors="replace",
        )
    except (shapefile.ShapefileException, LookupError, ValueError, OSError) as error:
        raise ValidationError(
            f"{label}: the shapefile cannot be read ({error}). Nothing was imported."
        ) from error
    with reader:
        if reader.shapeType not in POLYGON_SHAPE_TYPES:
            raise ValidationError(
                f"{label} holds {reader.shapeTypeName.lower()} shapes, not polygons: a district is an "
                "area. Nothing was imported."
            )
        features = []
        try:
            for number, item in enumerate(reader.iterShapeRecords(), start=1):
                shape = item.shape
                geometry_dict = None if shape.shapeType == shapefile.NULL else shape.__geo_interface__
                features.append(Feature(number, item.record.as_dict(), geometry_dict))
        except (shapefile.ShapefileException, ValueError, struct.error) as error:
            raise ValidationError(
                f"{label}: the shapefile is damaged ({error}). Nothing was imported."
            ) from error
    if not features:
        raise ValidationError(f"{label} holds no shapes. Nothing was imported.")
    return features


# --- Checking --------------------------------------------------------------------------------


class Skip(Exception):
    """A feature that is deliberately not a district (the Census's water areas)."""


def check(
    features: list[Feature], options: dict[str, Any], *, advance: Any = None
) -> tuple[list[Parsed], int]:
    """Every feature checked and read as a district; raises ValidationError listing every
    problem (the first ten) when there is any. Returns the districts and how many were
    skipped."""
    level_option = LEVELS.get(options.get("level") or "")
    prefix = (options.get("id_prefix") or "").strip()
    problems: list[str] = []
    parsed: list[Parsed] = []
    skipped = 0
    first_seen: dict[str, int] = {}
    for feature in features:
        if advance:
            advance()
        try:
            ocd_id, census_name, kind_level = identify(feature.properties, options, prefix)
        except Skip:
            skipped += 1
            continue
        except ValueError as error:
            problems.append(f"feature {feature.number}: {error}")
            continue
        if not OCD_ID_CHARACTERS.fullmatch(ocd_id):
            odd = sorted({ch for ch in ocd_id if not OCD_ID_CHARACTERS.fullmatch(ch)})
            problems.append(
                f"feature {feature.number}: its id {ocd_id!r} holds {', '.join(map(repr, odd))}; "
                "an OCD id holds only a-z, 0-9 and : / _ . ~ -"
            )
            continue
        if ocd_id in first_seen:
            problems.append(
                f"feature {feature.number}: {ocd_id} is also feature {first_seen[ocd_id]}; a district "
                "must be one feature (a MultiPolygon for a district in several parts)"
            )
            continue
        first_seen[ocd_id] = feature.number
        try:
            boundary = geometry.from_geojson(feature.geometry)
            geometry.check_lonlat(boundary)
            boundary, repaired = geometry.repair(boundary)
        except geometry.ShapeError as error:
            problems.append(f"feature {feature.number} ({ocd_id}): {error}")
            continue
        name = clean_line(census_name or _name(feature.properties, options)) or ocd_id
        level = level_option or kind_level or LEVEL_OF_KIND.get(districts.division_kind(ocd_id), Level.OTHER)
        parsed.append(
            Parsed(
                feature.number,
                ocd_id,
                name[:MAX_FIELD],
                level,
                boundary,
                geometry.to_wkb(boundary),
                repaired,
            )
        )
    if problems:
        shown = "\n".join(f"  - {problem}" for problem in problems[:PROBLEMS_SHOWN])
        more = len(problems) - PROBLEMS_SHOWN
        raise ValidationError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the file; nothing was imported.\n"
            f"{shown}" + (f"\n  … and {more} more" if more > 0 else "")
        )
    if not parsed:
        raise ValidationError(
            "The file holds no districts (every area in it is outside any). Nothing was imported."
        )
    return parsed, skipped


def identify(
    properties: dict[str, Any], options: dict[str, Any], prefix: str
) -> tuple[str, str, Level | None]:
    """(OCD id, name if the id came from Census fields, level if known) of one feature."""
    name_from_census = ""
    level: Level | None = None
    explicit = options.get("id_property")
    raw: Any = None
    if explicit:
        if explicit not in properties:
            raise ValueError(f"it has no property {explicit!r} (its properties: {_listed(properties)})")
        raw = properties[explicit]
    else:
        raw = _first(properties, ID_PROPERTIES)
        if raw is None:
            census = census_division(properties)
            if census is not None:
                ocd_id, name_from_census, level = census
                return ocd_id, name_from_census, level
            raw = _first(properties, FALLBACK_ID_PROPERTIES)
    if raw is None or str(raw).strip() == "":
        raise ValueError(
            "it has no OCD id: name the property holding it with --id-property "
            f"(its properties: {_listed(properties)})"
        )
    ocd_id = (prefix + str(raw).strip()).lower()
    if len(ocd_id) > MAX_FIELD:
        raise ValueError(f"its id is longer than {MAX_FIELD} characters")
    if not districts.is_ocd_id(ocd_id):
        raise ValueError(
            f"its id {ocd_id!r} is not an OCD division id (like ocd-division/country:us/state:ca/cd:12); "
            "name the property holding one with --id-property, or put the missing start before "
            "every id with --id-prefix"
        )
    return ocd_id, name_from_census, level


def _first(properties: dict[str, Any], names: tuple[str, ...]) -> Any:
    lowered = {key.lower(): value for key, value in properties.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None and str(value).strip() != "":
            return value
    return None


def _name(properties: dict[str, Any], options: dict[str, Any]) -> str:
    if options.get("name_property"):
        value = properties.get(options["name_property"])
        return str(value).strip() if value is not None else ""
    for name in NAME_PROPERTIES:  # exact case first: NAME before NAMELSAD
        value = properties.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _listed(properties: dict[str, Any]) -> str:
    names = list(properties)
    return ", ".join(names[:12]) + (", …" if len(names) > 12 else "") if names else "none"


# --- Census cartographic boundary files ------------------------------------------------------

CD_FIELD = re.compile(r"^CD\d{2,3}FP$")
NUMBERED = re.compile(r"^0*(\d+)([A-Z]?)$")
NOT_IN_A_DISTRICT = {"ZZ", "ZZZ"}


def census_division(properties: dict[str, Any]) -> tuple[str, str, Level] | None:
    """(OCD id, name, level) from a Census boundary file's fields, or None when the record
    is not a congressional, state legislative or state boundary. Raises Skip for the
    areas the Census puts in no district."""
    fields = {key.upper(): ("" if value is None else str(value).strip()) for key, value in properties.items()}
    geoid = fields.get("GEOID", "")
    fips = fields.get("STATEFP") or geoid[:2]
    if not fips:
        return None
    state = districts.US_STATES_BY_FIPS.get(fips)
    cd_field = next((key for key in fields if CD_FIELD.match(key)), None)
    lsad = fields.get("NAMELSAD", "")
    if (cd_field or "SLDUST" in fields or "SLDLST" in fields) and state is None:
        raise ValueError(f"its STATEFP {fips!r} is not a US state, DC or territory the FIPS table knows")
    if cd_field:
        code = fields[cd_field] or geoid[2:]
        if code in NOT_IN_A_DISTRICT:
            raise Skip
        assert state is not None
        name = f"{state.name} {lsad or 'Congressional District ' + code}"
        if state.division_type != "state":
            # DC's delegate and Puerto Rico's commissioner answer for the whole of it, and
            # the target importers file them there (imports/ocd.py): no `cd:` of their own.
            return state.division, name, Level.FEDERAL
        seat = "at-large" if code in ("00", "98") else _numbered(code, fields)
        return f"{state.division}/cd:{seat}", name, Level.FEDERAL
    for field, kind in (("SLDUST", "sldu"), ("SLDLST", "sldl")):
        if field in fields:
            code = fields[field] or geoid[2:]
            if code in NOT_IN_A_DISTRICT:
                raise Skip
            assert state is not None
            chamber = "State Senate" if kind == "sldu" else "State House"
            name = f"{state.name} {lsad or chamber + ' District ' + code}"
            return f"{state.division}/{kind}:{_numbered(code, fields)}", name, Level.STATE
    if state is not None and len(geoid) == 2 and ("STUSPS" in fields or "NAME" in fields):
        return state.division, fields.get("NAME") or state.name, Level.STATE
    return None


def _numbered(code: str, fields: dict[str, str]) -> str:
    """A district's OCD id part: its number without leading zeros ("011" → "11", "01A" →
    "1a"), or where the state names its districts, the name as OCD writes it."""
    match = NUMBERED.match(code.upper())
    if match:
        return (match.group(1).lstrip("0") or "0") + match.group(2).lower()
    name = fields.get("NAME") or code
    slug = re.sub(r"[^\w.~-]+", "_", name.strip().lower()).strip("_")
    if not slug:
        raise ValueError(f"its district code {code!r} has no number or name to make an OCD id from")
    return slug


# --- Overlaps --------------------------------------------------------------------------------


def overlaps(parsed: list[Parsed], *, limit: int = 10) -> list[str]:
    """Pairs of districts of one kind whose areas overlap: worth a look, not a refusal."""
    by_kind: dict[str, list[Parsed]] = defaultdict(list)
    for item in parsed:
        by_kind[districts.division_kind(item.ocd_id)].append(item)
    found: list[str] = []
    for items in by_kind.values():
        if len(items) < 2:
            continue
        shapes = [item.boundary for item in items]
        tree = STRtree(shapes)
        left, right = tree.query(shapes, predicate="overlaps")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            shared = geometry.area_km2(shapely.intersection(shapes[i], shapes[j]))
            if shared >= OVERLAP_KM2:
                found.append(
                    f"{items[i].ocd_id} and {items[j].ocd_id} overlap (about {shared:,.2f} km²); "
                    f"a point in both is given to {min(items[i].ocd_id, items[j].ocd_id)}"
                )
            if len(found) >= limit:
                return found
    return found


# --- Writing ---------------------------------------------------------------------------------


def write(parsed: list[Parsed], *, source: str, summary: Summary, dry_run: bool, advance: Any) -> None:
    existing = dict(_existing([item.ocd_id for item in parsed]))
    now = timezone.now()
    new: list[District] = []
    changed: list[District] = []
    for item in parsed:
        west, south, east, north = geometry.bounds(item.boundary)
        known = existing.get(item.ocd_id)
        if known is None:
            new.append(
                District(
                    ocd_id=item.ocd_id,
                    name=item.name,
                    level=item.level,
                    boundary=item.wkb,
                    min_longitude=west,
                    min_latitude=south,
                    max_longitude=east,
                    max_latitude=north,
                    source=source,
                )
            )
            continue
        if (
            known.name == item.name
            and known.level == item.level
            and bytes(known.boundary) == item.wkb
            and not known.is_demo
        ):
            summary.unchanged += 1
            continue
        known.name, known.level, known.boundary = item.name, item.level, item.wkb
        known.min_longitude, known.min_latitude, known.max_longitude, known.max_latitude = (
            west,
            south,
            east,
            north,
        )
        known.source, known.is_demo, known.modified_at = source, False, now
        changed.append(known)
    summary.added, summary.changed = len(new), len(changed)
    if dry_run:
        advance(len(parsed))
        return
    with transaction.atomic():
        for batch in _batches(new):
            District.objects.bulk_create(batch)
            advance(len(batch))
        for batch in _batches(changed):
            District.objects.bulk_update(
                batch,
                [
                    "name",
                    "level",
                    "boundary",
                    "min_longitude",
                    "min_latitude",
                    "max_longitude",
                    "max_latitude",
                    "source",
                    "is_demo",
                    "modified_at",
                ],
            )
            advance(len(batch))
        if new or changed:
            districts.mark_changed()
    advance(summary.unchanged)


def _existing(ocd_ids: list[str]) -> Iterator[tuple[str, District]]:
    for start in range(0, len(ocd_ids), 500):
        for district in District.objects.filter(ocd_id__in=ocd_ids[start : start + 500]):
            yield district.ocd_id, district


def _batches(items: list[District]) -> Iterator[list[District]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
