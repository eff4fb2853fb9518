"""Members' Markdown: rendered, sanitized, and never slow, whatever a member types."""

import re
import time

import pytest

from groundswell.core.markdown import cook
from groundswell.core.templatetags.markdown import render_markdown


def test_markdown_renders_what_members_use():
    html = render_markdown(
        "We **meet** on *Tuesdays*.\n\n- bring a friend\n- bring snacks\n\n[Our site](https://example.org)"
    )
    assert "<strong>meet</strong>" in html and "<em>Tuesdays</em>" in html
    assert "<li>bring a friend</li>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">Our site</a>' in html


@pytest.mark.parametrize(
    "text, never",
    [
        ("<script>alert(1)</script>", "script"),
        ('<img src=x onerror="alert(1)">', "img"),
        ("[click](javascript:alert(1))", "javascript"),
        ("![tracker](https://tracker.example/pixel.png)", "img"),
        ('<a href="https://x.example" onclick="steal()">x</a>', "onclick"),
    ],
)
def test_nothing_active_or_foreign_reaches_the_page(text, never):
    # Typed HTML may show as text; it must never be a tag or an attribute of one.
    assert not re.search(r"<[^>]*" + never, render_markdown(text))


@pytest.mark.parametrize("text", ["[" * 20000, "*_[`" * 5000, "[](" * 6600, "[a](" * 5000, "> " * 5000 + "x"])
def test_no_text_a_member_can_submit_takes_long_to_render(text):
    cook.cache_clear()
    started = time.perf_counter()
    render_markdown(text)
    # Python-Markdown took 145 s on the first of these; a linear parser takes well under one.
    assert time.perf_counter() - started < 3
