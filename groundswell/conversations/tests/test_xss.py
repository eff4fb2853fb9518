"""A corpus of XSS payloads (xss_corpus.py, 60+) through the real forms of every
member-written field of conversations — a thread's title, a post, a reply, an edit, a flag's
reason, a moderator's reason for hiding — and the pages that show them (the thread page as a
member, its author and a leader; the edit and flag pages; the organizers' queue; the group's
moderation log; `{% threads_for %}`): none may hold executable markup."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from groundswell.conversations.models import Post, Thread
from groundswell.conversations.tests.xss_corpus import PAYLOADS

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "frame",
    "applet",
    "xss",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "srcdoc",
    "xlink:href",
    "background",
    "poster",
    "srcset",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def _squeeze(value: str) -> str:
    """A URL as a browser reads its scheme: whitespace and controls inside it ignored."""
    return "".join(ch for ch in value if ch > " " and ch not in "\u200b\u2028\u2029").lower()


class ExecutableMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        # The site's own scripts load from /static/ (none inline: the CSP forbids them).
        own_script = tag == "script" and (named.get("src") or "").startswith("/static/")
        if tag in DANGEROUS_TAGS and not own_script:
            self.problems.append(f"<{tag}> {attrs}")
        if tag == "meta" and "http-equiv" in named:
            self.problems.append(f"<meta http-equiv> {attrs}")
        if tag == "link" and not (named.get("href") or "").startswith("/static/"):
            self.problems.append(f"<link> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and _squeeze(value or "").startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and any(bad in _squeeze(value or "") for bad in ("javascript", "expression(")):
                self.problems.append(f"<{tag} style={value!r}>")

    handle_startendtag = handle_starttag


def executable(html: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_checker_finds_what_it_looks_for():
    assert executable("<p>fine <a href='https://example.org'>x</a></p>") == []
    for bad in [
        "<script>x</script>",
        "<img src=x onerror=y>",
        "<a href=' JaVa\tscript:x'>",
        "<a href='data:x'>",
    ]:
        assert executable(bad), bad


def test_the_corpus_is_big_enough():
    assert len(PAYLOADS) >= 50


@pytest.mark.django_db
def test_no_payload_reaches_a_page_as_executable_markup(cast, client_for, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": "", "flag": ""}
    member, core, leader = client_for(cast.member), client_for(cast.core), client_for(cast.leader)
    pages: dict[str, str] = {}
    for i, payload in enumerate(PAYLOADS):
        response = member.post(
            reverse("conversations:start", args=["group", cast.group.slug]),
            {"title": payload[:200], "raw": payload},
        )
        assert response.status_code == 302, (payload, response.status_code)
        thread = Thread.objects.get(pk=Thread.objects.order_by("-id").values("pk")[:1])
        opening = Post.objects.get(thread=thread, number=1)
        url = reverse("conversations:thread", args=[thread.uuid])
        assert (
            core.post(reverse("conversations:reply", args=[thread.uuid]), {"raw": payload}).status_code == 302
        )
        answer = Post.objects.get(thread=thread, number=2)
        edit_url = reverse("conversations:edit", args=[opening.uuid])
        pages[f"edit form {i}"] = member.get(edit_url).content.decode()
        assert member.post(edit_url, {"raw": f"{payload} (edited)"}).status_code == 302
        flag_url = reverse("conversations:flag", args=[opening.uuid])
        pages[f"flag form {i}"] = core.get(flag_url).content.decode()
        assert core.post(flag_url, {"agreement": "No selling", "reason": payload}).status_code == 302
        hide_url = reverse("conversations:hide", args=[answer.uuid])
        assert leader.post(hide_url, {"reason": payload[:500]}).status_code == 302
        pages[f"thread as member {i}"] = member.get(url).content.decode()
        pages[f"thread as the hidden reply's author {i}"] = core.get(url).content.decode()
        pages[f"thread as leader {i}"] = leader.get(url).content.decode()
        for post in (opening, answer):
            post.refresh_from_db()
            assert executable(post.cooked) == [], (payload, post.cooked)
    organizer = client_for(cast.organizer)
    for page in range(1, len(PAYLOADS) // 25 + 2):
        pages[f"queue page {page}"] = organizer.get(
            reverse("conversations:queue") + f"?page={page}"
        ).content.decode()
    for page in (1, 2, 3):
        pages[f"log {page}"] = leader.get(
            reverse("conversations:log", args=[cast.group.slug]) + f"?page={page}"
        ).content.decode()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    pages["threads_for"] = Template("{% load talk %}{% threads_for group %}").render(
        Context({"group": cast.group, "request": request})
    )
    assert "alert(1)" in pages["queue page 1"]  # the words are shown, as words
    found = {name: problems for name, html in pages.items() if (problems := executable(html))}
    assert found == {}
    # Titles keep no bidi override or zero-width character.
    assert not Thread.objects.filter(title__regex="[\u202a-\u202e\u2066-\u2069\u200b]").exists()
