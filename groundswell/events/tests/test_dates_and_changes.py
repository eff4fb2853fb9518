"""A repeating event's dates and an event's shifts, each with its own RSVPs; hosts changing
or calling off their events; and the emails those bring."""

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import factory
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groundswell.core.errors import ValidationError
from groundswell.events import selectors, services
from groundswell.events.models import Attendance, Event, EventCampaign, Shift
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def tomorrow_at(hour: int, *, days: int = 1) -> datetime:
    day = (timezone.now().astimezone(NY) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=NY)


def series_details(**overrides) -> services.EventDetails:
    start = tomorrow_at(19)
    values: dict[str, Any] = {
        "title": "Chapter meeting",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "America/New_York",
        "postal_code": "10001",
        "recurrence_rule": "FREQ=WEEKLY",
        "capacity": 1,
    }
    values.update(overrides)
    return services.EventDetails(**values)


class MeetingFactory(EventFactory):
    """The weekly chapter meeting of `series_details`, hosted: 7 to 9 pm in New York, from
    tomorrow, one place on each date."""

    title = "Chapter meeting"
    starts_at = factory.LazyFunction(lambda: tomorrow_at(19))
    time_zone = "America/New_York"
    recurrence_rule = "FREQ=WEEKLY"
    capacity: Any = 1  # (EventFactory's own default, None, is no limit)


def test_a_weekly_meeting_has_a_year_of_dates_and_is_found_after_its_first(member):
    skipped = (tomorrow_at(19) + timedelta(weeks=2)).date().isoformat()
    event = MeetingFactory.create(host=member, recurrence_exceptions=[skipped])
    dates = list(event.shifts.all())
    # Weekly for a year (53 weeks from tomorrow, within 366 days), less the skipped one.
    assert len(dates) == 52
    assert skipped not in {d.starts_at.astimezone(NY).date().isoformat() for d in dates}
    assert all(d.starts_at.astimezone(NY).hour == 19 and d.capacity == 1 and d.from_rule for d in dates)
    event.refresh_from_db()
    assert event.last_ends_at == dates[-1].ends_at

    one_off = MeetingFactory.create(host=member, title="One-off", recurrence_rule="", capacity=None)
    in_three_weeks = timezone.now() + timedelta(days=20)
    found = selectors.nearby_ids(latitude=40.75, longitude=-74.0, radius_km=20, starts_after=in_three_weeks)
    assert [pk for pk, _ in found] == [event.pk]
    page = selectors.hydrate(found, after=in_three_weeks)
    assert page[0].next_starts_at == min(d.starts_at for d in dates if d.ends_at > in_three_weeks)
    # A window with no date of the series in it (the skipped week) does not list it.
    day = datetime.fromisoformat(skipped).replace(tzinfo=NY)
    quiet = selectors.upcoming(after=day, before=day + timedelta(days=1))
    assert list(quiet) == []
    busy = selectors.upcoming(after=day + timedelta(days=7), before=day + timedelta(days=8))
    assert list(busy) == [event]
    assert list(selectors.upcoming(after=timezone.now())) == [event, one_off]


def test_each_date_has_its_own_rsvps_and_capacity(member, make_member, actor):
    event = MeetingFactory.create(host=member)
    first, second = event.shifts.all()[:2]
    ana, ben = actor(make_member("Ana")), actor(make_member("Ben"))
    with pytest.raises(ValidationError, match="choose a date"):
        services.rsvp(actor=ana, event=event)
    assert not services.rsvp(actor=ana, event=event, shift=first).waitlisted
    assert services.rsvp(actor=ben, event=event, shift=first).waitlisted  # capacity 1 on each date
    assert not services.rsvp(actor=ben, event=event, shift=second).waitlisted
    assert not services.rsvp(actor=ana, event=event, shift=second).already
    assert selectors.counts(event, first) == {"accepted": 1, "waitlisted": 1}
    Shift.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    first.refresh_from_db()
    with pytest.raises(ValidationError, match="already happened"):
        services.rsvp(actor=actor(make_member("Cy")), event=event, shift=first)


