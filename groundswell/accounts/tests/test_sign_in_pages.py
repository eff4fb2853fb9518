"""allauth's pages as configured: code sign-in only, in our own layout, rate-limited per IP,
address and account; the admin's sign-in is the code sign-in too."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account import urls as allauth_account_urls
from allauth.core.internal.httpkit import get_client_ip as allauth_client_ip
from django.core import mail
from django.core.cache import cache
from django.template import Engine
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, resolve, reverse

from groundswell.accounts.models import Role, User
from groundswell.accounts.services import (
    RETURN_SESSION_KEY,
    create_account_for_email,
    return_here_after_sign_in,
    take_return_path,
)
from groundswell.core.ratelimit import client_ip
from groundswell.people.models import EmailAddress
from groundswell.people.services import PersonDetails, upsert_person

pytestmark = pytest.mark.django_db

WEB_TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
KEPT = {"account_request_login_code", "account_confirm_login_code", "account_logout", "account_inactive"}
CODE_SIGN_IN = "/accounts/login/code/"


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    # Rate-limit counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def allauth_url_names() -> list[tuple[str, dict[str, str]]]:
    """Every page allauth.account would mount, with made-up values for its URL arguments."""
    names = []
    for pattern in allauth_account_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), pattern
        groups = pattern.pattern.regex.groupindex
        names.append((str(pattern.name), {group: "abc123-xyz" for group in groups}))
    return names


def code_from(message: mail.EmailMessage) -> str:
    match = re.search(r"^\s*([A-Z0-9-]{6,9})\s*$", str(message.body), re.MULTILINE)
    assert match, message.body
    return match.group(1)


def ask_for_code(client: Client, email: str, **extra: Any):
    return client.post(reverse("account_request_login_code"), {"email": email}, **extra)


# --- No password anywhere --------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), [n for n in allauth_url_names() if n[0] not in KEPT])
def test_every_other_allauth_page_sends_people_to_the_code_sign_in(name, kwargs, member, client_for):
    url = reverse(name, kwargs=kwargs)
    wanted = "/join" if name == "account_signup" else CODE_SIGN_IN
    for client in (Client(), client_for(member)):
        for response in (client.get(url), client.post(url, {"email": member.email, "password": "x"})):
            assert response.status_code == 302, (name, response.status_code)
            assert urlsplit(response["Location"]).path == wanted, name


def test_only_the_code_sign_in_and_signing_out_are_served_by_allauth():
    for name, kwargs in allauth_url_names():
        view = resolve(reverse(name, kwargs=kwargs)).func
        assert view.__module__.startswith("allauth.") == (name in KEPT), name


def test_the_redirect_keeps_a_safe_next_and_drops_another_site():
    response = Client().get("/accounts/login/", {"next": "/events/host/"})
    assert response["Location"] == f"{CODE_SIGN_IN}?next=%2Fevents%2Fhost%2F"
    response = Client().get("/accounts/password/reset/", {"next": "https://evil.example/"})
    assert response["Location"] == CODE_SIGN_IN


def test_no_password_form_is_ever_shown(member, client_for):
    for client in (Client(), client_for(member)):
        for name, kwargs in allauth_url_names():
            response = client.get(reverse(name, kwargs=kwargs), follow=True)
            assert 'type="password"' not in response.content.decode(), name


# --- The admin --------------------------------------------------------------------------


def test_the_admin_sign_in_is_the_code_sign_in_keeping_next():
    response = Client().get("/admin/login/", {"next": "/admin/people/person/"})
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_SIGN_IN}?next=%2Fadmin%2Fpeople%2Fperson%2F"
    # Asking for an admin page leads there too.
    response = Client().get("/admin/events/event/", follow=True)
    assert response.redirect_chain[-1][0] == f"{CODE_SIGN_IN}?next=%2Fadmin%2Fevents%2Fevent%2F"
    assert 'type="password"' not in response.content.decode()


def test_staff_sign_in_by_code_and_land_on_the_admin_page_they_asked_for():
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    client = Client()
    page = client.get("/admin/accounts/user/", follow=True)
    next_url = parse_qs(urlsplit(page.redirect_chain[-1][0]).query)["next"][0]
    response = client.post(f"{CODE_SIGN_IN}?next={next_url}", {"email": admin.email})
    assert response.status_code == 302
    confirm = client.post(response["Location"], {"code": code_from(mail.outbox[-1])})
    assert confirm.status_code == 302 and confirm["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200
    # Signed in, the admin's sign-in page sends staff on to where they were going.
    assert client.get("/admin/login/", {"next": "/admin/events/"})["Location"] == "/admin/events/"


def test_a_signed_in_member_is_refused_the_admin_not_looped(member, client_for):
    client = client_for(member)
    assert client.get("/admin/login/", {"next": "/admin/"}).status_code == 403
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403 and len(response.redirect_chain) == 1


def test_the_admin_has_no_password_pages(client_for, member):
    admin = create_account_for_email(email="root@example.org", role=Role.ADMIN)
    client = client_for(admin)
    for url in [
        "/admin/password_change/",
        "/admin/password_change/done/",
        f"/admin/accounts/user/{member.pk}/password/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"password1": "x", "password2": "x"}).status_code == 404, url
    member.refresh_from_db()
    assert not member.has_usable_password()


# --- Our layout on every page left --------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "account/request_login_code.html",
        "account/confirm_login_code.html",
        "account/logout.html",
        "account/account_inactive.html",
        "account/login.html",
        "allauth/layouts/base.html",
    ],
)
def test_our_templates_win_over_allauths(template):
    origin = Path(Engine.get_default().get_template(template).origin.name)
    assert origin.is_relative_to(WEB_TEMPLATES), origin


def assert_in_our_layout(response, heading: str) -> None:
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "web/base.html" in names, names
    page = response.content.decode()
    assert '<link rel="stylesheet" href="/static/web/site.css">' in page
    assert 'class="skip-link"' in page and f"<h1>{heading}</h1>" in page


def test_the_sign_in_pages_render_in_our_layout(member, client_for):
    client = Client()
    assert_in_our_layout(client.get(CODE_SIGN_IN), "Sign in")
    ask_for_code(client, member.email)
    confirm = client.get(reverse("account_confirm_login_code"))
    assert_in_our_layout(confirm, "Check your email")
    assert f'<a href="{CODE_SIGN_IN}">ask for a new code</a>' in confirm.content.decode()
    assert_in_our_layout(Client().get(reverse("account_inactive")), "This account is switched off")
    signed_in = client_for(member)
    assert_in_our_layout(signed_in.get(reverse("account_logout")), "Sign out")
    signed_in.post(reverse("account_logout"))
    assert signed_in.get(reverse("network:hub")).status_code == 302


def test_a_wrong_code_is_told_in_our_words(member):
    client = Client()
    ask_for_code(client, member.email)
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert_in_our_layout(response, "Check your email")
    assert "That code isn&#x27;t right" in response.content.decode()


# --- Rate limits ----------------------------------------------------------------------------


def refused(response) -> bool:
    return response.status_code == 200 and "Too many tries" in response.content.decode()


def test_codes_for_one_address_are_limited_however_many_clients_ask(member):
    for n in range(3):
        response = ask_for_code(Client(), member.email, REMOTE_ADDR=f"198.51.100.{n}")
        assert response.status_code == 302
    assert refused(ask_for_code(Client(), member.email.upper(), REMOTE_ADDR="198.51.100.9"))
    assert len(mail.outbox) == 3
    # Someone else is not held up by it.
    upsert_person(details=PersonDetails(email="other@example.org", given_name="Oda"))
    assert ask_for_code(Client(), "other@example.org", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_mail_to_an_address_nobody_has_is_limited_the_same(member):
    # Asking for a code for a stranger's address emails them ("no account here"): a
    # stranger's inbox is protected like a member's, and the answers look alike.
    stranger = "stranger@example.org"
    answers = [ask_for_code(Client(), stranger, REMOTE_ADDR=f"198.51.100.{n}") for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert refused(answers[3])
    assert len([m for m in mail.outbox if m.to == [stranger]]) == 3


def test_codes_for_one_account_are_limited_across_its_addresses(member):
    EmailAddress.objects.create(person=member.person, address="maya.work@example.org")
    addresses = [member.email, "maya.work@example.org"]
    for n, email in enumerate(addresses * 2):
        response = ask_for_code(Client(), email, REMOTE_ADDR=f"198.51.100.{n}")
        if n < 3:
            assert response.status_code == 302, n
    # The fourth code in a minute: each address has had two, the account four.
    assert refused(response)
    assert User.objects.count() == 1 and len(mail.outbox) == 3


def test_codes_from_one_client_are_limited_whatever_the_address():
    # As configured: twenty a minute from one IP (a room signing in on one wifi network).
    for n in range(20):
        assert ask_for_code(Client(), f"person{n}@example.org").status_code == 302, n
    assert refused(ask_for_code(Client(), "person99@example.org"))
    assert ask_for_code(Client(), "person99@example.org", REMOTE_ADDR="198.51.100.7").status_code == 302


@override_settings(
    BEHIND_TLS_PROXY=True, ALLAUTH_TRUSTED_PROXY_COUNT=1, ACCOUNT_RATE_LIMITS={"request_login_code": "2/m/ip"}
)
def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw():
    # A forged first X-Forwarded-For entry does not make a new client; the proxy's does.
    for n in range(2):
        response = ask_for_code(
            Client(),
            f"p{n}@example.org",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5",
            REMOTE_ADDR="10.0.0.2",
        )
        assert response.status_code == 302
    forged = ask_for_code(
        Client(), "p9@example.org", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="10.0.0.2"
    )
    assert refused(forged)
    other = ask_for_code(
        Client(), "p9@example.org", HTTP_X_FORWARDED_FOR="203.0.113.6", REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 302


@pytest.mark.parametrize("behind_proxy", [False, True])
@pytest.mark.parametrize(
    ("forwarded", "remote"),
    [
        ("", "192.0.2.1"),
        ("203.0.113.5", "10.0.0.2"),
        ("10.9.9.9, 203.0.113.5", "10.0.0.2"),
        ("2001:db8::1", "10.0.0.2"),
        (" 203.0.113.5 ", "10.0.0.2"),
        ("unknown", "10.0.0.2"),
    ],
)
def test_allauth_and_our_limits_see_the_same_client(behind_proxy, forwarded, remote):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    with override_settings(BEHIND_TLS_PROXY=behind_proxy, ALLAUTH_TRUSTED_PROXY_COUNT=int(behind_proxy)):
        assert client_ip(request) == allauth_client_ip(request)
        if not behind_proxy:
            assert client_ip(request) == remote


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "evil",
        "/" + "a" * 600,
    ],
)
def test_only_a_path_on_this_site_is_kept_to_return_to(rf, path):
    """`return_here_after_sign_in` (an invitation page keeps itself for after the emailed code)
    keeps nothing that a browser would take to another site."""
    request = rf.get("/")
    request.session = {}
    return_here_after_sign_in(request, path)
    assert RETURN_SESSION_KEY not in request.session
    request.session[RETURN_SESSION_KEY] = path  # planted some other way: still refused
    assert take_return_path(request) is None
    return_here_after_sign_in(request, "/groups/invitation/abc/")
    assert take_return_path(request) == "/groups/invitation/abc/" and take_return_path(request) is None
