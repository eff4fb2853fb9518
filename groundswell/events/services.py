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
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from groundswell.activity.models import Initiator, Verb
from groundswell.activity.services import record
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line
from groundswell.events.models import Attendance, Event, EventCampaign, Shift, TrustedHost
from groundswell.events.recurrence import occurrences, parse_rule
from groundswell.messaging.models import Message
from groundswell.messaging.services import send, system_message
from groundswell.network.services import record_join, resolve_share_code
from groundswell.people.models import Person
from groundswell.people.places import place_postcode
from groundswell.people.services import PersonDetails, normalize_email, person_id_for, upsert_person

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
    campaign: EventCampaign | None = None
    cohost_emails: list[str] = field(default_factory=list)
    recurrence_rule: str = ""  # RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU
    recurrence_exceptions: list[str] = field(default_factory=list)  # ISO dates it skips
    shifts: list[ShiftDetails] = field(default_factory=list)


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
        "last_ends_at": details.ends_at,  # until `sync_dates` has looked at the shifts
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
        if shift.ends_at <= shift.starts_at:
            raise ValidationError("Each shift must end after it starts.", field="shifts")
        if shift.starts_at < details.starts_at or shift.ends_at > details.ends_at:
            raise ValidationError("Shifts must fall between the event's start and end.", field="shifts")
        if shift.capacity is not None and shift.capacity < 1:
            raise ValidationError("A shift's capacity must be at least 1.", field="shifts")
        if len(clean_line(shift.label)) > 100:
            raise ValidationError("Please keep shift names under 100 characters.", field="shifts")


def _save_shifts(event: Event, wanted: list[ShiftDetails], default_capacity: int | None) -> None:
    """The host's shifts as given: kept (with their RSVPs) when their times stay, added,
    or removed when nobody is signed up for them."""
    existing = {(shift.starts_at, shift.ends_at): shift for shift in event.shifts.filter(from_rule=False)}
    for details in wanted:
        label = clean_line(details.label)
        capacity = details.capacity if details.capacity is not None else default_capacity
        shift = existing.pop((details.starts_at, details.ends_at), None)
        if shift is None:
            Shift.objects.create(
                event=event,
                starts_at=details.starts_at,
                ends_at=details.ends_at,
                label=label,
                capacity=capacity,
            )
        elif (shift.label, shift.capacity) != (label, capacity):
            shift.label, shift.capacity = label, capacity
            shift.save(update_fields=["label", "capacity"])
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


def host_event(
    *, host: Person, details: EventDetails, by_staff: bool = False, previous: Event | None = None
) -> Event:
    """A member (or an organizer) hosts an event. It goes live at once unless its campaign
    asks for approval and the host is neither trusted nor staff."""
    values, cohosts = _checked(details)
    if values["starts_at"] <= timezone.now():
        raise ValidationError("The event must start in the future.", field="starts_at")
    needs_review = _needs_review(details.campaign, host, by_staff=by_staff)
    initiator = Initiator.STAFF if by_staff else Initiator.MEMBER
    with transaction.atomic():
        event = Event.objects.create(
            **values,
            host=host,
            previous=previous,
            status=Event.Status.PENDING if needs_review else Event.Status.PUBLISHED,
        )
        _save_shifts(event, details.shifts, event.capacity)
        sync_dates(event)
        cohosts = [c for c in cohosts if c.pk != host.pk]
        event.cohosts.set(cohosts)
        record(person=host, verb=Verb.HOSTED, obj=event, initiator=initiator)
        for cohost in cohosts:
            record(person=cohost, verb=Verb.COHOSTED, obj=event, initiator=initiator)
    return event


def _needs_review(campaign: EventCampaign | None, host: Person, *, by_staff: bool) -> bool:
    return (
        campaign is not None
        and campaign.approval == EventCampaign.Approval.MODERATED
        and not by_staff
        and not TrustedHost.objects.filter(person=host).exists()
    )


# A repeating event's dates are made a year ahead (a daily task keeps the year full).
SERIES_AHEAD = timedelta(days=366)
SERIES_MAX_DATES = 60


