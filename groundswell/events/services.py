"""Writes of events: hosting, approval, RSVPs with capacity and a waitlist, check-in.

Every act is logged in the activity log inside the same transaction. Capacity is
kept under concurrency by locking the event (or shift) row while an RSVP is
counted and written: RSVPs to one event apply one at a time, RSVPs to different
events do not wait for each other.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from groundswell.activity.models import Initiator, Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line
from groundswell.events.models import Attendance, Event, EventCampaign, Shift, TrustedHost
from groundswell.events.recurrence import parse_rule
from groundswell.messaging.models import Message
from groundswell.messaging.services import send, system_message
from groundswell.network.services import record_join, resolve_share_code
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, normalize_email, person_id_for, upsert_person

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000


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
    campaign: EventCampaign | None = None
    cohost_emails: list[str] = field(default_factory=list)
    recurrence_rule: str = ""  # RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU
    recurrence_exceptions: list[str] = field(default_factory=list)  # ISO dates it skips


def _checked(details: EventDetails) -> tuple[dict, list[Person]]:
    """The model fields for these details, and the co-hosts; or ValidationError naming the field."""
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
    if details.ends_at <= details.starts_at:
        raise ValidationError("The event must end after it starts.", field="ends_at")
    if details.capacity is not None and details.capacity < 1:
        raise ValidationError("Capacity must be at least 1, or left empty for no limit.", field="capacity")
    values: dict = {
        "title": title,
        "description": details.description.strip(),
        "starts_at": details.starts_at,
        "ends_at": details.ends_at,
        "time_zone": details.time_zone,
        "venue": clean_line(details.venue)[:200],
        "address_lines": [clean_line(line)[:200] for line in details.address_lines if clean_line(line)],
        "online_url": details.online_url.strip(),
        "capacity": details.capacity,
        "visibility": details.visibility,
        "campaign": details.campaign,
        "recurrence_rule": details.recurrence_rule.strip(),
        "recurrence_exceptions": _exception_dates(details.recurrence_exceptions),
    }
    if values["recurrence_rule"]:
        parse_rule(values["recurrence_rule"], starts_at=details.starts_at, time_zone=details.time_zone)
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
    cohosts = []
    for raw in details.cohost_emails:
        if not raw.strip():
            continue
        email = normalize_email(raw)
        pid = person_id_for(email=email)
        if pid is None:
            raise ValidationError(
                f"{email} is not a member yet. Co-hosts must join first.", field="cohost_emails"
            )
        cohosts.append(Person.objects.get(pk=pid))
    return values, cohosts


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


def host_event(
    *, host: Person, details: EventDetails, by_staff: bool = False, previous: Event | None = None
) -> Event:
    """A member (or an organizer) hosts an event. It goes live at once unless its campaign
    asks for approval and the host is neither trusted nor staff."""
    values, cohosts = _checked(details)
    if values["starts_at"] <= timezone.now():
        raise ValidationError("The event must start in the future.", field="starts_at")
    campaign = details.campaign
    needs_review = (
        campaign is not None
        and campaign.approval == EventCampaign.Approval.MODERATED
        and not by_staff
        and not TrustedHost.objects.filter(person=host).exists()
    )
    initiator = Initiator.STAFF if by_staff else Initiator.MEMBER
    with transaction.atomic():
        event = Event.objects.create(
            **values,
            host=host,
            previous=previous,
            status=Event.Status.PENDING if needs_review else Event.Status.PUBLISHED,
        )
        cohosts = [c for c in cohosts if c.pk != host.pk]
        event.cohosts.set(cohosts)
        record(person=host, verb=Verb.HOSTED, obj=event, initiator=initiator)
        for cohost in cohosts:
            record(person=cohost, verb=Verb.COHOSTED, obj=event, initiator=initiator)
    return event


def approve_event(*, event: Event, reviewer: Person) -> Event:
    return _review(event, reviewer, Event.Status.PUBLISHED, note="")


def reject_event(*, event: Event, reviewer: Person, reason: str) -> Event:
    if not reason.strip():
        raise ValidationError("Please tell the host why.", field="reason")
    return _review(event, reviewer, Event.Status.CANCELLED, note=reason.strip())


def request_changes(*, event: Event, reviewer: Person, note: str) -> Event:
    """Back to the host as a draft, with what to change."""
    if not note.strip():
        raise ValidationError("Please say what should change.", field="note")
    return _review(event, reviewer, Event.Status.DRAFT, note=note.strip())


def _review(event: Event, reviewer: Person, status: Event.Status, *, note: str) -> Event:
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status != Event.Status.PENDING:
            raise ValidationError("Only events waiting for approval can be reviewed.")
        event.status = status
        event.review_note = note
        event.reviewed_by = reviewer
        event.reviewed_at = timezone.now()
        event.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "modified_at"])
    return event


def trust_host(*, person: Person, by: Person) -> TrustedHost:
    trust, _ = TrustedHost.objects.get_or_create(person=person, defaults={"trusted_by": by})
    return trust


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
        _check_open(event)
        if shift is None and event.shifts.exists():
            raise ValidationError("Please choose a shift.", field="shift")
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


def _check_open(event: Event) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event has been cancelled.")
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError("This event is not open for RSVPs yet.")
    if event.ends_at <= timezone.now():
        raise ValidationError("This event has already happened.")


def cancel_rsvp(*, attendance: Attendance) -> Attendance | None:
    """Cancel an RSVP. If it held a place, the first person on the waitlist gets it;
    returns their attendance (or None)."""
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=attendance.event_id).first()
        attendance = Attendance.objects.select_related("person").get(pk=attendance.pk)
        if attendance.status == Attendance.Status.CANCELLED:
            return None
        held_a_place = attendance.status == Attendance.Status.ACCEPTED
        attendance.status = Attendance.Status.CANCELLED
        attendance.save(update_fields=["status", "modified_at"])
        record(person=attendance.person, verb=Verb.CANCELLED_RSVP, obj=attendance.event)
        if not held_a_place:
            return None
        promoted = (
            Attendance.objects.filter(
                event_id=attendance.event_id,
                shift=attendance.shift,
                status=Attendance.Status.WAITLISTED,
            )
            .order_by("created_at", "id")
            .first()
        )
        if promoted is not None:
            promoted.status = Attendance.Status.ACCEPTED
            promoted.save(update_fields=["status", "modified_at"])
    return promoted


def check_in(*, attendance: Attendance, by: Person, by_staff: bool = False) -> Attendance:
    """The host (or an organizer) marks someone as here."""
    _require_host(attendance.event, by, by_staff=by_staff)
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


def mark_no_shows(*, event: Event, by: Person, by_staff: bool = False) -> int:
    """After the event: everyone accepted and not checked in did not come."""
    _require_host(event, by, by_staff=by_staff)
    with transaction.atomic():
        missing = list(
            Attendance.objects.select_related("person").filter(
                event=event, status=Attendance.Status.ACCEPTED, attended__isnull=True
            )
        )
        for attendance in missing:
            attendance.attended = False
            attendance.save(update_fields=["attended", "modified_at"])
            record(person=attendance.person, verb=Verb.NO_SHOW, obj=event, initiator=Initiator.SYSTEM)
    return len(missing)


def is_host(event: Event, person: Person | None) -> bool:
    if person is None:
        return False
    return event.host_id == person.pk or event.cohosts.filter(pk=person.pk).exists()


def _require_host(event: Event, person: Person, *, by_staff: bool = False) -> None:
    if not by_staff and not is_host(event, person):
        raise PermissionDenied("Only the event's hosts can do that.")


def walk_in(
    *, event: Event, by: Person, given_name: str, email: str, family_name: str = "", by_staff: bool = False
) -> Attendance:
    """Someone turns up without an RSVP: they join on the spot and are checked in.
    Walk-ins are there already, so capacity does not turn them away."""
    _require_host(event, by, by_staff=by_staff)
    if not clean_line(given_name):
        raise ValidationError("Please enter their first name.", field="given_name")
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
            shift=None,
            defaults={"status": Attendance.Status.ACCEPTED, "walk_in": True},
        )
        if attendance.status != Attendance.Status.ACCEPTED:
            attendance.status = Attendance.Status.ACCEPTED
            attendance.save(update_fields=["status", "modified_at"])
    return check_in(attendance=attendance, by=by, by_staff=by_staff)


def rsvp_as_guest(
    *,
    event: Event,
    given_name: str,
    family_name: str = "",
    email: str,
    postal_code: str = "",
    ref: str | None = None,
    via: str | None = None,
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
        return rsvp(event=event, person=person, channel=channel, referrer_id=recruiter_id)


CANCEL_SALT = "groundswell.events.cancel"


def cancel_token(attendance: Attendance) -> str:
    return signing.dumps(str(attendance.uuid), salt=CANCEL_SALT)


def attendance_for_token(token: str) -> Attendance:
    try:
        value = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        raise NotFound("This link is not valid. Please use the link from your confirmation email.") from None
    attendance = Attendance.objects.select_related("event", "person").filter(uuid=value).first()
    if attendance is None:
        raise NotFound("We couldn't find that RSVP.")
    return attendance


def send_confirmation(*, attendance: Attendance, event_url: str, cancel_url: str) -> int:
    """The RSVP confirmation email, with a link to cancel, through the messaging core
    (one message per event, so each person gets one confirmation per event)."""
    message = system_message(f"rsvp:{attendance.event_id}", template="rsvp_confirmation")
    event = attendance.event
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
    return send(
        message=message,
        person_ids=[attendance.person_id],
        context={
            attendance.person_id: {
                "event_title": event.title,
                "event_when": f"{local:%A %d %B %Y, %H:%M} ({event.time_zone})",
                "event_where": ", ".join(p for p in [event.venue, event.locality, event.region] if p)
                or event.online_url,
                "event_url": event_url,
                "cancel_url": cancel_url,
                "waitlisted": attendance.status == Attendance.Status.WAITLISTED,
            }
        },
    )


FEED_SALT = "groundswell.events.feed"


def feed_token(person: Person) -> str:
    """The secret part of a member's "my events" calendar address."""
    return signing.dumps(str(person.uuid), salt=FEED_SALT, compress=True)


