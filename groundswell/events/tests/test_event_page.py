"""The event page: its map, directions and campaign, and writing to the host through the
site (the host's address never shown; rate-limited; logged), a row per persona."""

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, ObjectKind
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.events.models import Event, EventCampaign
from groundswell.events.services.contact import CONTACTED_HOST, write_to_host
from groundswell.events.tests.factories import EventFactory
from groundswell.messaging.models import Message
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db

HOST_EMAIL = "rosa.host@example.org"


@pytest.fixture
def event():
    host = MemberFactory.create(given_name="Rosa", family_name="Parks", email=HOST_EMAIL)
    campaign = EventCampaign.objects.create(title="Day of action", slug="day-of-action", approval="open")
    return EventFactory.create(
        host=host,
        title="Canvass",
        venue="Library",
        address_lines=["400 S State St"],
        postal_code="60605",
        campaign=campaign,
        address_shown=Event.AddressShown.EVERYONE,
    )


def test_the_page_has_a_map_directions_and_its_campaign(event, client):
    page = client.get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert 'id="map-points"' in page and 'aria-label="Map: where Canvass is"' in page
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=Library%2C%20400%20S%20State%20St" in page
    assert f'href="{reverse("events:campaign", args=["day-of-action"])}"' in page
    assert "Write to Rosa" in page
    assert HOST_EMAIL not in page


def test_a_member_writes_to_the_host(event, make_member, client_for, django_capture_on_commit_callbacks):
    writer = make_member("Wren", email="wren@example.org")
    client = client_for(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:contact", args=[event.uuid]), {"contact-body": "Is there parking?\nThanks"}
        )
    assert response.status_code == 303  # back to the page: a refresh does not send it twice
    page = client.get(response["Location"]).content.decode()
    assert f"Your message is on its way to {event.host.short_name}:" in page and HOST_EMAIL not in page
    (sent,) = mail.outbox
    assert sent.to == [HOST_EMAIL] and sent.reply_to == ["wren@example.org"]
    assert "Is there parking?" in sent.body and "Canvass" in sent.subject
    assert "we haven't checked it" not in sent.body  # a member's own address
    message = Message.objects.get(author=writer.person)
    assert message.about.startswith("Canvass") and message.reply_to == "wren@example.org"
    act = Activity.objects.get(person=writer.person, verb=CONTACTED_HOST)
    assert (act.object_kind, act.object_id) == (ObjectKind.EVENT, event.pk)


def test_a_guest_writes_with_an_address_to_reply_to(event, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:contact", args=[event.uuid]),
            {
                "contact-given_name": "Gus",
                "contact-email": "Gus@Example.org",
                "contact-body": "Can I bring my dog?",
            },
        )
    assert response.status_code == 303
    (sent,) = mail.outbox
    assert sent.reply_to == ["gus@example.org"] and "we haven't checked it" in sent.body
    gus = Person.objects.get(email_addresses__address="gus@example.org")
    assert gus.email_addresses.get().status != "subscribed"  # writing is not joining the list


def test_a_bad_message_is_explained_on_the_page(event, client):
    response = client.post(
        reverse("events:contact", args=[event.uuid]), {"contact-given_name": "", "contact-body": " "}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There are 3 problems" in page
    assert "Please enter your first name." in page and "so the host can reply" in page
    assert "Please write your message." in page and 'href="#id_contact-body"' in page
    assert not mail.outbox and not Message.objects.filter(author__isnull=False).exists()


@override_settings(GROUNDSWELL_RATE_LIMITS={"contact_host": "2/h/person"})
def test_writing_is_rate_limited(event, make_member, client_for):
    client = client_for(make_member("Wren"))
    url = reverse("events:contact", args=[event.uuid])
    codes = [client.post(url, {"contact-body": f"Question {n}"}).status_code for n in range(3)]
    assert codes == [303, 303, 429]
    assert Message.objects.filter(author__isnull=False).count() == 2


PERSONAS = ["anonymous", "outsider", "rsvpd", "host", "cohost", "organizer", "admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_write_to_the_host_of_a_private_event(persona, make_member):
    from groundswell.events import services

    host = make_member("Hana")
    people = {
        "host": host,
        "cohost": make_member("Cole"),
        "outsider": make_member("Otto"),
        "rsvpd": make_member("Ada"),
        "organizer": make_member("Olu", role=Role.ORGANIZER),
        "admin": make_member("Ali", role=Role.ADMIN),
    }
    event = EventFactory.create(host=host, visibility=Event.Visibility.PRIVATE, cohosts=[people["cohost"]])
    services.rsvp(actor=actor_of(host), event=event)  # the host's own RSVP does not matter
    from groundswell.events.models import Attendance

    Attendance.objects.create(event=event, person=people["rsvpd"].person, given_name="Ada")
    actor = ANONYMOUS if persona == "anonymous" else actor_of(people[persona])
    expected = {
        "anonymous": NotFound,  # a private event's existence is not revealed
        "outsider": NotFound,
        "host": PermissionDenied,
        "cohost": PermissionDenied,
    }.get(persona)
    call = lambda: write_to_host(  # noqa: E731
        actor=actor, event=event, body="Hello", given_name="Anon", email="anon@example.org"
    )
    if expected is None:
        assert call().message.author is not None
    else:
        with pytest.raises(expected):
            call()


def test_the_host_sees_no_form_to_write_to_themselves(event, client_for):
    host = event.host.account
    page = client_for(host).get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert "contact-heading" not in page


def test_a_message_too_long_is_refused(event, make_member):
    with pytest.raises(ValidationError):
        write_to_host(actor=actor_of(make_member("Long")), event=event, body="x" * 5_001)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"contact-given_name": "Gus", "contact-email": "not an address", "contact-body": "Hi"}, "email"),
        (
            {"contact-given_name": "Gus", "contact-email": "g@example.org", "contact-body": "x" * 6_000},
            "5,000",
        ),
        (
            {"contact-given_name": "\u202e", "contact-email": "g@example.org", "contact-body": "Hi"},
            "first name",
        ),
    ],
)
def test_bad_input_to_the_contact_form_is_explained(event, client, data, words):
    response = client.post(reverse("events:contact", args=[event.uuid]), data)
    assert response.status_code == 400 and words in response.content.decode()
    assert not Message.objects.filter(author__isnull=False).exists()
