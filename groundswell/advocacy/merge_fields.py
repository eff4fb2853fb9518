"""Merge fields in scripts, letter templates and subjects: `{member_name}` and its kin.

Organizers and members write these templates, so they are never Django templates (a
member's text must not run as code, reach the template context or call a filter): the
syntax is a name in braces and nothing else. `{{member_name}}` (how Mailchimp and Django
write it) is read as the same field; a brace is for fields only.

A template is checked when its campaign is saved (`check`): an unknown field or a stray
brace is refused with the field named, so nobody finds `{member_zip}` read out on a call.
Rendering fills each field with a value fit for where the text goes:

- `render_text`: plain text (a script on the page, a letter, an email body). Each value is
  one line (`clean_line`: no line breaks, controls or bidi overrides), so a name cannot
  add lines of its own; pages escape the result like any other text.
- `render_html`: the same text escaped for HTML, line breaks kept: nothing a member typed
  (in the template or in a value) becomes markup.
- `render_line`: one line for a header (an email's subject): no CR or LF ever, from the
  template or from a value, so nothing can add a header.
- `mailto_url` and `tel_url`: links whose parts are percent-encoded (a name holding
  `&bcc=` stays inside the body) or reduced to the digits a phone dials.
"""

import re
import urllib.parse
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import phonenumbers
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line

if TYPE_CHECKING:
    from groundswell.advocacy.models import Target
    from groundswell.people.models import Person

# The fields a template may use, with what each becomes (shown to whoever writes one).
FIELDS: dict[str, str] = {
    "member_name": "the member's full name",
    "member_first_name": "the member's first name",
    "member_town": "the member's town or city",
    "target_name": "the target's name",
    "target_title": 'the target\'s title ("Senator")',
    "target_office": 'the target\'s office ("U.S. Senate")',
}

# A field: a name in single or double braces, spaces allowed inside ("{ member_name }").
# Any other brace is an error: it is a typo far more often than a brace meant to be read out.
_TOKEN = re.compile(r"\{\{([^{}]*)\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and fields, in order."""

    parts: tuple[str | Field, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(part.name for part in self.parts if isinstance(part, Field))


def parse(text: str, *, field: str = "script") -> Template:
    """The template in `text`, or ValidationError naming the merge field (and `field`, the
    form field it was typed into) when a name is unknown or a brace is left open."""
    text = text or ""
    parts: list[str | Field] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        inside = match.group(1) if match.group(1) is not None else match.group(2)
        if inside is None:  # a lone brace
            raise ValidationError(
                f"There's a {match.group(0)} on its own near “{_around(text, match.start())}”. "
                "Braces are for merge fields only, like {member_name}.",
                field=field,
            )
        name = " ".join(inside.split()).lower()
        if not _NAME.fullmatch(name) or name not in FIELDS:
            raise ValidationError(
                f"Unknown merge field {{{clean_line(inside)[:40]}}}. "
                f"Use one of: {', '.join('{' + known + '}' for known in FIELDS)}.",
                field=field,
            )
        parts.append(Field(name))
    parts.append(text[position:])
    return Template(tuple(part for part in parts if part != ""))


def check(text: str, *, field: str) -> None:
    """Refuse a template with an unknown field or a stray brace (ValidationError naming both)."""
    parse(text, field=field)


def _around(text: str, index: int) -> str:
    return clean_line(text[max(0, index - 15) : index + 15])


@dataclass(frozen=True)
class Values:
    """What the fields become for one member writing to one target. Each value is kept to
    one clean line whatever it was given as (`__post_init__`)."""

    member_name: str = ""
    member_first_name: str = ""
    member_town: str = ""
    target_name: str = ""
    target_title: str = ""
    target_office: str = ""

    def __post_init__(self) -> None:
        for item in fields(self):
            object.__setattr__(self, item.name, clean_line(getattr(self, item.name))[:200])

    def get(self, name: str) -> str:
        return str(getattr(self, name))


def values_for(
    *,
    target: "Target | None" = None,
    person: "Person | None" = None,
    given_name: str = "",
    family_name: str = "",
    town: str = "",
) -> Values:
    """The values for a member (signed in: `person`; a visitor: the names they typed) and a
    target. A member with no name reads as "a constituent" in the script."""
    if person is not None:
        given_name, family_name = given_name or person.given_name, family_name or person.family_name
    full = " ".join(p for p in (clean_line(given_name), clean_line(family_name)) if p)
    return Values(
        member_name=full or "a constituent",
        member_first_name=clean_line(given_name),
        member_town=town,
        target_name=target.name if target is not None else "",
        target_title=target.title if target is not None else "",
        target_office=target.office if target is not None else "",
    )


def _fill(template: Template, values: Values) -> str:
    return "".join(part if isinstance(part, str) else values.get(part.name) for part in template.parts)


def render_text(text: str, values: Values) -> str:
    """The template as plain text, with each field's value on one line."""
    return _fill(parse(text), values)


def render_html(text: str, values: Values) -> SafeString:
    """The template as HTML paragraphs: everything escaped, line breaks kept."""
    return mark_safe(linebreaks(escape(render_text(text, values))))  # noqa: S308 -- escaped just above


def render_line(text: str, values: Values, *, max_length: int = 200) -> str:
    """One line for a header (an email's subject): no CR, LF or other control from the
    template or a value, cut to `max_length`."""
    return clean_line(render_text(text, values))[:max_length].rstrip()


# What a mailto address may hold: anything else (a "?", an "&", a space) would change the link.
_MAILTO_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%'*+/=^_`{|}~-]+@[A-Za-z0-9.-]+")


def mailto_url(address: str, *, subject: str = "", body: str = "") -> str:
    """A mailto: link to `address` with the subject and body filled in (RFC 6068), each
    percent-encoded whole: nothing in them can add a recipient or a header. An address
    that is not plainly one gives an empty string (no link)."""
    address = (address or "").strip()
    if not _MAILTO_ADDRESS.fullmatch(address):
        return ""
    query = []
    if subject:
        query.append("subject=" + urllib.parse.quote(clean_line(subject), safe=""))
    if body:
        query.append("body=" + urllib.parse.quote(body.replace("\r\n", "\n").replace("\n", "\r\n"), safe=""))
    return f"mailto:{urllib.parse.quote(address, safe='@')}" + (f"?{'&'.join(query)}" if query else "")


def tel_url(number: str, region: str = "US") -> str:
    """A tel: link for a phone number as offices print it ("(202) 224-3121 ext. 5"): RFC 3966
    through phonenumbers where it reads as a number (`tel:+1-202-224-3121;ext=5`), else the
    digits and a leading +, nothing else. Empty when there are no digits."""
    try:
        parsed = phonenumbers.parse(number or "", region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966)
    digits = "".join(ch for ch in number or "" if ch.isascii() and ch.isdigit())
    if not digits:
        return ""
    plus = "+" if (number or "").strip().startswith("+") else ""
    return f"tel:{plus}{digits}"
