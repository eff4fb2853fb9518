"""Event pages: finding events, an event's page with its RSVP form, and cancelling by link."""

import uuid
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.core.errors import GroundswellError, NotFound, PermissionDenied, ValidationError
from groundswell.events import calendars, recurrence, selectors, services
from groundswell.events.forms import GuestRSVPForm, HostEventForm, SearchForm, WalkInForm
from groundswell.events.models import Attendance, Event, EventCampaign, Shift
from groundswell.network.services import resolve_share_code, share_code_for
from groundswell.people.models import Person
from groundswell.people.places import place_postcode

KM_PER_MILE = 1.609344
PAGE_SIZE = 20


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "events/not_found.html", {"error": message}, status=404)


def _viewer(request: HttpRequest) -> tuple[Person | None, bool]:
    user = request.user
    if not user.is_authenticated:
        return None, False
    return user.person, bool(user.is_staff)


def find(request: HttpRequest) -> HttpResponse:
    query_data = request.GET.copy()
    query_data.setdefault("radius", "25")
    form = SearchForm(query_data)  # every field is optional: an empty search lists what is coming
    results: list = []
    searched_near = None
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        after = _day_start(data["starts_after"]) if data.get("starts_after") else now
        before = _day_start(data["starts_before"], next_day=True) if data.get("starts_before") else None
        campaign = data.get("campaign")
        if data.get("postal_code"):
            try:
                place = place_postcode(data["postal_code"])
            except ValidationError as error:
                form.add_error("postal_code", error.message)
                place = None
            if place is not None and not place.located:
                form.add_error("postal_code", "We can only search near US ZIP codes for now.")
            elif place is not None:
                searched_near = place
                assert place.latitude is not None and place.longitude is not None
                results = selectors.nearby_ids(
                    latitude=place.latitude,
                    longitude=place.longitude,
                    radius_km=(data.get("radius") or 25) * KM_PER_MILE,
                    starts_after=max(after, now),
                    starts_before=before,
                    campaign_id=campaign.pk if campaign else None,
                )
        else:
            upcoming = selectors.upcoming(
                after=max(after, now), before=before, campaign_id=campaign.pk if campaign else None
            )
            results = [(event_id, None) for event_id in upcoming.values_list("id", flat=True)[:500]]
    # Only the page on show is loaded: a radius can hold thousands of events.
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.hydrate(
        list(page.object_list), after=max(after, now) if form.is_valid() else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    status = 400 if form.errors else 200
    return render(
        request,
        "events/find.html",
        {
            "form": form,
            "page": page,
            "near": searched_near,
            "query": query.urlencode(),
            "map_points": _map_points(item.event for item in page),
        },
        status=status,
    )


def _map_points(events: Iterable[Event]) -> list[dict[str, object]]:
    return [
        {
            "lat": event.latitude,
            "lon": event.longitude,
            "title": event.title,
            "url": reverse("events:detail", args=[event.uuid]),
        }
        for event in events
        if event.latitude is not None and event.longitude is not None
    ]


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if next_day else moment


def detail(request: HttpRequest, event_uuid: str) -> HttpResponse:
    person, is_staff = _viewer(request)
    invited = services.is_invitation(request.GET.get("invite"), event_uuid)
    try:
        event = selectors.access_event(
            event_uuid=str(event_uuid), person=person, is_staff=is_staff, invited=invited
        )
    except NotFound as error:
        return _not_found(request, error.message)
    return _render_detail(request, event, person, GuestRSVPForm(initial=_ref(request)))


def _ref(request: HttpRequest) -> dict[str, str]:
    return {
        "ref": request.GET.get("ref", "")[:64],
        "via": request.GET.get("via", "")[:32],
        "invite": request.GET.get("invite", "")[:200],
    }


# A repeating event shows its next dates, not a year of them.
DATES_SHOWN = 12


def _render_detail(
    request: HttpRequest, event: Event, person: Person | None, form: GuestRSVPForm, status: int = 200
) -> HttpResponse:
    mine = {}
    if person is not None:
        booked = event.attendances.filter(person=person).exclude(status=Attendance.Status.CANCELLED)
        mine = {attendance.shift_id: attendance for attendance in booked.select_related("shift__event")}
    dates = selectors.open_dates(event, limit=DATES_SHOWN if event.recurrence_rule else None)
    for date_ in dates:
        date_.mine = mine.get(date_.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "counts": selectors.counts(event),
            "form": form,
            "mine": mine.get(None),
            "booked": [a for a in mine.values() if a.shift_id is not None],
            "is_host": services.is_host(event, person),
            "dates": dates,
            "choices": [d for d in dates if d.pk not in mine],
            "invite_link": _invite_link(event, person),
            "private_invitation": (
                services.invitation_url(event)
                if event.visibility == Event.Visibility.PRIVATE and services.is_host(event, person)
                else None
            ),
            "repeats": recurrence.describe(event.recurrence_rule) if event.recurrence_rule else "",
            "open": event.status == Event.Status.PUBLISHED and event.last_ends_at > timezone.now(),
        },
        status=status,
    )


