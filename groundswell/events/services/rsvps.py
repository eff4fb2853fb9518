"""RSVPs: capacity and a waitlist kept under concurrency, guests credited like a join,
cancelling (which promotes the next in line), and the confirmation email.

Capacity holds because an RSVP locks the event row while it counts and writes: RSVPs to
one event apply one at a time, RSVPs to different events do not wait for each other."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import ValidationError
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.services.links import event_url
from groundswell.events.services.notices import notify, place_text, when_text
from groundswell.messaging.services import send, system_message
from groundswell.network.services import record_join, resolve_share_code
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, upsert_person


@dataclass
class RSVPResult:
    attendance: Attendance
    waitlisted: bool
    already: bool  # they had already RSVP'd: nothing changed


def rsvp(
    *,
    event: Event,
    person: Person,
    shift: Shift | None = None,
    channel: Channel | int | None = None,
    referrer_id: int | None = None,
) -> RSVPResult:
    """RSVP `person` to `event` (or one of its shifts): accepted while there is room,
    waitlisted once it is full. Asking again changes nothing."""
    if shift is not None and shift.event_id != event.pk:
        raise ValidationError("That shift belongs to another event.", field="shift")
    with transaction.atomic():
        # The lock that keeps capacity: every RSVP to this event waits here for the one before.
        event = Event.objects.select_for_update().get(pk=event.pk)
        _check_open(event, shift)
        if shift is None and event.shifts.exists():
            raise ValidationError(
                "Please choose a date." if event.recurrence_rule else "Please choose a shift.", field="shift"
            )
        existing = Attendance.objects.filter(event=event, person=person, shift=shift).first()
        if existing is not None and existing.status != Attendance.Status.CANCELLED:
            return RSVPResult(existing, existing.status == Attendance.Status.WAITLISTED, already=True)
        capacity = shift.capacity if shift is not None else event.capacity
        taken = Attendance.objects.filter(event=event, shift=shift, status=Attendance.Status.ACCEPTED).count()
        status = (
            Attendance.Status.ACCEPTED
            if capacity is None or taken < capacity
            else Attendance.Status.WAITLISTED
        )
        if channel is None:
            channel = person.source_channel
        if existing is None:
            attendance = Attendance.objects.create(
                event=event,
                shift=shift,
                person=person,
                status=status,
                channel=channel,
                referrer_id=referrer_id,
            )
        else:
            # Back after cancelling: a fresh place at the end of the queue.
            existing.status, existing.channel, existing.referrer_id = status, channel, referrer_id
            existing.created_at = timezone.now()
            existing.save(update_fields=["status", "channel", "referrer_id", "created_at", "modified_at"])
            attendance = existing
        record(person=person, verb=Verb.RSVPED, obj=event, channel=channel, referrer_id=referrer_id)
    return RSVPResult(attendance, status == Attendance.Status.WAITLISTED, already=False)


def _check_open(event: Event, shift: Shift | None) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event has been cancelled.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event is not open for RSVPs yet.")
    if event.last_ends_at <= timezone.now():
        raise ValidationError("This event has already happened.")
    if shift is not None and shift.ends_at <= timezone.now():
        raise ValidationError("That date has already happened. Please choose another.", field="shift")


def cancel_rsvp(*, attendance: Attendance) -> list[Attendance]:
    """Cancel an RSVP. If it held a place, the first on the waitlist gets it (and is told);
    returns who was promoted."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=attendance.event_id)
        attendance = Attendance.objects.select_related("person", "shift").get(pk=attendance.pk)
        if attendance.status == Attendance.Status.CANCELLED:
            return []
        held_a_place = attendance.status == Attendance.Status.ACCEPTED
        attendance.status = Attendance.Status.CANCELLED
        attendance.save(update_fields=["status", "modified_at"])
        record(person=attendance.person, verb=Verb.CANCELLED_RSVP, obj=event)
        return fill_from_waitlist(event, attendance.shift) if held_a_place else []


def fill_from_waitlist(event: Event, shift: Shift | None) -> list[Attendance]:
    """Give free places (to the event, or one date or shift of it) to the waitlist, first
    come first served, and tell each person. Nobody is promoted to something cancelled or
    over, or past its capacity. The caller holds the event's row lock."""
    now = timezone.now()
    capacity = shift.capacity if shift is not None else event.capacity
    if event.status != Event.Status.PUBLISHED or (shift or event).ends_at <= now:
        return []
    waiting = Attendance.objects.filter(event=event, shift=shift, status=Attendance.Status.WAITLISTED)
    if capacity is not None:
        taken = Attendance.objects.filter(event=event, shift=shift, status=Attendance.Status.ACCEPTED).count()
        waiting = waiting.order_by("created_at", "id")[: max(0, capacity - taken)]
    promoted = list(waiting.order_by("created_at", "id") if capacity is None else waiting)
    for attendance in promoted:
        attendance.status = Attendance.Status.ACCEPTED
        attendance.save(update_fields=["status", "modified_at"])
        notify(
            f"promoted:{attendance.pk}:{now.timestamp()}",
            [attendance.person_id],
            subject=f"A place opened up: {event.title}",
            text=f"Good news: a place opened up and it's yours. You're going to {event.title}, "
            f"{when_text(event, shift)}.",
            link=event_url(event),
            link_label="See the event",
        )
    return promoted


def rsvp_as_guest(
    *,
    event: Event,
    given_name: str,
    family_name: str = "",
    email: str,
    postal_code: str = "",
    ref: str | None = None,
    via: str | None = None,
    shift: Shift | None = None,
) -> RSVPResult:
    """An RSVP from someone not signed in: the person is found by email or made, and
    credited to the member whose link brought them, as a join would be. As with a
    join from a public form, a known person's record only gains details."""
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    recruiter_id = share.person_id if share else None
    place = place_postcode(postal_code) if postal_code.strip() else None
    with transaction.atomic():
        person, created = upsert_person(
            details=PersonDetails(
                email=email,
                given_name=given_name,
                family_name=family_name,
                place=place,
                source_channel=channel,
                recruited_by_id=recruiter_id,
                source_detail=f"RSVP: {event.title}"[:200],
            )
        )
        recruiter = share.person if share is not None and share.person_id != person.pk else None
        recruiter_id = recruiter.pk if recruiter else None
        if created:
            record_join(person=person, recruiter=recruiter, channel=channel)
        return rsvp(event=event, person=person, shift=shift, channel=channel, referrer_id=recruiter_id)


def send_confirmation(*, attendance: Attendance, event_url: str, cancel_url: str) -> int:
    """The RSVP confirmation email, with a link to cancel, through the messaging core
    (one message per event or date, so each person gets one confirmation for each)."""
    slot = f":{attendance.shift_id}" if attendance.shift_id else ""
    message = system_message(f"rsvp:{attendance.event_id}{slot}", template="rsvp_confirmation")
    event = attendance.event
    return send(
        message=message,
        person_ids=[attendance.person_id],
        context={
            attendance.person_id: {
                "event_title": event.title,
                "event_when": when_text(event, attendance.shift),
                "event_where": place_text(event),
                "event_url": event_url,
                "cancel_url": cancel_url,
                "waitlisted": attendance.status == Attendance.Status.WAITLISTED,
            }
        },
    )