def test_changing_the_time_moves_booked_dates_and_tells_who_is_coming(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = MeetingFactory.create(host=member)
    booked = event.shifts.all()[1]
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=event, shift=booked)
    mail.outbox.clear()
    earlier = series_details(starts_at=event.starts_at - timedelta(hours=1), ends_at=event.ends_at)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_event(actor=actor(member), event=event, details=earlier)
    booked.refresh_from_db()
    assert booked.starts_at.astimezone(NY).hour == 18  # same day, new time, RSVP kept
    assert Attendance.objects.get(person=guest.person).shift_id == booked.pk
    (notice,) = mail.outbox
    assert notice.to == [guest.email] and notice.subject == "Changed: Chapter meeting"
    assert "18:00" in notice.body

    # No longer repeating: the later dates go, and whoever booked one is told it is off;
    # the first date is the event itself now, and those booked on it stay booked.
    first = event.shifts.all()[0]
    regular = make_member("Regular")
    services.rsvp(actor=actor(regular), event=event, shift=first)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_event(
            actor=actor(member),
            event=event,
            details=series_details(starts_at=earlier.starts_at, recurrence_rule=""),
        )
    assert not event.shifts.exists()
    assert not Attendance.objects.filter(person=guest.person).exists()
    assert Attendance.objects.get(person=regular.person).shift is None
    off, changed = mail.outbox
    assert off.to == [guest.email] and off.subject.startswith("Off: Chapter meeting")
    assert changed.to == [regular.email] and changed.subject == "Changed: Chapter meeting"
    event.refresh_from_db()
    assert event.last_ends_at == event.ends_at
    assert services.rsvp(actor=actor(make_member("New")), event=event).attendance.shift is None


def test_the_daily_task_keeps_a_year_of_dates(member):
    event = MeetingFactory.create(host=member)
    later = timezone.now() + timedelta(days=200)
    assert services.extend_series(now=later) == 1
    last = event.shifts.order_by("starts_at").last()
    assert last is not None and last.starts_at > later + timedelta(days=358)
    event.refresh_from_db()
    assert event.last_ends_at == last.ends_at


def test_hosts_hear_of_review_and_resubmit_after_changes(
    member, organizer, django_capture_on_commit_callbacks, actor
):
    campaign = EventCampaign.objects.create(title="Day of action", slug="doa")
    event = MeetingFactory.create(host=member, recurrence_rule="", campaign=campaign)
    assert event.status == Event.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(actor=actor(organizer), event=event, note="Add the room number")
    (asked,) = mail.outbox
    assert asked.to == [member.email] and asked.subject == "Changes asked: Chapter meeting"
    assert "Add the room number" in asked.body and reverse("events:edit", args=[event.uuid]) in asked.body
    event = services.update_event(
        actor=actor(member),
        event=event,
        details=series_details(recurrence_rule="", campaign=campaign, venue="Room 4"),
    )
    assert event.status == Event.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_event(actor=actor(organizer), event=event)
    assert mail.outbox[-1].subject == "Approved: Chapter meeting"