def sync_dates(event: Event, *, now: datetime | None = None) -> None:
    """Keep a repeating event's dates (shifts made from its rule) in step with the rule,
    a year ahead, each with the event's capacity; then `last_ends_at`.

    A date is matched by its local day, so moving the meeting from 7 pm to 6 pm moves
    each booked date with its RSVPs. Dates the rule no longer has are removed unless
    someone is still booked on them: those people were told, the host can write to them.
    """
    now = now or timezone.now()
    upcoming = {
        shift.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date(): shift
        for shift in event.shifts.filter(from_rule=True, starts_at__gt=now)
    }
    if event.recurrence_rule:
        dates = occurrences(
            rule=event.recurrence_rule,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            time_zone=event.time_zone,
            exceptions=event.recurrence_exceptions,
            after=max(event.starts_at, now),
            count=SERIES_MAX_DATES,
        )
        for starts_at, ends_at in dates:
            if starts_at > now + SERIES_AHEAD:
                break
            shift = upcoming.pop(starts_at.date(), None)
            if shift is None:
                Shift.objects.create(
                    event=event, starts_at=starts_at, ends_at=ends_at, capacity=event.capacity, from_rule=True
                )
            elif (shift.starts_at, shift.ends_at, shift.capacity) != (starts_at, ends_at, event.capacity):
                shift.starts_at, shift.ends_at, shift.capacity = starts_at, ends_at, event.capacity
                shift.save(update_fields=["starts_at", "ends_at", "capacity"])
    for shift in upcoming.values():  # dates the rule no longer has
        if not shift.attendances.exclude(status=Attendance.Status.CANCELLED).exists():
            shift.delete()
    last_shift_end = event.shifts.aggregate(last=Max("ends_at"))["last"]
    event.last_ends_at = max(event.ends_at, last_shift_end) if last_shift_end else event.ends_at
    Event.objects.filter(pk=event.pk).update(last_ends_at=event.last_ends_at)


def extend_series(*, now: datetime | None = None) -> int:
    """Add the dates that have come within a year of every live repeating event."""
    series = Event.objects.exclude(recurrence_rule="").exclude(status=Event.Status.CANCELLED)
    for event in series:
        with transaction.atomic():
            sync_dates(event, now=now)
    return len(series)


def update_event(*, event: Event, by: Person, details: EventDetails, by_staff: bool = False) -> Event:
    """The host changes their event. One sent back for changes goes to review again (or
    live, as when it was first hosted). People coming hear of a new time or place."""
    _require_host(event, by, by_staff=by_staff)
    values, cohosts = _checked(details)
    now = timezone.now()
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event has been cancelled. Host a new one instead.")
    if event.last_ends_at <= now:
        raise ValidationError("This event is over. Host it again instead.")
    moved = (values["starts_at"], values["ends_at"]) != (event.starts_at, event.ends_at)
    if moved and values["starts_at"] <= now:
        raise ValidationError("The event must start in the future.", field="starts_at")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        where_before, when_before = _where(event), (event.starts_at, event.ends_at, event.recurrence_rule)
        for name, value in values.items():
            setattr(event, name, value)
        if event.status == Event.Status.DRAFT:
            needs_review = _needs_review(event.campaign, event.host, by_staff=by_staff)
            event.status = Event.Status.PENDING if needs_review else Event.Status.PUBLISHED
        event.save()
        _save_shifts(event, details.shifts, event.capacity)
        sync_dates(event, now=now)
        known = set(event.cohosts.values_list("pk", flat=True))
        cohosts = [c for c in cohosts if c.pk != event.host_id]
        event.cohosts.set(cohosts)
        initiator = Initiator.STAFF if by_staff else Initiator.MEMBER
        for cohost in cohosts:
            if cohost.pk not in known:
                record(person=cohost, verb=Verb.COHOSTED, obj=event, initiator=initiator)
        changed = []
        if (event.starts_at, event.ends_at, event.recurrence_rule) != when_before:
            changed.append(f"it is now {_when(event)}")
        if _where(event) != where_before:
            changed.append(f"it is now at {_where(event)}")
        if changed and event.status == Event.Status.PUBLISHED:
            _notify(
                f"changed:{event.pk}:{now.timestamp()}",
                _coming(event, now=now),
                subject=f"Changed: {event.title}",
                text=f"{event.title} has changed: {' and '.join(changed)}.",
                link=_event_url(event),
                link_label="See the event",
            )
    return event


def cancel_event(*, event: Event, by: Person, reason: str = "", by_staff: bool = False) -> Event:
    """The host calls it off: everyone coming is told, with the host's reason."""
    _require_host(event, by, by_staff=by_staff)
    now = timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status == Event.Status.CANCELLED:
            return event
        if event.last_ends_at <= now:
            raise ValidationError("This event is over already.")
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "modified_at"])
        _notify(
            f"cancelled:{event.pk}",
            _coming(event, now=now),
            subject=f"Cancelled: {event.title}",
            text=f"Sorry: {event.title} ({_when(event)}) has been cancelled by its host.",
            note=reason.strip()[:2000],
            link=_event_url(event),
            link_label="See the event",
        )
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
        _tell_hosts_of_review(event)
    return event