def person_for_feed(token: str) -> Person:
    try:
        value = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise NotFound("This calendar address is not valid.") from None
    person = Person.objects.filter(uuid=value).first()
    if person is None:
        raise NotFound("This calendar address is not valid.")
    return person


SUBJECT_MAX = 200
MESSAGE_MAX = 10_000


def message_attendees(*, event: Event, by: Person, subject: str, body: str, by_staff: bool = False) -> int:
    """A host writes to everyone coming (and waiting), through the messaging core.
    The text goes out exactly as written, never as a template. Returns how many are queued."""
    _require_host(event, by, by_staff=by_staff)
    subject, body = clean_line(subject), body.strip()
    if not subject:
        raise ValidationError("Please write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Please keep the subject under {SUBJECT_MAX} characters.", field="subject")
    if not body:
        raise ValidationError("Please write a message.", field="body")
    if len(body) > MESSAGE_MAX:
        raise ValidationError("Please shorten the message.", field="body")
    recipients = list(
        Attendance.objects.filter(
            event=event, status__in=[Attendance.Status.ACCEPTED, Attendance.Status.WAITLISTED]
        ).values_list("person_id", flat=True)
    )
    with transaction.atomic():
        message = Message.objects.create(
            kind=Message.Kind.TRANSACTIONAL, subject=subject, body_text=body, is_template=False
        )
        return send(message=message, person_ids=recipients)


