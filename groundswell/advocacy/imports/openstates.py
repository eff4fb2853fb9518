"""Open States people files: one YAML file per person (openstates/people `data/<state>/…`).

A person has `id` (ocd-person/…), `name`, a `party` list, `roles` (legislative: `type`
upper, lower or legislature — a one-chamber legislature —, `district`, `jurisdiction`;
executive: governor, mayor…; each with optional start and end dates) and their offices
(`offices` with a classification, or `contact_details` with a note, in older files), each with
an address and a phone (`voice`). The role in force today says who they are; a person whose
roles have all ended is imported as no longer serving.

District names become OCD ids through the Open States metadata where it is installed
(`openstates_metadata`: every state's chambers and the division id of each district, and
titles such as "Assembly Member" or "Delegate"); without it the plain rule of `ocd.py`
applies, which is right for numbered districts and most named ones.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any

from groundswell.advocacy.imports import ocd
from groundswell.advocacy.imports import target_records as clean
from groundswell.advocacy.imports.located_yaml import LocatedDict
from groundswell.advocacy.imports.target_records import PhoneRecord, Problems, TargetRecord, Where
from groundswell.advocacy.models import Level, Target
from groundswell.core.text import clean_line

SOURCE = "openstates"
LEGISLATIVE = {"upper", "lower", "legislature"}
EXECUTIVE_TITLES = {"lt_governor": "Lieutenant Governor"}
FALLBACK_TITLES = {"upper": "Senator", "lower": "Representative", "legislature": "Member"}
FALLBACK_CHAMBER_NAMES = {"upper": "Senate", "lower": "House", "legislature": "Legislature"}
OFFICE_LABELS = {"capitol": "Capitol office", "district": "District office", "primary": "Office"}
# Open States dates may be a year, a month or a day.
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@functools.cache
def metadata() -> Any | None:
    """The `openstates_metadata` module, when installed (an optional dependency)."""
    try:
        import openstates_metadata
    except ImportError:
        return None
    return openstates_metadata


@dataclass(frozen=True)
class Seat:
    title: str
    office: str
    chamber: str
    ocd_id: str
    level: Level
    # The district name was not in the metadata: the plain rule made the id.
    guessed: bool = False


def _state_metadata(jurisdiction: str) -> Any | None:
    module = metadata()
    if module is None:
        return None
    try:
        return module.lookup(jurisdiction_id=jurisdiction)
    except (KeyError, ValueError):
        return None


def legislative_seat(jurisdiction: str, role_type: str, district: str) -> Seat:
    division = ocd.division_of_jurisdiction(jurisdiction)
    state = _state_metadata(jurisdiction)
    # A one-chamber legislature's members count as its upper chamber, as OCD files their
    # districts under sldu: a campaign aimed at "state senators" reaches Nebraska's.
    chamber_kind = Target.Chamber.LOWER if role_type == "lower" else Target.Chamber.UPPER
    if state is not None:
        chamber = state.legislature if state.unicameral else getattr(state, role_type, None)
        found = chamber.lookup_district(name=district) if chamber is not None else None
        if chamber is not None:
            office = chamber.name if state.unicameral else f"{state.name} {chamber.name}"
            title = (found.title_override if found is not None else None) or chamber.title
            if found is not None and found.division_id:
                return Seat(title, office, chamber_kind, found.division_id, Level.STATE)
            return Seat(
                title,
                office,
                chamber_kind,
                ocd.state_legislative_district(division, role_type, district),
                Level.STATE,
                guessed=True,
            )
    place = ocd.PLACES.get(ocd.postal_abbr_of(division), "")
    return Seat(
        FALLBACK_TITLES[role_type],
        f"{place} {FALLBACK_CHAMBER_NAMES[role_type]}".strip(),
        chamber_kind,
        ocd.state_legislative_district(division, role_type, district),
        Level.STATE,
    )


def executive_seat(jurisdiction: str, role_type: str) -> Seat:
    """A governor, a mayor, an attorney general: they answer for the whole jurisdiction."""
    division = ocd.division_of_jurisdiction(jurisdiction)
    title = EXECUTIVE_TITLES.get(role_type) or role_type.replace("_", " ").title()
    local = any(f"/{kind}:" in division for kind in ("place", "county", "municipality"))
    return Seat(
        title,
        f"Office of the {title}",
        Target.Chamber.EXECUTIVE,
        division,
        Level.LOCAL if local else Level.STATE,
    )


def _date(value: Any, *, end: bool) -> datetime.date | None:
    """A year, month or day; an end given as a year or a month means its last day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    match = _PARTIAL_DATE.fullmatch(clean_line(str(value)))
    if not match:
        raise ValueError(value)
    year, month, day = int(match[1]), int(match[2] or (12 if end else 1)), match[3]
    if day is None:
        return datetime.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    return datetime.date(year, month, int(day))


def _dated(
    problems: Problems, where: Where, item: LocatedDict
) -> tuple[datetime.date | None, datetime.date | None]:
    dates = []
    for key, end in (("start_date", False), ("end_date", True)):
        try:
            dates.append(_date(item.get(key), end=end))
        except ValueError:
            problems.add(where.at(key, item.line_of(key)), f"{item.get(key)!r} is not a date (YYYY-MM-DD).")
            dates.append(None)
    return dates[0], dates[1]


def _in_force(dates: tuple[datetime.date | None, datetime.date | None], today: datetime.date) -> bool:
    start, end = dates
    return (start is None or start <= today) and (end is None or end >= today)


