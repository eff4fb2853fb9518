"""Check-in on the day: one tap per person (htmx answers with the row alone; without
JavaScript a form post comes back to the same row), undo, a name search, and the page
telling a past event's "who came" from an upcoming one's "who's coming"."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Verb
from groundswell.events import services
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "attendee", "host", "cohost", "organizer", "admin"]
MANAGERS = {"host", "cohost", "organizer", "admin"}
HTMX: dict[str, Any] = {"headers": {"HX-Request": "true"}}


@pytest.fixture
def today():
    """An event under way, with its hosts, an attendee (Ada) and everyone else."""
    host, cohost = MemberFactory.create(given_name="Hana"), MemberFactory.create(given_name="Cole")
    people = {
        "host": host,
        "cohost": cohost,
        "attendee": MemberFactory.create(given_name="Ada"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }
    event = EventFactory.create(host=host, starts_at=timezone.now() + timedelta(minutes=5), cohosts=[cohost])
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    event.refresh_from_db()
    services.rsvp(actor=actor_of(people["attendee"]), event=event)
    services.rsvp(actor=actor_of(MemberFactory.create(given_name="Bea", family_name="Quill")), event=event)
    return event, people


def client_as(people: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def ada(event: Event) -> Attendance:
    return Attendance.objects.get(event=event, given_name="Ada")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_events_hosts_and_organizers_check_people_in_and_undo(today, persona):
    event, people = today
    manage = reverse("events:manage", args=[event.uuid])
    client = client_as(people, persona)
    tap = client.post(manage, {"attendance": ada(event).uuid, "action": "check_in"}, **HTMX)
    assert (ada(event).attended is True) == (persona in MANAGERS)
    if persona in MANAGERS:
        assert tap.status_code == 200
    else:
        assert tap.status_code in (302, 404)  # anonymous: to sign in; others: no such page
        services.check_in(actor=actor_of(people["host"]), attendance=ada(event))
    undo = client.post(manage, {"attendance": ada(event).uuid, "action": "undo"})
    assert (ada(event).attended is None) == (persona in MANAGERS)
    assert undo.status_code in (302, 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_managers_search_the_list(today, persona):
    event, people = today
    page = client_as(people, persona).get(reverse("events:manage", args=[event.uuid]), {"q": "quill"})
    if persona in MANAGERS:
        text = page.content.decode()
        assert page.status_code == 200 and "Bea Quill" in text and "Ada" not in text.split("Find a name")[1]
    else:
        assert page.status_code in (302, 404) and b"Quill" not in page.content


def test_a_tap_with_htmx_answers_with_that_row_and_the_tally(today):
    event, people = today
    client = client_as(people, "host")
    manage = reverse("events:manage", args=[event.uuid])
    response = client.post(manage, {"attendance": ada(event).uuid, "action": "check_in"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert (
        f'id="a-{ada(event).uuid}"' in html
        and "Undo" in html
        and f"{ada(event).shared_name} is checked in." in html
    )
    assert 'id="checkin-tally"' in html and 'hx-swap-oob="true"' in html and "<strong>1</strong> here" in html
    # A check-in is logged; the undo takes the row back.
    undone = client.post(manage, {"attendance": ada(event).uuid, "action": "undo"}, **HTMX).content.decode()
    assert "Check in" in undone and "<strong>0</strong> here" in undone and ada(event).checked_in_at is None
    # The log keeps the check-in and records its undoing after it.
    verbs = list(
        Activity.objects.filter(person=ada(event).person_id, object_id=event.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs[-3:] == [Verb.CHECKED_IN, Verb.ATTENDED, Verb.CHECK_IN_UNDONE]


def test_without_javascript_a_tap_comes_back_to_the_same_row_and_search(today):
    event, people = today
    client = client_as(people, "host")
    manage = reverse("events:manage", args=[event.uuid])
    response = client.post(manage, {"attendance": ada(event).uuid, "action": "check_in", "q": "ad"})
    assert response.status_code == 302
    assert response["Location"] == f"{manage}?q=ad#a-{ada(event).uuid}"
    page = client.get(response["Location"]).content.decode()
    assert f"{ada(event).shared_name} is checked in." in page and "Undo" in page


def test_the_search_fragment_for_htmx_and_a_tap_on_someone_else_s_rsvp(today):
    event, people = today
    client = client_as(people, "host")
    manage = reverse("events:manage", args=[event.uuid])
    fragment = client.get(manage, {"q": "bea"}, headers={"HX-Request": "true", "HX-Target": "attendee-list"})
    html = fragment.content.decode()
    assert "<html" not in html and "Bea Quill" in html and ">Ada<" not in html
    assert "Nobody called" in client.get(manage, {"q": "zzz"}).content.decode()
    other = EventFactory.create(host=people["outsider"])
    services.rsvp(actor=actor_of(people["attendee"]), event=other)
    stranger = Attendance.objects.get(event=other)
    refused = client.post(manage, {"attendance": stranger.uuid}, **HTMX)
    assert "not on this event" in refused.content.decode() and refused["HX-Retarget"] == "#checkin-problem"
    assert Attendance.objects.get(pk=stranger.pk).attended is None


def test_a_past_event_says_who_came_and_an_upcoming_one_who_is_coming(today):
    event, people = today
    client = client_as(people, "host")
    services.check_in(actor=actor_of(people["host"]), attendance=ada(event))
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
        last_ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )
    services.mark_no_shows(actor=actor_of(people["host"]), event=event)
    past = client.get(reverse("events:manage", args=[event.uuid])).content.decode()
    assert "<h1>Who came" in past and "Who's coming" not in past
    assert "<strong>1</strong> came" in past and "<strong>1</strong> didn't come" in past
    assert "Someone walked in" not in past  # too long after it for walk-ins
    soon = EventFactory.create(host=people["host"], starts_at=timezone.now() + timedelta(days=3))
    page = client.get(reverse("events:manage", args=[soon.uuid])).content.decode()
    assert "Who's coming" in page and "Who came" not in page and "After the event" not in page


def test_a_pending_event_says_so_and_offers_nothing_that_leads_nowhere(today):
    _, people = today
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    pending = EventFactory.create(host=people["outsider"], campaign=campaign)
    assert pending.status == Event.Status.PENDING
    page = Client()
    page.force_login(people["outsider"])
    html = page.get(reverse("events:manage", args=[pending.uuid])).content.decode()
    assert "Waiting for review" in html and "An organizer is looking at this event" in html
    assert reverse("events:message", args=[pending.uuid]) not in html  # nobody to write to
    assert "Someone walked in" not in html and "attendees.csv" not in html
    assert reverse("events:again", args=[pending.uuid]) not in html
