"""After the RSVPs: messages to attendees, reminders, the report, and hosting again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.events import services
from groundswell.events.models import Event
from groundswell.events.tests.factories import EventFactory
from groundswell.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(member):
    return EventFactory.create(host=member, title="Canvass", starts_at=timezone.now() + timedelta(hours=20))


def test_hosts_write_to_attendees_as_written(
    event, member, make_member, outsider, client_for, django_capture_on_commit_callbacks, actor
):
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=event)
    url = reverse("events:message", args=[event.uuid])
    assert client_for(outsider).post(url, {"subject": "x", "body": "y"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(
            url, {"subject": "Meet at the door", "body": "Bring {{ water }} & {% now 'Y' %}"}
        )
    (sent,) = mail.outbox
    assert sent.to == [guest.email] and sent.subject == "Meet at the door"
    assert "Bring {{ water }} & {% now 'Y' %}" in sent.body  # never run as a template
    # A member's message: its author is kept, and its footer names the host.
    message = Message.objects.get(subject="Meet at the door")
    assert (message.kind, message.author) == (Message.Kind.MEMBER, member.person)
    assert f"{member.person.short_name}, a host" in sent.body
    response = client_for(member).post(url, {"subject": "", "body": "y"}, follow=True)
    assert "Please write a subject" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.message_attendees(actor=actor(outsider), event=event, subject="s", body="b")


def test_reminders_go_once_a_day_before_and_an_hour_before(
    event, make_member, django_capture_on_commit_callbacks, actor
):
    guest = make_member("Guest")
    services.rsvp(actor=actor(guest), event=event)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1  # starts in 20 hours: the day-before reminder
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 0  # not twice
    later = event.starts_at - timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(now=later) == 1  # the hour-before reminder
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Reminder: Canvass is in an hour", "Reminder: Canvass is tomorrow"]


def test_the_report_after_the_event(event, member, outsider, actor):
    with pytest.raises(ValidationError, match="once it has started"):
        services.report(actor=actor(member), event=event, attendance=5, notes="", links=[])
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    event.refresh_from_db()
    with pytest.raises(ValidationError, match="web link"):
        services.report(
            actor=actor(member), event=event, attendance=5, notes="", links=["javascript:alert(1)"]
        )
    with pytest.raises(PermissionDenied):
        services.report(actor=actor(outsider), event=event, attendance=5, notes="", links=[])
    services.report(
        actor=actor(member),
        event=event,
        attendance=12,
        notes="Great turnout",
        links=["https://photos.example/a"],
    )
    event.refresh_from_db()
    assert (event.report_attendance, event.report_links) == (12, ["https://photos.example/a"])


def test_host_again_invites_who_came(
    event, member, make_member, client_for, django_capture_on_commit_callbacks, actor
):
    came, missed = make_member("Came"), make_member("Missed")
    services.check_in(
        actor=actor(member), attendance=services.rsvp(actor=actor(came), event=event).attendance
    )
    services.rsvp(actor=actor(missed), event=event)
    client = client_for(member)
    form = client.get(reverse("events:again", args=[event.uuid])).content.decode()
    assert 'value="Canvass"' in form and "Host again" in form
    day = (timezone.now() + timedelta(days=8)).date().isoformat()
    data = {
        "title": "Canvass II",
        "date": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "time_zone": "America/New_York",
        "postal_code": "10001",
        "visibility": "public",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:again", args=[event.uuid]), data)
    assert response.status_code == 302
    again = Event.objects.get(title="Canvass II")
    assert again.previous == event
    invited = [m.to[0] for m in mail.outbox if "hosting again" in m.subject]
    assert invited == [came.email]
    assert Delivery.objects.filter(person=missed.person).count() == 0
    assert (
        client_for(make_member("Nobody")).get(reverse("events:again", args=[event.uuid])).status_code == 404
    )
    assert Client().get(reverse("events:again", args=[event.uuid])).status_code == 302
