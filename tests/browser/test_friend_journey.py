"""The recruiting moment, on a phone: the home page → an event near the visitor's ZIP code →
an RSVP as a guest → the page after it (calendar, invite a friend, join in one click) → the
visitor's own credited link → a friend opens it in another browser, sees who invited them,
RSVPs and joins → the visitor's hub counts the friend, and the database credits them."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.activity.models import Activity, Verb
from groundswell.core.channels import Channel
from groundswell.events.models import Attendance
from groundswell.events.tests.factories import EventFactory
from groundswell.people.models import Person
from tests.browser.checks import assert_accessible
from tests.browser.test_join_journey import code_emailed_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TITLE = "Tenants' union meeting"


def textbox(page, name: str):
    """A text input by its accessible name (the required marker "*" is aria-hidden)."""
    return page.get_by_role("textbox", name=name, exact=True)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def rsvps_of(event, email: str):
    return Attendance.objects.filter(event=event, person__email_addresses__address=email)


def confirmations_to(email: str) -> int:
    return sum(1 for m in mail.outbox if m.to == [email] and TITLE in str(m.subject) + str(m.body))


def guest_rsvp(page, *, given: str, family: str, email: str) -> None:
    textbox(page, "First name").fill(given)
    textbox(page, "Last name (optional)").fill(family)
    textbox(page, "Email address").fill(email)
    page.get_by_role("button", name="I'll be there").tap()
    page.wait_for_url("**/rsvp/done/")
    page.get_by_role("heading", level=1, name=f"Thanks, {given}!").wait_for()


def join_in_one_click(page) -> None:
    """The guest's one-click join on the page after an RSVP: the ZIP code comes filled in
    (the event's), the email box is not ticked."""
    join = page.get_by_role("region", name=re.compile(r"^Join "))
    assert textbox(join, "Your ZIP code").input_value()
    assert not join.get_by_role("checkbox", name="Email me about actions and events near me.").is_checked()
    join.get_by_role("button", name=re.compile(r"^Join ")).tap()
    page.wait_for_url("**/join/welcome/")


def test_home_to_event_to_rsvp_to_a_friend_who_joins(browser, live_server, settings, make_member):
    settings.SITE_URL = live_server.url
    host = make_member("Bayard", postal_code="10001")
    event = EventFactory.create(
        host=host,
        title=TITLE,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=3),
        postal_code="10001",
        time_zone="America/New_York",
    )

    # A visitor on a phone opens the home page and says where they are.
    me = browser.new_context(**PHONE)
    page = me.new_page()
    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    fits_the_phone(page)
    page.get_by_role("heading", name="Events near you").wait_for()
    textbox(page, "ZIP code or city").fill("10002")
    page.get_by_role("button", name="Show events").tap()
    near = page.get_by_role("region", name=re.compile(r"^Coming up near"))
    near.get_by_role("link", name=TITLE).tap()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()
    assert_accessible(page)
    fits_the_phone(page)

    # RSVP as a guest: the form answers with a redirect to the page after the RSVP.
    guest_rsvp(page, given="Rosa", family="Parks", email="rosa@example.org")
    assert rsvps_of(event, "rosa@example.org").count() == 1
    assert confirmations_to("rosa@example.org") == 1
    assert_accessible(page)
    fits_the_phone(page)
    # Reloading the page after is a GET of that page: no second RSVP, no second email.
    response = page.reload()
    assert response is not None and response.request.method == "GET"
    page.get_by_role("heading", level=1, name="Thanks, Rosa!").wait_for()
    assert rsvps_of(event, "rosa@example.org").count() == 1
    assert confirmations_to("rosa@example.org") == 1

    # Add it to the calendar: Google's page, and an .ics that is this event.
    calendar = page.get_by_role("region", name="Add it to your calendar")
    google = calendar.get_by_role("link", name=re.compile(r"^Google Calendar"))
    assert google.get_attribute("href").startswith("https://calendar.google.com/calendar/render?")
    ics = calendar.get_by_role("link", name="Apple, Outlook and others (.ics)")
    answer = page.request.get(f"{live_server.url}{ics.get_attribute('href')}")
    assert answer.ok and "text/calendar" in answer.headers["content-type"]
    assert "BEGIN:VEVENT" in answer.text() and "Tenants' union meeting" in answer.text()
    # Invite a friend: even as a guest, her own link to this event, credited to her.
    invite = page.get_by_role("region", name="Invite a friend")
    guest_link = textbox(invite, "Your invitation link: RSVPs through it count for you").input_value()
    assert guest_link.startswith(f"{live_server.url}/events/{event.uuid}/?ref=")

    # Join in one click, then sign in with the emailed code.
    join_in_one_click(page)
    assert_accessible(page)
    page.get_by_role("link", name="Enter my code").tap()
    page.get_by_label("Code").fill(code_emailed_to("rosa@example.org"))
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url("**/hub/")
    rosa = Person.objects.get(email_addresses__address="rosa@example.org")
    assert Person.objects.filter(email_addresses__address="rosa@example.org").count() == 1
    assert rsvps_of(event, "rosa@example.org").get().person == rosa

    # Back on the event, signed in: her RSVP, and her own invitation link, credited to her.
    page.goto(f"{live_server.url}/events/{event.uuid}/")
    page.get_by_text("You're going.").wait_for()
    bring = page.get_by_role("region", name="Bring someone")
    link = textbox(bring, "Your invitation link: RSVPs through it count for you").input_value()
    assert link.startswith(f"{live_server.url}/events/{event.uuid}/?ref=") and "via=link" in link
    fits_the_phone(page)

    # A friend, in another browser, opens it as sent over WhatsApp.
    friend = browser.new_context(**PHONE)
    friend_page = friend.new_page()
    friend_page.goto(link.replace("via=link", "via=whatsapp"))
    friend_page.get_by_role("heading", level=1, name=TITLE).wait_for()
    # The page says who invited them: the name on the link, as the join page's landing does.
    assert friend_page.get_by_text(re.compile(r"^Rosa P\. invited you")).is_visible()
    assert_accessible(friend_page)
    guest_rsvp(friend_page, given="Claudette", family="Colvin", email="claudette@example.org")
    join_in_one_click(friend_page)
    friend_page.get_by_role("heading", name="Thanks, Claudette! Check your email").wait_for()

    # The credit, as `network.arrive` gives it: first touch to Rosa, through WhatsApp, on the
    # person, on the RSVP and in the log.
    claudette = Person.objects.get(email_addresses__address="claudette@example.org")
    assert claudette.recruited_by == rosa
    assert claudette.source_channel == Channel.WHATSAPP
    friend_rsvp = rsvps_of(event, "claudette@example.org").get()
    assert friend_rsvp.referrer == rosa and friend_rsvp.channel == Channel.WHATSAPP
    joined = Activity.objects.get(person=claudette, verb=Verb.JOINED)
    assert joined.referrer_id == rosa.pk and joined.channel == Channel.WHATSAPP
    assert Activity.objects.filter(person=rosa, verb=Verb.RECRUITED, object_id=claudette.pk).count() == 1

    # Rosa's hub counts her friend, and the channel opened and joined once.
    page.goto(f"{live_server.url}/hub/")
    ripple = page.get_by_role("region", name="Your ripple")
    assert "1 person joined because of you" in ripple.inner_text()
    assert ripple.get_by_text("Claudette Colvin").is_visible()
    assert ripple.get_by_text("via WhatsApp").is_visible()
    whatsapp = ripple.get_by_role("row", name=re.compile(r"^WhatsApp"))
    assert whatsapp.get_by_role("cell").all_inner_texts() == ["1", "1"]
    fits_the_phone(page)


