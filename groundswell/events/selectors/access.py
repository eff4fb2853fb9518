"""Who may see and manage an event: the rules, in one place, decided from the Actor.

- Anyone may open a published (or cancelled) public or unlisted event.
- A private one opens to its hosts, staff, people with a live RSVP (a cancelled RSVP no
  longer counts) and whoever carries its current invitation.
- Drafts and events waiting for review open to their hosts and staff only.
- Managing (attendees, check-in, walk-ins, writing to attendees, changes, the report) is
  for the host, co-hosts and staff. Directing it (calling it off, choosing the co-hosts)
  is for the host and staff: a co-host cannot add more co-hosts or cancel the host's event.

Anyone who may not see an event is told it does not exist (NotFound), never that it is
forbidden: an outsider cannot learn that a private event or its attendee page exists.
"""

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from groundswell.accounts.actors import Actor
from groundswell.core.errors import NotFound
from groundswell.events.links import is_invitation
from groundswell.events.models import Attendance, Event

LIVE_RSVP = [Attendance.Status.ACCEPTED, Attendance.Status.WAITLISTED]
OPEN_STATUSES = [Event.Status.PUBLISHED, Event.Status.CANCELLED]


def is_host(actor: Actor, event: Event) -> bool:
    """The host or a co-host of the event."""
    if actor.person is None:
        return False
    return event.host_id == actor.person.pk or event.cohosts.filter(pk=actor.person.pk).exists()


def can_manage(actor: Actor, event: Event) -> bool:
    return actor.is_staff or is_host(actor, event)


def can_direct(actor: Actor, event: Event) -> bool:
    return actor.is_staff or actor.is_person(event.host_id)


def has_live_rsvp(actor: Actor, event: Event) -> bool:
    return (
        actor.person is not None
        and Attendance.objects.filter(event=event, person=actor.person, status__in=LIVE_RSVP).exists()
    )


def can_see(actor: Actor, event: Event) -> bool:
    if can_manage(actor, event):
        return True
    if event.status not in OPEN_STATUSES:
        return False
    if event.visibility != Event.Visibility.PRIVATE:
        return True
    return is_invitation(actor.invitation, event) or has_live_rsvp(actor, event)


def visible_to(actor: Actor) -> QuerySet[Event]:
    """Events this actor may open (without an invitation), as a queryset to narrow further."""
    if actor.is_staff:
        return Event.objects.all()
    open_to_all = Q(
        status__in=OPEN_STATUSES,
        visibility__in=[Event.Visibility.PUBLIC, Event.Visibility.UNLISTED],
    )
    if actor.person is None:
        return Event.objects.filter(open_to_all)
    person = actor.person
    cohosting = Event.cohosts.through.objects.filter(event_id=OuterRef("pk"), person_id=person.pk)
    going = Attendance.objects.filter(event_id=OuterRef("pk"), person_id=person.pk, status__in=LIVE_RSVP)
    return Event.objects.filter(
        open_to_all | Q(host=person) | Q(Exists(cohosting)) | (Q(status__in=OPEN_STATUSES) & Q(Exists(going)))
    )


def access_event(actor: Actor, event_id: object, *, for_write: bool = False) -> Event:
    """The event, as this actor may see it (`for_write`: may manage it); NotFound otherwise,
    whether or not it exists."""
    try:
        public_id = event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id))
    except ValueError:
        raise NotFound("We couldn't find that event.") from None
    event = Event.objects.filter(uuid=public_id).select_related("campaign", "host").first()
    allowed = event is not None and (can_manage(actor, event) if for_write else can_see(actor, event))
    if not allowed:
        raise NotFound("We couldn't find that event.")
    assert event is not None
    return event


def access_attendance(actor: Actor, event: Event, attendance_id: object) -> Attendance:
    """An RSVP to `event` that this actor may act on: any of the event's RSVPs for those who
    manage it, else only their own."""
    try:
        public_id = uuid.UUID(str(attendance_id))
    except ValueError:
        raise NotFound("That RSVP is not on this event.") from None
    rsvps = Attendance.objects.filter(event=event, uuid=public_id).select_related("person", "shift")
    if not can_manage(actor, event):
        rsvps = rsvps.filter(person=actor.person) if actor.person is not None else rsvps.none()
    found = rsvps.first()
    if found is None:
        raise NotFound("That RSVP is not on this event.")
    return found
