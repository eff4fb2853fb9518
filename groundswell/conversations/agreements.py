"""The agreements a flag can name: the group's own (written by its leaders, one per line or
list item in `Group.agreements`) and the movement's, which hold everywhere.

A flag stores the agreement's words as they were offered, so a group rewriting its
agreements later does not change what an old flag said."""

import re

from groundswell.groups.models import Group

# The movement's own agreements: short, so a flag's list stays readable on a phone.
MOVEMENT_AGREEMENTS = (
    "Be respectful: no insults, threats or harassment",
    "No hate: nothing against people for who they are",
    "Keep private details private: no one's address, phone or email without their say",
    "No spam, scams or advertising",
    "Stay on topic: this is a place to organize",
    "Nothing illegal or unsafe",
)

# A list item's marker ("- ", "* ", "1. ", "2) ") before an agreement's words.
_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
AGREEMENT_MAX = 200


def group_agreements(group: Group | None) -> list[str]:
    """The group's own agreements, one per non-empty line (list markers and Markdown
    emphasis taken off), each cut to the length a flag keeps."""
    if group is None or not group.agreements:
        return []
    found: list[str] = []
    for line in group.agreements.splitlines():
        words = _MARKER.sub("", line).strip().strip("*_#> ").strip()
        if words and words not in found:
            found.append(words[:AGREEMENT_MAX])
    return found


def agreements_for(group: Group | None) -> list[str]:
    """What a flag in this group's thread (or elsewhere: `group` None) may name."""
    return [*group_agreements(group), *MOVEMENT_AGREEMENTS]
