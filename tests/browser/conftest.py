"""Browser fixtures: Debian's Chromium through Playwright, and signing a page in as someone."""

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.services import require_chromium

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[object]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def signed_in(browser, live_server):
    """A new browser context signed in as `user` (the sign-in-by-code flow has its own tests)."""

    def make(user, **options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(**options)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context

    return make
