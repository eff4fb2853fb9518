"""Hosting: the host form (new, changed, or hosted again), calling an event off, and the
organizers' review queue."""

import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import actor_for_request
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.events import recurrence, selectors, services
from groundswell.events.forms import AUTOMATIC_ZONE, HostEventForm
from groundswell.events.models import Event, Shift
from groundswell.events.services.hosting import zone_for_postcode
from groundswell.events.views.common import managed_event, not_found, refused
from groundswell.people.models import Person


@login_required
@require_http_methods(["GET", "POST"])
def host(request: HttpRequest) -> HttpResponse:
    """Host an event. Under a campaign that asks for approval, it waits for an organizer."""
    actor = actor_for_request(request)
    if request.method == "GET":
        initial = {"campaign": request.GET.get("campaign")} if request.GET.get("campaign") else {}
        return render(request, "events/host.html", {"form": HostEventForm(initial=initial)})
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            if not actor.is_staff:
                ratelimit.check("host_event", ip=ratelimit.client_ip(request), person_id=actor.person_id)
            event = services.host_event(actor=actor, details=details_from_form(form, host=actor.person))
        except (ValidationError, PermissionDenied, RateLimited) as error:
            form.add_error(form_field_for(error.field), error.message)
        else:
            if event.status == Event.Status.PENDING:
                messages.success(
                    request, "Thanks! An organizer will look at your event soon; we'll let you know."
                )
            else:
                messages.success(request, "Your event is live. Share it!")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "events/host.html", {"form": form}, status=400)


