"""Import targets: congress-legislators YAML or CSV, Open States people, or your own CSV.

`groundswell import targets FILE… [--format …] [--source NAME] [--retire-missing] [--dry-run]`

Each FILE (or directory of Open States people) is read and checked whole before anything is
written: a bad row is named by file, line and column, a file of no known format says so, and
then nothing is imported. The writing is one transaction and idempotent: a target is found
again by its source and its id there (a bioguide id, an ocd-person id, the CSV's `id` or a
key of name, title and division), so a second run of the same file changes nothing. A
target that a complete file no longer lists is marked as no longer serving, never deleted.

Which files are complete: congress-legislators' file always (it lists all of Congress). Open
States people only when a directory is given (one person's file, or a few, speak for
themselves alone), and then only for the legislative chambers in it: an `nc/legislature`
directory retires North Carolina's missing senators and representatives, never the governor
or the city officials Open States files under the same state. A CSV only with
`--retire-missing`, which also makes files of Open States people complete.
"""

import csv
import datetime
import io
from argparse import ArgumentParser, BooleanOptionalAction
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from groundswell.advocacy.imports import congress, located_yaml, openstates, plain_csv
from groundswell.advocacy.imports.target_records import Problems, TargetRecord, Where
from groundswell.advocacy.imports.target_sync import Retirement, Tally, legislative_district, write
from groundswell.core.errors import ValidationError

FORMATS = ("congress-yaml", "congress-csv", "openstates", "csv")
# Sources the named formats write; a movement's own CSV may not borrow them (its rows would
# retire or overwrite the real ones).
RESERVED_SOURCES = {congress.SOURCE, openstates.SOURCE, "admin", "demo"}
YAML_SUFFIXES = (".yaml", ".yml", ".json")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
KNOWN = (
    "congress-legislators' legislators-current.yaml or .csv, Open States person YAML, "
    "or a CSV with a name column"
)


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="legislators-current.yaml/.csv, Open States person files or directories, or a CSV",
    )
    parser.add_argument(
        "--format", choices=["auto", *FORMATS], default="auto", help="default: from each file"
    )
    parser.add_argument(
        "--source",
        default=plain_csv.SOURCE,
        help='for a CSV: the name its targets are kept under (default "csv"); give each list its own',
    )
    parser.add_argument(
        "--retire-missing",
        action=BooleanOptionalAction,
        default=None,
        help="mark targets of the same source missing from the files as no longer serving "
        "(default: yes for congress and Open States files, no for a CSV)",
    )
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")


def run(options: dict[str, Any], console: Console) -> None:
    import_targets(
        [Path(name) for name in options["files"]],
        file_format=options.get("format") or "auto",
        source=options.get("source") or plain_csv.SOURCE,
        retire_missing=options.get("retire_missing"),
        dry_run=bool(options.get("dry_run")),
        console=console,
    )


