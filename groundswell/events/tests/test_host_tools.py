"""Host tools (attendees, check-in, walk-ins, CSV) and calendars: who sees what."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.activity.models import Activity, Verb
from groundswell.events import services
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(member):
    # Starting within the hour: walk-ins are added only around the event's own time.
    return EventFactory.create(
        host=member, starts_at=timezone.now() + timedelta(hours=1), hours=3, capacity=1
    )


@pytest.fixture
def guests(event, make_member, actor):
    first, second = make_member("Ana"), make_member("=cmd")
    services.rsvp(actor=actor(first), event=event)
    services.rsvp(actor=actor(second), event=event)
    return first, second


def test_hosts_and_organizers_see_attendees_nobody_else_does(
    event, guests, member, organizer, outsider, client_for
):
    urls = [reverse("events:manage", args=[event.uuid]), reverse("events:attendees_csv", args=[event.uuid])]
    for url in urls:
        assert client_for(member).get(url).status_code == 200
        assert client_for(organizer).get(url).status_code == 200
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(guests[0]).get(url).status_code == 404  # an attendee is not a host
        assert Client().get(url).status_code == 302
    page = client_for(member).get(urls[0]).content.decode()
    assert guests[0].email in page and "on the waitlist" in page


def test_the_csv_lists_everyone_and_neutralises_formulas(event, guests, member, client_for):
    body = client_for(member).get(reverse("events:attendees_csv", args=[event.uuid])).content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["email"] for row in rows} == {guests[0].email, guests[1].email}
    assert "'=cmd" in {row["first name"] for row in rows}
    assert {row["status"] for row in rows} == {"accepted", "waitlisted"}


def test_check_in_and_walk_ins_on_the_day(
    event, guests, member, outsider, client_for, django_assert_max_num_queries
):
    url = reverse("events:manage", args=[event.uuid])
    ana = Attendance.objects.get(person=guests[0].person)
    assert client_for(outsider).post(url, {"attendance": str(ana.uuid)}).status_code == 404
    client_for(member).post(url, {"attendance": str(ana.uuid)})
    client_for(member).post(url, {"attendance": "garbage"})  # a clear message, not a 500
    ana.refresh_from_db()
    assert ana.attended is True
    response = client_for(member).post(
        url, {"action": "walk_in", "given_name": "Wes", "email": "wes@example.org"}, follow=True
    )
    assert "Welcome, Wes" in response.content.decode()
    wes = Attendance.objects.get(person__email_addresses__address="wes@example.org")
    assert (wes.walk_in, wes.attended, wes.status) == (
        True,
        True,
        "accepted",
    )  # capacity does not turn him away
    assert Activity.objects.filter(person=wes.person, verb=Verb.JOINED).count() == 1
    bad = client_for(member).post(url, {"action": "walk_in", "given_name": "", "email": "nope"})
    assert bad.status_code == 400
    client = client_for(member)
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_ics_download_is_valid_rfc_5545(event):
    Event.objects.filter(pk=event.pk).update(recurrence_rule="FREQ=MONTHLY;BYDAY=1TU")
    response = Client().get(reverse("events:ics", args=[event.uuid]))
    assert response["Content-Type"] == "text/calendar"
    calendar = Calendar.from_ical(response.content)
    (item,) = calendar.walk("VEVENT")
    assert str(item["summary"]) == "Canvass"
    assert item.decoded("dtstart") == event.starts_at.replace(microsecond=0)  # RFC 5545 keeps seconds
    assert str(item["uid"]).startswith(str(event.uuid))
    assert b"FREQ=MONTHLY" in calendar.to_ical()


def test_private_event_calendar_is_not_found_for_outsiders(member, outsider, client_for):
    private = EventFactory.create(host=member, title="Private", hours=1, visibility=Event.Visibility.PRIVATE)
    assert client_for(outsider).get(reverse("events:ics", args=[private.uuid])).status_code == 404