def test_calling_an_event_off_tells_everyone_coming(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = MeetingFactory.create(host=member, recurrence_rule="", capacity=None)
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(actor=actor(member), event=event, reason="The hall flooded.")
    (notice,) = mail.outbox
    assert notice.to == [guest.email] and notice.subject == "Cancelled: Chapter meeting"
    assert "The hall flooded." in notice.body
    with pytest.raises(ValidationError, match="cancelled"):
        services.rsvp(actor=actor(make_member("Late")), event=event)


def test_the_next_on_the_waitlist_is_told_a_place_opened(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = MeetingFactory.create(host=member, recurrence_rule="")
    first, second = make_member("First"), make_member("Second")
    held = services.rsvp(actor=actor(first), event=event).attendance
    services.rsvp(actor=actor(second), event=event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_rsvp(actor=actor(first), attendance=held)
    (notice,) = mail.outbox
    assert notice.to == [second.email] and notice.subject == "A place opened up: Chapter meeting"


def test_reminders_go_per_date(member, make_member, django_capture_on_commit_callbacks, actor):
    event = MeetingFactory.create(host=member, capacity=None)
    first, second = event.shifts.all()[:2]
    near, far = make_member("Near"), make_member("Far")
    services.rsvp(actor=actor(near), event=event, shift=first)
    services.rsvp(actor=actor(far), event=event, shift=second)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=first.starts_at - timedelta(minutes=30)) == 2  # day and hour
    assert {m.to[0] for m in mail.outbox} == {near.email}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=second.starts_at - timedelta(minutes=30)) == 2
    assert sum(m.to == [far.email] for m in mail.outbox) == 2


HOST_FORM = {
    "title": "Canvass",
    "time_zone": "America/New_York",
    "start_time": "10:00",
    "end_time": "16:00",
    "postal_code": "10001",
    "visibility": "public",
    "capacity": "2",
}


def test_hosts_offer_shifts_from_the_form(member, make_member, client_for):
    data = {**HOST_FORM, "date": tomorrow_at(10).date().isoformat()}
    for lines, words in [
        ("ten to twelve", "Write each shift like"),
        ("10:00-25:00 Late", "not on the clock"),
        ("09:00-11:00 Early", "between the event's start and end"),
        ("10:00-12:00 Doors\n12:00-14:00 Phones", "can't have shifts as well"),
    ]:
        repeat = "weekly" if words.startswith("can't") else ""
        response = client_for(member).post(
            reverse("events:host"), {**data, "shifts": lines, "repeat": repeat}
        )
        assert response.status_code == 400 and words in response.content.decode().replace("&#x27;", "'")
    assert not Event.objects.exists() and not Shift.objects.exists()

    data["shifts"] = "10:00-12:00 Door knocking\n12:00–14:00 Phone bank (1 place)"
    assert client_for(member).post(reverse("events:host"), data).status_code == 302
    event = Event.objects.get()
    doors, phones = event.shifts.all()
    assert (doors.label, doors.capacity, phones.label, phones.capacity) == (
        "Door knocking",
        2,
        "Phone bank",
        1,
    )
    assert str(doors).startswith("Door knocking, ") and "10:00–12:00" in str(doors)

    # A guest signs up for a shift; the host cannot then drop that shift, only others.
    Client().post(
        reverse("events:rsvp", args=[event.uuid]),
        {"given_name": "Gus", "email": "gus@example.org", "shift": phones.pk},
    )
    assert Attendance.objects.get().shift == phones
    edit = reverse("events:edit", args=[event.uuid])
    form = client_for(member).get(edit).content.decode()
    assert "12:00-14:00 Phone bank (1 place" in form
    dropped = client_for(member).post(edit, {**data, "shifts": "10:00-12:00 Door knocking"})
    assert dropped.status_code == 400 and "People have signed up for the shift" in dropped.content.decode()
    assert event.shifts.count() == 2
    kept = client_for(member).post(edit, {**data, "shifts": "12:00-14:00 Phone bank (1 place)"})
    assert kept.status_code == 302 and list(event.shifts.all()) == [phones]


def test_members_rsvp_to_dates_and_cancel_their_own_only(member, make_member, outsider, client_for):
    event = MeetingFactory.create(host=member, capacity=None)
    first, second = event.shifts.all()[:2]
    guest = make_member("Guest")
    detail = reverse("events:detail", args=[event.uuid])
    page = client_for(guest).get(detail).content.decode()
    assert "Every week" in page and "Choose a date" in page
    for shift in (first, second):
        client_for(guest).post(reverse("events:rsvp", args=[event.uuid]), {"shift": shift.pk})
    mine = Attendance.objects.filter(person=guest.person)
    assert mine.count() == 2
    page = client_for(guest).get(detail).content.decode()
    assert page.count("You're going") == 2

    # Someone else cannot cancel it, even knowing its id.
    leave = reverse("events:leave", args=[event.uuid])
    attendance = mine.get(shift=first)
    assert client_for(outsider).post(leave, {"attendance": attendance.uuid}).status_code == 404
    assert Client().post(leave, {"attendance": attendance.uuid}).status_code == 302  # to sign-in
    assert mine.filter(status=Attendance.Status.ACCEPTED).count() == 2
    client_for(guest).post(leave, {"attendance": attendance.uuid})
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CANCELLED

    # The host's check-in shows one date at a time.
    manage = reverse("events:manage", args=[event.uuid])
    assert "Guest" not in client_for(member).get(manage, {"shift": first.pk}).content.decode()
    assert "Guest" in client_for(member).get(manage, {"shift": second.pk}).content.decode()


def test_only_hosts_change_or_call_off_an_event(member, outsider, make_member, client_for):
    event = MeetingFactory.create(host=member, recurrence_rule="")
    edit = reverse("events:edit", args=[event.uuid])
    call_off = reverse("events:cancel_event", args=[event.uuid])
    for client in (client_for(outsider), client_for(make_member("Guest"))):
        assert client.get(edit).status_code == 404
        assert client.post(edit, {**HOST_FORM, "date": "2030-01-01", "title": "Mine now"}).status_code == 404
        assert client.post(call_off).status_code == 404
    assert Client().get(edit).status_code == 302  # to sign-in
    event.refresh_from_db()
    assert (event.title, event.status) == ("Chapter meeting", Event.Status.PUBLISHED)
    assert client_for(member).post(call_off, {"reason": "Rain", "confirmed": "yes"}).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_a_private_event_opens_only_with_its_invitation(member, outsider, client_for, make_member):
    private = MeetingFactory.create(
        host=member, recurrence_rule="", capacity=None, visibility=Event.Visibility.PRIVATE
    )
    other = MeetingFactory.create(
        host=member, recurrence_rule="", title="Other", visibility=Event.Visibility.PRIVATE
    )
    detail = reverse("events:detail", args=[private.uuid])
    host_page = client_for(member).get(detail).content.decode()
    link = services.event_url(private)
    assert link.endswith(f"?invite={services.invitation_token(private)}") and link in host_page
    token = link.split("?invite=")[1]
    # Without it, or with another event's, an outsider finds nothing.
    for client in (Client(), client_for(outsider)):
        assert client.get(detail).status_code == 404
        assert client.get(detail, {"invite": services.invitation_token(other)}).status_code == 404
        assert client.get(detail, {"invite": "forged"}).status_code == 404
    rsvp = reverse("events:rsvp", args=[private.uuid])
    assert Client().post(rsvp, {"given_name": "Nosy", "email": "nosy@example.org"}).status_code == 404
    # With it, a guest sees the event (not the host's invitation box) and RSVPs.
    page = Client().get(detail, {"invite": token}).content.decode()
    assert "Chapter meeting" in page and link not in page
    response = Client().post(rsvp, {"given_name": "Rosa", "email": "rosa@example.org", "invite": token})
    assert response.status_code == 303 and Attendance.objects.filter(event=private).count() == 1


def test_calendars_keep_local_time_and_give_members_their_own_dates(member, make_member, client_for, actor):
    skipped = (tomorrow_at(19) + timedelta(weeks=1)).date()
    event = MeetingFactory.create(host=member, capacity=None, recurrence_exceptions=[skipped.isoformat()])
    body = Client().get(reverse("events:ics", args=[event.uuid])).content
    calendar = Calendar.from_ical(body)
    (item,) = calendar.walk("VEVENT")
    # 7 pm in New York, as a wall-clock time with its zone (and the zone's definition).
    start: Any = item.decoded("DTSTART")
    assert item["DTSTART"].params["TZID"] == "America/New_York" and start.hour == 19
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    exdate: Any = item["EXDATE"]
    (skip,) = exdate.dts
    skipped_at: Any = skip.dt
    assert (skipped_at.date(), skipped_at.hour, skip.params["TZID"]) == (skipped, 19, "America/New_York")
    assert "RRULE" in item

    guest = make_member("Guest")
    second = event.shifts.all()[1]
    services.rsvp(actor=actor(guest), event=event, shift=second)
    feed = reverse("events:my_feed", args=[services.feed_token(guest.person)])
    (mine,) = Calendar.from_ical(Client().get(feed).content).walk("VEVENT")
    assert "RRULE" not in mine and mine.decoded("DTSTART") == second.starts_at
    host_feed = reverse("events:my_feed", args=[services.feed_token(member.person)])
    (hosting,) = Calendar.from_ical(Client().get(host_feed).content).walk("VEVENT")
    assert "RRULE" in hosting


def test_moving_a_live_event_into_a_moderated_campaign_sends_it_for_review(member, actor):
    campaign = EventCampaign.objects.create(title="Day of action", slug="doa")
    event = MeetingFactory.create(host=member, recurrence_rule="")
    assert event.status == Event.Status.PUBLISHED
    moved = services.update_event(
        actor=actor(member), event=event, details=series_details(recurrence_rule="", campaign=campaign)
    )
    assert moved.status == Event.Status.PENDING


def test_times_the_clocks_skip_are_refused_and_series_cross_them(member, client_for, actor):
    # The second Sunday of March, 2:00 to 3:00 does not happen in New York (within a year, so
    # that the series below has its dates made).
    spring = next(
        day
        for day in (
            datetime(timezone.now().year + y, 3, d, 2, 30, tzinfo=NY) for y in (0, 1) for d in range(8, 15)
        )
        if day.weekday() == 6 and day > timezone.now()
    )
    with pytest.raises(ValidationError, match="clocks go forward"):
        services.host_event(
            actor=actor(member),
            details=series_details(starts_at=spring, ends_at=spring.replace(hour=3), recurrence_rule=""),
        )
    assert not Event.objects.exists()
    # A weekly 2:30 meeting whose dates cross that night: that date is an hour later, not broken.
    start = spring - timedelta(weeks=1)
    event = MeetingFactory.create(host=member, starts_at=start, hours=0.75)
    dates = list(event.shifts.all()[:3])
    assert all(d.ends_at - d.starts_at == timedelta(minutes=45) for d in dates)
    assert [d.starts_at.astimezone(NY).hour for d in dates] == [2, 3, 2]


def test_the_waitlist_moves_up_only_when_there_is_a_place_to_go_to(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = MeetingFactory.create(host=member, recurrence_rule="")
    first, second, third = (make_member(n) for n in ("First", "Second", "Third"))
    services.rsvp(actor=actor(first), event=event)
    services.rsvp(actor=actor(second), event=event)
    services.rsvp(actor=actor(third), event=event)
    # More places: the waitlist moves up at once.
    services.update_event(
        actor=actor(member), event=event, details=series_details(recurrence_rule="", capacity=2)
    )
    assert Attendance.objects.get(person=second.person).status == Attendance.Status.ACCEPTED
    # Called off: someone leaving frees nothing for the one still waiting.
    services.cancel_event(actor=actor(member), event=event)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.cancel_rsvp(actor=actor(first), attendance=Attendance.objects.get(person=first.person))
            == []
        )
    assert Attendance.objects.get(person=third.person).status == Attendance.Status.WAITLISTED
    assert mail.outbox == []


def test_a_started_series_can_move_its_time(member, make_member, actor):
    event = MeetingFactory.create(host=member)
    later = event.shifts.all()[2]
    began = tomorrow_at(19, days=-27)  # four weeks ago, at 7 pm New York time
    Event.objects.filter(pk=event.pk).update(starts_at=began, ends_at=began + timedelta(hours=2))
    event.refresh_from_db()
    earlier = series_details(starts_at=tomorrow_at(18, days=-27), ends_at=began + timedelta(hours=2))
    services.update_event(actor=actor(member), event=event, details=earlier)
    later.refresh_from_db()
    assert later.starts_at.astimezone(NY).hour == 18


def test_a_day_with_booked_shifts_can_move_to_another_day(member, make_member, actor):
    start = tomorrow_at(10)
    shift = services.ShiftDetails(starts_at=start, ends_at=start + timedelta(hours=2), label="Doors")
    event = MeetingFactory.create(host=member, starts_at=start, hours=6, recurrence_rule="", shifts=[shift])
    (doors,) = event.shifts.all()
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=event, shift=doors)
    day = timedelta(days=1)
    moved_shift = services.ShiftDetails(
        starts_at=start + day, ends_at=start + day + timedelta(hours=2), label="Doors"
    )
    services.update_event(
        actor=actor(member),
        event=event,
        details=series_details(
            starts_at=start + day,
            ends_at=start + day + timedelta(hours=6),
            recurrence_rule="",
            shifts=[moved_shift],
        ),
    )
    doors.refresh_from_db()
    assert doors.starts_at == start + day and Attendance.objects.get(person=guest.person).shift == doors


