"""The journey in a real browser: join → enter the emailed code → hub → a friend opens my link
and joins → my ripple shows them."""

import re

import pytest
from django.core import mail

from tests.browser.checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_join_form(page, *, given: str, family: str, email: str, postcode: str) -> None:
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name (optional)").fill(family)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("ZIP or postcode").fill(postcode)
    page.get_by_role("button", name="Join").click()


def code_emailed_to(email: str) -> str:
    """The sign-in code the join emailed (the live server runs in this process, so its mail
    lands in Django's test outbox)."""
    sent = [m for m in mail.outbox if m.to == [email] and "code" in m.subject.lower()]
    assert sent, [(m.to, m.subject) for m in mail.outbox]
    match = re.search(r"^\s*([A-Z0-9-]{6,9})\s*$", str(sent[-1].body), re.MULTILINE)
    assert match, sent[-1].body
    return match.group(1)


def test_join_share_and_see_the_ripple(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    me = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = me.new_page()
    page.goto(f"{live_server.url}/join")
    assert_accessible(page)
    fill_join_form(page, given="Rosa", family="Parks", email="rosa@example.org", postcode="36104")
    # Joining signs nobody in: the page asks for the code we emailed, and offers the link.
    page.wait_for_url("**/join/welcome/")
    assert page.get_by_role("heading", name="Thanks, Rosa! Check your email").is_visible()
    assert_accessible(page)
    assert "ref=" in page.get_by_label("Your link").input_value()
    page.get_by_role("link", name="Enter my code").click()
    page.wait_for_url("**/accounts/login/code/confirm/")
    assert_accessible(page)
    page.get_by_label("Code").fill(code_emailed_to("rosa@example.org"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/hub/")
    assert page.get_by_role("heading", name="Hi Rosa, this is your hub").is_visible()
    assert "Nobody has joined through you yet" in page.content()
    assert_accessible(page)
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    link = page.get_by_label("Your link").input_value()
    assert link.startswith(live_server.url) and "ref=" in link
    # The copy button appears with JavaScript and confirms.
    me.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Copied!").wait_for()

    # A friend, in another browser, opens the WhatsApp link and joins.
    friend = browser.new_context()
    friend_page = friend.new_page()
    friend_page.goto(link.replace("via=link", "via=whatsapp"))
    assert friend_page.get_by_text("Rosa P. invited you").is_visible()
    fill_join_form(
        friend_page, given="Claudette", family="Colvin", email="claudette@example.org", postcode="36104"
    )
    friend_page.wait_for_url("**/join/welcome/")

    # Back on my hub: the ripple shows my friend, and the channel they came through.
    page.reload()
    ripple = page.get_by_role("region", name="Your ripple")
    assert ripple.get_by_text("Claudette Colvin").is_visible()
    assert ripple.get_by_text("via WhatsApp").is_visible()
    assert "1 person joined because of you" in ripple.inner_text()

    # Bad input in the browser: a clear message beside the field, nothing lost.
    other = browser.new_context().new_page()
    other.goto(f"{live_server.url}/join")
    fill_join_form(other, given="Ed", family="", email="not-an-email", postcode="99999")
    assert other.locator("p.error").get_by_text("doesn't look like an email address").is_visible()
    assert other.locator("p.error").get_by_text("couldn't find the ZIP code 99999").is_visible()
    assert other.get_by_label("First name").input_value() == "Ed"

    # After the failed submit, focus is on the summary of what to fix.
    assert other.evaluate("document.activeElement.classList.contains('error-summary')")

    # Keyboard: on a fresh page the skip link is the first stop.
    other.goto(f"{live_server.url}/join")
    other.keyboard.press("Tab")
    assert other.evaluate("document.activeElement.textContent") == "Skip to content"

    # Sign out, from the phone's menu (a details element: it opens without JavaScript).
    assert not page.get_by_role("button", name="Sign out").is_visible()
    page.locator("summary", has_text="Menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/")
    page.locator("summary", has_text="Menu").click()
    assert page.get_by_role("link", name="Sign in", exact=True).is_visible()
