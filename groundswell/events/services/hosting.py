"""Hosting an event: the host's details checked and saved (with shifts), changes, calling
it off, and the organizers' approval, each telling the hosts or the people coming."""

import hashlib
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.events.links import cohost_url, event_url
from groundswell.events.models import (
    Attendance,
    CohostInvitation,
    Event,
    EventCampaign,
    Shift,
    TrustedHost,
    new_link_key,
)
from groundswell.events.recurrence import parse_rule
from groundswell.events.selectors.access import can_direct, can_manage
from groundswell.events.selectors.attendees import SELF_REGISTERED
from groundswell.events.services.acts import record_event_act
from groundswell.events.services.dates import sync_dates
from groundswell.events.services.notices import notify, people_coming, place_text, when_text
from groundswell.events.services.rsvps import fill_from_waitlist
from groundswell.messaging.models import Message
from groundswell.messaging.services import send, system_message
from groundswell.people.models import EmailAddress, Person
from groundswell.people.places import place_postcode
from groundswell.people.services import normalize_email, person_id_for

TITLE_MAX = 200


DESCRIPTION_MAX = 20_000


@dataclass
class ShiftDetails:
    """One timeslot a host offers (a canvass from 10 to 12), with its own capacity."""

    starts_at: datetime
    ends_at: datetime
    label: str = ""
    capacity: int | None = None  # None: the event's capacity


MAX_SHIFTS = 20