def test_notices_of_a_private_event_open_it_and_host_messages_skip_past_dates(
    member, make_member, django_capture_on_commit_callbacks, actor
):
    event = MeetingFactory.create(host=member, capacity=None, visibility=Event.Visibility.PRIVATE)
    first, second = event.shifts.all()[:2]
    past, coming = make_member("Past"), make_member("Coming")
    # They RSVP through the host's invitation link (the event's id alone opens nothing).
    invited = services.invitation_token(event)
    services.rsvp(actor=actor(past).carrying(invitation=invited), event=event, shift=first)
    services.rsvp(actor=actor(coming).carrying(invitation=invited), event=event, shift=second)
    Shift.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.message_attendees(actor=actor(member), event=event, subject="Hi", body="See you") == 1
        services.cancel_event(actor=actor(member), event=event)
    note, cancelled = mail.outbox
    assert note.to == cancelled.to == [coming.email]
    link = services.event_url(event)
    assert "?invite=" in link and link in cancelled.body
    token = link.split("?invite=")[1]
    assert Client().get(reverse("events:detail", args=[event.uuid]), {"invite": token}).status_code == 200
    assert Client().get(reverse("events:ics", args=[event.uuid]), {"invite": token}).status_code == 200


def test_odd_digits_in_a_form_get_a_message_not_an_error(member, client_for):
    event = MeetingFactory.create(host=member)
    response = Client().post(
        reverse("events:rsvp", args=[event.uuid]), {"given_name": "X", "email": "x@example.org", "shift": "²"}
    )
    assert response.status_code == 400 and not Attendance.objects.exists()
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    report = client_for(member).post(
        reverse("events:report", args=[event.uuid]), {"attendance": "²"}, follow=True
    )
    assert "Please give a number" in report.content.decode()


def test_hosting_again_under_review_invites_once_approved(
    member, make_member, organizer, django_capture_on_commit_callbacks, actor
):
    before = MeetingFactory.create(host=member, recurrence_rule="", capacity=None)
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=before)
    campaign = EventCampaign.objects.create(title="Day of action", slug="doa")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.host_again(
            actor=actor(member),
            previous=before,
            details=series_details(
                recurrence_rule="",
                campaign=campaign,
                starts_at=tomorrow_at(19, days=8),
                ends_at=tomorrow_at(21, days=8),
            ),
        )
    assert again.status == Event.Status.PENDING
    assert not [m for m in mail.outbox if guest.email in m.to]
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_event(actor=actor(organizer), event=again)
    (invitation,) = [m for m in mail.outbox if guest.email in m.to]
    assert "hosting again" in invitation.subject
