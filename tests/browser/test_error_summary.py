"""After a failed submit the error summary has focus, and each of its links leads to its field."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_submit_puts_focus_on_the_summary(browser, live_server, settings) -> None:
    settings.SITE_URL = live_server.url
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/accounts/login/code/")
    page.get_by_role("textbox").first.fill("not an address")
    page.get_by_role("button", name="Email me a code").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "email"
