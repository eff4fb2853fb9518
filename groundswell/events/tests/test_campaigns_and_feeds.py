"""Campaign pages with totals, and the iCalendar feeds (campaign, and a member's own)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.events import selectors, services
from groundswell.events.models import Event, EventCampaign

pytestmark = pytest.mark.django_db


def host(person, campaign=None, *, days=3, **extra) -> Event:
    start = timezone.now() + timedelta(days=days)
    return services.host_event(
        host=person,
        details=services.EventDetails(
            title=extra.pop("title", "Action"),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            postal_code="10001",
            campaign=campaign,
            **extra,
        ),
        by_staff=True,
    )


@pytest.fixture
def campaign():
    return EventCampaign.objects.create(
        title="Day of action", slug="day", description="**Together**", host_instructions="Bring clipboards"
    )


def test_campaign_page_lists_events_with_totals(campaign, member, make_member, client_for):
    veteran = make_member("Vet")
    host(veteran.person, None, title="Earlier, elsewhere", days=1)
    first = host(member.person, campaign, title="Rally A", days=5)  # a new host
    second = host(veteran.person, campaign, title="Rally B", days=6)  # hosted before: not new
    attendee = make_member("Att")
    attendance = services.rsvp(event=first, person=attendee.person).attendance
    services.rsvp(event=second, person=attendee.person)
    services.check_in(attendance=attendance, by=member.person)
    page = Client().get(reverse("events:campaign", args=["day"])).content.decode()
    assert "Rally A" in page and "Rally B" in page and "Earlier, elsewhere" not in page
    assert "<strong>Together</strong>" in page
    assert "Bring clipboards" not in page  # host instructions are for signed-in members
    totals = selectors.campaign_totals(campaign.pk)
    assert (totals.events, totals.rsvps, totals.attended, totals.hosts, totals.new_hosts) == (2, 2, 1, 2, 1)
    assert "<dt>New hosts</dt><dd>1</dd>" in page
    signed_in = client_for(member).get(reverse("events:campaign", args=["day"])).content.decode()
    assert "Bring clipboards" in signed_in
    assert Client().get(reverse("events:campaign", args=["nope"])).status_code == 404


def test_campaign_feed_is_valid_icalendar(campaign, member):
    host(member.person, campaign, title="Rally A")
    host(member.person, campaign, title="Hidden", visibility=Event.Visibility.PRIVATE)
    body = Client().get(reverse("events:campaign_feed", args=["day"])).content
    titles = [str(item["summary"]) for item in Calendar.from_ical(body).walk("VEVENT")]
    assert titles == ["Rally A"]


def test_my_events_feed_is_private_to_its_address(member, make_member, client_for):
    other = make_member("Other")
    mine = host(member.person, title="Mine")
    theirs = host(other.person, title="Theirs")
    services.rsvp(event=theirs, person=member.person)
    host(other.person, title="Not mine")
    page = client_for(member).get(reverse("events:mine")).content.decode()
    assert "Mine" in page and "Theirs" in page and "Not mine" not in page
    token = services.feed_token(member.person)
    body = Client().get(reverse("events:my_feed", args=[token])).content
    titles = sorted(str(item["summary"]) for item in Calendar.from_ical(body).walk("VEVENT"))
    assert titles == sorted([mine.title, theirs.title])
    assert Client().get(reverse("events:my_feed", args=["forged"])).status_code == 404
    assert Client().get(reverse("events:mine")).status_code == 302