def details_from_form(form: HostEventForm, *, host: Person | None = None) -> services.EventDetails:
    data = form.cleaned_data
    # Left to the ZIP code, the zone is the event's ZIP code's (else the host's own): a
    # host in Denver typing 7 pm means 7 pm in Denver. An explicit choice wins.
    time_zone = data["time_zone"] or zone_for_postcode(data["postal_code"], fallback=_home_postcode(host))
    zone = zoneinfo.ZoneInfo(time_zone)
    starts_at = datetime.combine(data["date"], data["start_time"], tzinfo=zone)
    return services.EventDetails(
        title=data["title"],
        description=data["description"],
        starts_at=starts_at,
        ends_at=datetime.combine(data["date"], data["end_time"], tzinfo=zone),
        time_zone=time_zone,
        venue=data["venue"],
        address_lines=[data["address"]] if data["address"] else [],
        address_shown=Event.AddressShown(data["address_shown"]),
        postal_code=data["postal_code"],
        online_url=data["online_url"],
        capacity=data["capacity"],
        visibility=Event.Visibility(data["visibility"]),
        campaign=data["campaign"],
        cohost_emails=[e for e in data["cohost_emails"].split(",") if e.strip()],
        recurrence_rule=_rule(data["repeat"], starts_at, time_zone),
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


def _home_postcode(host: Person | None) -> str:
    if host is None:
        return ""
    return host.postal_addresses.values_list("postal_code", flat=True).first() or ""


def _rule(repeat: str, starts_at: datetime, time_zone: str) -> str:
    if repeat == "weekly":
        return recurrence.weekly_rule_for(starts_at, time_zone)
    if repeat == "monthly":
        return recurrence.monthly_rule_for(starts_at, time_zone)
    return ""


def form_field_for(field: str | None) -> str | None:
    # Service fields that the form shows under another name.
    names = {"starts_at": "start_time", "ends_at": "end_time", "recurrence_exceptions": "skip_dates"}
    name = names.get(field or "", field)
    return name if name in HostEventForm.base_fields else None


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """The organizers' queue of events waiting for approval, each beside its street address
    and its host's track record. A decision that needs a note and has none is explained on
    that event's card (the page comes back with what was typed), not at the top."""
    actor = actor_for_request(request)
    if not actor.is_staff:
        return refused(request, "Only organizers review events.")
    problems: dict[int, str] = {}
    typed: dict[int, str] = {}
    if request.method == "POST":
        event = _pending_event(request.POST.get("event", ""))
        decision, note = request.POST.get("decision"), request.POST.get("note", "")
        if event is None:
            messages.error(request, "That event is no longer waiting for review.")
            return redirect("events:review")
        try:
            if decision == "approve":
                services.approve_event(actor=actor, event=event)
                if request.POST.get("trust"):
                    services.trust_host(actor=actor, person=event.host)
            elif decision == "reject":
                services.reject_event(actor=actor, event=event, reason=note)
            elif decision == "changes":
                services.request_changes(actor=actor, event=event, note=note)
            else:
                raise ValidationError("Choose approve, reject or ask for changes.")
        except ValidationError as error:
            problems[event.pk], typed[event.pk] = error.message, note
        else:
            done = {"approve": "approved", "reject": "turned down", "changes": "sent back for changes"}
            messages.success(request, f"{event.title}: {done[str(decision)]}. The host has been told.")
            return redirect("events:review")
    pending = list(
        Event.objects.filter(status=Event.Status.PENDING)
        .select_related("host", "campaign")
        .order_by("created_at", "id")[:REVIEW_PAGE]
    )
    histories = selectors.host_histories(event.host_id for event in pending)
    for event in pending:
        event.history = histories[event.host_id]  # type: ignore[attr-defined]
        event.problem = problems.get(event.pk, "")  # type: ignore[attr-defined]
        event.typed_note = typed.get(event.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "events/review.html",
        {"pending": pending, "page_size": REVIEW_PAGE},
        status=400 if problems else 200,
    )


# The queue shows the oldest this many; deciding on them brings the next ones up.
REVIEW_PAGE = 50


def _pending_event(value: str) -> Event | None:
    try:
        event_uuid = uuid.UUID(value)
    except ValueError:
        return None
    return Event.objects.filter(uuid=event_uuid, status=Event.Status.PENDING).select_related("host").first()


@login_required
@require_http_methods(["GET", "POST"])
def again(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Host again: a new event pre-filled from this one; its invitation goes to the last attendees."""
    try:
        previous, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    if not selectors.is_host(actor, previous):
        return refused(request, "Only the event's hosts can host it again.")
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
            if not actor.is_staff:
                ratelimit.check("host_event", ip=ratelimit.client_ip(request), person_id=actor.person_id)
            event = services.host_again(actor=actor, previous=previous, details=details_from_form(form))
        except (ValidationError, PermissionDenied, RateLimited) as error:
            form.add_error(form_field_for(error.field), error.message)
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
        # Still the ZIP code's zone: left to it, so a new ZIP code brings its own.
        "time_zone": (
            AUTOMATIC_ZONE
            if event.postal_code and event.time_zone == zone_for_postcode(event.postal_code)
            else event.time_zone
        ),
        "venue": event.venue,
        "address": ", ".join(event.address_lines),
        "address_shown": event.address_shown,
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
        # The addresses the host invited (accepted or not): never a co-host's other ones.
        "cohost_emails": ", ".join(event.cohost_invitations.values_list("email", flat=True)),
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """The host changes their event; one sent back for changes goes for approval again."""
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    context: dict[str, object] = {"event": event, "directs": selectors.can_direct(actor, event)}
    if request.method == "GET":
        return render(
            request, "events/host.html", {**context, "form": HostEventForm(initial=_form_values(event))}
        )
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            was_draft = event.status == Event.Status.DRAFT
            event = services.update_event(
                actor=actor, event=event, details=details_from_form(form, host=event.host)
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(form_field_for(error.field), error.message)
        else:
            if was_draft and event.status == Event.Status.PENDING:
                messages.success(request, "Thanks! It's with an organizer again; we'll let you know.")
            else:
                messages.success(request, "Saved. Anyone coming has been told of a new time or place.")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "events/host.html", {**context, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cancel_event(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Calling an event off is a step of its own: the page says who will be told, and only
    its own POST (`confirmed`) cancels and emails everyone coming, with the reason. A form
    elsewhere that posts a reason here lands on this page with the reason filled in."""
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    if not selectors.can_direct(actor, event):
        return refused(request, "Only the event's host or an organizer can call it off.")
    reason = request.POST.get("reason", "")
    refusal = ""
    if request.method == "POST" and request.POST.get("confirmed"):
        try:
            services.cancel_event(actor=actor, event=event, reason=reason)
        except (ValidationError, PermissionDenied) as problem:
            refusal = problem.message
        else:
            messages.success(request, "The event is cancelled, and everyone coming has been told.")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(
        request,
        "events/cancel_event.html",
        {
            "event": event,
            "told": len(services.people_coming(event, now=timezone.now())),
            "over": event.last_ends_at <= timezone.now(),
            "reason": reason,
            "error": refusal,
        },
        status=400 if refusal else 200,
    )


@login_required
@require_POST
def new_invitation(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """A new invitation link for a private event; the old one stops working."""
    try:
        event, actor = managed_event(request, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    services.rotate_invitation(actor=actor, event=event)
    messages.success(request, "Here's the new invitation link. The old one no longer opens the event.")
    return redirect("events:detail", event_uuid=event.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def cohost(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation to co-host: the owner of the invited address, signed in, says yes."""
    try:
        invitation = services.cohost_invitation_for_token(token)
    except NotFound as error:
        return not_found(request, error.message)
    actor = actor_for_request(request)
    if request.method == "POST":
        try:
            event = services.accept_cohost_invitation(actor=actor, invitation=invitation)
        except PermissionDenied as error:
            return refused(request, error.message)
        messages.success(request, f"You're co-hosting {event.title}. Thank you!")
        return redirect("events:manage", event_uuid=event.uuid)
    return render(request, "events/cohost.html", {"invitation": invitation, "event": invitation.event})