@dataclass
class EventDetails:
    """What a host fills in. Times are aware datetimes (the form reads them in `time_zone`)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str = "UTC"
    description: str = ""
    venue: str = ""
    address_lines: list[str] = field(default_factory=list)
    postal_code: str = ""
    online_url: str = ""
    capacity: int | None = None
    visibility: Event.Visibility = Event.Visibility.PUBLIC
    address_shown: Event.AddressShown = Event.AddressShown.ATTENDEES
    campaign: EventCampaign | None = None
    cohost_emails: list[str] = field(default_factory=list)
    recurrence_rule: str = ""  # RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU
    recurrence_exceptions: list[str] = field(default_factory=list)  # ISO dates it skips
    shifts: list[ShiftDetails] = field(default_factory=list)


def _checked(details: EventDetails) -> tuple[dict, list[str]]:
    """The model fields for these details, and the co-hosts' addresses; or ValidationError
    naming the field."""
    title = clean_line(details.title)
    if not title:
        raise ValidationError("Please give the event a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"Please shorten the title to {TITLE_MAX} characters or fewer.", field="title")
    if len(details.description) > DESCRIPTION_MAX:
        raise ValidationError("Please shorten the description.", field="description")
    try:
        zoneinfo.ZoneInfo(details.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Please choose a time zone from the list.", field="time_zone") from None
    if timezone.is_naive(details.starts_at) or timezone.is_naive(details.ends_at):
        raise ValidationError("Start and end need a time zone.", field="starts_at")
    _check_clock_time(details.starts_at, "starts_at")
    _check_clock_time(details.ends_at, "ends_at")
    # Compared in UTC: two times in the same zone compare by the clock, wrong across DST.
    if details.ends_at.astimezone(UTC) <= details.starts_at.astimezone(UTC):
        raise ValidationError("The event must end after it starts.", field="ends_at")
    if details.capacity is not None and details.capacity < 1:
        raise ValidationError("Capacity must be at least 1, or left empty for no limit.", field="capacity")
    values: dict = {
        "title": title,
        "description": clean_text(details.description),
        "starts_at": details.starts_at.astimezone(UTC),
        "ends_at": details.ends_at.astimezone(UTC),
        "last_ends_at": details.ends_at.astimezone(UTC),  # until `sync_dates` has looked at the shifts
        "time_zone": details.time_zone,
        "venue": clean_line(details.venue)[:200],
        "address_lines": [clean_line(line)[:200] for line in details.address_lines if clean_line(line)],
        "online_url": details.online_url.strip(),
        "capacity": details.capacity,
        "visibility": details.visibility,
        "address_shown": Event.AddressShown(details.address_shown),
        "campaign": details.campaign,
        "recurrence_rule": details.recurrence_rule.strip(),
        "recurrence_exceptions": _exception_dates(details.recurrence_exceptions),
    }
    if values["recurrence_rule"]:
        parse_rule(values["recurrence_rule"], starts_at=details.starts_at, time_zone=details.time_zone)
    _check_shifts(details)
    if details.postal_code.strip():
        place = place_postcode(details.postal_code)  # raises with a message for a postcode we cannot place
        values.update(
            postal_code=place.postal_code,
            country=place.country,
            locality=place.locality,
            region=place.region,
            latitude=place.latitude,
            longitude=place.longitude,
        )
    elif not values["online_url"]:
        raise ValidationError(
            "Give a postcode for the place, or a link for an online event.", field="postal_code"
        )
    cohost_emails = sorted({_cohost_address(raw) for raw in details.cohost_emails if raw.strip()})
    if len(cohost_emails) > MAX_COHOSTS:
        raise ValidationError(f"Please invite {MAX_COHOSTS} co-hosts or fewer.", field="cohost_emails")
    return values, cohost_emails


MAX_COHOSTS = 10

# Where neither the event's ZIP code nor the host's own says otherwise (an online event).
DEFAULT_ZONE = "America/New_York"


def zone_for_postcode(postal_code: str, *, fallback: str = "") -> str:
    """The time zone an event keeps when its host leaves it to the ZIP code: the ZIP code's
    own (the ZIP table has one per code); else `fallback` (the host's own ZIP code's), else
    DEFAULT_ZONE. A postcode that cannot be placed falls back too: the host is told about
    the postcode itself when the event is checked."""
    for candidate in (postal_code, fallback):
        if not candidate.strip():
            continue
        try:
            zone = place_postcode(candidate).time_zone
        except ValidationError:
            continue
        if _known_zone(zone):
            return zone
    return DEFAULT_ZONE


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def _cohost_address(raw: str) -> str:
    try:
        return normalize_email(raw)
    except ValidationError as error:
        raise ValidationError(f"{raw.strip()[:60]}: {error.message}", field="cohost_emails") from None


def sync_cohosts(actor: Actor, event: Event, emails: list[str]) -> None:
    """Make the co-hosts those the host listed by address: everyone listed who is not yet
    invited is invited (and becomes a co-host only by accepting, signed in as that
    address's owner); an address taken off the list takes its co-host (or invitation) with
    it. The host only ever sees the addresses they typed, and whether one is on the list
    changes nothing they see. Only the host and staff choose co-hosts."""
    if not can_direct(actor, event):
        return
    host_addresses = set(
        EmailAddress.objects.filter(person_id=event.host_id).values_list("address", flat=True)
    )
    wanted = set(emails) - host_addresses
    invitations = list(event.cohost_invitations.all())
    for invitation in invitations:
        if invitation.email not in wanted:
            if invitation.person_id is not None:
                event.cohosts.remove(invitation.person_id)
            invitation.delete()
    invited = {invitation.email for invitation in invitations}
    # Co-hosts made without an invitation (in the admin) stay while one of their addresses is listed.
    by_invitation = {i.person_id for i in invitations if i.email in wanted and i.person_id is not None}
    listed = set(EmailAddress.objects.filter(address__in=wanted).values_list("person_id", flat=True))
    leaving = set(event.cohosts.values_list("pk", flat=True)) - by_invitation - listed
    if leaving:
        event.cohosts.remove(*leaving)
    for email in sorted(wanted - invited):
        invitation, created = CohostInvitation.objects.get_or_create(
            event=event, email=email, defaults={"invited_by": actor.person}
        )
        if created:
            _invite_cohost(invitation, event)


def _invite_cohost(invitation: CohostInvitation, event: Event) -> None:
    """Email the invitation to the owner of the address, if anyone on the list has it (no
    one else can accept it anyway; the organization does not write to strangers on a
    member's word)."""
    owner = person_id_for(email=invitation.email)
    if owner is None:
        return
    inviter = invitation.invited_by.short_name if invitation.invited_by else "A host"
    notify(
        # Once per event and address, however often the host takes it off and puts it back.
        f"cohost:{event.pk}:{hashlib.sha256(invitation.email.encode()).hexdigest()[:24]}",
        [owner],
        subject=f"{inviter} invites you to co-host {event.title}",
        text=f"{inviter} would like you to co-host {event.title} ({when_text(event)}): you'd see who "
        "is coming, check people in and write to them. Say yes if you'd like to.",
        link=cohost_url(invitation),
        link_label="See the invitation",
    )


def accept_cohost_invitation(*, actor: Actor, invitation: CohostInvitation) -> Event:
    """The owner of the invited address, signed in, says yes: they co-host from now on."""
    person = actor.require_person()
    if not EmailAddress.objects.filter(person=person, address=invitation.email).exists():
        raise PermissionDenied(
            "This invitation was sent to another address. Sign in with the address it was sent to."
        )
    event = invitation.event
    with transaction.atomic():
        if person.pk != event.host_id and not event.cohosts.filter(pk=person.pk).exists():
            event.cohosts.add(person)
            record_event_act(person=person, verb=Verb.COHOSTED, event=event, actor=actor)
        invitation.person, invitation.accepted_at = person, timezone.now()
        invitation.save(update_fields=["person", "accepted_at"])
    return event


def _check_clock_time(moment: datetime, field: str) -> None:
    """Refuse a local time the clocks skip (2:30 on the night they go forward)."""
    there = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if there.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(
            f"{moment:%H:%M} doesn't happen on {moment:%d %B}: the clocks go forward. "
            "Please choose another time.",
            field=field,
        )


def _check_shifts(details: EventDetails) -> None:
    shifts = details.shifts
    if shifts and details.recurrence_rule.strip():
        raise ValidationError(
            "A repeating event can't have shifts as well: choose one or the other.", field="shifts"
        )
    if len(shifts) > MAX_SHIFTS:
        raise ValidationError(f"Please offer {MAX_SHIFTS} shifts or fewer.", field="shifts")
    if len({(shift.starts_at, shift.ends_at) for shift in shifts}) < len(shifts):
        raise ValidationError("Two shifts have the same times.", field="shifts")
    for shift in shifts:
        _check_clock_time(shift.starts_at, "shifts")
        _check_clock_time(shift.ends_at, "shifts")
        starts, ends = shift.starts_at.astimezone(UTC), shift.ends_at.astimezone(UTC)
        if ends <= starts:
            raise ValidationError("Each shift must end after it starts.", field="shifts")
        if starts < details.starts_at.astimezone(UTC) or ends > details.ends_at.astimezone(UTC):
            raise ValidationError("Shifts must fall between the event's start and end.", field="shifts")
        if shift.capacity is not None and shift.capacity < 1:
            raise ValidationError("A shift's capacity must be at least 1.", field="shifts")
        if len(clean_line(shift.label)) > 100:
            raise ValidationError("Please keep shift names under 100 characters.", field="shifts")


def _save_shifts(event: Event, wanted: list[ShiftDetails], default_capacity: int | None) -> None:
    """The host's shifts as given: kept (with their RSVPs) when their hours stay, even if
    the event moves to another day; added; or removed when nobody is signed up for them."""
    zone = zoneinfo.ZoneInfo(event.time_zone)

    def hours(starts_at: datetime, ends_at: datetime) -> tuple[time, time]:
        return starts_at.astimezone(zone).time(), ends_at.astimezone(zone).time()

    existing = {hours(s.starts_at, s.ends_at): s for s in event.shifts.filter(from_rule=False)}
    for details in wanted:
        label = clean_line(details.label)
        capacity = details.capacity if details.capacity is not None else default_capacity
        starts_at, ends_at = details.starts_at.astimezone(UTC), details.ends_at.astimezone(UTC)
        shift = existing.pop(hours(starts_at, ends_at), None)
        if shift is None:
            Shift.objects.create(
                event=event, starts_at=starts_at, ends_at=ends_at, label=label, capacity=capacity
            )
        elif (shift.starts_at, shift.ends_at, shift.label, shift.capacity) != (
            starts_at,
            ends_at,
            label,
            capacity,
        ):
            shift.starts_at, shift.ends_at, shift.label, shift.capacity = starts_at, ends_at, label, capacity
            shift.save(update_fields=["starts_at", "ends_at", "label", "capacity"])
    for shift in existing.values():
        if shift.attendances.exclude(status=Attendance.Status.CANCELLED).exists():
            raise ValidationError(
                f"People have signed up for the shift {shift}: keep it, or write to them first.",
                field="shifts",
            )
        shift.delete()


def _exception_dates(raw: list[str]) -> list[str]:
    days = []
    for value in raw:
        value = value.strip()
        if not value:
            continue
        try:
            days.append(date.fromisoformat(value).isoformat())
        except ValueError:
            raise ValidationError(
                f"{value[:20]} is not a date: write dates like 2026-12-24.", field="recurrence_exceptions"
            ) from None
    return sorted(set(days))


def require_manager(actor: Actor, event: Event) -> None:
    """The event's hosts and staff manage it; anyone else is refused."""
    if not can_manage(actor, event):
        raise PermissionDenied("Only the event's hosts can do that.")


def host_event(*, actor: Actor, details: EventDetails, previous: Event | None = None) -> Event:
    """A member (or an organizer) hosts an event. It goes live at once unless its campaign
    asks for approval and the host is neither trusted nor staff."""
    host = actor.require_person()
    values, cohost_emails = _checked(details)
    if values["starts_at"] <= timezone.now():
        raise ValidationError("The event must start in the future.", field="starts_at")
    needs_review = _needs_review(details.campaign, host, by_staff=actor.is_staff)

    with transaction.atomic():
        event = Event.objects.create(
            **values,
            host=host,
            previous=previous,
            # "Host again" keeps a group's meeting the group's.
            group_id=previous.group_id if previous else None,
            status=Event.Status.PENDING if needs_review else Event.Status.PUBLISHED,
        )
        _save_shifts(event, details.shifts, event.capacity)
        sync_dates(event)
        record_event_act(person=host, verb=Verb.HOSTED, event=event, actor=actor)
        sync_cohosts(actor, event, cohost_emails)
    return event


def _needs_review(campaign: EventCampaign | None, host: Person, *, by_staff: bool) -> bool:
    return (
        campaign is not None
        and campaign.approval == EventCampaign.Approval.MODERATED
        and not by_staff
        and not TrustedHost.objects.filter(person=host).exists()
    )


def update_event(*, actor: Actor, event: Event, details: EventDetails) -> Event:
    """The host changes their event. One sent back for changes goes to review again (or
    live, as when it was first hosted). People coming hear of a new time or place.
    Co-hosts may change it too, but only the host (or staff) chooses the co-hosts."""
    require_manager(actor, event)
    by_staff = actor.is_staff
    values, cohost_emails = _checked(details)
    now = timezone.now()
    if event.status in (Event.Status.CANCELLED, Event.Status.REJECTED):
        raise ValidationError("This event has been cancelled. Host a new one instead.")
    if event.last_ends_at <= now:
        raise ValidationError("This event is over. Host it again instead.")
    moved = (values["starts_at"], values["ends_at"]) != (event.starts_at, event.ends_at)
    # A series that began in the past keeps its first date; its dates ahead move.
    if moved and values["starts_at"] <= now and not values["recurrence_rule"]:
        raise ValidationError("The event must start in the future.", field="starts_at")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        where_before, when_before = place_text(event), (event.starts_at, event.ends_at, event.recurrence_rule)
        campaign_before = event.campaign_id
        for name, value in values.items():
            setattr(event, name, value)
        needs_review = _needs_review(event.campaign, event.host, by_staff=by_staff)
        if event.status == Event.Status.DRAFT:
            event.status = Event.Status.PENDING if needs_review else Event.Status.PUBLISHED
        elif event.campaign_id != campaign_before and needs_review:
            event.status = Event.Status.PENDING  # moved into a campaign that reviews its events
        event.save()
        _save_shifts(event, details.shifts, event.capacity)
        sync_dates(event, now=now)
        for shift in [None, *event.shifts.filter(from_rule=False)]:  # more places: the waitlist moves up
            fill_from_waitlist(event, shift)
        sync_cohosts(actor, event, cohost_emails)  # a co-host's edit leaves them as they are
        changed = []
        if (event.starts_at, event.ends_at, event.recurrence_rule) != when_before:
            changed.append(f"it is now {when_text(event)}")
        if place_text(event) != where_before:
            changed.append(f"it is now at {place_text(event)}")
        if changed and event.status == Event.Status.PUBLISHED:
            notify(
                f"changed:{event.pk}:{now.timestamp()}",
                people_coming(event, now=now),
                subject=f"Changed: {event.title}",
                text=f"{event.title} has changed: {' and '.join(changed)}.",
                link=event_url(event),
                link_label="See the event",
            )
    return event


def cancel_event(*, actor: Actor, event: Event, reason: str = "") -> Event:
    """The host (or staff) calls it off: everyone coming is told, with the reason."""
    if not can_direct(actor, event):
        raise PermissionDenied("Only the event's host can call it off.")
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status == Event.Status.CANCELLED:
            return event
        if event.last_ends_at <= now:
            raise ValidationError("This event is over already.")
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "modified_at"])
        record_event_act(person=actor.require_person(), verb=Verb.CANCELLED_EVENT, event=event, actor=actor)
        notify(
            f"cancelled:{event.pk}",
            people_coming(event, now=now),
            subject=f"Cancelled: {event.title}",
            text=f"Sorry: {event.title} ({when_text(event)}) has been cancelled by its host.",
            note=clean_text(reason)[:2000],
            link=event_url(event),
            link_label="See the event",
        )
    return event


