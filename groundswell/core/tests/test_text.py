"""Cleaning what people type: one line (names, titles) and many lines (descriptions, messages)."""

import pytest

from groundswell.core.text import clean_line, clean_text

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("override", BIDI)
def test_clean_text_strips_every_bidi_override(override):
    # "Pay $01" that displays as "Pay $10": the override is gone, the text reads as stored.
    assert clean_text(f"Pay ${override}10\u202c\nthanks") == "Pay $10\nthanks"


def test_clean_text_keeps_lines_paragraphs_and_tabs():
    text = "Hello all,\n\n\tBring water.\n- a list\n- of things"
    assert clean_text(text) == text


def test_clean_text_makes_every_line_break_a_newline():
    assert clean_text("a\r\nb\rc\u0085d\u2028e\u2029f\x0bg\x0ch") == "a\nb\nc\nd\ne\nf\ng\nh"


def test_clean_text_drops_other_controls_and_invisible_formatting():
    assert clean_text("bell\x07 esc\x1b[31m nul\x00 del\x7f zw\u200bsp bom\ufeff") == (
        "bell esc[31m nul del zwsp bom"
    )


def test_clean_text_keeps_right_to_left_writing_and_joiners():
    arabic, hebrew = "مرحبا بالجميع", "שלום לכולם"
    persian = "می\u200cخواهم"  # the zero-width non-joiner spells the word
    assert clean_text(f"{arabic}\n{hebrew}\n{persian}") == f"{arabic}\n{hebrew}\n{persian}"


def test_clean_text_normalizes_and_trims_only_the_ends():
    assert clean_text("Cafe\u0301") == "Café"
    # Leading blank lines and trailing whitespace go; the first line's indentation (a
    # Markdown code block) and two trailing spaces inside (a hard line break) stay.
    assert clean_text("\n \n    code\nline  \nend \n\n ") == "    code\nline  \nend"
    assert clean_text(None) == clean_text("") == clean_text(" \n\t ") == ""


def test_clean_line_still_makes_one_line():
    assert clean_line(" Maya \u202eAnn\n  Lee\t") == "Maya Ann Lee"
