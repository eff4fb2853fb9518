"""Finding events, an event's page with its RSVP form, and cancelling an RSVP."""

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

from groundswell.core.errors import GroundswellError, NotFound, ValidationError
from groundswell.events import recurrence, selectors, services
from groundswell.events.forms import GuestRSVPForm, SearchForm
from groundswell.events.models import Attendance, Event
from groundswell.events.views.common import (
    PAGE_SIZE,
    map_points,
    not_found,
    parse_uuid,
    viewer,
    visible_event,
)
from groundswell.network.services import resolve_share_code, share_code_for
from groundswell.people.models import Person
from groundswell.people.places import place_postcode

KM_PER_MILE = 1.609344


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
            "map_points": map_points(item.event for item in page),
        },
        status=status,
    )


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if next_day else moment


def detail(request: HttpRequest, event_uuid: str) -> HttpResponse:
    person, _ = viewer(request)
    try:
        event = visible_event(request, event_uuid, invite=request.GET.get("invite"))
    except NotFound as error:
        return not_found(request, error.message)
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
                services.event_url(event)
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
    person, _ = viewer(request)
    try:
        event = visible_event(request, event_uuid, invite=request.POST.get("invite"))
    except NotFound as error:
        return not_found(request, error.message)
    form = GuestRSVPForm(request.POST)
    shift_id = request.POST.get("shift", "")
    shift = (
        event.shifts.filter(pk=int(shift_id)).first() if shift_id.isascii() and shift_id.isdigit() else None
    )
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
                    event_url=services.event_url(event),
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
    person, _ = viewer(request)
    attendance_uuid = parse_uuid(request.POST.get("attendance", ""))
    attendance = (
        Attendance.objects.filter(uuid=attendance_uuid, event__uuid=event_uuid, person=person).first()
        if attendance_uuid
        else None
    )
    if attendance is None:
        return not_found(request, "We couldn't find that RSVP.")
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
        return not_found(request, error.message)
    if request.method == "POST":
        services.cancel_rsvp(attendance=attendance)
        return render(request, "events/cancelled.html", {"event": attendance.event})
    return render(request, "events/cancel.html", {"attendance": attendance, "event": attendance.event})
