"""Campaign pages with totals, and the iCalendar feeds (campaign, and a member's own)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.events import selectors, services
from groundswell.events.models import Event, EventCampaign
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def campaign():
    # Open: its events go live without review (approval is not what these tests are about).
    return EventCampaign.objects.create(
        title="Day of action",
        slug="day",
        description="**Together**",
        host_instructions="Bring clipboards",
        approval=EventCampaign.Approval.OPEN,
    )


def test_campaign_page_lists_events_with_totals(campaign, member, make_member, client_for, actor):
    veteran = make_member("Vet")
    EventFactory.create(host=veteran, title="Earlier, elsewhere", starts_at=in_days(1), hours=1)
    # a new host
    first = EventFactory.create(
        host=member, campaign=campaign, title="Rally A", starts_at=in_days(5), hours=1
    )
    # hosted before: not new
    second = EventFactory.create(
        host=veteran, campaign=campaign, title="Rally B", starts_at=in_days(6), hours=1
    )
    attendee = make_member("Att")
    attendance = services.rsvp(actor=actor(attendee), event=first).attendance
    services.rsvp(actor=actor(attendee), event=second)
    services.check_in(actor=actor(member), attendance=attendance)
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
    EventFactory.create(host=member, campaign=campaign, title="Rally A")
    EventFactory.create(host=member, campaign=campaign, title="Hidden", visibility=Event.Visibility.PRIVATE)
    body = Client().get(reverse("events:campaign_feed", args=["day"])).content
    titles = [str(item["summary"]) for item in Calendar.from_ical(body).walk("VEVENT")]
    assert titles == ["Rally A"]


def test_my_events_feed_is_private_to_its_address(member, make_member, client_for, actor):
    other = make_member("Other")
    mine = EventFactory.create(host=member, title="Mine")
    theirs = EventFactory.create(host=other, title="Theirs")
    services.rsvp(actor=actor(member), event=theirs)
    EventFactory.create(host=other, title="Not mine")
    page = client_for(member).get(reverse("events:mine")).content.decode()
    assert "Mine" in page and "Theirs" in page and "Not mine" not in page
    token = services.feed_token(member.person)
    body = Client().get(reverse("events:my_feed", args=[token])).content
    titles = sorted(str(item["summary"]) for item in Calendar.from_ical(body).walk("VEVENT"))
    assert titles == sorted([mine.title, theirs.title])
    assert Client().get(reverse("events:my_feed", args=["forged"])).status_code == 404
    assert Client().get(reverse("events:mine")).status_code == 302