@dataclass
class Reading:
    """What the files held, before any of it is written."""

    problems: Problems = field(default_factory=Problems)
    records: list[TargetRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0


def import_targets(
    paths: Sequence[Path],
    *,
    file_format: str = "auto",
    source: str = plain_csv.SOURCE,
    retire_missing: bool | None = None,
    dry_run: bool = False,
    console: Console | None = None,
    today: datetime.date | None = None,
) -> dict[str, Tally]:
    """Read, check and write; returns what happened per source. Raises ValidationError
    (listing every problem found) and writes nothing when any input is wrong."""
    console = console or Console(quiet=True)
    today = today or timezone.localdate()
    source = source.strip()
    if source in RESERVED_SOURCES or not source or len(source) > 40:
        raise ValidationError(
            f"--source {source!r} cannot be used: give a name of your own (at most 40 characters; "
            f"not {', '.join(sorted(RESERVED_SOURCES))}).",
            field="source",
        )
    reading = Reading()
    files = _files(paths, file_format, reading.problems)
    with _progress(console) as progress:
        task = progress.add_task("Reading", total=len(files))
        for path, shown, in_directory in files:
            _read(path, shown, in_directory, file_format, source, today, reading)
            progress.advance(task)
        _check_duplicates(reading)
        reading.problems.raise_if_any()
        task = progress.add_task("Writing", total=len(reading.records))
        with transaction.atomic():
            tallies = write(
                reading.records,
                retire=_retirements(
                    reading.records,
                    retire_missing,
                    from_directory=any(in_directory for _, _, in_directory in files),
                ),
                today=today,
                advance=lambda: progress.advance(task),
            )
            if dry_run:
                transaction.set_rollback(True)
    _report(console, tallies, reading, dry_run=dry_run)
    return tallies


def _files(paths: Sequence[Path], file_format: str, problems: Problems) -> list[tuple[Path, str, bool]]:
    """Each file to read, the name to show for it, and whether it came from a directory."""
    files = []
    for path in paths:
        if not path.is_dir():
            files.append((path, str(path), False))
            continue
        if file_format not in ("auto", "openstates"):
            problems.add(Where(str(path)), "is a directory: only Open States people come as a directory.")
            continue
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".yml", ".yaml"))
        if not found:
            problems.add(Where(str(path)), "is a directory with no .yml files in it.")
        files += [(p, str(p), True) for p in found]
    return files


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _read(
    path: Path,
    name: str,
    in_directory: bool,
    file_format: str,
    source: str,
    today: datetime.date,
    reading: Reading,
) -> None:
    problems = reading.problems
    where = Where(name)
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.add(where, f"cannot be read ({error.strerror or error}).")
        return
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(where, f"is not a text file in UTF-8, so not one of: {KNOWN}.")
        return
    kind = _family(path, content, file_format)
    if kind == "csv":
        _read_csv(content, name, file_format, source, reading)
        return
    try:
        data = located_yaml.load(content)
    except located_yaml.NotYaml as error:
        at = f"column {error.column}: " if error.column else ""
        problems.add(Where(name, error.line), f"{at}this is not valid YAML ({error.problem}).")
        return
    if file_format in ("auto", "congress-yaml") and _is_congress(data):
        records = congress.read_yaml(data, name=name, problems=problems, today=today)
        ended = sum(1 for record in records if not record.values["serving"])
        if ended * 2 > len(records):
            reading.warnings.append(
                f"{name}: {ended} of {len(records)} legislators' latest terms have ended: this looks "
                "like legislators-historical.yaml, not legislators-current.yaml. They are imported "
                "as no longer serving."
            )
        reading.records += records
    elif file_format in ("auto", "openstates") and openstates.is_person(data):
        record = openstates.read_person(data, name=name, problems=problems, today=today, notes=reading.notes)
        if record is not None:
            reading.records.append(record)
    elif in_directory and openstates.is_organization(data):
        reading.skipped += 1  # a committee beside the people
    elif file_format == "congress-yaml":
        problems.add(where, "is not a list of legislators (each with id, name and terms).")
    elif file_format == "openstates":
        problems.add(where, "is not an Open States person (its id should start with ocd-person/).")
    else:
        problems.add(where, f"is none of the formats this import knows: {KNOWN}.")


def _family(path: Path, content: str, file_format: str) -> str:
    """csv or yaml: from --format, else the extension, else the first line."""
    if file_format in ("csv", "congress-csv"):
        return "csv"
    if file_format in ("congress-yaml", "openstates"):
        return "yaml"
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in YAML_SUFFIXES:
        return "yaml"
    first = next((line for line in content.splitlines() if line.strip()), "")
    header = next(csv.reader([first], delimiter=_delimiter(first)), [])
    names = {plain_csv.column_name(cell) for cell in header}
    return "csv" if names >= congress.CSV_SIGNATURE or "name" in names else "yaml"


def _delimiter(first_line: str) -> str:
    """Spreadsheets in much of the world save CSV with ";" (the comma is their decimal
    point); some save tabs."""
    return max((",", ";", "\t"), key=first_line.count)