def approve_event(*, actor: Actor, event: Event) -> Event:
    return _review(actor, event, Event.Status.PUBLISHED, note="")


def reject_event(*, actor: Actor, event: Event, reason: str) -> Event:
    if not clean_text(reason):
        raise ValidationError("Please tell the host why.", field="reason")
    return _review(actor, event, Event.Status.REJECTED, note=clean_text(reason))


def request_changes(*, actor: Actor, event: Event, note: str) -> Event:
    """Back to the host as a draft, with what to change."""
    if not clean_text(note):
        raise ValidationError("Please say what should change.", field="note")
    return _review(actor, event, Event.Status.DRAFT, note=clean_text(note))


def rotate_invitation(*, actor: Actor, event: Event) -> Event:
    """A new invitation link for a private event; the old link stops opening it."""
    require_manager(actor, event)
    event.invitation_key = new_link_key()
    event.save(update_fields=["invitation_key", "modified_at"])
    return event


REVIEW_VERBS = {
    Event.Status.PUBLISHED: Verb.APPROVED_EVENT,
    Event.Status.REJECTED: Verb.REJECTED_EVENT,
    Event.Status.DRAFT: Verb.ASKED_FOR_CHANGES,
}


def require_staff(actor: Actor) -> Person:
    if not actor.is_staff or actor.person is None:
        raise PermissionDenied("Only organizers can do that.")
    return actor.person


