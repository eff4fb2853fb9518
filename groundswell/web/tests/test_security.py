"""The headers every response gets: HTTPS only behind the TLS proxy, a Content-Security-Policy,
and no caching of personal pages."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import cache_control, never_cache

from groundswell.web.security import SecurityHeadersMiddleware, content_security_policy, tile_source


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=365 * 86400,
)
@pytest.mark.django_db
def test_plain_http_is_sent_to_https_and_https_carries_hsts():
    plain = Client().get("/events/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/events/"
    secure = Client().get("/events/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


# --- Content-Security-Policy ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tiles", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example:8443/{z}/{x}/{y}.png", "https://tiles.example:8443"),
        ("//tiles.example/{z}/{x}/{y}.png", "tiles.example"),
        ("/tiles/{z}/{x}/{y}.png", None),  # ours: 'self'
        ("", None),  # no maps
        ("https://a.{s}.example/{z}.png", None),  # a placeholder CSP cannot express
    ],
)
def test_the_map_tiles_are_the_only_outside_images(tiles, source):
    assert tile_source(tiles) == source
    images = next(d for d in content_security_policy(tiles).split("; ") if d.startswith("img-src"))
    assert images == " ".join(["img-src 'self' data:", *([source] if source else [])])


@pytest.mark.django_db
def test_every_page_carries_the_policy(member, client_for):
    for client, url in [
        (Client(), reverse("web:home")),
        (Client(), reverse("account_request_login_code")),
        (Client(), "/no/such/page/"),
        (client_for(member), reverse("network:hub")),
    ]:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.split(" ", 1) for d in policy.split("; "))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
        assert "https://tile.openstreetmap.org" in directives["img-src"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


# --- Cache-Control on personal pages ---------------------------------------------------------


def cache_words(response) -> set[str]:
    return {w.strip() for w in response.get("Cache-Control", "").split(",") if w.strip()}


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_never_stored(member, client_for):
    client = client_for(member)
    for url in [reverse("network:hub"), reverse("web:home"), reverse("events:find")]:
        assert {"private", "no-store"} <= cache_words(client.get(url)), url
    assert "no-store" not in cache_words(Client().get(reverse("web:home")))


def middleware_answer(view) -> set[str]:
    request = RequestFactory().get("/feed.ics")
    return cache_words(SecurityHeadersMiddleware(view)(request))


def test_a_page_its_view_marks_private_is_never_stored():
    @never_cache
    def feed(request):
        return HttpResponse("BEGIN:VCALENDAR")

    @cache_control(private=True, max_age=300)
    def cancel_page(request):
        return HttpResponse("cancel?")

    @cache_control(public=True, max_age=300)
    def public_page(request):
        return HttpResponse("hello")

    assert {"private", "no-store"} <= middleware_answer(feed)
    assert {"private", "no-store"} <= middleware_answer(cancel_page)
    assert middleware_answer(public_page) == {"public", "max-age=300"}


def test_when_the_visitor_cannot_be_looked_up_the_answer_is_not_stored():
    def unreachable():
        raise OperationalError("the database went away")

    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(unreachable)  # type: ignore[assignment]
    response = SecurityHeadersMiddleware(lambda request: HttpResponse("hello"))(request)
    assert {"private", "no-store"} <= cache_words(response)


def test_targets_photos_load_only_from_the_listed_hosts_scheme_and_host_alone():
    policy = content_security_policy(
        "", ["https://theunitedstates.io/images/", "javascript:x", "https://a.org; script-src *"]
    )
    images = next(d for d in policy.split("; ") if d.startswith("img-src"))
    assert images == "img-src 'self' data: https://theunitedstates.io"