def _tell_hosts_of_review(event: Event) -> None:
    if event.status == Event.Status.PUBLISHED:
        subject, text = (
            f"Approved: {event.title}",
            f"{event.title} is approved and live. Time to invite people!",
        )
        link, label = _event_url(event), "See your event and your invitation link"
    elif event.status == Event.Status.CANCELLED:
        subject, text = f"Not approved: {event.title}", f"An organizer did not approve {event.title}."
        link, label = _event_url(event), "See the event"
    else:
        subject, text = f"Changes asked: {event.title}", f"An organizer asks for changes to {event.title}."
        link, label = f"{settings.SITE_URL}{reverse('events:edit', args=[event.uuid])}", "Change the event"
    assert event.reviewed_at is not None
    hosts = [event.host_id, *event.cohosts.values_list("pk", flat=True)]
    _notify(
        f"review:{event.pk}:{event.reviewed_at.timestamp()}",
        hosts,
        subject=subject,
        text=text,
        note=event.review_note,
        link=link,
        link_label=label,
    )


def _notify(key: str, person_ids: list[int], **context: str) -> int:
    """A one-off notice about an event to these people, through the messaging core.
    `key` names the occasion: each person hears of each occasion once."""
    if not person_ids:
        return 0
    message = system_message(key, template="event_notice")
    return send(message=message, person_ids=person_ids, context=dict.fromkeys(person_ids, context))


def _coming(event: Event, *, now: datetime) -> list[int]:
    """Everyone booked (or waiting) for a date of the event still ahead."""
    ahead = Q(shift__isnull=True) | Q(shift__ends_at__gt=now)
    return list(
        Attendance.objects.filter(ahead, event=event)
        .exclude(status=Attendance.Status.CANCELLED)
        .values_list("person_id", flat=True)
        .distinct()
    )


def _event_url(event: Event) -> str:
    return f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}"


def _where(event: Event) -> str:
    return ", ".join(p for p in [event.venue, *event.address_lines, event.locality, event.region] if p) or (
        event.online_url or "online"
    )


def _when(event: Event, shift: Shift | None = None) -> str:
    """The date in the event's own time zone: "Tuesday 8 December 2026, 19:00 (America/Chicago)"."""
    start = (shift or event).starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone))
    when = f"{start:%A} {start.day} {start:%B %Y, %H:%M} ({event.time_zone})"
    if shift is None and event.recurrence_rule:
        return f"{when}, and repeating"
    return when


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
            event = attendance.event
            _notify(
                f"promoted:{promoted.pk}:{timezone.now().timestamp()}",
                [promoted.person_id],
                subject=f"A place opened up: {event.title}",
                text=f"Good news: a place opened up and it's yours. You're going to {event.title}, "
                f"{_when(event, promoted.shift)}.",
                link=_event_url(event),
                link_label="See the event",
            )
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


def mark_no_shows(*, event: Event, by: Person, shift: Shift | None = None, by_staff: bool = False) -> int:
    """After the event (or the date or shift): everyone accepted and not checked in did not come."""
    _require_host(event, by, by_staff=by_staff)
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


def is_host(event: Event, person: Person | None) -> bool:
    if person is None:
        return False
    return event.host_id == person.pk or event.cohosts.filter(pk=person.pk).exists()


def _require_host(event: Event, person: Person, *, by_staff: bool = False) -> None:
    if not by_staff and not is_host(event, person):
        raise PermissionDenied("Only the event's hosts can do that.")


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
    _require_host(event, by, by_staff=by_staff)
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
                "event_when": _when(event, attendance.shift),
                "event_where": _where(event),
                "event_url": event_url,
                "cancel_url": cancel_url,
                "waitlisted": attendance.status == Attendance.Status.WAITLISTED,
            }
        },
    )


INVITE_SALT = "groundswell.events.invite"


def invitation_token(event: Event) -> str:
    """What lets someone without an RSVP open a private event: the host shares it."""
    return signing.dumps(str(event.uuid), salt=INVITE_SALT)


def is_invitation(token: str | None, event_uuid: object) -> bool:
    """Whether `token` is the invitation to the event with this uuid."""
    if not token:
        return False
    try:
        return signing.loads(token, salt=INVITE_SALT) == str(event_uuid)
    except signing.BadSignature:
        return False


def invitation_url(event: Event) -> str:
    """The event's address; for a private event, with the invitation in it."""
    if event.visibility != Event.Visibility.PRIVATE:
        return _event_url(event)
    return f"{_event_url(event)}?invite={invitation_token(event)}"


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
        context = {
            "event_title": event.title,
            "previous_title": previous.title,
            "host_name": by.short_name,
            "event_when": _when(event),
            "event_url": invitation_url(event),
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
                "event_when": _when(event, shift),
                "event_where": _where(event),
                "soon": "in an hour" if kind == "hour" else "tomorrow",
            }
            slot = f"{event.pk}:{shift.pk}" if shift else f"{event.pk}"
            message = system_message(f"reminder-{kind}:{slot}", template="event_reminder")
            queued += send(message=message, person_ids=people, context=dict.fromkeys(people, context))
    return queued
