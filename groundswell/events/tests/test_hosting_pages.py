"""Hosting an event from the web page, and the organizers' approval queue."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.events.models import Event, EventCampaign, TrustedHost

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict[str, str]:
    day = (timezone.now() + timedelta(days=5)).date().isoformat()
    data = {
        "title": "House meeting",
        "description": "Tea and a plan",
        "date": day,
        "start_time": "18:30",
        "end_time": "20:00",
        "time_zone": "America/Chicago",
        "postal_code": "60601",
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_a_member_hosts_from_the_page(member, client_for):
    client = client_for(member)
    assert client.get(reverse("events:host")).status_code == 200
    response = client.post(reverse("events:host"), form_data())
    event = Event.objects.get()
    assert response.status_code == 302 and str(event.uuid) in response["Location"]
    # 18:30 in Chicago, stored in UTC.
    assert event.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour in (0, 23)
    assert event.time_zone == "America/Chicago" and event.status == Event.Status.PUBLISHED
    page = client.get(response["Location"]).content.decode()
    assert "Your event is live" in page and "6:30 PM" in page


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"title": ""}, "This field is required"),
        ({"end_time": "17:00"}, "must end after it starts"),
        ({"capacity": "-5"}, "at least 1"),
        ({"postal_code": "00000"}, "couldn't find the ZIP code"),
        ({"postal_code": ""}, "postcode for the place, or a link"),
        ({"cohost_emails": "not-an-address"}, "look like an email address"),
        ({"date": "not-a-date"}, "Enter a valid date"),
    ],
)
def test_bad_event_input_is_explained_and_nothing_saved(member, client_for, overrides, words):
    response = client_for(member).post(reverse("events:host"), form_data(**overrides))
    assert response.status_code == 400
    assert words in unescape(response.content.decode())
    assert Event.objects.count() == 0


def test_hosting_needs_signing_in():
    response = Client().post(reverse("events:host"), form_data())
    assert response.status_code == 302 and Event.objects.count() == 0


def test_organizers_approve_and_trust_from_the_queue(member, organizer, outsider, client_for):
    campaign = EventCampaign.objects.create(title="Day of action", slug="doa")
    client_for(member).post(reverse("events:host"), form_data(campaign=str(campaign.pk)))
    event = Event.objects.get()
    assert event.status == Event.Status.PENDING
    # Only organizers see the queue.
    assert client_for(outsider).get(reverse("events:review")).status_code == 403
    assert Client().get(reverse("events:review")).status_code == 302
    queue = client_for(organizer).get(reverse("events:review")).content.decode()
    assert "House meeting" in queue
    client_for(organizer).post(reverse("events:review"), {"event": "not-a-uuid", "decision": "approve"})
    response = client_for(organizer).post(
        reverse("events:review"), {"event": str(event.uuid), "decision": "reject", "note": ""}, follow=True
    )
    assert "Please tell the host why" in unescape(response.content.decode())
    client_for(organizer).post(
        reverse("events:review"), {"event": str(event.uuid), "decision": "approve", "trust": "1"}
    )
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert TrustedHost.objects.filter(person=member.person).exists()