def _review(actor: Actor, event: Event, status: Event.Status, *, note: str) -> Event:
    reviewer = require_staff(actor)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != Event.Status.PENDING:
            raise ValidationError("Only events waiting for approval can be reviewed.")
        event.status = status
        event.review_note = note
        event.reviewed_by = reviewer
        event.reviewed_at = timezone.now()
        event.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "modified_at"])
        record_event_act(person=reviewer, verb=REVIEW_VERBS[status], event=event, actor=actor)
        _tell_hosts_of_review(event)
        if event.status == Event.Status.PUBLISHED and event.previous_id is not None:
            invite_last_attendees(event)
    return event


def invite_last_attendees(event: Event) -> int:
    """A hosted-again event's invitation to the people who came to the one before (or, if
    nobody was checked in, to those who said they would). Sent once the event is live."""
    previous = event.previous
    if previous is None:
        return 0
    # Only people who RSVP'd themselves: walk-ins were typed by a host. And as an ask, not
    # something the person asked for, it honours unsubscribes (bulk).
    rsvps = Attendance.objects.filter(event=previous, origin__in=SELF_REGISTERED)
    came = rsvps.filter(attended=True)
    if not came.exists():
        came = rsvps.filter(status=Attendance.Status.ACCEPTED)
    invited = list(came.exclude(person_id=event.host_id).values_list("person_id", flat=True).distinct())
    invitation = system_message(
        f"invite:{event.pk}", template="host_again_invitation", kind=Message.Kind.BULK
    )
    context = {
        "event_title": event.title,
        "previous_title": previous.title,
        "host_name": event.host.short_name,
        "event_when": when_text(event),
        "event_url": event_url(event),
    }
    return send(message=invitation, person_ids=invited, context=dict.fromkeys(invited, context))


