"""Bad input at every form and query string: never a 500, always a message a person understands.

Boundary values: dates near year 1 and 9999 (the search asks for the day after "until"),
integers past a column's range (PositiveIntegerField stops at 2147483647; SQLite and
PostgreSQL refuse a bigger one with an error, not a clean "no"), text past a column's length,
garbage where a number or an id belongs. Everything goes through the pages, as a visitor's
browser would send it.
"""

import html
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.events.models import Event, EventCampaign

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past a 64-bit integer, let alone a 32-bit column
PAST_INT32 = "2147483648"
DATE_MESSAGE = "Please choose a date between 2000 and 2100."


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    # The hosting and RSVP pages are rate-limited; counts live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def host_form(**changes: str) -> dict[str, str]:
    day = (timezone.now() + timedelta(days=10)).date().isoformat()
    data = {
        "title": "Neighbourhood meeting",
        "description": "",
        "date": day,
        "start_time": "18:00",
        "end_time": "20:00",
        "time_zone": "America/New_York",
        "postal_code": "10001",
        "visibility": "public",
    }
    return {**data, **changes}


@pytest.fixture
def hosted(member, client_for) -> tuple[Client, Event]:
    """A member's event, hosted through the page, and the member's browser."""
    client = client_for(member)
    response = client.post(reverse("events:host"), host_form())
    assert response.status_code == 302, page_text(response)
    event = Event.objects.get(uuid=response["Location"].rstrip("/").split("/")[-1])
    return client, event


# --- Finding events: the query string ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"starts_after": "9999-12-31"}, DATE_MESSAGE),
        ({"starts_before": "9999-12-31"}, DATE_MESSAGE),
        ({"starts_after": "0001-01-01"}, DATE_MESSAGE),
        ({"starts_before": "1999-12-31", "postal_code": "10001"}, DATE_MESSAGE),
        ({"starts_after": "2024-13-45"}, "Enter a valid date."),
        ({"starts_after": "2030-01-02", "starts_before": "2030-01-01"}, "must come after its start"),
        ({"radius": "abc", "postal_code": "10001"}, "Select a valid choice."),
        ({"radius": HUGE, "postal_code": "10001"}, "Select a valid choice."),
        ({"radius": "-25", "postal_code": "10001"}, "Select a valid choice."),
        ({"campaign": HUGE}, "Select a valid choice."),
        ({"campaign": "-1"}, "Select a valid choice."),
        ({"campaign": "abc"}, "Select a valid choice."),
        ({"postal_code": "9" * 100}, "A US ZIP code has 5 digits"),
        ({"near": "9" * 101}, "at most 100 characters"),
        ({"page": HUGE}, None),
        ({"page": "-1"}, None),
        ({"page": "1e10"}, None),
        ({"page": "abc"}, None),
    ],
)
def test_the_search_answers_any_query_string(query, message):
    response = Client().get(reverse("events:find"), query)
    assert response.status_code in (200, 400)
    if message:
        assert response.status_code == 400 and message in page_text(response)


def test_a_campaign_page_answers_any_page_number():
    EventCampaign.objects.create(title="Day of action", slug="day-of-action")
    for page in [HUGE, "-1", "abc", "1e10"]:
        assert (
            Client().get(reverse("events:campaign", args=["day-of-action"]), {"page": page}).status_code
            == 200
        )


# --- Hosting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "9999-12-31"}, DATE_MESSAGE),
        ({"date": "0001-01-01"}, DATE_MESSAGE),
        ({"date": "2101-01-01"}, DATE_MESSAGE),
        ({"date": "99999-01-01"}, "Enter a valid date."),
        ({"start_time": "25:00"}, "Enter a valid time."),
        ({"capacity": PAST_INT32}, "Capacity can be at most 100,000"),
        ({"capacity": HUGE}, "Capacity can be at most 100,000"),
        ({"capacity": "100001"}, "Capacity can be at most 100,000"),
        ({"capacity": "-" + HUGE}, "Capacity must be at least 1"),
        ({"capacity": "0"}, "Capacity must be at least 1"),
        ({"capacity": "1e400"}, "Enter a whole number."),
        ({"capacity": "9" * 5000}, "Enter a whole number."),  # past Python's digit limit for int()
        ({"shifts": "10:00-12:00 Door knocking (999999 places)"}, "at most 100,000 places"),
        ({"shifts": "99:99-12:00 Door knocking"}, "not on the clock"),
        ({"shifts": "x\n" * 3000}, "at most 5000 characters"),
        ({"repeat": "weekly", "skip_dates": "9999-12-31"}, DATE_MESSAGE),
        ({"repeat": "weekly", "skip_dates": "0001-01-01, 2030-01-01"}, DATE_MESSAGE),
        ({"description": "x" * 20_001}, "at most 20000 characters"),
        ({"title": "x" * 201}, "at most 200 characters"),
        ({"online_url": "https://example.org/" + "x" * 500}, "at most 500 characters"),
        ({"cohost_emails": "a@example.org," * 200}, "at most 2000 characters"),
        ({"time_zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
        ({"campaign": HUGE}, "Select a valid choice."),
        ({"visibility": "everyone"}, "Select a valid choice."),
    ],
)
def test_the_host_form_refuses_what_does_not_fit_with_a_message(member, client_for, changes, message):
    response = client_for(member).post(reverse("events:host"), host_form(**changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Event.objects.exists()


@pytest.mark.parametrize("page", ["events:edit", "events:again"])
def test_changing_or_hosting_again_is_bounded_too(hosted, page):
    client, event = hosted
    response = client.post(reverse(page, args=[event.uuid]), host_form(date="9999-12-31", capacity=HUGE))
    assert response.status_code == 400
    assert DATE_MESSAGE in page_text(response) and "Capacity can be at most 100,000" in page_text(response)


# --- RSVPs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shift": HUGE}, "not on this event"),
        ({"shift": "-1"}, "not on this event"),
        ({"shift": "１２"}, "not on this event"),  # full-width digits are digits to Python
        ({"given_name": "x" * 101}, "at most 100 characters"),
        ({"email": "x" * 250 + "@example.org"}, "at most 254 characters"),
        ({"email": "not an address"}, "email"),
        ({"given_name": ""}, "Please enter your first name."),
    ],
)
def test_a_guest_rsvp_refuses_what_does_not_fit_with_a_message(hosted, changes, message):
    _, event = hosted
    data = {"given_name": "Gus", "email": "gus@example.org", **changes}
    response = Client().post(reverse("events:rsvp", args=[event.uuid]), data)
    assert response.status_code == 400
    assert message.lower() in page_text(response).lower()


