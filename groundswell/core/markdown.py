"""Markdown that members write, rendered and then sanitized (nh3), so no script, style or
event handler ever reaches a page: `cook` gives the safe HTML. Pages that render on a read
use the `{{ text|markdown }}` filter (core/templatetags/markdown.py); what members write often
and read more (a group's description, posts) is cooked once when written and stored.

CommonMark through markdown-it-py, whose parser runs in linear time: Python-Markdown took
minutes on 20,000 characters of "[" (a text any member may submit for review), and every
view of the page would have parsed it again. Raw HTML is not rendered (it shows as text),
and nh3 keeps only the tags below (no images: a member's text loads nothing from other
sites). The same text is rendered once per process (the cache below), not once per view.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
}

_PARSER = MarkdownIt("commonmark", {"html": False})


def sanitize(html: str) -> str:
    """HTML cut down to the tags and link schemes a member's text may use."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


@lru_cache(maxsize=256)
def cook(text: str) -> str:
    """The safe HTML of a member's Markdown."""
    return sanitize(_PARSER.render(text or ""))
