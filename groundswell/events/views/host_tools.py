"""Host tools, for an event's hosts and organizers only: check-in, walk-ins, no-shows,
the attendee CSV, writing to attendees and the after-event report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.events import selectors, services
from groundswell.events.forms import WalkInForm
from groundswell.events.models import Shift
from groundswell.events.views.common import managed_event, not_found


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Host tools: who is coming, check-in on the day (phone-friendly), walk-ins, no-shows.
    For an event with dates or shifts, one of them at a time (the one on now or next)."""
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
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
                services.walk_in(actor=actor, event=event, shift=shift, **data)
                messages.success(request, f"Welcome, {data['given_name']}! Checked in.")
            elif action == "no_shows":
                count = services.mark_no_shows(actor=actor, event=event, shift=shift)
                messages.success(request, f"{count} marked as not there.")
            else:
                attendance = selectors.access_attendance(actor, event, request.POST.get("attendance", ""))
                services.check_in(actor=actor, attendance=attendance)
                messages.success(request, f"{attendance.shared_name} is checked in.")
            return redirect(here)
        except (ValidationError, NotFound, PermissionDenied) as error:
            messages.error(request, error.message)
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "shifts": shifts,
            "shift": shift,
            "attendees": selectors.attendees(actor, event, shift),
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


@login_required
def attendees_csv(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{event.uuid}.csv"'
    selectors.write_attendees_csv(actor, event, response)
    return response


@login_required
@require_POST
def message_attendees(request: HttpRequest, event_uuid: str) -> HttpResponse:
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    try:
        if not actor.is_staff:
            ratelimit.check("member_mail", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        count = services.message_attendees(
            actor=actor,
            event=event,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
    except (ValidationError, PermissionDenied, RateLimited) as error:
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
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    raw = request.POST.get("attendance", "").strip()
    try:
        # Digits only, and few enough for int() (a thousand-digit "number" is refused here).
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
            raise ValidationError("How many came? Please give a number.")
        services.report(
            actor=actor,
            event=event,
            attendance=int(raw) if raw else None,
            notes=request.POST.get("notes", ""),
            links=request.POST.get("links", "").splitlines(),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Thanks for the report!")
    return redirect("events:manage", event_uuid=event.uuid)
