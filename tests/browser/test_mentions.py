"""@mention suggestions in a thread's reply box (conversations/mentions.js): Maya and Ana María
have posted; Nia types "@ma", sees both, moves with the arrows, picks Maya with Enter and posts;
the reply shows "@Maya R." as a mention and Maya is told. Only people who posted in the
conversation are offered: a group member who has not posted (nor its leader) never is.
Without JavaScript the "People in this conversation" list is still there to copy from."""

import pytest

from groundswell.accounts.actors import actor_for_person
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.conversations.mentions import mention_text
from groundswell.conversations.models import Post
from groundswell.conversations.services import posting
from groundswell.groups.services import membership as groups
from groundswell.messaging.models import Delivery
from tests.browser.test_friend_journey import textbox
from tests.services import require_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
THREAD = "Saturday canvass on Valencia"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
  .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""


@pytest.fixture
def world(db):
    leader = MemberFactory(given_name="Lena", family_name="Okafor")
    maya = MemberFactory(given_name="Maya", family_name="Rivera")
    ana = MemberFactory(given_name="Ana María", family_name="López")
    nia = MemberFactory(given_name="Nia", family_name="Shah")
    otto = MemberFactory(given_name="Otto", family_name="Marsh")
    group = groups.start_group(
        actor=actor_for_person(leader.person),
        details=groups.GroupDetails(
            name="Mission Tenants Union", description="Renters organizing.", postal_code="94110"
        ),
    )
    for member in (maya, ana, nia, otto):
        groups.join_group(actor=actor_for_person(member.person), group=group)
    thread = posting.start_thread(
        actor=actor_for_person(maya.person), on=group, title=THREAD, raw="Who's in for Saturday at 10?"
    )
    posting.reply(actor=actor_for_person(ana.person), thread=thread, raw="I'll bring the clipboards.")
    return {"leader": leader, "maya": maya, "ana": ana, "nia": nia, "otto": otto, "thread": thread}


def open_thread(signed_in, live_server, user, thread, **options):
    context = signed_in(user, **options)
    context.set_default_timeout(10_000)
    context.add_init_script(path=require_axe())  # the page's CSP would refuse it as a tag
    page = context.new_page()
    page.goto(f"{live_server.url}/threads/{thread.uuid}/")
    page.get_by_role("heading", level=1, name=THREAD).wait_for()
    return page


def suggestions(page) -> list[str]:
    listbox = page.get_by_role("listbox", name="People in this conversation")
    if not listbox.is_visible():
        return []
    return [text.strip() for text in listbox.get_by_role("option").all_inner_texts()]


def test_type_at_pick_a_person_with_the_keyboard_and_post_the_mention(
    browser, signed_in, live_server, settings, world
):
    settings.SITE_URL = live_server.url
    maya, thread = world["maya"], world["thread"]
    page = open_thread(signed_in, live_server, world["nia"], thread, **PHONE)
    box = textbox(page, "Your reply")
    # The script runs: its hint is shown and read with the box.
    hint = page.get_by_text("Type @ to mention someone in this conversation.")
    assert hint.is_visible()
    assert "mention-hint" in box.get_attribute("aria-describedby")
    assert box.get_attribute("aria-autocomplete") == "list"

    box.click()
    box.press_sequentially("Thanks @ma")
    listbox = page.get_by_role("listbox", name="People in this conversation")
    listbox.wait_for()
    # Both match ("Ana María" on her second word, accents aside); a first name first.
    assert suggestions(page) == ["Maya R.", "Ana María L."]
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = listbox.get_by_role("option")
    assert box.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    assert page.get_by_role("status").filter(has_text="2 suggestions").count() == 1
    page.screenshot(path="/tmp/mentions-390.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(RUN_AXE, WCAG_AA) == []

    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")  # wraps round to the first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")

    mention = mention_text(maya.person)
    assert listbox.is_hidden() and box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == f"Thanks {mention} "
    assert box.evaluate("el => [el.selectionStart, el.selectionEnd]") == [len(f"Thanks {mention} ")] * 2
    box.press_sequentially("for the maps!")
    page.get_by_role("button", name="Post your reply").tap()
    page.get_by_text("for the maps!").wait_for()

    post = Post.objects.get(thread=thread, author=world["nia"].person)
    assert post.raw == f"Thanks {mention} for the maps!"
    shown = page.locator(f"#post-{post.number} .mention")
    shown.wait_for()
    assert shown.inner_text() == "@Maya R."
    told = Delivery.objects.filter(person=maya.person, message__subject__contains="mentioned you")
    assert told.count() == 1
    assert not Delivery.objects.filter(
        person=world["ana"].person, message__subject__contains="mentioned"
    ).exists()


def test_only_the_people_in_the_conversation_are_offered_and_escape_tab_and_taps_work(
    browser, signed_in, live_server, world
):
    page = open_thread(signed_in, live_server, world["nia"], world["thread"], **DESKTOP)
    box = textbox(page, "Your reply")
    box.click()
    # Otto is in the group but has not posted here, Lena leads it: neither is offered, and
    # neither is on the page at all (the group's member list is its leaders' alone).
    box.press_sequentially("@ot")
    page.wait_for_timeout(100)
    assert suggestions(page) == []
    box.fill("")
    box.press_sequentially("Ask @le")
    page.wait_for_timeout(100)
    assert suggestions(page) == []
    html = page.content()
    assert "Otto" not in html and "Lena" not in html
    # Nia is not offered herself; an address is not a mention.
    box.fill("")
    box.press_sequentially("@ni nia@maya.example")
    page.wait_for_timeout(100)
    assert suggestions(page) == []

    # Accents and case aside, on any word of the name: "@MAR" finds Ana María.
    box.fill("")
    box.press_sequentially("Hi @MAR")
    assert suggestions(page) == ["Ana María L."]
    page.screenshot(path="/tmp/mentions-1280.png")
    # Escape closes it, and it stays closed while the same word goes on.
    page.keyboard.press("Escape")
    assert suggestions(page) == []
    box.press_sequentially("i")
    page.wait_for_timeout(100)
    assert suggestions(page) == []
    # A new "@": Tab chooses.
    box.press_sequentially(" and @m")
    assert suggestions(page) == ["Maya R.", "Ana María L."]
    page.keyboard.press("Tab")
    assert box.input_value() == f"Hi @MARi and {mention_text(world['maya'].person)} "
    # A click chooses too, in the middle of the text, and the caret lands after the mention.
    box.evaluate("el => { el.value = 'One @an two'; el.setSelectionRange(7, 7); }")
    box.press("ArrowLeft")
    box.press("ArrowRight")
    page.get_by_role("option", name="Ana María L.").click()
    expected = f"One {mention_text(world['ana'].person)} "
    assert box.input_value() == expected + " two"
    assert box.evaluate("el => el.selectionStart") == len(expected)
    assert box.evaluate("el => document.activeElement === el")


def test_without_javascript_the_list_to_copy_from_is_still_there(browser, signed_in, live_server, world):
    context = signed_in(world["nia"], java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/threads/{world['thread'].uuid}/")
    assert not page.get_by_text("Type @ to mention someone in this conversation.").is_visible()
    page.get_by_text("People in this conversation", exact=True).tap()
    copy = page.get_by_label("Mention Maya R.")
    assert copy.input_value() == mention_text(world["maya"].person)
    assert page.get_by_role("listbox").count() == 0
