"""The host's tools: check-in, walk-ins and no-shows, writing to attendees, reminders,
the after-event report, and hosting again. Each takes the actor and checks that they
manage the event (its host, a co-host, or staff)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Initiator, Verb
from groundswell.core.channels import Channel
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.selectors.access import is_host
from groundswell.events.selectors.attendees import member_mail_recipients
from groundswell.events.services.acts import record_event_act
from groundswell.events.services.hosting import (
    DESCRIPTION_MAX,
    EventDetails,
    host_event,
    invite_last_attendees,
    require_manager,
)
from groundswell.events.services.notices import place_text, when_text
from groundswell.events.services.rsvps import Shared
from groundswell.messaging.models import Message
from groundswell.messaging.services import check_member_mail_cap, send, system_message
from groundswell.network.models import Origin
from groundswell.network.services import arrive
from groundswell.people.services import PersonDetails


def check_in(*, actor: Actor, attendance: Attendance) -> Attendance:
    """The host (or an organizer) marks someone as here."""
    require_manager(actor, attendance.event)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("event", "shift")
            .get(pk=attendance.pk)
        )
        if attendance.attended:
            return attendance
        attendance.attended = True
        attendance.checked_in_at = timezone.now()
        attendance.save(update_fields=["attended", "checked_in_at", "modified_at"])
        # Coming (ATTENDED) is the attendee's own act, whoever ticked the box.
        for verb, initiator in ((Verb.CHECKED_IN, None), (Verb.ATTENDED, Initiator.MEMBER)):
            record_event_act(
                person=attendance.person_id,
                verb=verb,
                event=attendance.event,
                shift=attendance.shift,
                actor=actor,
                initiator=initiator,
                channel=attendance.channel,
                referrer_id=attendance.referrer_id,
            )
    return attendance


def undo_check_in(*, actor: Actor, attendance: Attendance) -> Attendance:
    """A mistaken tap taken back: the person is not marked as here (or as not there) any more.
    A walk-in's row stays, so the host can tick them again.

    The log keeps what it recorded (it is append-only) and adds CHECK_IN_UNDONE, which
    cancels the acts before it for whoever counts who came."""
    require_manager(actor, attendance.event)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update(of=("self",))
            .select_related("event", "shift")
            .get(pk=attendance.pk)
        )
        if attendance.attended is None:
            return attendance
        attendance.attended = None
        attendance.checked_in_at = None
        attendance.save(update_fields=["attended", "checked_in_at", "modified_at"])
        record_event_act(
            person=attendance.person_id,
            verb=Verb.CHECK_IN_UNDONE,
            event=attendance.event,
            shift=attendance.shift,
            actor=actor,
            channel=attendance.channel,
            referrer_id=attendance.referrer_id,
        )
    return attendance


def mark_no_shows(*, actor: Actor, event: Event, shift: Shift | None = None) -> int:
    """After the event (or the date or shift): everyone accepted and not checked in did not come."""
    require_manager(actor, event)
    if (shift or event).starts_at > timezone.now():
        raise ValidationError("You can mark who didn't come once it has started.")
    with transaction.atomic():
        missing = list(
            Attendance.objects.filter(
                event=event, shift=shift, status=Attendance.Status.ACCEPTED, attended__isnull=True
            )
        )
        for attendance in missing:
            attendance.attended = False
            attendance.save(update_fields=["attended", "modified_at"])
            record_event_act(
                person=attendance.person_id,
                verb=Verb.NO_SHOW,
                event=event,
                shift=shift,
                actor=actor,
                initiator=Initiator.SYSTEM,
                channel=attendance.channel,
                referrer_id=attendance.referrer_id,
            )
    return len(missing)


def require_live(event: Event) -> None:
    """Walk-ins and messages belong to an event that is on: not one waiting for approval."""
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event isn't live: walk-ins and messages wait until it is.")


# Walk-ins are people at the event: they can be added from a little before it starts until
# the day after it ends (a sign-in sheet typed up that evening), never weeks away from it,
# where "walk-in" would be a way to put anyone's address on an event.
WALK_IN_BEFORE = timedelta(hours=2)
WALK_IN_AFTER = timedelta(hours=24)


def walk_in(
    *,
    actor: Actor,
    event: Event,
    given_name: str,
    email: str,
    family_name: str = "",
    shift: Shift | None = None,
) -> Attendance:
    """Someone turns up without an RSVP: they arrive on the spot and are checked in.
    Walk-ins are there already, so capacity does not turn them away. The host sees what
    they typed, never what the list already holds for that address."""
    require_manager(actor, event)
    require_live(event)
    if not clean_line(given_name):
        raise ValidationError("Please enter their first name.", field="given_name")
    if shift is None and event.shifts.exists():
        raise ValidationError("Please choose the date or shift they came to.", field="shift")
    slot = shift or event
    now = timezone.now()
    if not (slot.starts_at - WALK_IN_BEFORE <= now <= slot.ends_at + WALK_IN_AFTER):
        raise ValidationError(
            "Walk-ins can be added from two hours before the start until a day after the end."
        )
    details = PersonDetails(
        email=email, given_name=given_name, family_name=family_name, source_detail=f"Walk-in: {event.title}"
    ).cleaned()
    shared = Shared(details.given_name, details.family_name, details.email)
    with transaction.atomic():
        arrival = arrive(actor=actor, details=details, share=None, channel=Channel.DIRECT, origin=Origin.HOST)
        # A row of its own, whatever RSVP the person may have: it shows what the host typed.
        attendance = Attendance.objects.filter(
            event=event, person=arrival.person, shift=shift, walk_in=True
        ).first()
        if attendance is None:
            attendance = Attendance.objects.create(
                event=event,
                person=arrival.person,
                shift=shift,
                status=Attendance.Status.ACCEPTED,
                walk_in=True,
                origin=Origin.HOST,
                given_name=shared.given_name,
                family_name=shared.family_name,
                email=shared.email,
            )
            record_event_act(person=arrival.person, verb=Verb.RSVPED, event=event, shift=shift, actor=actor)
        return check_in(actor=actor, attendance=attendance)


SUBJECT_MAX = 200


MESSAGE_MAX = 10_000


def message_attendees(*, actor: Actor, event: Event, subject: str, body: str) -> int:
    """A host writes to the people coming, through the messaging core. The text goes out
    exactly as written, never as a template, to those who RSVP'd themselves or were
    checked in (`member_mail_recipients`), skipping anyone unsubscribed or bouncing, with a
    footer naming the host and an unsubscribe link. Hosts may send a few a day; organizers
    see every one (Message.author, and the log). Returns how many are queued."""
    require_manager(actor, event)
    require_live(event)
    author = actor.require_person()
    subject, body = clean_line(subject), clean_text(body)
    if not subject:
        raise ValidationError("Please write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not body:
        raise ValidationError("Please write a message.", field="body")
    if len(body) > MESSAGE_MAX:
        raise ValidationError("Please shorten the message.", field="body")
    recipients = member_mail_recipients(event)
    with transaction.atomic():
        if not actor.is_staff:
            check_member_mail_cap(author, as_a="host")
        message = Message.objects.create(
            kind=Message.Kind.MEMBER,
            subject=subject,
            body_text=body,
            is_template=False,
            author=author,
            about=f"{event.title} ({when_text(event)})"[:255],
        )
        record_event_act(person=author, verb=Verb.MESSAGED_ATTENDEES, event=event, actor=actor)
        return send(message=message, person_ids=recipients)


def host_again(*, actor: Actor, previous: Event, details: EventDetails) -> Event:
    """A new event from an old one, whose invitation goes to the people who came last time
    (or, if nobody was checked in, to those who said they would). For the event's hosts:
    an organizer who is not one hosts a new event instead."""
    if not is_host(actor, previous):
        raise PermissionDenied("Only the event's hosts can host it again.")
    with transaction.atomic():
        event = host_event(actor=actor, details=details, previous=previous)
        if event.status == Event.Status.PUBLISHED:  # else once an organizer approves it
            invite_last_attendees(event)
    return event


REPORT_ATTENDANCE_MAX = 1_000_000


def report(*, actor: Actor, event: Event, attendance: int | None, notes: str, links: list[str]) -> Event:
    """The host's after-event report: how many came, what happened, where the photos are."""
    require_manager(actor, event)
    if event.starts_at > timezone.now():
        raise ValidationError("You can report on the event once it has started.")
    if attendance is not None and attendance < 0:
        raise ValidationError("The number who came can't be negative.", field="attendance")
    if attendance is not None and attendance > REPORT_ATTENDANCE_MAX:
        raise ValidationError(
            f"That's more than {REPORT_ATTENDANCE_MAX:,} people: please check the number.", field="attendance"
        )
    clean_links = []
    for link in links:
        link = link.strip()
        if not link:
            continue
        if not link.startswith(("https://", "http://")) or len(link) > 500 or " " in link:
            raise ValidationError(f"This doesn't look like a web link: {link[:80]}", field="links")
        clean_links.append(link)
    event.report_attendance = attendance
    event.report_notes = clean_text(notes)[:DESCRIPTION_MAX]
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