def _invite_link(event: Event, person: Person | None) -> str | None:
    """The event's address carrying the member's share code: RSVPs through it credit them."""
    if person is None or event.visibility == Event.Visibility.PRIVATE:
        return None
    code = share_code_for(person).code
    return f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}?ref={code}&via=link"


@require_POST
def rsvp(request: HttpRequest, event_uuid: str) -> HttpResponse:
    person, is_staff = _viewer(request)
    invited = services.is_invitation(request.POST.get("invite"), event_uuid)
    try:
        event = selectors.access_event(
            event_uuid=str(event_uuid), person=person, is_staff=is_staff, invited=invited
        )
    except NotFound as error:
        return _not_found(request, error.message)
    form = GuestRSVPForm(request.POST)
    shift_id = request.POST.get("shift", "")
    shift = event.shifts.filter(pk=int(shift_id)).first() if shift_id.isdigit() else None
    if shift_id and shift is None:
        form.add_error(None, "That date or shift is not on this event. Please choose one from the list.")
        return _render_detail(request, event, person, form, status=400)
    try:
        with transaction.atomic():
            if person is not None:
                share = resolve_share_code(request.POST.get("ref"))
                result = services.rsvp(
                    event=event,
                    person=person,
                    shift=shift,
                    referrer_id=share.person_id if share and share.person_id != person.pk else None,
                )
            elif form.is_valid():
                data = form.cleaned_data
                result = services.rsvp_as_guest(
                    event=event,
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    email=data["email"],
                    ref=data["ref"],
                    via=data["via"],
                    shift=shift,
                )
            else:
                return _render_detail(request, event, person, form, status=400)
            if not result.already:
                token = services.cancel_token(result.attendance)
                services.send_confirmation(
                    attendance=result.attendance,
                    event_url=f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}",
                    cancel_url=f"{settings.SITE_URL}{reverse('events:cancel', args=[token])}",
                )
    except GroundswellError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_detail(request, event, person, form, status=400)
    return render(request, "events/rsvp_done.html", {"event": event, "result": result, "shift": shift})


