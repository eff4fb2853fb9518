"""The frame every page shares: the navigation (its sections, the organizer's count), the
living style page, and pages that say what a refusal or a missing page is."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.events.models import Event
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def title(page) -> str:
    found = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S)
    assert found is not None
    return found.group(1).strip()


def test_the_organizer_sees_how_many_events_wait_for_review_and_a_member_sees_no_queue(client_for):
    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    member = MemberFactory(given_name="Tia")
    events: list[Event] = [EventFactory.create(host=member) for _ in range(3)]
    Event.objects.filter(pk__in=[e.pk for e in events[:2]]).update(status=Event.Status.PENDING)
    Event.objects.filter(pk=events[2].pk).update(status=Event.Status.PUBLISHED)  # not waiting

    page = client_for(organizer).get(reverse("events:find")).content.decode()
    # In the wide navigation and on the phone's menu button; counted once.
    assert page.count('<span class="count">2<span class="visually-hidden">') == 3
    assert reverse("events:review") in page and reverse("web:style") in page

    page = client_for(member).get(reverse("events:find")).content.decode()
    assert reverse("events:review") not in page and 'class="count"' not in page
    assert "Tia" in page and reverse("network:hub") in page  # the signed-in menu, by name

    page = Client().get(reverse("events:find")).content.decode()
    assert reverse("network:join") in page and reverse("account_request_login_code") in page
    assert reverse("network:hub") not in page


def test_the_count_costs_one_query_and_only_for_staff(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organizer = MemberFactory(given_name="Olu", role=Role.ORGANIZER)
    member = MemberFactory(given_name="Tia")
    Client().get(reverse("web:home"))  # the home page's own numbers, cached for everyone
    for user, expected in ((organizer, 1), (member, 0)):
        with CaptureQueriesContext(connection) as queries:
            client_for(user).get(reverse("web:home"))
        counting = [
            q for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "events_event" in q["sql"]
        ]
        assert len(counting) == expected


def test_the_style_page_is_for_staff(client_for):
    anonymous = Client().get(reverse("web:style"))
    assert anonymous.status_code == 302 and reverse("account_request_login_code") in anonymous["Location"]

    refused = client_for(MemberFactory(given_name="Tia")).get(reverse("web:style"))
    assert refused.status_code == 403
    assert title(refused).startswith("Not allowed") and "for organizers" in refused.content.decode()

    page = client_for(MemberFactory(given_name="Olu", role=Role.ORGANIZER)).get(reverse("web:style"))
    assert page.status_code == 200
    text = page.content.decode()
    for component in (
        "page-header",
        'class="list"',
        'class="empty"',
        "notice error",
        'class="confirm"',
        "error-summary",
        'type="date"',
        'type="time"',
        'type="number"',
        'type="url"',
        "<textarea",
    ):
        assert component in text, component
    # Every help text and error the examples point at exists.
    for ids in re.findall(r'aria-describedby="([^"]+)"', text):
        for one in ids.split():
            assert f'id="{one}"' in text, one


def test_a_missing_page_says_so_and_offers_a_way_on():
    page = Client().get("/no/such/page/")
    assert page.status_code == 404 and title(page).startswith("Not found")
    assert reverse("events:find") in page.content.decode()


def described_by_ids_missing(html: str) -> list[str]:
    return [
        one
        for ids in re.findall(r'aria-describedby="([^"]*)"', html)
        for one in ids.split()
        if f'id="{one}"' not in html
    ]


def test_every_help_text_and_error_a_field_points_at_is_on_the_page(client_for):
    member = MemberFactory(given_name="Tia")
    anonymous, signed_in = Client(), client_for(member)
    pages = [
        anonymous.get(reverse("network:join")),
        anonymous.post(reverse("network:join"), {"email": "not an address", "postal_code": ""}),
        anonymous.get(reverse("events:find"), {"postcode": "00000"}),
        anonymous.get(reverse("account_request_login_code")),
        signed_in.get(reverse("events:host")),
        signed_in.post(reverse("events:host"), {"title": ""}),
    ]
    described = 0
    for page in pages:
        html = page.content.decode()
        assert described_by_ids_missing(html) == [], page.request["PATH_INFO"]
        described += html.count("aria-describedby=")
    # The failed submits tie their errors to the inputs.
    assert 'aria-describedby="id_email_error"' in pages[1].content.decode()
    assert described >= 5
