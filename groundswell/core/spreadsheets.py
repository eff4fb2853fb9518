"""CSV files people open in a spreadsheet, with nothing in them a spreadsheet runs.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is read by Excel, LibreOffice and Google
Sheets as a formula, and a formula can fetch a URL with the sheet's data or, through DDE,
start a program ("CSV injection"). Names and notes in our exports are written by members, so
every cell goes through ``safe_cell``, which puts an apostrophe in front of such a cell: the
spreadsheet then shows it as text.

Spreadsheets also take lookalikes of those characters for them: the full-width forms typed
by Japanese and Chinese input methods (U+FF1D, U+FF0B, U+FF0D, U+FF20), the small forms
(U+FE66, U+FE62, U+FE63, U+FE6B) and the minus sign (U+2212); and a tab, a carriage return
or a line feed before a formula, or invisible characters (a zero-width space, a byte-order
mark), do not stop it. So the first character that shows is looked at, after
compatibility normalization (NFKC), which folds those lookalikes into ASCII.

A plain number (``-5``, ``+15555550123``, ``3.5``) is left as it is: it is no formula, and a
phone number stays usable.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

FORMULA_STARTS = frozenset("=+-@")
# NFKC leaves the minus sign alone; spreadsheets take it as a minus.
_MINUS_LOOKALIKES = frozenset("\u2212")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


class SupportsWrite(Protocol):
    def write(self, data: Any, /) -> Any: ...


def _first_shown(text: str) -> str:
    """The first character a spreadsheet would read, skipping space, controls and invisible
    formatting characters it ignores."""
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf"}:
            continue
        return ch
    return ""


def needs_quoting(text: str) -> bool:
    if not text or _PLAIN_NUMBER.fullmatch(text):
        return False
    if text[0] in "\t\r\n":
        return True  # a spreadsheet may drop it and read what follows
    first = _first_shown(text)
    if not first:
        return False
    return first in _MINUS_LOOKALIKES or bool(set(unicodedata.normalize("NFKC", first)) & FORMULA_STARTS)


def safe_cell(value: object) -> str:
    """The value as text a spreadsheet shows as written: an apostrophe before anything it
    would run as a formula. None is an empty cell."""
    text = "" if value is None else str(value)
    return f"'{text}" if needs_quoting(text) else text


def write_csv(out: SupportsWrite, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A header row and the rows, every cell through ``safe_cell``."""
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