def _phones_and_address(
    problems: Problems, name: str, person: LocatedDict
) -> tuple[tuple[PhoneRecord, ...], str]:
    phones: list[PhoneRecord] = []
    addresses: list[tuple[bool, str]] = []
    entries = [("offices", entry) for entry in _list(person.get("offices"))]
    entries += [("contact_details", entry) for entry in _list(person.get("contact_details"))]
    for key, entry in entries:
        if not isinstance(entry, LocatedDict):
            continue
        kind = clean_line(str(entry.get("classification") or "")).lower()
        note = clean_line(str(entry.get("name") or entry.get("note") or ""))
        label = OFFICE_LABELS.get(kind) or (note[:1].upper() + note[1:].lower()) or "Office"
        capitol = kind == "capitol" or "capitol" in note.lower()
        where = Where(name, entry.line_of("voice"), f"{key}.voice")
        number = clean.phone(problems, where, entry.get("voice"))
        if number:
            phones.append(PhoneRecord(label[: clean.MAX_LENGTH["phone_label"]], number))
        address = clean.lines(entry.get("address"), separator=";")
        if address:
            addresses.append((capitol, address))
    # The capitol's address first: it is where letters to a legislator are read.
    addresses.sort(key=lambda item: not item[0])
    return tuple(phones), addresses[0][1] if addresses else ""


def _party(person: LocatedDict, today: datetime.date) -> str:
    parties = [entry for entry in _list(person.get("party")) if isinstance(entry, dict)]
    for entry in parties:
        try:
            end = _date(entry.get("end_date"), end=True)
        except ValueError:
            end = None
        if end is None or end >= today:
            return str(entry.get("name") or "")
    return str(parties[-1].get("name") or "") if parties else ""


def _list(value: Any) -> list[Any]:
    """A list from the file; anything else (`offices: 5`, a mapping) holds nothing to read."""
    return value if isinstance(value, list) else []


def is_person(data: Any) -> bool:
    return isinstance(data, dict) and str(data.get("id") or "").startswith("ocd-person/")


def is_organization(data: Any) -> bool:
    """A committee's file sits beside the people in openstates/people: skipped, not refused."""
    return isinstance(data, dict) and str(data.get("id") or "").startswith("ocd-organization/")


def read_person(
    data: LocatedDict, *, name: str, problems: Problems, today: datetime.date, notes: list[str]
) -> TargetRecord | None:
    where = Where(name, data.line)
    person_id = clean.text(problems, where.at("id", data.line_of("id")), data.get("id"), limit="external_id")
    full_name = clean.text(
        problems, where.at("name", data.line_of("name")), data.get("name"), limit="name", required=True
    )
    if not isinstance(data.get("roles") or [], list):
        problems.add(where.at("roles", data.line_of("roles")), "is not a list of roles.")
        return None
    roles = [
        (role, _dated(problems, where, role))
        for role in _list(data.get("roles"))
        if isinstance(role, LocatedDict)
    ]
    if not roles:
        problems.add(where.at("roles", data.line_of("roles")), "has no roles: nothing says what they hold.")
        return None
    in_force = [item for item in roles if _in_force(item[1], today)]
    if in_force:  # the latest begun
        role, dates = max(in_force, key=lambda item: item[1][0] or datetime.date.min)
    else:  # the latest ended
        role, dates = max(roles, key=lambda item: item[1][1] or datetime.date.min)
    role_type = clean_line(str(role.get("type") or "")).lower()
    jurisdiction = clean_line(str(role.get("jurisdiction") or "")).lower()
    if not jurisdiction.startswith("ocd-jurisdiction/country:"):
        problems.add(
            where.at("roles.jurisdiction", role.line_of("jurisdiction")),
            f"{jurisdiction!r} is not an Open States jurisdiction "
            "(like ocd-jurisdiction/country:us/state:nc/government).",
        )
        return None
    if role_type in LEGISLATIVE:
        district = clean_line(str(role.get("district") or ""))
        if not district:
            problems.add(where.at("roles.district", role.line), "is empty: a legislator has a district.")
            return None
        seat = legislative_seat(jurisdiction, role_type, district)
        if seat.guessed:
            notes.append(
                f"{name}: district {district!r} is not in the Open States metadata; used {seat.ocd_id}."
            )
    elif role_type:
        seat = executive_seat(jurisdiction, role_type)
    else:
        problems.add(where.at("roles.type", role.line), "is empty: upper, lower, legislature or an office.")
        return None
    phones, address = _phones_and_address(problems, name, data)
    values = {
        "name": full_name,
        "title": seat.title[: clean.MAX_LENGTH["title"]],
        "office": seat.office[: clean.MAX_LENGTH["office"]],
        "level": seat.level,
        "chamber": seat.chamber,
        "party": clean.text(
            problems, where.at("party", data.line_of("party")), _party(data, today), limit="party"
        ),
        "email": clean.email(problems, where.at("email", data.line_of("email")), data.get("email")),
        "photo_url": clean.url(
            problems, where.at("image", data.line_of("image")), data.get("image"), limit="photo_url"
        ),
        "postal_address": address,
        "term_start": dates[0],
        "term_end": dates[1],
        "ocd_id": seat.ocd_id,
        "serving": bool(in_force),
    }
    if not person_id.startswith("ocd-person/"):
        problems.add(
            where.at("id", data.line_of("id")),
            f"{person_id!r} is not an Open States person id (ocd-person/…).",
        )
        return None
    if not full_name:
        return None
    return TargetRecord(
        source=SOURCE,
        external_id=person_id,
        where=where,
        values=values,
        phones=phones,
        scope=ocd.division_of_jurisdiction(jurisdiction),
    )
