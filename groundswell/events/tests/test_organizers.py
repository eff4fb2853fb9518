"""Organizers' pages: the review queue (street address, the host's history, a note error on
the event's own card, queries pinned), the public campaigns index, and calling an event off
through a confirmation step."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.events import selectors, services
from groundswell.events.models import Attendance, Event, EventCampaign
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "member", "host", "cohost", "organizer", "admin"]


@pytest.fixture
def cast():
    host, cohost = MemberFactory.create(given_name="Hana"), MemberFactory.create(given_name="Cole")
    people = {
        "host": host,
        "cohost": cohost,
        "member": MemberFactory.create(given_name="Maya"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }
    event = EventFactory.create(
        host=host, cohosts=[cohost], title="Canvass", starts_at=timezone.now() + timedelta(days=2)
    )
    services.rsvp(actor=actor_of(people["member"]), event=event)
    return event, people


def client_as(people: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def past_event(host, came: int, no_shows: int, unmarked: int = 0) -> Event:
    event = EventFactory.create(host=host, starts_at=timezone.now() + timedelta(days=1))
    for i in range(came + no_shows + unmarked):
        services.rsvp(actor=actor_of(MemberFactory.create(given_name=f"G{i}")), event=event)
    rows = list(Attendance.objects.filter(event=event).order_by("id"))
    Attendance.objects.filter(pk__in=[a.pk for a in rows[:came]]).update(attended=True)
    Attendance.objects.filter(pk__in=[a.pk for a in rows[came : came + no_shows]]).update(attended=False)
    ago = timezone.now() - timedelta(days=10)
    Event.objects.filter(pk=event.pk).update(
        starts_at=ago, ends_at=ago + timedelta(hours=2), last_ends_at=ago + timedelta(hours=2)
    )
    return event


def test_a_hosts_history_counts_turnout_and_flakes_from_past_rsvps():
    host = MemberFactory.create(given_name="Hana")
    past_event(host, came=3, no_shows=1)
    past_event(host, came=1, no_shows=2, unmarked=1)
    EventFactory.create(host=host)  # still to come: hosted, but no turnout yet
    newcomer = MemberFactory.create(given_name="New")
    histories = selectors.host_histories([host.person_id, newcomer.person_id])
    history = histories[host.person_id]
    assert (history.hosted, history.past, history.rsvps, history.came, history.no_shows) == (3, 2, 8, 4, 3)
    assert (history.turnout, history.flake_rate) == (50, 38)
    assert histories[newcomer.person_id].hosted == 0 and histories[newcomer.person_id].turnout is None


def test_the_review_queue_shows_the_address_and_history_in_bounded_queries(django_assert_max_num_queries):
    organizer = MemberFactory.create(given_name="Olu", role=Role.ORGANIZER)
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    client = Client()
    client.force_login(organizer)

    def add(n: int) -> None:
        for i in range(n):
            host = MemberFactory.create(given_name=f"H{i}")
            past_event(host, came=2, no_shows=1)
            details = dict(title=f"Rally {i}", campaign=campaign, address_lines=[f"{i} Elm Street"])
            assert EventFactory.create(host=host, **details).status == Event.Status.PENDING

    add(1)
    client.get(reverse("events:review"))  # warm the viewer's clock cache
    with django_assert_max_num_queries(12) as few:
        page = client.get(reverse("events:review")).content.decode()
    add(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("events:review")).content.decode()
    assert "0 Elm Street" in page and "4 Elm Street" in page
    assert "Events hosted" in page and "Turnout" in page and "67%" in page and "33%" in page


def test_a_note_error_appears_on_that_events_card_and_keeps_what_was_typed():
    organizer = MemberFactory.create(given_name="Olu", role=Role.ORGANIZER)
    campaign = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    first = EventFactory.create(
        host=MemberFactory.create(given_name="A"), campaign=campaign, title="First one"
    )
    second = EventFactory.create(
        host=MemberFactory.create(given_name="B"), campaign=campaign, title="Second one"
    )
    client = Client()
    client.force_login(organizer)
    response = client.post(
        reverse("events:review"), {"event": second.uuid, "decision": "reject", "note": "  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    card = html.split(f'id="review-{second.uuid}"')[1]
    assert "Please tell the host why." in card.split("</article>")[0]
    assert (
        "Please tell the host why." not in html.split(f'id="review-{first.uuid}"')[1].split("</article>")[0]
    )
    second.refresh_from_db()
    assert second.status == Event.Status.PENDING


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_organizers_open_the_review_queue(cast, persona):
    response = client_as(cast[1], persona).get(reverse("events:review"))
    expected = {"anonymous": 302, "organizer": 200, "admin": 200}.get(persona, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_campaigns_index_is_public_and_counts_listed_events(cast, persona):
    event, people = cast
    campaign = EventCampaign.objects.create(title="Day of action", slug="day", approval="open")
    quiet = EventCampaign.objects.create(title="Quiet one", slug="quiet", approval="open")
    Event.objects.filter(pk=event.pk).update(campaign=campaign)
    hidden = EventFactory.create(host=people["host"], campaign=campaign, visibility=Event.Visibility.PRIVATE)
    assert hidden.campaign_id == campaign.pk
    page = client_as(people, persona).get(reverse("events:campaigns"))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        reverse("events:campaign", args=["day"]) in html
        and reverse("events:campaign", args=["quiet"]) in html
    )
    assert (
        "<strong>1</strong> upcoming event ·" in html and "<strong>1</strong> going" in html
    )  # not the private one
    assert html.index("Day of action") < html.index(quiet.title)
    # The navigation links it, and a campaign's page links back.
    assert html.count(f'href="{reverse("events:campaigns")}"') >= 1
    assert (
        reverse("events:campaigns")
        in client_as(people, persona).get(reverse("events:campaign", args=["day"])).content.decode()
    )


def test_the_campaigns_index_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    host = MemberFactory.create(given_name="Hana")
    for i in range(4):
        campaign = EventCampaign.objects.create(title=f"C{i}", slug=f"c{i}", approval="open")
        EventFactory.create(host=host, campaign=campaign)
    with django_assert_max_num_queries(3):
        assert Client().get(reverse("events:campaigns")).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_calling_an_event_off_asks_first_and_only_the_host_and_staff_may(cast, persona):
    event, people = cast
    url = reverse("events:cancel_event", args=[event.uuid])
    client = client_as(people, persona)
    page = client.get(url)
    may = persona in {"host", "organizer", "admin"}
    expected = {"anonymous": 302, "cohost": 403}.get(persona, 200 if may else 404)
    assert page.status_code == expected
    if may:
        html = page.content.decode()
        assert 'class="confirm"' in html and "<strong>1 person</strong> who RSVP'd will get an email" in html
        # A post without the confirmation (a form elsewhere) only shows the step again.
        assert client.post(url, {"reason": "Rain"}).status_code == 200
        event.refresh_from_db()
        assert event.status == Event.Status.PUBLISHED
    done = client.post(url, {"reason": "Rain", "confirmed": "yes"})
    event.refresh_from_db()
    assert (event.status == Event.Status.CANCELLED) == may
    if may:
        assert done.status_code == 302


def test_my_events_lists_past_events_with_host_again(cast):
    event, people = cast
    past = past_event(people["host"], came=1, no_shows=0)
    client = client_as(people, "host")
    html = client.get(reverse("events:mine")).content.decode()
    assert "Past events" in html and reverse("events:again", args=[past.uuid]) in html
    assert reverse("events:manage", args=[event.uuid]) in html  # the upcoming one: who's coming
    went = client_as(people, "member").get(reverse("events:mine")).content.decode()
    assert reverse("events:again", args=[event.uuid]) not in went
