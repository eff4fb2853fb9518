"""A host's street address: shown to the people coming, the hosts and staff; everyone else
sees the town and an area on the map. A row per persona for each place the address could
show: the event's page, its .ics, the find page's markers, the page after an RSVP, emails.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.events import services
from groundswell.events.models import Event
from groundswell.events.selectors.places import access_place, can_see_address, public_place
from groundswell.events.tests.factories import EventFactory
from groundswell.events.views.common import map_points

pytestmark = pytest.mark.django_db

STREET = "12 Elm Street"
VENUE = "Rosa's living room"
PERSONAS = [
    "anonymous",
    "outsider",
    "member",
    "waitlisted",
    "rsvpd",
    "cancelled",
    "cohost",
    "host",
    "organizer",
    "admin",
]
SEES_ADDRESS = {"rsvpd", "waitlisted", "cohost", "host", "organizer", "admin"}


@pytest.fixture
def home():
    """A house meeting whose host shows the address only to the people coming."""
    people = {
        "host": MemberFactory.create(given_name="Rosa"),
        "cohost": MemberFactory.create(given_name="Cole"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "member": MemberFactory.create(given_name="Mia"),
        "rsvpd": MemberFactory.create(given_name="Ada"),
        "waitlisted": MemberFactory.create(given_name="Wes"),
        "cancelled": MemberFactory.create(given_name="Cal"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }
    event = EventFactory.create(
        host=people["host"],
        title="House meeting",
        venue=VENUE,
        address_lines=[STREET],
        postal_code="60614",
        capacity=1,
        address_shown=Event.AddressShown.ATTENDEES,
        cohosts=[people["cohost"]],
    )
    services.rsvp(actor=actor_of(people["rsvpd"]), event=event)
    assert services.rsvp(actor=actor_of(people["waitlisted"]), event=event).waitlisted
    result = services.rsvp(actor=actor_of(people["cancelled"]), event=event)
    services.cancel_rsvp(actor=actor_of(people["cancelled"]), attendance=result.attendance)
    return event, people


def client_as(people: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def actor_as(people: dict, persona: str):
    return ANONYMOUS if persona == "anonymous" else actor_of(people[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_selector_decides_who_sees_the_street(home, persona):
    event, people = home
    actor = actor_as(people, persona)
    place = access_place(actor, event)
    assert can_see_address(actor, event) is (persona in SEES_ADDRESS)
    assert (STREET in place.text) is (persona in SEES_ADDRESS)
    assert "Chicago" in place.text  # the town, for everyone
    if persona not in SEES_ADDRESS:
        assert place.withheld and not place.directions_url and VENUE not in place.text
        assert place.latitude == round(event.latitude, 2)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_event_page_shows_the_street_only_to_those_who_may_see_it(home, persona):
    event, people = home
    page = client_as(people, persona).get(reverse("events:detail", args=[event.uuid])).content.decode()
    sees = persona in SEES_ADDRESS
    assert (STREET in page) is sees
    assert ("Rosa&#x27;s living room" in page) is sees
    assert ("google.com/maps/dir" in page) is sees  # directions only to the address
    assert "Chicago, IL 60614" in page
    assert ("shares the exact address with people who RSVP" in page) is (not sees)
    points = json.loads(page.split('id="map-points" type="application/json">')[1].split("</script>")[0])
    assert len(points) == 1
    assert ("radius" in points[0]) is (not sees)  # an area, not a pin
    if not sees:
        assert (points[0]["lat"], points[0]["lon"]) == (round(event.latitude, 2), round(event.longitude, 2))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_calendar_file_carries_the_street_only_for_those_who_may_see_it(home, persona):
    event, people = home
    response = client_as(people, persona).get(reverse("events:ics", args=[event.uuid]))
    (item,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert (STREET in str(item["LOCATION"])) is (persona in SEES_ADDRESS)
    assert "Chicago" in str(item["LOCATION"])


def test_the_campaign_feed_and_the_find_page_never_carry_it(home, client):
    event, _ = home
    points = map_points([event])
    assert points == [
        {
            "lat": round(event.latitude, 2),
            "lon": round(event.longitude, 2),
            "title": "House meeting",
            "url": f"/events/{event.uuid}/",
            "radius": 1500,
        }
    ]
    page = client.get(reverse("events:find"), {"postal_code": "60614"}).content.decode()
    assert "House meeting" in page and STREET not in page and VENUE not in page
    assert str(event.latitude) not in page


def test_a_public_venue_shows_to_everyone(make_member, client):
    event = EventFactory.create(
        host=make_member("Pat"),
        venue="Central Library",
        address_lines=["400 S State St"],
        postal_code="60605",
        address_shown=Event.AddressShown.EVERYONE,
    )
    page = client.get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert "400 S State St" in page and "google.com/maps/dir" in page
    assert map_points([event])[0]["lat"] == event.latitude and "radius" not in map_points([event])[0]
    assert public_place(event).exact


def test_the_emails_to_people_coming_carry_the_address(home, django_capture_on_commit_callbacks):
    """Confirmation and reminders go only to people coming: they may read it."""
    event, people = home
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(now=event.starts_at - timedelta(minutes=30))
    reminded = {m.to[0] for m in mail.outbox}
    assert reminded == {people["rsvpd"].email}  # accepted only: not the waitlist, not the cancelled
    assert all(STREET in m.body for m in mail.outbox)


def test_existing_events_keep_showing_their_address(home):
    """Migration 0007 gave events made before the choice "everyone"; the model's default for
    new ones is the careful one."""
    assert Event._meta.get_field("address_shown").default == Event.AddressShown.ATTENDEES
    from groundswell.events.migrations import __path__ as migrations_path

    source = Path(migrations_path[0], "0007_address_shown.py").read_text()
    assert 'default="everyone"' in source.split("AlterField")[0]


def test_a_guest_rsvp_page_shows_the_town_not_the_street(home, django_capture_on_commit_callbacks):
    """Anyone can type anyone's address into the RSVP form: the page after shows what they
    may see (the town); the street goes to the address's inbox."""
    event, people = home
    Event.objects.filter(pk=event.pk).update(capacity=None)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"given_name": "Guy", "email": people["rsvpd"].email.upper()},
        )
    page = client.get(response["Location"]).content.decode()
    assert "Thanks, Guy!" in page and STREET not in page and "Chicago" in page
    assert "exact address is in the email" in page


def test_the_hosts_choice_is_on_the_form_and_kept(member, client_for):
    client = client_for(member)
    page = client.get(reverse("events:host")).content.decode()
    assert "Who sees the venue and street address" in page and "(a private home)" in page
    day = (timezone.now() + timedelta(days=3)).date().isoformat()
    form = {
        "title": "Potluck",
        "date": day,
        "start_time": "18:00",
        "end_time": "20:00",
        "postal_code": "60614",
        "address": STREET,
        "visibility": "public",
    }
    client.post(reverse("events:host"), form)  # the choice left out: only people who RSVP
    client.post(reverse("events:host"), {**form, "title": "Picnic", "address_shown": "everyone"})
    shown = dict(Event.objects.values_list("title", "address_shown"))
    assert shown == {"Potluck": "attendees", "Picnic": "everyone"}
    potluck = Event.objects.get(title="Potluck")
    edit = client.get(reverse("events:edit", args=[potluck.uuid])).content.decode()
    assert '<option value="attendees" selected>' in edit