def _tell_hosts_of_review(event: Event) -> None:
    if event.status == Event.Status.PUBLISHED:
        subject, text = (
            f"Approved: {event.title}",
            f"{event.title} is approved and live. Time to invite people!",
        )
        link, label = event_url(event), "See your event and your invitation link"
    elif event.status == Event.Status.REJECTED:
        subject, text = f"Not approved: {event.title}", f"An organizer did not approve {event.title}."
        link, label = event_url(event), "See the event"
    else:
        subject, text = f"Changes asked: {event.title}", f"An organizer asks for changes to {event.title}."
        link, label = f"{settings.SITE_URL}{reverse('events:edit', args=[event.uuid])}", "Change the event"
    assert event.reviewed_at is not None
    hosts = [event.host_id, *event.cohosts.values_list("pk", flat=True)]
    notify(
        f"review:{event.pk}:{event.reviewed_at.timestamp()}",
        hosts,
        subject=subject,
        text=text,
        note=event.review_note,
        link=link,
        link_label=label,
    )


def trust_host(*, actor: Actor, person: Person) -> TrustedHost:
    """An organizer vouches for a host: their events skip the approval wait."""
    organizer = require_staff(actor)
    with transaction.atomic():
        trust, created = TrustedHost.objects.get_or_create(person=person, defaults={"trusted_by": organizer})
        if created:
            record(person=organizer, verb=Verb.TRUSTED_HOST, obj=person, actor=actor)
    return trust
