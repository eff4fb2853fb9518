"""The host's tools: check-in, walk-ins and no-shows, writing to attendees, reminders,
the after-event report, and hosting again."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from groundswell.activity.models import Initiator, Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services.hosting import (
    DESCRIPTION_MAX,
    EventDetails,
    host_event,
    invite_last_attendees,
    require_host,
)
from groundswell.events.services.notices import people_coming, place_text, when_text
from groundswell.messaging.models import Message
from groundswell.messaging.services import send, system_message
from groundswell.network.services import record_join
from groundswell.people.models import Person
from groundswell.people.services import PersonDetails, upsert_person


def check_in(*, attendance: Attendance, by: Person, by_staff: bool = False) -> Attendance:
    """The host (or an organizer) marks someone as here."""
    require_host(attendance.event, by, by_staff=by_staff)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update().select_related("person", "event").get(pk=attendance.pk)
        )
        if attendance.attended:
            return attendance
        attendance.attended = True
        attendance.checked_in_at = timezone.now()
        attendance.save(update_fields=["attended", "checked_in_at", "modified_at"])
        record(
            person=attendance.person, verb=Verb.CHECKED_IN, obj=attendance.event, initiator=Initiator.MEMBER
        )
        record(person=attendance.person, verb=Verb.ATTENDED, obj=attendance.event)
    return attendance


def mark_no_shows(*, event: Event, by: Person, shift: Shift | None = None, by_staff: bool = False) -> int:
    """After the event (or the date or shift): everyone accepted and not checked in did not come."""
    require_host(event, by, by_staff=by_staff)
    if (shift or event).starts_at > timezone.now():
        raise ValidationError("You can mark who didn't come once it has started.")
    with transaction.atomic():
        missing = list(
            Attendance.objects.select_related("person").filter(
                event=event, shift=shift, status=Attendance.Status.ACCEPTED, attended__isnull=True
            )
        )
        for attendance in missing:
            attendance.attended = False
            attendance.save(update_fields=["attended", "modified_at"])
            record(person=attendance.person, verb=Verb.NO_SHOW, obj=event, initiator=Initiator.SYSTEM)
    return len(missing)


def walk_in(
    *,
    event: Event,
    by: Person,
    given_name: str,
    email: str,
    family_name: str = "",
    shift: Shift | None = None,
    by_staff: bool = False,
) -> Attendance:
    """Someone turns up without an RSVP: they join on the spot and are checked in.
    Walk-ins are there already, so capacity does not turn them away."""
    require_host(event, by, by_staff=by_staff)
    if not clean_line(given_name):
        raise ValidationError("Please enter their first name.", field="given_name")
    if shift is None and event.shifts.exists():
        raise ValidationError("Please choose the date or shift they came to.", field="shift")
    with transaction.atomic():
        person, created = upsert_person(
            details=PersonDetails(
                email=email,
                given_name=given_name,
                family_name=family_name,
                source_detail=f"Walk-in: {event.title}",
            )
        )
        if created:
            record_join(person=person, recruiter=None, channel=Channel.DIRECT)
        attendance, _ = Attendance.objects.get_or_create(
            event=event,
            person=person,
            shift=shift,
            defaults={"status": Attendance.Status.ACCEPTED, "walk_in": True},
        )
        if attendance.status != Attendance.Status.ACCEPTED:
            attendance.status = Attendance.Status.ACCEPTED
            attendance.save(update_fields=["status", "modified_at"])
    return check_in(attendance=attendance, by=by, by_staff=by_staff)


SUBJECT_MAX = 200


MESSAGE_MAX = 10_000


def message_attendees(*, event: Event, by: Person, subject: str, body: str, by_staff: bool = False) -> int:
    """A host writes to everyone coming (and waiting), through the messaging core.
    The text goes out exactly as written, never as a template. Returns how many are queued."""
    require_host(event, by, by_staff=by_staff)
    subject, body = clean_line(subject), body.strip()
    if not subject:
        raise ValidationError("Please write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not body:
        raise ValidationError("Please write a message.", field="body")
    if len(body) > MESSAGE_MAX:
        raise ValidationError("Please shorten the message.", field="body")
    recipients = people_coming(event, now=timezone.now())  # not those of dates gone by
    with transaction.atomic():
        message = Message.objects.create(
            kind=Message.Kind.TRANSACTIONAL, subject=subject, body_text=body, is_template=False
        )
        return send(message=message, person_ids=recipients)


def host_again(*, previous: Event, by: Person, details: EventDetails) -> Event:
    """A new event from an old one, whose invitation goes to the people who came last time
    (or, if nobody was checked in, to those who said they would)."""
    require_host(previous, by)
    with transaction.atomic():
        event = host_event(host=by, details=details, previous=previous)
        if event.status == Event.Status.PUBLISHED:  # else once an organizer approves it
            invite_last_attendees(event)
    return event


def report(*, event: Event, by: Person, attendance: int | None, notes: str, links: list[str]) -> Event:
    """The host's after-event report: how many came, what happened, where the photos are."""
    require_host(event, by)
    if event.starts_at > timezone.now():
        raise ValidationError("You can report on the event once it has started.")
    if attendance is not None and attendance < 0:
        raise ValidationError("The number who came can't be negative.", field="attendance")
    clean_links = []
    for link in links:
        link = link.strip()
        if not link:
            continue
        if not link.startswith(("https://", "http://")) or len(link) > 500 or " " in link:
            raise ValidationError(f"This doesn't look like a web link: {link[:80]}", field="links")
        clean_links.append(link)
    event.report_attendance = attendance
    event.report_notes = notes.strip()[:DESCRIPTION_MAX]
    event.report_links = clean_links[:20]
    event.save(update_fields=["report_attendance", "report_notes", "report_links", "modified_at"])
    return event


REMINDERS = {"day": timedelta(hours=24), "hour": timedelta(hours=1)}


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind everyone coming to events (or dates, or shifts) that start within a day, and
    within an hour. Safe to run as often as wanted: each person gets each reminder once
    (one message per slot and kind, and the messaging core sends a message once per person)."""
    now = now or timezone.now()
    queued = 0
    for kind, ahead in REMINDERS.items():
        window = {"starts_at__gt": now, "starts_at__lte": now + ahead}
        slots: list[tuple[Event, Shift | None]] = [
            (event, None)
            for event in Event.objects.filter(status=Event.Status.PUBLISHED, shifts__isnull=True, **window)
        ]
        slots += [
            (shift.event, shift)
            for shift in Shift.objects.filter(event__status=Event.Status.PUBLISHED, **window).select_related(
                "event"
            )
        ]
        for event, shift in slots:
            people = list(
                Attendance.objects.filter(
                    event=event, shift=shift, status=Attendance.Status.ACCEPTED
                ).values_list("person_id", flat=True)
            )
            if not people:
                continue
            context = {
                "event_title": event.title,
                "event_when": when_text(event, shift),
                "event_where": place_text(event),
                "soon": "in an hour" if kind == "hour" else "tomorrow",
            }
            slot = f"{event.pk}:{shift.pk}" if shift else f"{event.pk}"
            message = system_message(f"reminder-{kind}:{slot}", template="event_reminder")
            queued += send(message=message, person_ids=people, context=dict.fromkeys(people, context))
    return queued
