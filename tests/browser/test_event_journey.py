"""Events in a real browser: find an event near a postcode → RSVP → host one under a campaign →
an organizer approves it → a friend RSVPs through my link → check-in → host again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.tests.factories import EventFactory
from tests.browser.checks import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_event_journey(browser, signed_in, live_server, settings, make_member):
    settings.SITE_URL = live_server.url
    me = make_member("Fannie")
    organizer = make_member("Ella", role=Role.ORGANIZER)
    neighbour = make_member("Bayard")
    EventFactory.create(
        host=neighbour,
        title="Block party planning",
        starts_at=timezone.now() + timedelta(days=3),
        time_zone="America/New_York",
    )
    campaign = EventCampaign.objects.create(title="Day of Action", slug="day-of-action")

    # Find an event near my postcode and RSVP.
    mine = signed_in(me, viewport={"width": 390, "height": 844})
    page = mine.new_page()
    page.goto(f"{live_server.url}/events/")
    assert_accessible(page)
    page.get_by_label("ZIP code or city").fill("10002")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Block party planning").click()
    assert_accessible(page)
    page.get_by_role("button", name="I'll be there").click()
    page.get_by_role("heading", name="You're going!").wait_for()

    # Host an event under the campaign; it waits for an organizer.
    page.goto(f"{live_server.url}/campaigns/day-of-action/")
    page.get_by_role("link", name="Host an event for Day of Action").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Freedom summer canvass")
    page.get_by_role("textbox", name="Date", exact=True).fill(
        (timezone.now() + timedelta(days=6)).date().isoformat()
    )
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("13:00")
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_label("Capacity (optional)").fill("20")
    page.get_by_role("button", name="Create the event").click()
    page.get_by_text("An organizer will look at your event soon").wait_for()
    event = Event.objects.get(title="Freedom summer canvass")
    assert event.status == Event.Status.PENDING and event.campaign == campaign

    # The organizer approves it.
    review = signed_in(organizer).new_page()
    review.goto(f"{live_server.url}/events/review/")
    assert_accessible(review)
    review.get_by_role("button", name="Approve").click()
    review.get_by_text("Nothing waiting").wait_for()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    # A friend RSVPs through my invitation link, without an account.
    page.goto(f"{live_server.url}/events/{event.uuid}/")
    invite = page.get_by_label("Your invitation link: RSVPs through it count for you").input_value()
    friend = browser.new_context().new_page()
    friend.goto(invite)
    friend.get_by_role("textbox", name="First name", exact=True).fill("Medgar")
    friend.get_by_role("textbox", name="Email address", exact=True).fill("medgar@example.org")
    friend.get_by_role("button", name="I'll be there").click()
    # A guest hears the same whether or not the address was known: the details are emailed.
    friend.get_by_role("heading", name="Thanks, Medgar!").wait_for()
    assert "We've emailed the details of Freedom summer canvass" in friend.content()
    rsvp = Attendance.objects.get(event=event, person__email_addresses__address="medgar@example.org")
    assert rsvp.referrer_id == me.person_id

    # On the day: check my friend in, from the phone.
    page.goto(f"{live_server.url}/events/{event.uuid}/manage/")
    assert_accessible(page)
    page.get_by_role("button", name="Check in Medgar").click()
    page.get_by_text("is checked in").wait_for()
    rsvp.refresh_from_db()
    assert rsvp.attended is True

    # Once it is over, the page says who came and offers to host again: the form comes
    # filled in; the new event invites who came.
    # Yesterday afternoon (16:00 UTC: morning across the US), so the event never crosses a
    # local midnight, which the host form cannot write; "three hours ago" did in the evening.
    began = (timezone.now() - timedelta(days=1)).replace(hour=16, minute=0, second=0, microsecond=0)
    Event.objects.filter(pk=event.pk).update(
        starts_at=began, ends_at=began + timedelta(hours=2), last_ends_at=began + timedelta(hours=2)
    )
    page.goto(f"{live_server.url}/events/mine/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/events/{event.uuid}/manage/")
    page.get_by_role("heading", level=1, name="Who came").wait_for()
    page.get_by_role("link", name="Host again").click()
    assert page.get_by_label("Title").input_value() == "Freedom summer canvass"
    page.get_by_label("Title").fill("Freedom summer canvass, week 2")
    page.get_by_role("button", name="Create the event").click()
    page.get_by_role("heading", name="Freedom summer canvass, week 2").wait_for()
    again = Event.objects.get(title="Freedom summer canvass, week 2")
    assert again.previous == event


def test_a_monthly_meeting_and_changes_asked(browser, signed_in, live_server, settings, make_member):
    """Host a monthly meeting under a moderated campaign → the organizer asks for changes →
    the host changes it from "My events" → approved → a neighbour RSVPs to two dates and
    cancels one from the page."""
    settings.SITE_URL = live_server.url
    host = make_member("Septima")
    organizer = make_member("Ella", role=Role.ORGANIZER)
    neighbour = make_member("Bayard")
    campaign = EventCampaign.objects.create(title="Chapters", slug="chapters")

    page = signed_in(host).new_page()
    page.goto(f"{live_server.url}/events/host/?campaign={campaign.pk}")
    page.get_by_label("Title").fill("Chapter meeting")
    page.get_by_role("textbox", name="Date", exact=True).fill(
        (timezone.now() + timedelta(days=5)).date().isoformat()
    )
    page.get_by_label("Starts").fill("19:00")
    page.get_by_label("Ends").fill("20:30")
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_label("Repeats").select_option("monthly")
    page.get_by_role("button", name="Create the event").click()
    page.get_by_text("An organizer will look at your event soon").wait_for()
    event = Event.objects.get(title="Chapter meeting")
    assert event.shifts.count() >= 12

    review = signed_in(organizer).new_page()
    review.goto(f"{live_server.url}/events/review/")
    review.get_by_label("Note to the host").fill("Please name the room.")
    review.get_by_role("button", name="Ask for changes").click()
    review.get_by_text("Nothing waiting").wait_for()

    page.goto(f"{live_server.url}/events/mine/")
    page.get_by_role("link", name="change it").click()
    page.get_by_text("Please name the room.").wait_for()
    assert_accessible(page)
    page.get_by_label("Venue (optional)").fill("Library, room 4")
    page.get_by_role("button", name="Send for approval").click()
    page.get_by_text("It's with an organizer again").wait_for()
    review.goto(f"{live_server.url}/events/review/")
    review.get_by_role("button", name="Approve").click()
    review.get_by_text("Nothing waiting").wait_for()

    guest = signed_in(neighbour, viewport={"width": 390, "height": 844}).new_page()
    guest.goto(f"{live_server.url}/events/{event.uuid}/")
    guest.get_by_text("Every month, on the").wait_for()
    assert_accessible(guest)
    for _ in range(2):  # the first date offered, then the next
        guest.get_by_role("button", name="I'll be there").click()
        guest.get_by_role("heading", name="You're going!").wait_for()
        guest.goto(f"{live_server.url}/events/{event.uuid}/")
    first, second = event.shifts.all()[:2]
    booked = Attendance.objects.filter(person=neighbour.person, status=Attendance.Status.ACCEPTED)
    assert set(booked.values_list("shift_id", flat=True)) == {first.pk, second.pk}
    guest.get_by_role("button", name=f"Cancel my RSVP for {first}").click()
    guest.get_by_text("Your RSVP is cancelled").wait_for()
    assert list(booked.values_list("shift_id", flat=True)) == [second.pk]
