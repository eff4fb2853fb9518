"""Cleaning of text people type, before it is validated or stored."""

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
        if category == "Cf" and ch not in {"\u200c", "\u200d"}:
            continue  # invisible formatting; zero-width (non-)joiners stay for Persian and Indic
        kept.append(ch)
    return " ".join("".join(kept).split())
