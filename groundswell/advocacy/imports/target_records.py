"""What every target file becomes before anything is written: records, and the problems found.

Each reader (congress-legislators, Open States, a movement's own CSV) turns its file into
`TargetRecord`s and reports what is wrong into one `Problems`, naming the file, the line and
the column (or field); the import writes only when the whole input had none. A record holds
only the fields its format knows: a field it leaves out is left as it is on re-import (the
congress CSV has no term dates, a movement's CSV may have no photo column).
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator

from groundswell.advocacy.imports import ocd
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line

# The model's column sizes (advocacy.models.Target and TargetPhone), checked before writing so
# that a long value is a message naming its line, not a database error halfway through.
MAX_LENGTH = {
    "name": 200,
    "title": 200,
    "office": 200,
    "party": 60,
    "email": 254,
    "contact_form_url": 500,
    "photo_url": 500,
    "ocd_id": 200,
    "external_id": 200,
    "phone_label": 100,
    "phone": 40,
}
# How many problems one message lists; the rest are counted.
SHOWN_PROBLEMS = 20

_PHONE = re.compile(r"[0-9+().\-/\s]*(?:(?:ext\.?|extension|x)\s*[0-9]+)?")
_validate_url = URLValidator(schemes=["http", "https"])
_validate_email = EmailValidator()


@dataclass(frozen=True)
class Where:
    """A place in an input: a file, a line, and the column or field."""

    file: str
    line: int | None = None
    column: str = ""

    def at(self, column: str, line: int | None = None) -> "Where":
        return Where(self.file, self.line if line is None else line, column)

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f", line {self.line}"
        if self.column:
            # A CSV has columns; a YAML file has fields ("terms[3].phone").
            word = "field" if self.file.lower().endswith((".yml", ".yaml", ".json")) else "column"
            text += f', {word} "{self.column}"'
        return text


@dataclass(frozen=True)
class PhoneRecord:
    label: str
    number: str


@dataclass
class TargetRecord:
    """One target as a file describes it. `values` holds the Target fields the format knows,
    already cleaned; `phones` is None when the format says nothing about phones. `scope` is
    the division a complete file of this source covers (an Open States state directory
    speaks for that state only); empty when the file covers the whole source."""

    source: str
    external_id: str
    where: Where
    values: dict[str, Any] = field(default_factory=dict)
    phones: tuple[PhoneRecord, ...] | None = None
    scope: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


class Problems:
    """The problems found in an input, each with its place. Readers add to it and carry on,
    so one run shows every bad row (up to SHOWN_PROBLEMS), not only the first."""

    def __init__(self) -> None:
        self.found: list[tuple[Where, str]] = []

    def add(self, where: Where, message: str) -> None:
        self.found.append((where, message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        count = len(self.found)
        lines = [f"{where}: {message}" for where, message in self.found[:SHOWN_PROBLEMS]]
        if count > SHOWN_PROBLEMS:
            lines.append(f"…and {count - SHOWN_PROBLEMS} more.")
        heading = "1 problem" if count == 1 else f"{count} problems"
        raise ValidationError(f"{heading} found; nothing was imported.\n" + "\n".join(lines), field="file")


# --- Cleaning one value -----------------------------------------------------------------------
# Each takes the raw value and where it was, returns the clean value (or "" / None), and adds a
# problem when the value cannot be used.


# What a YAML scalar becomes; a list or a mapping where text belongs is a mistake, and
# printing one could be large.
SCALARS = (str, int, float, bool, datetime.date)


def text(problems: Problems, where: Where, value: Any, *, limit: str = "", required: bool = False) -> str:
    if value is not None and not isinstance(value, SCALARS):
        kind = "a list" if isinstance(value, list) else "a mapping"
        problems.add(where, f"is not text (it is {kind}).")
        return ""
    cleaned = clean_line(str(value)) if value is not None else ""
    if required and not cleaned:
        problems.add(where, "is empty; it is needed.")
    elif limit and len(cleaned) > MAX_LENGTH[limit]:
        problems.add(where, f"is {len(cleaned)} characters long; at most {MAX_LENGTH[limit]} fit.")
        return cleaned[: MAX_LENGTH[limit]]
    return cleaned


def lines(value: Any, *, separator: str = "") -> str:
    """A postal address: each line cleaned, kept on its own line (Open States separates the
    lines of an address with ";")."""
    if value is None or not isinstance(value, SCALARS):
        return ""
    raw = str(value).replace(separator, "\n") if separator else str(value)
    return "\n".join(filter(None, (clean_line(line) for line in raw.splitlines())))


def url(problems: Problems, where: Where, value: Any, *, limit: str) -> str:
    cleaned = text(problems, where, value, limit=limit)
    if cleaned:
        try:
            _validate_url(cleaned)
        except DjangoValidationError:
            problems.add(where, f"{cleaned!r} is not a web address (it should start with https://).")
            return ""
    return cleaned


def email(problems: Problems, where: Where, value: Any) -> str:
    cleaned = text(problems, where, value, limit="email")
    if cleaned:
        try:
            _validate_email(cleaned)
        except DjangoValidationError:
            problems.add(where, f"{cleaned!r} is not an email address.")
            return ""
    return cleaned


def phone(problems: Problems, where: Where, value: Any) -> str:
    cleaned = text(problems, where, value, limit="phone")
    if cleaned and (sum(ch.isdigit() for ch in cleaned) < 3 or not _PHONE.fullmatch(cleaned.lower())):
        problems.add(where, f"{cleaned!r} is not a phone number.")
        return ""
    return cleaned


def day(problems: Problems, where: Where, value: Any) -> datetime.date | None:
    """A date as YAML reads it (a date already) or as text (YYYY-MM-DD)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(clean_line(str(value)))
    except ValueError:
        problems.add(where, f"{value!r} is not a date (write it as YYYY-MM-DD).")
        return None


def ocd_id(problems: Problems, where: Where, value: Any) -> str:
    cleaned = text(problems, where, value, limit="ocd_id").lower()
    if cleaned and not ocd.is_ocd_id(cleaned):
        problems.add(
            where,
            f"{cleaned!r} is not an OCD division id (like ocd-division/country:us/state:ca/cd:12); "
            "leave it empty for a target who stands alone.",
        )
        return ""
    return cleaned