@login_required
@require_POST
def leave(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """A signed-in member cancels their own RSVP from the event's page."""
    person, _ = _viewer(request)
    attendance_uuid = _uuid(request.POST.get("attendance", ""))
    attendance = (
        Attendance.objects.filter(uuid=attendance_uuid, event__uuid=event_uuid, person=person).first()
        if attendance_uuid
        else None
    )
    if attendance is None:
        return _not_found(request, "We couldn't find that RSVP.")
    services.cancel_rsvp(attendance=attendance)
    messages.success(request, "Your RSVP is cancelled. Thanks for letting the host know.")
    return redirect("events:detail", event_uuid=event_uuid)


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel from the link in the confirmation email: the signed token is the credential.
    GET only asks, because mail scanners follow links."""
    try:
        attendance = services.attendance_for_token(token)
    except NotFound as error:
        return _not_found(request, error.message)
    if request.method == "POST":
        services.cancel_rsvp(attendance=attendance)
        return render(request, "events/cancelled.html", {"event": attendance.event})
    return render(request, "events/cancel.html", {"attendance": attendance, "event": attendance.event})


@login_required
@require_http_methods(["GET", "POST"])
def host(request: HttpRequest) -> HttpResponse:
    """Host an event. Under a campaign that asks for approval, it waits for an organizer."""
    person, is_staff = _viewer(request)
    assert person is not None
    if request.method == "GET":
        initial = {"campaign": request.GET.get("campaign")} if request.GET.get("campaign") else {}
        return render(request, "events/host.html", {"form": HostEventForm(initial=initial)})
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            event = services.host_event(host=person, details=_details(form), by_staff=is_staff)
        except ValidationError as error:
            form.add_error(_form_field(error.field), error.message)
        else:
            if event.status == Event.Status.PENDING:
                messages.success(
                    request, "Thanks! An organizer will look at your event soon; we'll let you know."
                )
            else:
                messages.success(request, "Your event is live. Share it!")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "events/host.html", {"form": form}, status=400)


def _details(form: HostEventForm) -> services.EventDetails:
    data = form.cleaned_data
    zone = zoneinfo.ZoneInfo(data["time_zone"])
    starts_at = datetime.combine(data["date"], data["start_time"], tzinfo=zone)
    return services.EventDetails(
        title=data["title"],
        description=data["description"],
        starts_at=starts_at,
        ends_at=datetime.combine(data["date"], data["end_time"], tzinfo=zone),
        time_zone=data["time_zone"],
        venue=data["venue"],
        address_lines=[data["address"]] if data["address"] else [],
        postal_code=data["postal_code"],
        online_url=data["online_url"],
        capacity=data["capacity"],
        visibility=Event.Visibility(data["visibility"]),
        campaign=data["campaign"],
        cohost_emails=[e for e in data["cohost_emails"].split(",") if e.strip()],
        recurrence_rule=_rule(data["repeat"], starts_at, data["time_zone"]),
        recurrence_exceptions=[d for d in data["skip_dates"].split(",") if d.strip()],
        shifts=[
            services.ShiftDetails(
                starts_at=datetime.combine(data["date"], line.starts, tzinfo=zone),
                ends_at=datetime.combine(data["date"], line.ends, tzinfo=zone),
                label=line.label,
                capacity=line.capacity,
            )
            for line in data["shifts"]
        ],
    )


def _rule(repeat: str, starts_at: datetime, time_zone: str) -> str:
    if repeat == "weekly":
        return recurrence.weekly_rule_for(starts_at, time_zone)
    if repeat == "monthly":
        return recurrence.monthly_rule_for(starts_at, time_zone)
    return ""


def _form_field(field: str | None) -> str | None:
    # Service fields that the form shows under another name.
    names = {"starts_at": "start_time", "ends_at": "end_time", "recurrence_exceptions": "skip_dates"}
    name = names.get(field or "", field)
    return name if name in HostEventForm.base_fields else None


def _organizer(request: HttpRequest) -> Person | None:
    user = request.user
    return user.person if user.is_authenticated and user.is_organizer else None


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """The organizers' queue of events waiting for approval."""
    organizer = _organizer(request)
    if organizer is None:
        return render(
            request, "events/not_found.html", {"error": "Only organizers review events."}, status=403
        )
    if request.method == "POST":
        event = _pending_event(request.POST.get("event", ""))
        decision, note = request.POST.get("decision"), request.POST.get("note", "")
        if event is None:
            messages.error(request, "That event is no longer waiting for review.")
            return redirect("events:review")
        try:
            if decision == "approve":
                services.approve_event(event=event, reviewer=organizer)
                if request.POST.get("trust"):
                    services.trust_host(person=event.host, by=organizer)
            elif decision == "reject":
                services.reject_event(event=event, reviewer=organizer, reason=note)
            elif decision == "changes":
                services.request_changes(event=event, reviewer=organizer, note=note)
            else:
                raise ValidationError("Choose approve, reject or ask for changes.")
        except ValidationError as error:
            messages.error(request, f"{event.title}: {error.message}")
        else:
            messages.success(request, f"{event.title}: done.")
        return redirect("events:review")
    pending = Event.objects.filter(status=Event.Status.PENDING).select_related("host", "campaign")
    return render(request, "events/review.html", {"pending": pending.order_by("created_at")})


def _pending_event(value: str) -> Event | None:
    try:
        event_uuid = uuid.UUID(value)
    except ValueError:
        return None
    return Event.objects.filter(uuid=event_uuid, status=Event.Status.PENDING).select_related("host").first()


def _managed_event(request: HttpRequest, event_uuid: str) -> tuple[Event, Person, bool]:
    """The event, if the signed-in person hosts it or is an organizer; NotFound otherwise
    (an outsider cannot even learn that the event's attendee page exists)."""
    person, is_staff = _viewer(request)
    if person is None:
        raise NotFound("We couldn't find that event.")
    event = selectors.access_event(event_uuid=str(event_uuid), person=person, is_staff=is_staff)
    organizer = bool(getattr(request.user, "is_organizer", False))
    if not (organizer or services.is_host(event, person)):
        raise NotFound("We couldn't find that event.")
    return event, person, organizer


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Host tools: who is coming, check-in on the day (phone-friendly), walk-ins, no-shows.
    For an event with dates or shifts, one of them at a time (the one on now or next)."""
    try:
        event, person, organizer = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    shifts = list(event.shifts.all())
    shift = _chosen_shift(shifts, request.POST.get("shift") or request.GET.get("shift"))
    here = reverse("events:manage", args=[event.uuid]) + (f"?shift={shift.pk}" if shift else "")
    walk_in_form = WalkInForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "walk_in":
                walk_in_form = WalkInForm(request.POST)
                if not walk_in_form.is_valid():
                    raise ValidationError("Please check the walk-in's details.")
                data = walk_in_form.cleaned_data
                services.walk_in(event=event, by=person, by_staff=organizer, shift=shift, **data)
                messages.success(request, f"Welcome, {data['given_name']}! Checked in.")
            elif action == "no_shows":
                count = services.mark_no_shows(event=event, by=person, by_staff=organizer, shift=shift)
                messages.success(request, f"{count} marked as not there.")
            else:
                attendance_uuid = _uuid(request.POST.get("attendance", ""))
                attendance = (
                    event.attendances.filter(uuid=attendance_uuid).first() if attendance_uuid else None
                )
                if attendance is None:
                    raise ValidationError("That RSVP is not on this event.")
                services.check_in(attendance=attendance, by=person, by_staff=organizer)
                messages.success(request, f"{attendance.person.display_name} is checked in.")
            return redirect(here)
        except ValidationError as error:
            messages.error(request, error.message)
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "shifts": shifts,
            "shift": shift,
            "attendees": selectors.attendees(event, shift),
            "counts": selectors.counts(event, shift),
            "walk_in_form": walk_in_form,
            "started": (shift or event).starts_at <= timezone.now(),
        },
        status=400 if walk_in_form.errors else 200,
    )


def _chosen_shift(shifts: list[Shift], wanted: str | None) -> Shift | None:
    """The date or shift asked for; by default the one on now or next (else the last)."""
    if not shifts:
        return None
    for shift in shifts:
        if wanted and str(shift.pk) == wanted:
            return shift
    now = timezone.now()
    return next((shift for shift in shifts if shift.ends_at > now), shifts[-1])


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@login_required
def attendees_csv(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event, _, _ = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.uuid}.csv"'
    selectors.write_attendees_csv(event, response)
    return response


def ics(request: HttpRequest, event_uuid: str) -> HttpResponse:
    person, is_staff = _viewer(request)
    try:
        event = selectors.access_event(event_uuid=str(event_uuid), person=person, is_staff=is_staff)
    except NotFound as error:
        return _not_found(request, error.message)
    response = HttpResponse(calendars.calendar([event], name=event.title), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="event-{event.uuid}.ics"'
    return response


def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    found = EventCampaign.objects.filter(slug=slug).first()
    if found is None:
        return render(
            request, "events/not_found.html", {"error": "We couldn't find that campaign."}, status=404
        )
    now = timezone.now()
    page = Paginator(selectors.upcoming(after=now, campaign_id=found.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.with_next_dates(list(page.object_list), after=now)
    return render(
        request,
        "events/campaign.html",
        {
            "campaign": found,
            "page": page,
            "totals": selectors.campaign_totals(found.pk),
            "map_points": _map_points(page),
        },
    )


def campaign_feed(request: HttpRequest, slug: str) -> HttpResponse:
    found = EventCampaign.objects.filter(slug=slug).first()
    if found is None:
        return render(
            request, "events/not_found.html", {"error": "We couldn't find that campaign."}, status=404
        )
    events = selectors.listed_events().filter(campaign=found).order_by("starts_at")
    return HttpResponse(calendars.calendar(events, name=found.title), content_type="text/calendar")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    person, _ = _viewer(request)
    assert person is not None
    feed = reverse("events:my_feed", args=[services.feed_token(person)])
    now = timezone.now()
    events = selectors.with_next_dates(
        list(
            selectors.my_events(person, with_drafts=True).filter(last_ends_at__gt=now).select_related("host")
        ),
        after=now,
    )
    return render(request, "events/mine.html", {"events": events, "feed_url": f"{settings.SITE_URL}{feed}"})


def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's events at a private address calendar apps can subscribe to."""
    try:
        person = services.person_for_feed(token)
    except NotFound as error:
        return _not_found(request, error.message)
    return HttpResponse(
        calendars.calendar(selectors.my_calendar(person), name="My events"), content_type="text/calendar"
    )


@login_required
@require_http_methods(["GET", "POST"])
def again(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Host again: a new event pre-filled from this one; its invitation goes to the last attendees."""
    try:
        previous, person, _ = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    if not services.is_host(previous, person):
        return _not_found(request, "Only the event's hosts can host it again.")
    if request.method == "GET":
        zone = zoneinfo.ZoneInfo(previous.time_zone)
        initial = _form_values(previous)
        initial["date"] = max(
            previous.starts_at.astimezone(zone).date() + timedelta(days=7),
            timezone.now().astimezone(zone).date() + timedelta(days=1),
        )
        del initial["repeat"], initial["skip_dates"], initial["cohost_emails"]
        return render(
            request, "events/host.html", {"form": HostEventForm(initial=initial), "previous": previous}
        )
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            event = services.host_again(previous=previous, by=person, details=_details(form))
        except ValidationError as error:
            form.add_error(_form_field(error.field), error.message)
        else:
            messages.success(request, "Your new event is ready, and last time's attendees are invited.")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "events/host.html", {"form": form, "previous": previous}, status=400)


def _shift_line(shift: Shift, zone: zoneinfo.ZoneInfo, event_capacity: int | None) -> str:
    """A shift as the host form writes it: 10:00-12:00 Door knocking (6 places)."""
    line = f"{shift.starts_at.astimezone(zone):%H:%M}-{shift.ends_at.astimezone(zone):%H:%M} {shift.label}"
    if shift.capacity is not None and shift.capacity != event_capacity:
        line += f" ({shift.capacity} places)"
    return line.strip()


def _form_values(event: Event) -> dict[str, object]:
    """The host form's fields for an existing event (to change it, or to host it again)."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    repeat = (
        event.recurrence_rule.split(";")[0].removeprefix("FREQ=").lower() if event.recurrence_rule else ""
    )
    return {
        "title": event.title,
        "description": event.description,
        "date": starts.date(),
        "start_time": starts.time().replace(second=0, microsecond=0),
        "end_time": ends.time().replace(second=0, microsecond=0),
        "time_zone": event.time_zone,
        "venue": event.venue,
        "address": ", ".join(event.address_lines),
        "postal_code": event.postal_code,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "shifts": "\n".join(
            _shift_line(shift, zone, event.capacity) for shift in event.shifts.filter(from_rule=False)
        ),
        "repeat": repeat,
        "skip_dates": ", ".join(event.recurrence_exceptions),
        "visibility": event.visibility,
        "campaign": event.campaign_id,
        "cohost_emails": ", ".join(
            e.address
            for c in event.cohosts.prefetch_related("email_addresses")
            for e in c.email_addresses.all()[:1]
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """The host changes their event; one sent back for changes goes for approval again."""
    try:
        event, person, organizer = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    context: dict[str, object] = {"event": event}
    if request.method == "GET":
        return render(
            request, "events/host.html", {**context, "form": HostEventForm(initial=_form_values(event))}
        )
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            was_draft = event.status == Event.Status.DRAFT
            event = services.update_event(event=event, by=person, details=_details(form), by_staff=organizer)
        except ValidationError as error:
            form.add_error(_form_field(error.field), error.message)
        else:
            if was_draft and event.status == Event.Status.PENDING:
                messages.success(request, "Thanks! It's with an organizer again; we'll let you know.")
            else:
                messages.success(request, "Saved. Anyone coming has been told of a new time or place.")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "events/host.html", {**context, "form": form}, status=400)


@login_required
@require_POST
def cancel_event(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """The host calls the event off; everyone coming is emailed with the reason."""
    try:
        event, person, organizer = _managed_event(request, event_uuid)
        services.cancel_event(
            event=event, by=person, by_staff=organizer, reason=request.POST.get("reason", "")
        )
    except NotFound as error:
        return _not_found(request, error.message)
    except ValidationError as error:
        messages.error(request, error.message)
        return redirect("events:manage", event_uuid=event_uuid)
    messages.success(request, "The event is cancelled, and everyone coming has been told.")
    return redirect("events:detail", event_uuid=event_uuid)


@login_required
@require_POST
def message_attendees(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event, person, organizer = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    try:
        count = services.message_attendees(
            event=event,
            by=person,
            by_staff=organizer,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Your message is on its way to {count} {'person' if count == 1 else 'people'}."
        )
    return redirect("events:manage", event_uuid=event.uuid)


@login_required
@require_POST
def report(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event, person, _ = _managed_event(request, event_uuid)
    except NotFound as error:
        return _not_found(request, error.message)
    raw = request.POST.get("attendance", "").strip()
    try:
        if raw and not raw.isdigit():
            raise ValidationError("How many came? Please give a number.")
        services.report(
            event=event,
            by=person,
            attendance=int(raw) if raw else None,
            notes=request.POST.get("notes", ""),
            links=request.POST.get("links", "").splitlines(),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thanks for the report!")
    return redirect("events:manage", event_uuid=event.uuid)
