"""Host tools, for an event's hosts and organizers only: check-in, walk-ins, no-shows,
the attendee CSV, writing to attendees and the after-event report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget
from django_htmx.middleware import HtmxDetails

from groundswell.accounts.actors import Actor
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.events import selectors, services
from groundswell.events.forms import WalkInForm
from groundswell.events.models import Event, Shift
from groundswell.events.services.host_tools import WALK_IN_AFTER, WALK_IN_BEFORE
from groundswell.events.views.common import managed_event, not_found


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware on every request


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HtmxHttpRequest, event_uuid: str) -> HttpResponse:
    """Host tools: who is coming (or, after it, who came), check-in on the day, walk-ins,
    no-shows. For an event with dates or shifts, one of them at a time (the one on now or
    next). A check-in or its undo from htmx answers with that person's row alone, so the
    list keeps its place on a phone; without JavaScript it is a form post that comes back
    to the same row (`#a-<id>`). The name search filters as one types with htmx, and is a
    plain GET form without."""
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    shifts = list(event.shifts.all())
    shift = _chosen_shift(shifts, request.POST.get("shift") or request.GET.get("shift"))
    search = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    here = _here(event, shift, search)
    walk_in_form = WalkInForm()
    if request.method == "POST":
        action = request.POST.get("action", "check_in")
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
            elif action in ("check_in", "undo"):
                return _tap(request, actor, event, shift, here, undo=action == "undo")
            else:
                raise ValidationError("Choose what to do: check someone in, or undo it.")
            return redirect(here)
        except (ValidationError, NotFound, PermissionDenied) as error:
            messages.error(request, error.message)
    context = _tools_context(actor, event, shift, search, here)
    if request.htmx and request.htmx.target == "attendee-list":
        return render(request, "events/_checkin_list.html", context)
    context.update({"shifts": shifts, "walk_in_form": walk_in_form})
    return render(request, "events/manage.html", context, status=400 if walk_in_form.errors else 200)


def _here(event: Event, shift: Shift | None, search: str) -> str:
    """This page as it is shown now: the date or shift chosen and the search typed."""
    query = {key: value for key, value in (("shift", shift.pk if shift else ""), ("q", search)) if value}
    return reverse("events:manage", args=[event.uuid]) + (f"?{urlencode(query)}" if query else "")


def _tap(
    request: HtmxHttpRequest, actor: Actor, event: Event, shift: Shift | None, here: str, *, undo: bool
) -> HttpResponse:
    """One tap on the check-in list: check someone in, or take it back."""
    try:
        attendance = selectors.access_attendance(actor, event, request.POST.get("attendance", ""))
        if undo:
            attendance = services.undo_check_in(actor=actor, attendance=attendance)
        else:
            attendance = services.check_in(actor=actor, attendance=attendance)
    except (NotFound, PermissionDenied, ValidationError) as error:
        if request.htmx:
            response = render(request, "events/_checkin_problem.html", {"error": error.message})
            return retarget(response, "#checkin-problem")
        messages.error(request, error.message)
        return redirect(here)
    if request.htmx:
        return render(
            request,
            "events/_checkin_row.html",
            {
                "a": attendance,
                "event": event,
                "shift": shift,
                "here": here,
                "counts": selectors.checkin_counts(event, shift),
                "tally_swap": True,
                "just": "undone" if undo else "checked_in",
                "ended": (shift or event).ends_at <= timezone.now(),
                "search": (request.POST.get("q") or "").strip()[:100],
            },
        )
    if undo:
        messages.success(request, f"{attendance.shared_name} is no longer checked in.")
    else:
        messages.success(request, f"{attendance.shared_name} is checked in.")
    return redirect(f"{here}#a-{attendance.uuid}")


def _tools_context(
    actor: Actor, event: Event, shift: Shift | None, search: str, here: str
) -> dict[str, object]:
    """What the host tools page shows, and which of its tools make sense now: nothing that
    leads nowhere (no walk-ins or messages for an event that is not live, no report before
    it starts)."""
    now = timezone.now()
    slot = shift or event
    live = event.status == Event.Status.PUBLISHED
    counts = selectors.checkin_counts(event, shift)
    return {
        "event": event,
        "shift": shift,
        "search": search,
        "here": here,
        "attendees": selectors.attendees(actor, event, shift, search=search),
        "counts": counts,
        "started": slot.starts_at <= now,
        "ended": slot.ends_at <= now,
        "live": live,
        "walk_ins_open": live and slot.starts_at - WALK_IN_BEFORE <= now <= slot.ends_at + WALK_IN_AFTER,
        "can_write": live and bool(selectors.member_mail_recipients(event)),
        "is_host": selectors.is_host(actor, event),
        "directs": selectors.can_direct(actor, event),
        "over": event.last_ends_at <= now,
    }


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
