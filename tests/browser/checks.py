"""Checks every browser journey makes of the pages it passes through."""

# Every visible control must have a name a screen reader can announce.
UNLABELLED = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
  .map(el => el.outerHTML)
"""


def assert_accessible(page) -> None:
    assert page.evaluate(UNLABELLED) == []
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").count() == 1
