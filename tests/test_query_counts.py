"""Every list page answers in a fixed number of queries, however long its list: each page is
loaded with a few rows and with many more, and must cost the same (no query per row), and
no more than its pinned number."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.events import services
from groundswell.events.models import Event, EventCampaign
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def same_cost(client: Client, url: str, grow: Callable[[], None], pinned: int) -> None:
    queries(client, url)  # once first: a first visit may make something once (a calendar key)
    before = queries(client, url)
    grow()
    after = queries(client, url)
    assert after == before, f"{url}: {before} queries with a few rows, {after} with more"
    assert after <= pinned, f"{url}: {after} queries, pinned at {pinned}"


@pytest.fixture
def host():
    return MemberFactory(given_name="Hana")


def test_finding_events_near_a_postcode(host):
    client = Client()
    EventFactory(host=host)
    same_cost(
        client,
        reverse("events:find") + "?postal_code=10001",
        lambda: [EventFactory(host=host, title=f"E{i}") for i in range(8)],
        pinned=4,
    )


def test_a_campaign_page(host):
    campaign = EventCampaign.objects.create(title="Day", slug="day", approval="open")
    EventFactory(host=host, campaign=campaign)
    same_cost(
        Client(),
        reverse("events:campaign", args=["day"]),
        lambda: [EventFactory(host=MemberFactory(given_name=f"H{i}"), campaign=campaign) for i in range(6)],
        pinned=12,
    )


def test_my_events(host, client_for):
    EventFactory(host=host, recurrence_rule="FREQ=WEEKLY;COUNT=3")  # a series costs one query more, once
    same_cost(
        client_for(host),
        reverse("events:mine"),
        lambda: [
            EventFactory(host=host, title=f"E{i}", recurrence_rule="FREQ=WEEKLY;COUNT=3") for i in range(5)
        ],
        pinned=10,
    )


def test_the_review_queue(client_for):
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    EventFactory(host=MemberFactory(given_name="H"), campaign=campaign)

    def more() -> None:
        for i in range(6):
            assert (
                EventFactory(host=MemberFactory(given_name=f"H{i}"), campaign=campaign).status
                == Event.Status.PENDING
            )

    same_cost(client_for(organizer), reverse("events:review"), more, pinned=10)


def test_the_attendee_list_and_csv(host, client_for):
    event = EventFactory(host=host, starts_at=timezone.now() + timedelta(days=2))

    def more() -> None:
        for i in range(8):
            services.rsvp(actor=actor_of(MemberFactory(given_name=f"G{i}")), event=event)

    services.rsvp(actor=actor_of(MemberFactory(given_name="First")), event=event)
    client = client_for(host)
    for name in ("events:manage", "events:attendees_csv"):
        url = reverse(name, args=[event.uuid])
        queries(client, url)  # once first: the viewer's time zone is cached on a first visit
        before = queries(client, url)
        more() if name == "events:manage" else None
        assert queries(client, url) == before <= 14


def test_the_hub_and_its_ripple(client_for):
    member = MemberFactory(given_name="Maya")
    MemberFactory(given_name="R0", recruited_by=member.person)

    def more() -> None:
        for i in range(6):
            recruit = MemberFactory(given_name=f"R{i}", recruited_by=member.person)
            MemberFactory(given_name=f"RR{i}", recruited_by=recruit.person)

    same_cost(client_for(member), reverse("network:hub"), more, pinned=16)
