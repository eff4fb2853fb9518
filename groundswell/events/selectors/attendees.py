"""Who is coming: counts anyone may see, and the attendee list and CSV for those who manage
the event. The list shows what each attendee gave for this event (their Participation
details), never their stored record: a host who types a known address as a walk-in sees
only what they typed."""

from typing import Any, Protocol

from django.db.models import Count, Q
from django.utils import timezone

from groundswell.accounts.actors import Actor
from groundswell.core.errors import NotFound
from groundswell.core.spreadsheets import write_csv
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.selectors.access import can_manage
from groundswell.network.models import Origin


class SupportsWrite(Protocol):
    def write(self, data: Any, /) -> Any: ...


def counts(event: Event, shift: Shift | None = None) -> dict[str, int]:
    """How many are coming and waiting (to the whole event, or to one of its dates or
    shifts): what anyone may see, never who."""
    attendances = Attendance.objects.filter(event=event)
    if shift is not None:
        attendances = attendances.filter(shift=shift)
    rows = dict(attendances.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "accepted": rows.get(Attendance.Status.ACCEPTED, 0),
        "waitlisted": rows.get(Attendance.Status.WAITLISTED, 0),
    }


def attendees(
    actor: Actor, event: Event, shift: Shift | None = None, *, search: str = ""
) -> list[Attendance]:
    """Everyone who RSVP'd (to the event, or to one date or shift of it), with the details
    they gave: for the event's hosts and staff only. `search` keeps those whose first name,
    last name or email holds every word of it (the check-in list's name search). One query,
    however many attendees."""
    if not can_manage(actor, event):
        raise NotFound("We couldn't find that event.")
    chosen = Attendance.objects.filter(event=event)
    if shift is not None:
        chosen = chosen.filter(shift=shift)
    for word in search.split()[:SEARCH_WORDS_MAX]:
        chosen = chosen.filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(email__icontains=word)
        )
    return list(
        chosen.exclude(status=Attendance.Status.CANCELLED)
        .select_related("shift__event")
        .order_by("status", "given_name", "family_name", "id")
    )


# A search box is a few words; more are ignored rather than made into a long query.
SEARCH_WORDS_MAX = 5


def checkin_counts(event: Event, shift: Shift | None = None) -> dict[str, int]:
    """The check-in tally for the hosts: how many are going, here, marked not there, and
    waiting (to the event, or to one of its dates or shifts). One query."""
    chosen = Attendance.objects.filter(event=event).exclude(status=Attendance.Status.CANCELLED)
    if shift is not None:
        chosen = chosen.filter(shift=shift)
    accepted = Q(status=Attendance.Status.ACCEPTED)
    return chosen.aggregate(
        going=Count("id", filter=accepted),
        here=Count("id", filter=Q(attended=True)),
        not_there=Count("id", filter=accepted & Q(attended=False)),
        waiting=Count("id", filter=Q(status=Attendance.Status.WAITLISTED)),
    )


CSV_HEADER = [
    "first name",
    "last name",
    "email",
    "phone",
    "status",
    "date or shift",
    "attended",
    "walk-in",
    "rsvp at",
]


def write_attendees_csv(actor: Actor, event: Event, out: SupportsWrite) -> None:
    write_csv(
        out,
        CSV_HEADER,
        (
            [
                a.given_name,
                a.family_name,
                a.email,
                a.phone,
                a.status,
                str(a.shift) if a.shift else "",
                {True: "yes", False: "no", None: ""}[a.attended],
                "yes" if a.walk_in else "",
                a.created_at.isoformat(),
            ]
            for a in attendees(actor, event)
        ),
    )


def open_dates(event: Event, *, limit: int | None = None) -> list[Shift]:
    """The event's dates or shifts that have not ended yet, soonest first, each with how
    many are going (`accepted`) and waiting (`waitlisted`): one query."""
    going = Count("attendances", filter=Q(attendances__status=Attendance.Status.ACCEPTED))
    waiting = Count("attendances", filter=Q(attendances__status=Attendance.Status.WAITLISTED))
    dates = event.shifts.filter(ends_at__gt=timezone.now()).annotate(accepted=going, waitlisted=waiting)
    return list(dates[:limit] if limit else dates)


def member_mail_recipients(event: Event) -> list[int]:
    """Whom a host's own message may reach: people who RSVP'd themselves (signed in, or
    through the event's public form, which emailed them a confirmation they can cancel
    from), for a date still ahead or, after it, if they were checked in. Never someone a
    host typed in (a walk-in): a host's say-so is not a way onto the organization's mail."""
    now = timezone.now()
    ahead = Q(shift__isnull=True, event__last_ends_at__gt=now) | Q(shift__ends_at__gt=now)
    return list(
        Attendance.objects.filter(event=event, origin__in=SELF_REGISTERED)
        .exclude(status=Attendance.Status.CANCELLED)
        .filter(ahead | Q(attended=True))
        .values_list("person_id", flat=True)
        .distinct()
    )


# RSVPs a person made themselves; the only ones the event's mail goes to.
SELF_REGISTERED = [Origin.SELF, Origin.FORM]