def _is_congress(data: Any) -> bool:
    if not isinstance(data, list) or not data:
        return False
    first = data[0]
    return isinstance(first, dict) and isinstance(first.get("id"), dict) and "terms" in first


def _read_csv(content: str, name: str, file_format: str, source: str, reading: Reading) -> None:
    problems = reading.problems
    first = next((line for line in content.splitlines() if line.strip()), "")
    try:
        rows = csv.reader(io.StringIO(content, newline=""), delimiter=_delimiter(first))
        header = next(rows, [])
        names = {plain_csv.column_name(cell) for cell in header}
        if file_format == "congress-csv" or (file_format == "auto" and names >= congress.CSV_SIGNATURE):
            if not names >= congress.CSV_SIGNATURE:
                missing = ", ".join(sorted(congress.CSV_SIGNATURE - names))
                problems.add(Where(name, 1), f"is not congress-legislators' CSV: it has no {missing} column.")
                return
            dict_rows = csv.DictReader(io.StringIO(content, newline=""))
            reading.records += congress.read_csv(dict_rows, name=name, problems=problems)
        elif file_format == "csv" or plain_csv.looks_like(header):
            reading.records += plain_csv.read(rows, header, name=name, source=source, problems=problems)
        else:
            problems.add(
                Where(name, 1),
                f"is none of the formats this import knows: {KNOWN} "
                "(congress-legislators' CSV has bioguide_id, type and state columns).",
            )
    except csv.Error as error:
        problems.add(Where(name), f"cannot be read as CSV ({error}).")


def _check_duplicates(reading: Reading) -> None:
    first: dict[tuple[str, str], Where] = {}
    for record in reading.records:
        if record.key in first:
            reading.problems.add(
                record.where,
                f"is the same target ({record.external_id}) as {first[record.key]}; each may appear once.",
            )
        else:
            first[record.key] = record.where


def _retirements(
    records: Sequence[TargetRecord], retire_missing: bool | None, *, from_directory: bool
) -> list[Retirement]:
    if retire_missing is False:
        return []
    rules = []
    sources = {record.source for record in records}
    if congress.SOURCE in sources:
        rules.append(Retirement(congress.SOURCE))
    if openstates.SOURCE in sources and (from_directory or retire_missing):
        chambers = frozenset(
            (record.scope, record.values["chamber"])
            for record in records
            if record.source == openstates.SOURCE
            and legislative_district(record.values["ocd_id"], record.scope)
        )
        rules.append(Retirement(openstates.SOURCE, chambers=chambers))
    if retire_missing:
        rules += [Retirement(source) for source in sorted(sources - {congress.SOURCE, openstates.SOURCE})]
    return rules


def _report(console: Console, tallies: dict[str, Tally], reading: Reading, *, dry_run: bool) -> None:
    table = Table(title="Dry run: nothing was written" if dry_run else "Targets imported")
    table.add_column("Source")
    for heading in ("Added", "Changed", "Unchanged", "Retired"):
        table.add_column(heading, justify="right")
    for source, tally in tallies.items():
        table.add_row(source, *(str(n) for n in (tally.added, tally.changed, tally.unchanged, tally.retired)))
    console.print(table)
    for warning in reading.warnings:
        console.print(f"[yellow]Warning:[/yellow] {warning}")
    if reading.skipped:
        console.print(f"Skipped {reading.skipped} committee file(s): they are not people.")
    if (
        any(record.source == openstates.SOURCE for record in reading.records)
        and openstates.metadata() is None
    ):
        console.print(
            "The openstates-metadata package is not installed: district ids follow the plain rule "
            "(sldu/sldl and the district's name). Install it for the exact ids of named districts."
        )
    for note in reading.notes[:20]:
        console.print(note)
    if len(reading.notes) > 20:
        console.print(f"…and {len(reading.notes) - 20} more districts not in the metadata.")