def host_again(*, previous: Event, by: Person, details: EventDetails) -> Event:
    """A new event from an old one, whose invitation goes to the people who came last time
    (or, if nobody was checked in, to those who said they would)."""
    _require_host(previous, by)
    with transaction.atomic():
        event = host_event(host=by, details=details, previous=previous)
        came = Attendance.objects.filter(event=previous, attended=True)
        if not came.exists():
            came = Attendance.objects.filter(event=previous, status=Attendance.Status.ACCEPTED)
        invited = [pid for pid in came.values_list("person_id", flat=True) if pid != by.pk]
        invitation = system_message(f"invite:{event.pk}", template="host_again_invitation")
        local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
        context = {
            "event_title": event.title,
            "previous_title": previous.title,
            "host_name": by.short_name,
            "event_when": f"{local:%A %d %B %Y, %H:%M} ({event.time_zone})",
            "event_url": f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}",
        }
        send(message=invitation, person_ids=invited, context=dict.fromkeys(invited, context))
    return event


def report(*, event: Event, by: Person, attendance: int | None, notes: str, links: list[str]) -> Event:
    """The host's after-event report: how many came, what happened, where the photos are."""
    _require_host(event, by)
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
    """Remind everyone coming to events that start within a day, and within an hour.
    Safe to run as often as wanted: each person gets each reminder once (one message
    per event and kind, and the messaging core sends a message once per person)."""
    now = now or timezone.now()
    queued = 0
    for kind, ahead in REMINDERS.items():
        soon = Event.objects.filter(
            status=Event.Status.PUBLISHED, starts_at__gt=now, starts_at__lte=now + ahead
        )
        for event in soon:
            people = list(
                Attendance.objects.filter(event=event, status=Attendance.Status.ACCEPTED).values_list(
                    "person_id", flat=True
                )
            )
            if not people:
                continue
            local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
            context = {
                "event_title": event.title,
                "event_when": f"{local:%A %d %B, %H:%M} ({event.time_zone})",
                "event_where": ", ".join(p for p in [event.venue, event.locality] if p) or event.online_url,
                "soon": "in an hour" if kind == "hour" else "tomorrow",
            }
            message = system_message(f"reminder-{kind}:{event.pk}", template="event_reminder")
            queued += send(message=message, person_ids=people, context=dict.fromkeys(people, context))
    return queued
