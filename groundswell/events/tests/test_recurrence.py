"""Recurring events: RFC 5545 rules with exceptions, read in the event's own time zone."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.core.errors import ValidationError
from groundswell.events import recurrence, services
from groundswell.events.models import Event

NY = zoneinfo.ZoneInfo("America/New_York")


def test_monthly_on_the_second_tuesday_keeps_its_wall_clock_time_across_dst():
    start = datetime(2030, 10, 8, 19, 0, tzinfo=NY)  # 2nd Tuesday of October 2030, 7 pm
    rule = recurrence.monthly_rule_for(start, "America/New_York")
    assert rule == "FREQ=MONTHLY;BYDAY=2TU"
    dates = recurrence.occurrences(
        rule=rule,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="America/New_York",
        exceptions=["2030-12-10"],
        after=start,
        count=3,
    )
    local = [s.astimezone(NY) for s, _ in dates]
    assert [(s.month, s.day, s.hour) for s in local] == [(10, 8, 19), (11, 12, 19), (1, 14, 19)]
    assert all(end - s == timedelta(hours=2) for s, end in dates)


def test_a_bad_rule_is_refused():
    with pytest.raises(ValidationError, match="not valid"):
        recurrence.parse_rule("FREQ=SOMETIMES", starts_at=timezone.now(), time_zone="UTC")


@pytest.mark.django_db
def test_hosting_a_monthly_meeting_shows_its_next_dates_and_exports_them(member, client_for):
    day = (timezone.now() + timedelta(days=10)).date().isoformat()
    data = {
        "title": "Chapter meeting",
        "date": day,
        "start_time": "19:00",
        "end_time": "20:30",
        "time_zone": "America/New_York",
        "postal_code": "10001",
        "visibility": "public",
        "repeat": "monthly",
        "skip_dates": "not-a-date",
    }
    bad = client_for(member).post(reverse("events:host"), data)
    assert bad.status_code == 400 and "is not a date" in bad.content.decode()
    data["skip_dates"] = ""
    client_for(member).post(reverse("events:host"), data)
    event = Event.objects.get()
    assert event.recurrence_rule.startswith("FREQ=MONTHLY;BYDAY=")
    page = Client().get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert page.count("19:00") >= 5  # the next five meetings, all at 7 pm local time
    Event.objects.filter(pk=event.pk).update(
        recurrence_exceptions=[event.starts_at.astimezone(NY).date().isoformat()]
    )
    body = Client().get(reverse("events:ics", args=[event.uuid])).content
    (item,) = Calendar.from_ical(body).walk("VEVENT")
    assert "RRULE" in item and "EXDATE" in item


@pytest.mark.django_db
def test_services_check_rules_and_exceptions(member, actor):
    start = timezone.now() + timedelta(days=2)
    details = services.EventDetails(
        title="Weekly",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        postal_code="10001",
        recurrence_rule="FREQ=WEEKLY;COUNT=4",
    )
    assert services.host_event(actor=actor(member), details=details).recurrence_rule == "FREQ=WEEKLY;COUNT=4"
    details.recurrence_rule = "NOT A RULE"
    with pytest.raises(ValidationError):
        services.host_event(actor=actor(member), details=details)


def test_rules_in_words():
    assert recurrence.describe("FREQ=MONTHLY;BYDAY=2TU") == "Every month, on the second Tuesday"
    assert recurrence.describe("FREQ=MONTHLY;BYDAY=-1FR") == "Every month, on the last Friday"
    assert recurrence.describe("RRULE:FREQ=WEEKLY;BYDAY=WE") == "Every week, on Wednesday"
    assert recurrence.describe("FREQ=WEEKLY;INTERVAL=2") == "Every 2 weeks"
    assert recurrence.describe("FREQ=MONTHLY;BYMONTHDAY=1,15") == "Repeats"
    assert recurrence.describe("FREQ=WEEKLY;BYDAY=MO,WE") == "Repeats"
