"""Cleaning of text people type, before it is validated or stored."""

import re
import unicodedata

# Characters that have no business in a name or an address: C0/C1 controls and
# the bidirectional overrides that can make a name display as something else.
# Ordinary right-to-left text (Arabic, Hebrew) is left untouched.
_BIDI_OVERRIDES = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
}
# Zero-width (non-)joiners are invisible but spell words in Persian and Indic scripts.
_JOINERS = {"\u200c", "\u200d"}
# What ends a line in text pasted from anywhere: CR LF, CR, NEL, the line and
# paragraph separators, vertical tab and form feed. All become "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\u0085\u2028\u2029\x0b\x0c]")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def clean_line(value: str | None) -> str:
    """One line of text: NFC-normalized, controls and bidi overrides removed, spaces collapsed."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", str(value))
    kept = []
    for ch in value:
        if ch in _BIDI_OVERRIDES:
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")  # tabs, newlines and other controls separate words
            continue
        if category == "Cf" and ch not in _JOINERS:
            continue  # invisible formatting; zero-width (non-)joiners stay for Persian and Indic
        kept.append(ch)
    return " ".join("".join(kept).split())


def clean_text(value: str | None) -> str:
    """Text of several lines (a description, a message, notes): NFC-normalized, every line
    break made "\\n", bidi overrides and other invisible formatting removed, controls other
    than newline and tab removed. Spaces inside lines are kept (Markdown's indented code and
    hard line breaks depend on them); blank lines before the text and whitespace after it go.

    A bidi override in a description or a message can make the text display as something
    other than what it says (a link that reads backwards, a reversed amount), so it goes here
    as it does in clean_line."""
    if not value:
        return ""
    value = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", str(value)))
    kept = []
    for ch in value:
        if ch in _BIDI_OVERRIDES:
            continue
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\n\t":
            continue
        if category == "Cf" and ch not in _JOINERS:
            continue
        kept.append(ch)
    return _LEADING_BLANK_LINES.sub("", "".join(kept)).rstrip()
