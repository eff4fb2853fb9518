"""Attending an event: its page with the RSVP form, and cancelling an RSVP."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.core import ratelimit
from groundswell.core.channels import Channel
from groundswell.core.errors import GroundswellError, NotFound, RateLimited
from groundswell.events import recurrence, selectors, services
from groundswell.events.forms import GuestRSVPForm
from groundswell.events.models import Attendance, Event
from groundswell.events.views.common import (
    actor_with_invitation,
    not_found,
)
from groundswell.network.services import resolve_share_code, share_code_for


def detail(request: HttpRequest, event_uuid: str) -> HttpResponse:
    actor = actor_with_invitation(request, request.GET.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    response = _render_detail(request, event, actor, GuestRSVPForm(initial=_ref(request)))
    if event.visibility == Event.Visibility.PRIVATE:
        add_never_cache_headers(response)  # opened with an invitation: no shared cache keeps it
    return response


def _ref(request: HttpRequest) -> dict[str, str]:
    return {
        "ref": request.GET.get("ref", "")[:64],
        "via": request.GET.get("via", "")[:32],
        "invite": request.GET.get("invite", "")[:200],
    }


# A repeating event shows its next dates, not a year of them.
DATES_SHOWN = 12


def _render_detail(
    request: HttpRequest, event: Event, actor: Actor, form: GuestRSVPForm, status: int = 200
) -> HttpResponse:
    mine = {}
    person = actor.person
    if person is not None:
        booked = event.attendances.filter(person=person).exclude(status=Attendance.Status.CANCELLED)
        mine = {attendance.shift_id: attendance for attendance in booked.select_related("shift__event")}
    dates = selectors.open_dates(event, limit=DATES_SHOWN if event.recurrence_rule else None)
    for date_ in dates:
        date_.mine = mine.get(date_.pk)  # type: ignore[attr-defined]
    manages = selectors.can_manage(actor, event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "counts": selectors.counts(event),
            "form": form,
            "mine": mine.get(None),
            "booked": [a for a in mine.values() if a.shift_id is not None],
            "is_host": selectors.is_host(actor, event),
            "manages": manages,
            "has_phone": person is not None and person.phone_numbers.exists(),
            "dates": dates,
            "choices": [d for d in dates if d.pk not in mine],
            "invite_link": _invite_link(event, actor),
            "private_invitation": (
                services.event_url(event)
                if event.visibility == Event.Visibility.PRIVATE and manages
                else None
            ),
            "repeats": recurrence.describe(event.recurrence_rule) if event.recurrence_rule else "",
            "open": event.status == Event.Status.PUBLISHED and event.last_ends_at > timezone.now(),
        },
        status=status,
    )


def _invite_link(event: Event, actor: Actor) -> str | None:
    """The event's address carrying the member's share code: RSVPs through it credit them."""
    if actor.person is None or event.visibility == Event.Visibility.PRIVATE:
        return None
    code = share_code_for(actor.person).code
    return f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}?ref={code}&via=link"


@require_POST
def rsvp(request: HttpRequest, event_uuid: str) -> HttpResponse:
    actor = actor_with_invitation(request, request.POST.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    form = GuestRSVPForm(request.POST)
    shift_id = request.POST.get("shift", "")
    shift = (
        event.shifts.filter(pk=int(shift_id)).first()
        if shift_id.isascii() and shift_id.isdigit() and len(shift_id) < 18
        else None
    )
    if shift_id and shift is None:
        form.add_error(None, "That date or shift is not on this event. Please choose one from the list.")
        return _render_detail(request, event, actor, form, status=400)
    try:
        if not actor.is_staff:
            ratelimit.check("rsvp", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        with transaction.atomic():
            if actor.person is not None:
                share = resolve_share_code(request.POST.get("ref"))
                result = services.rsvp(
                    actor=actor,
                    event=event,
                    shift=shift,
                    channel=Channel.from_slug(request.POST.get("via"), default=Channel.LINK)
                    if share
                    else Channel.DIRECT,
                    referrer_id=share.person_id if share else None,
                    **_sharing(request),
                )
            elif form.is_valid():
                data = form.cleaned_data
                result = services.rsvp_as_guest(
                    actor=actor,
                    event=event,
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    email=data["email"],
                    ref=data["ref"],
                    via=data["via"],
                    shift=shift,
                )
            else:
                return _render_detail(request, event, actor, form, status=400)
            if not result.already:
                token = services.cancel_token(result.attendance)
                services.send_confirmation(
                    attendance=result.attendance,
                    event_url=services.event_url(event),
                    cancel_url=f"{settings.SITE_URL}{reverse('events:cancel', args=[token])}",
                )
    except GroundswellError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_detail(
            request, event, actor, form, status=429 if isinstance(error, RateLimited) else 400
        )
    context: dict[str, object] = {"event": event, "shift": shift}
    if actor.person is None:
        # A guest hears the same whether or not the address was on the list, or had RSVP'd.
        context["guest_email"] = form.cleaned_data["email"]
    else:
        context["result"] = result
    return render(request, "events/rsvp_done.html", context)


def _sharing(request: HttpRequest) -> dict[str, bool]:
    """What a signed-in member chose to share with the hosts (the form shows the choice and
    marks that it did; without it, the name and email address, as the form's default)."""
    if request.POST.get("sharing_shown") != "1":
        return {"share_email": True, "share_phone": False}
    return {
        "share_email": request.POST.get("share_email") == "on",
        "share_phone": request.POST.get("share_phone") == "on",
    }


@login_required
@require_POST
def leave(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """A signed-in member cancels their own RSVP from the event's page."""
    actor = actor_for_request(request)
    try:
        event = selectors.access_event(actor, event_uuid)
        attendance = selectors.access_attendance(actor, event, request.POST.get("attendance", ""))
        if not actor.is_person(attendance.person_id):
            raise NotFound("We couldn't find that RSVP.")
        services.cancel_rsvp(actor=actor, attendance=attendance)
    except NotFound as error:
        return not_found(request, error.message)
    messages.success(request, "Your RSVP is cancelled. Thanks for letting the host know.")
    return redirect("events:detail", event_uuid=event_uuid)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel from the link in the confirmation email: the signed token is the credential,
    proof enough that whoever follows it is the attendee. GET only asks, because mail
    scanners follow links."""
    try:
        attendance = services.attendance_for_token(token)
    except NotFound as error:
        return not_found(request, error.message)
    if request.method == "POST":
        # The signed link proves the attendee (whatever their account's state).
        services.cancel_rsvp(actor=Actor(person=attendance.person), attendance=attendance)
        return render(request, "events/cancelled.html", {"event": attendance.event})
    return render(request, "events/cancel.html", {"attendance": attendance, "event": attendance.event})
