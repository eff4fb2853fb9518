"""The unitedstates/congress-legislators files: `legislators-current.yaml` and `.csv`.

Each legislator's latest term says who they are now: a senator (`sen`) answers for their
state's division, a representative (`rep`) for a congressional district, and the files write
a state's single at-large seat as district 0 (`…/cd:at-large` in OCD). DC and the territories
send a non-voting Delegate (Puerto Rico a Resident Commissioner). The Washington office's
phone is the one number the files carry ("DC office"). The files list only members serving
now, so the import retires a congress target missing from them. In the YAML a member
serves when their latest term has not ended by `today` (legislators-historical.yaml, given
by mistake, is all ended terms: the import says so); the CSV has no dates.
"""

import csv
import datetime
from collections.abc import Callable
from typing import Any

from groundswell.advocacy.imports import ocd
from groundswell.advocacy.imports import target_records as clean
from groundswell.advocacy.imports.located_yaml import LocatedDict
from groundswell.advocacy.imports.target_records import PhoneRecord, Problems, TargetRecord, Where
from groundswell.advocacy.models import Level, Target
from groundswell.core.text import clean_line

SOURCE = "congress-legislators"
DC_OFFICE = "DC office"
# The columns that tell the congress CSV from a movement's own.
CSV_SIGNATURE = {"bioguide_id", "type", "state"}


# Where a field of the current term is: a CSV cell, or a key in the YAML's latest term.
At = Callable[[str], Where]


def _seat(problems: Problems, at: At, term: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Title, office, chamber and division of a term; False when the term cannot be placed."""
    kind = clean_line(str(term.get("type") or "")).lower()
    abbr = clean_line(str(term.get("state") or "")).lower()
    district = term.get("district")
    if kind not in ("sen", "rep"):
        problems.add(at("type"), f"{kind!r} is neither sen (a senator) nor rep (a representative).")
        return {}, False
    if abbr not in ocd.PLACES:
        problems.add(at("state"), f"{abbr.upper()!r} is not a US state, DC or territory.")
        return {}, False
    if kind == "sen":
        return {
            "title": "Senator",
            "office": "U.S. Senate",
            "chamber": Target.Chamber.UPPER,
            "ocd_id": ocd.us_division(abbr),
        }, True
    if abbr not in ocd.STATES:  # DC and the territories send one member: no district to read
        title = "Resident Commissioner" if abbr == "pr" else "Delegate"
        return {
            "title": title,
            "office": "U.S. House of Representatives",
            "chamber": Target.Chamber.LOWER,
            "ocd_id": ocd.us_division(abbr),
        }, True
    try:
        number = int(str(district).strip())
        if number < 0:
            raise ValueError
    except (TypeError, ValueError):
        problems.add(at("district"), f"{district!r} is not a district number (0 for at-large).")
        return {}, False
    return {
        "title": "Representative",
        "office": "U.S. House of Representatives",
        "chamber": Target.Chamber.LOWER,
        "ocd_id": ocd.congressional_district(abbr, number),
    }, True


def _record(
    problems: Problems,
    where: Where,
    *,
    bioguide: tuple[Any, Where],
    name: tuple[Any, Where],
    term: dict[str, Any],
    at: At,
    today: datetime.date | None,
) -> TargetRecord | None:
    """`today` is None for the CSV, which has no term dates (and lists only members serving)."""
    bioguide_id = clean.text(problems, bioguide[1], bioguide[0], limit="external_id", required=True)
    full_name = clean.text(problems, name[1], name[0], limit="name", required=True)
    seat, placed = _seat(problems, at, term)
    values: dict[str, Any] = {
        "name": full_name,
        "level": Level.FEDERAL,
        "party": clean.text(problems, at("party"), term.get("party"), limit="party"),
        "contact_form_url": clean.url(
            problems, at("contact_form"), term.get("contact_form"), limit="contact_form_url"
        ),
        "postal_address": clean.lines(term.get("address")),
        "serving": True,
        **seat,
    }
    if today is not None:
        values["term_start"] = clean.day(problems, at("start"), term.get("start"))
        values["term_end"] = clean.day(problems, at("end"), term.get("end"))
        values["serving"] = values["term_end"] is None or values["term_end"] >= today
    number = clean.phone(problems, at("phone"), term.get("phone"))
    if not (bioguide_id and full_name and placed):
        return None
    return TargetRecord(
        source=SOURCE,
        external_id=bioguide_id,
        where=where,
        values=values,
        phones=(PhoneRecord(DC_OFFICE, number),) if number else (),
    )


def read_yaml(data: Any, *, name: str, problems: Problems, today: datetime.date) -> list[TargetRecord]:
    """legislators-current.yaml: a list of legislators, each with `id`, `name` and `terms`."""
    records = []
    for index, person in enumerate(data):
        if not isinstance(person, LocatedDict):
            problems.add(Where(name, None, f"entry {index + 1}"), "is not a legislator (a mapping).")
            continue
        where = Where(name, person.line)
        ids: dict[str, Any] = person["id"] if isinstance(person.get("id"), dict) else {}
        names: dict[str, Any] = person["name"] if isinstance(person.get("name"), dict) else {}
        listed = person.get("terms") or []
        if not isinstance(listed, list):
            problems.add(where.at("terms", person.line_of("terms")), "is not a list of terms.")
            continue
        terms = [(i, term) for i, term in enumerate(listed) if isinstance(term, LocatedDict)]
        if not terms:
            problems.add(where.at("terms"), "has no terms: the latest term says who they are now.")
            continue
        # The files list terms oldest first; taking the latest start guards a hand-edited file.
        position, latest = max(terms, key=lambda item: str(item[1].get("start") or ""))
        full_name = names.get("official_full") or " ".join(
            str(part) for part in (names.get("first"), names.get("last")) if part
        )
        id_line = ids.line_of("bioguide") if isinstance(ids, LocatedDict) else person.line
        name_line = names.line_of("official_full") if isinstance(names, LocatedDict) else person.line

        def at(key: str, term: LocatedDict = latest, position: int = position) -> Where:
            return Where(name, term.line_of(key), f"terms[{position}].{key}")

        record = _record(
            problems,
            where,
            bioguide=(ids.get("bioguide"), Where(name, id_line, "id.bioguide")),
            name=(full_name, Where(name, name_line, "name.official_full")),
            term=latest,
            at=at,
            today=today,
        )
        if record is not None:
            records.append(record)
    return records


def read_csv(reader: "csv.DictReader[str]", *, name: str, problems: Problems) -> list[TargetRecord]:
    """legislators-current.csv: one row per legislator, their current term flattened into it
    (no term dates)."""
    records = []
    for row in reader:
        where = Where(name, reader.line_num)
        full_name = row.get("full_name") or " ".join(
            part for part in (row.get("first_name"), row.get("last_name")) if part
        )
        record = _record(
            problems,
            where,
            bioguide=(row.get("bioguide_id"), where.at("bioguide_id")),
            name=(full_name, where.at("full_name")),
            term={key: value for key, value in row.items() if key},
            at=where.at,
            today=None,
        )
        if record is not None:
            records.append(record)
    return records
