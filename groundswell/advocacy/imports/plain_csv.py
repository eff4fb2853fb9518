"""A movement's own list of targets as a CSV: a city council, a parliament, a company board.

Columns (in any order; only `name` is needed): name, title, level, ocd_id, party, phone,
email, contact_form_url, photo_url, and optionally id, office, chamber, address, phone_label,
term_start, term_end, message_limit (the most characters the office's contact form takes).
`level` is federal, state, local or other (national, provincial, regional, municipal are
understood too); `ocd_id` may be empty for a target who stands alone.
Several phones go in one cell separated by ";", their labels likewise in `phone_label`.

A row is found again on re-import by its `id`, or, without one, by a key made of its name,
title and division: changing any of those makes a new target (the old one stays, and is
retired with `--retire-missing`). A column the file leaves out leaves that field as it is.
"""

import hashlib
from collections.abc import Iterator
from typing import Any, Protocol

from groundswell.advocacy.imports import target_records as clean
from groundswell.advocacy.imports.target_records import PhoneRecord, Problems, TargetRecord, Where
from groundswell.advocacy.models import Level, Target
from groundswell.core.text import clean_line

SOURCE = "csv"
COLUMNS = (
    "name",
    "title",
    "level",
    "ocd_id",
    "party",
    "phone",
    "email",
    "contact_form_url",
    "photo_url",
    "id",
    "office",
    "chamber",
    "address",
    "phone_label",
    "term_start",
    "term_end",
    "message_limit",
)
ALIASES = {
    "ocd_division_id": "ocd_id",
    "division": "ocd_id",
    "contact_form": "contact_form_url",
    "photo": "photo_url",
    "postal_address": "address",
    "external_id": "id",
    "phones": "phone",
    "phone_labels": "phone_label",
}
LEVELS = {
    "federal": Level.FEDERAL,
    "national": Level.FEDERAL,
    "state": Level.STATE,
    "provincial": Level.STATE,
    "regional": Level.STATE,
    "local": Level.LOCAL,
    "municipal": Level.LOCAL,
    "other": Level.OTHER,
}
CHAMBERS = {
    "upper": Target.Chamber.UPPER,
    "senate": Target.Chamber.UPPER,
    "lower": Target.Chamber.LOWER,
    "house": Target.Chamber.LOWER,
    "assembly": Target.Chamber.LOWER,
    "executive": Target.Chamber.EXECUTIVE,
}
# Plain text columns and the model field each fills.
_TEXT = {"title": "title", "office": "office", "party": "party"}


class Rows(Protocol):
    """A csv.reader: rows, and the line the last one ended on."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def column_name(header: str) -> str:
    """`Contact form URL` → `contact_form_url`; aliases to their column."""
    word = "_".join("".join(ch if ch.isalnum() else " " for ch in clean_line(header).lower()).split())
    return ALIASES.get(word, word)


def stable_key(name: str, title: str, ocd_id: str) -> str:
    """The id of a row without one: the same person in the same seat keeps the same key
    whatever the case or spacing of the file."""
    parts = "\x1f".join(part.casefold() for part in (name, title, ocd_id))
    return "key:" + hashlib.sha256(parts.encode()).hexdigest()[:24]


def looks_like(header: list[str]) -> bool:
    return "name" in {column_name(cell) for cell in header}


def read(rows: Rows, header: list[str], *, name: str, source: str, problems: Problems) -> list[TargetRecord]:
    columns = [column_name(cell) for cell in header]
    seen: set[str] = set()
    for index, column in enumerate(columns):
        if column not in COLUMNS:
            problems.add(
                Where(name, 1, header[index].strip() or f"#{index + 1}"),
                "is not a column this import knows (" + ", ".join(COLUMNS) + ").",
            )
        elif column in seen:
            problems.add(Where(name, 1, column), "appears twice in the header.")
        seen.add(column)
    if "name" not in seen:
        problems.add(Where(name, 1), "has no name column: a list of targets needs at least their names.")
    if problems:
        return []
    records = []
    for cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        where = Where(name, rows.line_num)
        if len(cells) > len(columns):
            problems.add(where, f"has {len(cells)} cells; the header has {len(columns)} columns.")
            continue
        row = dict(zip(columns, cells, strict=False))
        record = _record(problems, where, row, source)
        if record is not None:
            records.append(record)
    return records


def _record(problems: Problems, where: Where, row: dict[str, str], source: str) -> TargetRecord | None:
    values: dict[str, Any] = {"serving": True}
    full_name = clean.text(problems, where.at("name"), row.get("name"), limit="name", required=True)
    values["name"] = full_name
    for column, model_field in _TEXT.items():
        if column in row:
            values[model_field] = clean.text(problems, where.at(column), row[column], limit=column)
    if "level" in row:
        word = clean_line(row["level"]).lower()
        if word and word not in LEVELS:
            problems.add(where.at("level"), f"{word!r} is not a level (federal, state, local or other).")
        values["level"] = LEVELS.get(word, Level.OTHER)
    if "chamber" in row:
        word = clean_line(row["chamber"]).lower()
        if word and word not in CHAMBERS:
            problems.add(where.at("chamber"), f"{word!r} is not a chamber (upper, lower or executive).")
        values["chamber"] = CHAMBERS.get(word, Target.Chamber.NONE)
    if "ocd_id" in row:
        values["ocd_id"] = clean.ocd_id(problems, where.at("ocd_id"), row["ocd_id"])
    if "email" in row:
        values["email"] = clean.email(problems, where.at("email"), row["email"])
    for column in ("contact_form_url", "photo_url"):
        if column in row:
            values[column] = clean.url(problems, where.at(column), row[column], limit=column)
    if "address" in row:
        values["postal_address"] = clean.lines(row["address"])
    for column in ("term_start", "term_end"):
        if column in row:
            values[column] = clean.day(problems, where.at(column), row[column])
    if "message_limit" in row:
        values["message_limit"] = _limit(problems, where.at("message_limit"), row["message_limit"])
    phones = _phones(problems, where, row) if "phone" in row else None
    external_id = clean.text(problems, where.at("id"), row.get("id"), limit="external_id")
    if not full_name:
        return None
    if not external_id:
        external_id = stable_key(full_name, values.get("title", ""), values.get("ocd_id", ""))
    return TargetRecord(source=source, external_id=external_id, where=where, values=values, phones=phones)


def _limit(problems: Problems, where: Where, raw: str) -> int | None:
    """A length limit in characters ("2,000" read as 2000), or None when the cell is empty."""
    cell = clean_line(raw).replace(",", "").replace("_", "")
    if not cell:
        return None
    if not cell.isascii() or not cell.isdigit() or not 50 <= int(cell) <= 100_000:
        problems.add(where, f"{clean_line(raw)!r} is not a number of characters between 50 and 100,000.")
        return None
    return int(cell)


def _phones(problems: Problems, where: Where, row: dict[str, str]) -> tuple[PhoneRecord, ...]:
    numbers = [part for part in row["phone"].split(";") if part.strip()]
    labels = [clean_line(part) for part in row.get("phone_label", "").split(";")]
    phones = []
    for index, raw in enumerate(numbers):
        number = clean.phone(problems, where.at("phone"), raw)
        label = labels[index] if index < len(labels) else ""
        if len(label) > clean.MAX_LENGTH["phone_label"]:
            problems.add(
                where.at("phone_label"), f"is longer than {clean.MAX_LENGTH['phone_label']} characters."
            )
        if number:
            phones.append(PhoneRecord(label[: clean.MAX_LENGTH["phone_label"]], number))
    return tuple(phones)