def test_a_member_invites_a_friend_from_the_page_after_their_rsvp(
    browser, signed_in, live_server, settings, make_member
):
    """The signed-in variant: the page after the RSVP carries the member's credited links."""
    settings.SITE_URL = live_server.url
    host = make_member("Bayard", postal_code="10001")
    event = EventFactory.create(
        host=host,
        title=TITLE,
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=3),
        postal_code="10001",
        time_zone="America/New_York",
    )
    fannie = make_member("Fannie", postal_code="10002")

    page = signed_in(fannie, **PHONE).new_page()
    page.goto(f"{live_server.url}/")
    # A member's home page starts near where she lives.
    page.get_by_role("region", name=re.compile(r"^Coming up near")).get_by_role("link", name=TITLE).tap()
    page.get_by_role("button", name="I'll be there").tap()
    page.wait_for_url("**/rsvp/done/")
    page.get_by_role("heading", level=1, name="You're going!").wait_for()
    assert_accessible(page)
    fits_the_phone(page)
    page.reload()
    page.get_by_role("heading", level=1, name="You're going!").wait_for()
    assert Attendance.objects.filter(event=event, person=fannie.person).count() == 1

    calendar = page.get_by_role("region", name="Add it to your calendar")
    assert calendar.get_by_role("link", name=re.compile(r"^Google Calendar")).is_visible()
    assert calendar.get_by_role("link", name="Apple, Outlook and others (.ics)").is_visible()
    invite = page.get_by_role("region", name="Invite a friend")
    link = textbox(invite, "Your invitation link: RSVPs through it count for you").input_value()
    assert link.startswith(f"{live_server.url}/events/{event.uuid}/?ref=")
    assert invite.get_by_role("link", name=re.compile(r"^Share on WhatsApp")).is_visible()

    friend_page = browser.new_context(**PHONE).new_page()
    friend_page.goto(link)
    assert friend_page.get_by_text(re.compile(r"^Fannie T\. invited you")).is_visible()
    guest_rsvp(friend_page, given="Medgar", family="Evers", email="medgar@example.org")
    join_in_one_click(friend_page)

    medgar = Person.objects.get(email_addresses__address="medgar@example.org")
    assert medgar.recruited_by_id == fannie.person_id
    assert rsvps_of(event, "medgar@example.org").get().referrer_id == fannie.person_id
    page.goto(f"{live_server.url}/hub/")
    ripple = page.get_by_role("region", name="Your ripple")
    assert "1 person joined because of you" in ripple.inner_text()
    assert ripple.get_by_text("Medgar Evers").is_visible()
