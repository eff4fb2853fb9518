"""Finding events near a place, and who may see which event."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groundswell.core.errors import NotFound
from groundswell.events import selectors, services
from groundswell.events.models import Event, EventCampaign, Shift
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_distance_is_the_great_circle():
    # New York (10001) to Los Angeles (90001): about 3,940 km.
    assert selectors.distance_km(40.75, -73.99, 33.97, -118.25) == pytest.approx(3940, rel=0.01)
    assert selectors.distance_km(10, 20, 10, 20) == 0


def test_radius_search_finds_what_is_near_and_nothing_else(member):
    manhattan = EventFactory.create(host=member, postal_code="10001")
    brooklyn = EventFactory.create(host=member, postal_code="11201")  # about 7 km away
    EventFactory.create(host=member, postal_code="90001")  # Los Angeles
    EventFactory.create(
        host=member, postal_code="10002", visibility=Event.Visibility.UNLISTED
    )  # never listed
    found = selectors.events_near(
        latitude=40.7484, longitude=-73.9967, radius_km=15, starts_after=timezone.now()
    )
    assert [n.event for n in found] == [manhattan, brooklyn]
    assert 0 <= (found[0].distance_km or 0) < 1 < (found[1].distance_km or 0) < 15
    tight = selectors.events_near(
        latitude=40.7484, longitude=-73.9967, radius_km=2, starts_after=timezone.now()
    )
    assert [n.event for n in tight] == [manhattan]


def test_radius_search_is_one_query_and_the_page_one_more(member):
    for _ in range(5):
        EventFactory.create(host=member, postal_code="10001")
    with CaptureQueriesContext(connection) as queries:
        pairs = selectors.nearby_ids(
            latitude=40.75, longitude=-74.0, radius_km=50, starts_after=timezone.now()
        )
    assert len(pairs) == 5 and len(queries) == 1
    assert "latitude" in queries[0]["sql"] and "BETWEEN" in queries[0]["sql"]
    with CaptureQueriesContext(connection) as queries:
        page = selectors.hydrate(pairs[:2])
    assert [n.event.pk for n in page] == [pk for pk, _ in pairs[:2]] and len(queries) == 1


def test_the_box_holds_the_whole_circle():
    # An event due north, or due east, just inside the radius is inside the box.
    for lat in (0.0, 40.7, 64.8):
        _, north, _, east = selectors.bounding_box(lat, -74.0, 40.2)
        assert selectors.distance_km(lat, -74.0, north, -74.0) == pytest.approx(40.2, rel=1e-6)
        # The east edge touches the circle and never cuts into it.
        closest = min(selectors.distance_km(lat, -74.0, lat + i / 2000, east) for i in range(-800, 801))
        assert closest == pytest.approx(40.2, rel=1e-4) and closest >= 40.2 - 1e-6


def test_bounding_box_is_safe_at_the_date_line_and_poles():
    assert selectors.bounding_box(0, 179.9, 50)[2:] == (-180.0, 180.0)
    assert selectors.bounding_box(90, 0, 50)[2:] == (-180.0, 180.0)


def test_who_may_see_which_event(member, outsider, organizer, actor):
    public = EventFactory.create(host=member, postal_code="10001")
    unlisted = EventFactory.create(host=member, postal_code="10001", visibility=Event.Visibility.UNLISTED)
    private = EventFactory.create(host=member, postal_code="10001", visibility=Event.Visibility.PRIVATE)
    for event in (public, unlisted):
        assert selectors.access_event(actor(None), str(event.uuid)) == event
    with pytest.raises(NotFound):
        selectors.access_event(actor(None), str(private.uuid))
    with pytest.raises(NotFound):
        selectors.access_event(actor(outsider), str(private.uuid))
    assert selectors.access_event(actor(member), str(private.uuid)) == private
    assert selectors.access_event(actor(organizer), str(private.uuid)) == private
    assert list(selectors.listed_events()) == [public]


def test_counts_show_numbers_not_people(member, make_member, actor):
    event = EventFactory.create(host=member, postal_code="10001", capacity=1)
    services.rsvp(actor=actor(make_member("A")), event=event)
    services.rsvp(actor=actor(make_member("B")), event=event)
    assert selectors.counts(event) == {"accepted": 1, "waitlisted": 1}


@pytest.mark.postgres
def test_the_bounding_box_is_served_by_the_place_index(member):
    from tests.services import require_postgres

    require_postgres()
    import random

    rng = random.Random(1)
    start = timezone.now() + timedelta(days=1)
    # Events spread across the US, so that the planner sees the statistics of a real movement.
    Event.objects.bulk_create(
        Event(
            title=f"E{i}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            last_ends_at=start + timedelta(hours=1),
            latitude=rng.uniform(25, 49),
            longitude=rng.uniform(-124, -67),
            host=member.person,
            status=Event.Status.PUBLISHED,
        )
        for i in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")
    south, north, west, east = selectors.bounding_box(40.75, -74.0, 25)
    query = selectors.listed_events().filter(
        latitude__range=(south, north), longitude__range=(west, east), last_ends_at__gt=timezone.now()
    )
    with connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "event_place_idx" in plan, plan


def test_the_written_out_search_agrees_with_the_orm_rules(member):
    """`nearby_ids` is one SQL statement for speed; `listed_events` and `_within_dates` are
    the rules it must follow. Random events (some drafts, unlisted, in a campaign, with
    shifts, ended) and random searches: the same answers, in the same order."""
    import random

    rng = random.Random(7)
    now = timezone.now()
    campaign = EventCampaign.objects.create(title="C", slug="c")
    events = []
    for i in range(300):
        start = now + timedelta(hours=rng.uniform(-72, 24 * 40))
        end = start + timedelta(hours=rng.choice([1, 2, 3]))
        events.append(
            Event(
                title=f"E{i}",
                starts_at=start,
                ends_at=end,
                last_ends_at=end,
                latitude=40.75 + rng.uniform(-0.6, 0.6),
                longitude=-74.0 + rng.uniform(-0.8, 0.8),
                host=member.person,
                status=rng.choice(["published"] * 4 + ["draft", "cancelled"]),
                visibility=rng.choice(["public"] * 4 + ["unlisted", "private"]),
                campaign=campaign if rng.random() < 0.3 else None,
            )
        )
    Event.objects.bulk_create(events)
    for event in rng.sample(list(Event.objects.all()), 60):  # some with dates weeks apart
        for week in range(rng.randint(1, 5)):
            start = event.starts_at + timedelta(weeks=week)
            Shift.objects.create(event=event, starts_at=start, ends_at=start + timedelta(hours=1))
        services.sync_dates(event, now=now)
    for _ in range(60):
        after = now + timedelta(days=rng.uniform(-1, 30))
        before = after + timedelta(days=rng.uniform(0.5, 10)) if rng.random() < 0.5 else None
        in_campaign = campaign.pk if rng.random() < 0.3 else None
        lat, lon, radius = 40.75 + rng.uniform(-0.3, 0.3), -74.0 + rng.uniform(-0.3, 0.3), rng.uniform(2, 60)
        found = selectors.nearby_ids(
            latitude=lat,
            longitude=lon,
            radius_km=radius,
            starts_after=after,
            starts_before=before,
            campaign_id=in_campaign,
        )
        expected = sorted(
            (
                (selectors.distance_km(lat, lon, e.latitude or 0.0, e.longitude or 0.0), e.starts_at, e.pk)
                for e in selectors.upcoming(after=after, before=before, campaign_id=in_campaign)
            ),
        )
        expected = [row for row in expected if row[0] <= radius]
        assert [pk for pk, _ in found] == [pk for _, _, pk in expected]
        assert [km for _, km in found] == pytest.approx([km for km, _, _ in expected], rel=1e-9)