def test_a_mangled_link_never_spoils_a_guest_rsvp(hosted):
    _, event = hosted
    data = {"given_name": "Gus", "email": "gus@example.org", "ref": "r" * 10_000, "via": "v" * 10_000}
    response = Client().post(reverse("events:rsvp", args=[event.uuid]), {**data, "invite": "i" * 10_000})
    assert response.status_code in (200, 302, 303)


def test_cancelling_answers_any_id_or_token(hosted, member, client_for):
    _, event = hosted
    leave = client_for(member).post(reverse("events:leave", args=[event.uuid]), {"attendance": HUGE})
    assert leave.status_code == 404
    for token in ["x", "x" * 5000, HUGE]:
        assert Client().get(reverse("events:cancel", args=[token])).status_code == 404
        assert Client().get(reverse("events:my_feed", args=[token])).status_code == 404
        assert Client().get(reverse("messaging:unsubscribe", args=[token])).status_code == 404


# --- Host tools --------------------------------------------------------------------------------


def test_host_tools_answer_garbage_with_messages(hosted):
    client, event = hosted
    manage = reverse("events:manage", args=[event.uuid])
    assert client.get(manage, {"shift": HUGE}).status_code == 200
    walk_in = client.post(manage, {"action": "walk_in", "given_name": "x" * 101, "email": "w@example.org"})
    assert walk_in.status_code in (200, 302, 400)
    assert "Please check the walk-in" in page_text(client.get(manage)) or walk_in.status_code == 400
    check_in = client.post(manage, {"attendance": HUGE}, follow=True)
    assert check_in.status_code == 200 and "That RSVP is not on this event." in page_text(check_in)
    message = client.post(
        reverse("events:message", args=[event.uuid]), {"subject": "s" * 10_000, "body": "b" * 100_000}
    )
    assert message.status_code == 302
    cancel = client.post(
        reverse("events:cancel_event", args=[event.uuid]), {"reason": "r" * 100_000, "confirmed": "yes"}
    )
    assert cancel.status_code == 302


@pytest.mark.parametrize(
    ("attendance", "message"),
    [("-5", "How many came? Please give a number."), ("12.5", "How many came?"), ("１２", "How many came?")],
)
def test_the_report_refuses_what_is_not_a_count(hosted, attendance, message):
    client, event = hosted
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    response = client.post(
        reverse("events:report", args=[event.uuid]), {"attendance": attendance}, follow=True
    )
    assert response.status_code == 200 and message in page_text(response)


@pytest.mark.parametrize("attendance", [PAST_INT32, HUGE])
def test_the_report_refuses_a_count_past_the_column(hosted, attendance):
    client, event = hosted
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    response = client.post(
        reverse("events:report", args=[event.uuid]), {"attendance": attendance}, follow=True
    )
    text = page_text(response)
    assert response.status_code == 200 and "Thanks for the report" not in text
    assert "please check the number" in text or "How many came? Please give a number." in text


def test_the_review_queue_answers_garbage(organizer, client_for):
    client = client_for(organizer)
    for event in ["not-a-uuid", HUGE, "x" * 5000]:
        response = client.post(reverse("events:review"), {"event": event, "decision": "approve"}, follow=True)
        assert response.status_code == 200
        assert "That event is no longer waiting for review." in page_text(response)


# --- Joining, contacts, signing in ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": "x" * 10_000}, "Please shorten your first name"),
        ({"family_name": "x" * 10_000}, "Please shorten your last name"),
        ({"email": "x" * 10_000}, "That email address is too long"),
        ({"postal_code": "9" * 10_000}, "That postcode is too long."),
        ({"given_name": "\u202e\u200b"}, "Please enter your first name."),
    ],
)
def test_the_join_form_refuses_what_does_not_fit_with_a_message(changes, message):
    data = {"given_name": "Jo", "email": "jo@example.org", "postal_code": "10001", **changes}
    response = Client().post(reverse("network:join"), data)
    assert response.status_code == 400
    assert message in page_text(response)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"phone": "1" * 31}, "at most 30 characters"),
        ({"phone": "1" * 29}, "phone"),
        ({"email": "x" * 255}, "at most 254 characters"),
    ],
)
def test_the_contact_form_refuses_what_does_not_fit_with_a_message(member, client_for, changes, message):
    data = {"name": "Cam", "email": "cam@example.org", **changes}
    response = client_for(member).post(reverse("network:add_contact"), data)
    assert response.status_code == 400
    assert message.lower() in page_text(response).lower()


def test_signing_in_refuses_what_does_not_fit():
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": "x" * 10_000 + "@example.org"})
    assert response.status_code == 200 and "at most 320 characters" in page_text(response)
    confirm = client.post(reverse("account_confirm_login_code"), {"code": "x" * 10_000})
    assert confirm.status_code == 302  # no code was asked for: back to asking for one
