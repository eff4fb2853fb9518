"""@mentions in posts.

"@Maya Rivera" is ambiguous (two Mayas, a name with spaces, a name that is also a word), so
a mention names the person by their public id: ``@[Maya R.](3f1c…-uuid)``. The thread page
lists the people in the conversation with the text to copy for each, so nobody types an id.
The words in the brackets are only a label for the writer: the page shows the member's own
short name, so a mention cannot pass someone off as somebody else.

A mention resolves only to a person who may read the thread (checked by the caller), and is
drawn as ``<span class="mention">@Maya R.</span>``: a name, never a link to anything about
them. Anything that does not resolve stays as the text it was (the label after "@").
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape

from groundswell.core.markdown import cook
from groundswell.people.models import Person

MENTION = re.compile(
    r"@\[(?P<label>[^\[\]\n]{0,80})\]\((?P<id>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})\)"
)
# At most this many people are told of one post (a long list is a broadcast, not a mention).
MAX_MENTIONS = 20
# Private-use characters mark where a mention was while Markdown is rendered: neither the
# parser nor the sanitizer touches them, and they are taken out of what members type first.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def mention_text(person: Person) -> str:
    """What a member copies to mention `person`."""
    return f"@[{person.short_name}]({person.uuid})"


def mentioned_ids(raw: str) -> list[uuid.UUID]:
    """The public ids the text mentions, in order, each once, at most MAX_MENTIONS."""
    found: list[uuid.UUID] = []
    for match in MENTION.finditer(raw or ""):
        public_id = uuid.UUID(match.group("id"))
        if public_id not in found:
            found.append(public_id)
        if len(found) == MAX_MENTIONS:
            break
    return found


@dataclass
class Cooked:
    html: str
    mentioned: list[Person]


def cook_post(raw: str, *, may_mention: Callable[[Person], bool]) -> Cooked:
    """The post's safe HTML, with the mentions of people `may_mention` allows drawn as their
    short names, and those people (found in one query)."""
    raw = (raw or "").replace(_OPEN, "").replace(_CLOSE, "")
    ids = mentioned_ids(raw)
    people = {
        person.uuid: person
        for person in Person.objects.filter(uuid__in=ids, anonymized_at__isnull=True).only(
            "id", "uuid", "given_name", "family_name"
        )
    }
    allowed = {public_id: person for public_id, person in people.items() if may_mention(person)}
    spans: list[str] = []
    mentioned: list[Person] = []

    def mark(match: re.Match[str]) -> str:
        person = allowed.get(uuid.UUID(match.group("id")))
        if person is None:
            # Unresolved: the label as plain words (Markdown escapes, the sanitizer cleans).
            return "@" + match.group("label")
        if person not in mentioned:
            mentioned.append(person)
        spans.append(f'<span class="mention">@{escape(person.short_name)}</span>')
        return f"{_OPEN}{len(spans) - 1}{_CLOSE}"

    marked = MENTION.sub(mark, raw)
    html = cook(marked)
    html = _PLACEHOLDER.sub(lambda m: spans[int(m.group(1))] if int(m.group(1)) < len(spans) else "", html)
    return Cooked(html=html, mentioned=mentioned[:MAX_MENTIONS])
