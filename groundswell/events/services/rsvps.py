"""RSVPs: capacity and a waitlist kept under concurrency, guests credited like a join,
cancelling (which promotes the next in line), and the confirmation email.

Capacity holds because an RSVP locks the event row while it counts and writes: RSVPs to
one event apply one at a time, RSVPs to different events do not wait for each other."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Initiator, Verb
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.events.links import event_url
from groundswell.events.models import Attendance, Event, Shift, new_link_key
from groundswell.events.selectors.access import can_manage, can_see
from groundswell.events.services.acts import record_event_act
from groundswell.events.services.notices import notify, place_text, when_text
from groundswell.messaging.services import send, system_message
from groundswell.network.models import Origin
from groundswell.network.services import arrive, resolve_share_code
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, primary_email


@dataclass
class RSVPResult:
    attendance: Attendance
    waitlisted: bool
    already: bool  # they had already RSVP'd: nothing changed


@dataclass
class Shared:
    """The details an attendee gives for one RSVP: all its hosts will see of them."""

    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""


def shared_by_member(person: Person, *, email: bool, phone: bool) -> Shared:
    """What a signed-in member shares with an event's hosts: their name always, their
    email address and phone number only if they choose to."""
    address = primary_email(person) if email else None
    number = person.phone_numbers.order_by("-primary", "id").first() if phone else None
    return Shared(
        given_name=person.given_name,
        family_name=person.family_name,
        email=address.address if address else "",
        phone=number.number if number else "",
    )


def rsvp(
    *,
    actor: Actor,
    event: Event,
    shift: Shift | None = None,
    channel: Channel | int | None = None,
    referrer_id: int | None = None,
    share_email: bool = True,
    share_phone: bool = False,
) -> RSVPResult:
    """The signed-in actor RSVPs to `event` (or one of its dates or shifts) as themselves:
    accepted while there is room, waitlisted once it is full. Asking again changes nothing.
    Their hosts see their name, and their email and phone only as they choose."""
    person = actor.require_person()
    if not can_see(actor, event):
        raise NotFound("We couldn't find that event.")  # a private event's uuid is not an invitation
    shared = shared_by_member(person, email=share_email, phone=share_phone)
    return place_rsvp(
        event=event,
        person=person,
        shift=shift,
        channel=Channel.DIRECT if channel is None else channel,
        referrer_id=referrer_id if referrer_id != person.pk else None,
        origin=Origin.SELF,
        shared=shared,
    )


def place_rsvp(
    *,
    event: Event,
    person: Person,
    shared: Shared,
    origin: Origin,
    shift: Shift | None = None,
    channel: Channel | int = Channel.DIRECT,
    referrer_id: int | None = None,
    source: str = "",
) -> RSVPResult:
    """Write the RSVP, under the event's row lock that keeps capacity. The callers (`rsvp`,
    `rsvp_as_guest`, a walk-in) have decided who is RSVPing and what they share."""
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
        existing = Attendance.objects.filter(event=event, person=person, shift=shift, walk_in=False).first()
        if existing is not None and existing.status != Attendance.Status.CANCELLED:
            return RSVPResult(existing, existing.status == Attendance.Status.WAITLISTED, already=True)
        capacity = shift.capacity if shift is not None else event.capacity
        taken = Attendance.objects.filter(event=event, shift=shift, status=Attendance.Status.ACCEPTED).count()
        status = (
            Attendance.Status.ACCEPTED
            if capacity is None or taken < capacity
            else Attendance.Status.WAITLISTED
        )
        values = {
            "status": status,
            "channel": channel,
            "referrer_id": referrer_id,
            "origin": origin,
            "source": source[:200],
            "given_name": shared.given_name,
            "family_name": shared.family_name,
            "email": shared.email,
            "phone": shared.phone,
            "queued_at": timezone.now(),
        }
        if existing is None:
            attendance = Attendance.objects.create(event=event, shift=shift, person=person, **values)
        else:
            # Back after cancelling: the same RSVP renewed, at the end of the queue, with what
            # they share now. Its creation time stays: it is when they first RSVP'd.
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save(update_fields=[*values, "modified_at"])
            attendance = existing
        record_event_act(
            person=person,
            verb=Verb.RSVPED,
            event=event,
            shift=shift,
            channel=channel,
            referrer_id=referrer_id,
        )
    return RSVPResult(attendance, status == Attendance.Status.WAITLISTED, already=False)


def _check_open(event: Event, shift: Shift | None) -> None:
    if event.status in (Event.Status.CANCELLED, Event.Status.REJECTED):
        raise ValidationError("This event has been cancelled.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event is not open for RSVPs yet.")
    if event.last_ends_at <= timezone.now():
        raise ValidationError("This event has already happened.")
    if shift is not None and shift.ends_at <= timezone.now():
        raise ValidationError("That date has already happened. Please choose another.", field="shift")


def cancel_rsvp(*, actor: Actor, attendance: Attendance) -> list[Attendance]:
    """Cancel an RSVP: the attendee themselves (signed in, or through their email's link,
    which proves it is them) or the event's hosts. If it held a place, the first on the
    waitlist gets it (and is told); returns who was promoted. The link that cancelled it
    stops working, and a cancelled RSVP no longer opens a private event."""
    if not (actor.is_person(attendance.person_id) or can_manage(actor, attendance.event)):
        raise PermissionDenied("Only the attendee or the event's hosts can cancel this RSVP.")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=attendance.event_id)
        attendance = Attendance.objects.select_related("person", "shift").get(pk=attendance.pk)
        if attendance.status == Attendance.Status.CANCELLED:
            return []
        held_a_place = attendance.status == Attendance.Status.ACCEPTED
        attendance.status = Attendance.Status.CANCELLED
        attendance.cancel_key = new_link_key()
        attendance.save(update_fields=["status", "cancel_key", "modified_at"])
        record_event_act(
            person=attendance.person_id,
            verb=Verb.CANCELLED_RSVP,
            event=event,
            shift=attendance.shift,
            actor=actor,
            initiator=Initiator.MEMBER if actor.is_person(attendance.person_id) else None,
        )
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
        waiting = waiting.order_by("queued_at", "id")[: max(0, capacity - taken)]
    promoted = list(waiting.order_by("queued_at", "id") if capacity is None else waiting)
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
    actor: Actor,
    event: Event,
    given_name: str,
    family_name: str = "",
    email: str,
    postal_code: str = "",
    ref: str | None = None,
    via: str | None = None,
    shift: Shift | None = None,
) -> RSVPResult:
    """An RSVP through the event's public form, from someone not signed in: they arrive
    (found by email or made, credited to the member whose link brought them, as a join
    would be: a known person's record only gains details), and their hosts see what they
    typed here. The answer is the same whether or not the address was on the list."""
    if not can_see(actor, event):
        raise NotFound("We couldn't find that event.")
    share = resolve_share_code(ref)
    channel = Channel.from_slug(via, default=Channel.LINK if share else Channel.DIRECT)
    place = place_postcode(postal_code) if postal_code.strip() else None
    details = PersonDetails(
        email=email,
        given_name=given_name,
        family_name=family_name,
        place=place,
        source_channel=channel,
        recruited_by_id=share.person_id if share else None,
        source_detail=f"RSVP: {event.title}"[:200],
    ).cleaned()
    with transaction.atomic():
        arrival = arrive(actor=actor, details=details, share=share, channel=channel, origin=Origin.FORM)
        return place_rsvp(
            event=event,
            person=arrival.person,
            shift=shift,
            channel=channel,
            referrer_id=arrival.recruiter.pk if arrival.recruiter else None,
            origin=Origin.FORM,
            shared=Shared(details.given_name, details.family_name, details.email),
        )


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
