"""`{{ text|markdown }}`: Markdown that members write, rendered and then sanitized (nh3),
so no script, style or event handler ever reaches a page.

CommonMark through markdown-it-py, whose parser runs in linear time: Python-Markdown took
minutes on 20,000 characters of "[" (a text any member may submit for review), and every
view of the page would have parsed it again. Raw HTML is not rendered (it shows as text),
and nh3 keeps only the tags below (no images: a member's text loads nothing from other
sites). The same text is rendered once per process (the cache below), not once per view.
"""

from functools import lru_cache

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

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


@register.filter(name="markdown")
def render_markdown(text: str | None) -> SafeString:
    return mark_safe(_rendered(text or ""))  # noqa: S308 -- sanitized by nh3 in _rendered


@lru_cache(maxsize=256)
def _rendered(text: str) -> str:
    return nh3.clean(
        _PARSER.render(text),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
