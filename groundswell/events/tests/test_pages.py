"""Event pages through the test client: finding, RSVPs signed in and not, cancelling by link."""

import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from groundswell.activity.models import Activity, Verb
from groundswell.core.channels import Channel
from groundswell.events import services
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.factories import EventFactory
from groundswell.network.models import ShareCode
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_find_events_near_a_postcode_without_javascript(member):
    near = EventFactory.create(host=member, postal_code="10001", title="Near")
    far = EventFactory.create(host=member, postal_code="90001", title="Far")
    page = Client().get(reverse("events:find"), {"postal_code": "10002", "radius": "25"}).content.decode()
    assert "Near" in page and "Far" not in page and "mi" in page
    everything = Client().get(reverse("events:find")).content.decode()
    assert near.title in everything and far.title in everything


def test_find_explains_a_postcode_it_cannot_place():
    response = Client().get(reverse("events:find"), {"postal_code": "99999"})
    assert response.status_code == 400
    assert "couldn't find the ZIP code 99999" in unescape(response.content.decode())


def test_results_are_paginated(member):
    for i in range(25):
        EventFactory.create(host=member, title=f"Event {i:02d}")
    first = Client().get(reverse("events:find"), {"postal_code": "10001"}).content.decode()
    assert "Page 1 of 2" in first and "page=2" in first
    second = Client().get(reverse("events:find"), {"postal_code": "10001", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second


def test_anonymous_visitors_see_the_count_never_a_name(member, make_member, actor):
    event = EventFactory.create(
        host=member, capacity=10, description="**Bring** a friend <script>alert(1)</script>"
    )
    guest = make_member("Secretive")
    services.rsvp(actor=actor(guest), event=event)
    page = Client().get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert "1 of 10" in page
    assert guest.person.given_name not in page and guest.email not in page and member.email not in page
    assert "<strong>Bring</strong>" in page and "<script>alert(1)" not in page


def test_a_guest_rsvps_through_a_friends_link_and_cancels_from_the_email(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = EventFactory.create(host=member, capacity=1)
    friend = make_member("Friend")
    code = ShareCode.objects.get(person=friend.person).code
    client = Client()
    page = client.get(reverse("events:detail", args=[event.uuid]), {"ref": code, "via": "whatsapp"})
    assert f'value="{code}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:rsvp", args=[event.uuid]),
            {"given_name": "Gia", "email": "gia@example.org", "ref": code, "via": "whatsapp"},
        )
    # A guest hears the same whether or not the address was known (not "You're going").
    assert response.status_code == 303  # the page after is a redirect: a refresh does not post again
    done = unescape(client.get(response["Location"]).content.decode())
    assert "Thanks, Gia!" in done
    assert f"We've emailed the details of {event.title}" in done and "to gia@example.org" in done
    gia = Person.objects.get(email_addresses__address="gia@example.org")
    assert gia.recruited_by == friend.person and gia.source_channel == Channel.WHATSAPP
    rsvp_act = Activity.objects.get(person=gia, verb=Verb.RSVPED)
    assert (rsvp_act.referrer_id, rsvp_act.channel) == (friend.person_id, Channel.WHATSAPP)
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["gia@example.org"] and event.title in confirmation.subject
    found = re.search(r"http://\S+/rsvp/\S+/cancel/", str(confirmation.body))
    assert found, confirmation.body
    cancel_url = found.group(0)
    path = cancel_url.split("8000", 1)[1]
    # Someone else RSVPs and waits.
    services.rsvp(actor=actor(make_member("Next")), event=event)
    assert "Cancel my RSVP" in Client().get(path).content.decode()
    assert Attendance.objects.get(person=gia).status == "accepted"  # GET only asks
    assert Client().post(path).status_code == 200
    statuses = dict(Attendance.objects.values_list("person__given_name", "status"))
    assert statuses == {"Gia": "cancelled", "Next": "accepted"}
    # Cancelling retired the link: it no longer opens the RSVP.
    again = Client().get(path)
    assert again.status_code == 404 and "not valid any more" in unescape(again.content.decode())


def test_a_signed_in_member_rsvps_with_one_button(member, make_member, client_for):
    event = EventFactory.create(host=member)
    guest = make_member("Guest")
    client = client_for(guest)
    page = client.get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert 'name="email"' not in page
    client.post(reverse("events:rsvp", args=[event.uuid]))
    client.post(reverse("events:rsvp", args=[event.uuid]))  # twice: one RSVP
    assert Attendance.objects.filter(person=guest.person).count() == 1
    assert "You're going" in unescape(
        client.get(reverse("events:detail", args=[event.uuid])).content.decode()
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"given_name": "", "email": "x@example.org"}, "Please enter your first name"),
        ({"given_name": "X", "email": "nope"}, "doesn't look like an email"),
        ({"given_name": "X", "email": "x@example.org", "shift": "abc"}, "not on this event"),
    ],
)
def test_guest_rsvp_bad_input(member, data, words):
    event = EventFactory.create(host=member)
    response = Client().post(reverse("events:rsvp", args=[event.uuid]), data)
    assert words in unescape(response.content.decode())
    if response.status_code == 400:
        assert Attendance.objects.count() == 0


def test_no_rsvp_to_a_cancelled_event(member):
    event = EventFactory.create(host=member)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    response = Client().post(
        reverse("events:rsvp", args=[event.uuid]), {"given_name": "X", "email": "x@example.org"}
    )
    assert response.status_code == 400 and "cancelled" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_private_events_are_not_found_by_outsiders(member, outsider, client_for):
    event = EventFactory.create(host=member, visibility=Event.Visibility.PRIVATE)
    url = reverse("events:detail", args=[event.uuid])
    assert Client().get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(reverse("events:rsvp", args=[event.uuid])).status_code == 404
    assert client_for(member).get(url).status_code == 200
    assert Client().get("/rsvp/forged-token/cancel/").status_code == 404


def test_the_map_is_drawn_from_our_own_leaflet_and_the_list_stays(member):
    event = EventFactory.create(host=member, title="On the map")
    page = Client().get(reverse("events:find"), {"postal_code": "10001"}).content.decode()
    assert 'id="map-points"' in page and str(event.uuid) in page
    assert "/static/leaflet/leaflet.js" in page and "unpkg" not in page and "cdn" not in page.lower()
    assert Client().get("/static/leaflet/leaflet.js").status_code == 200
    assert 'event-list"' in page  # the list works without JavaScript
