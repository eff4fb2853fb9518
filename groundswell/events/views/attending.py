"""Attending an event: its page (with its place as the visitor may see it, and a way to write
to the host), the RSVP and the page after it (the recruiting moment), and cancelling."""

from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.core import ratelimit
from groundswell.core.channels import Channel
from groundswell.core.errors import GroundswellError, NotFound, RateLimited
from groundswell.events import recurrence, selectors, services
from groundswell.events.forms import ContactHostForm, GuestRSVPForm
from groundswell.events.models import Attendance, Event, Shift
from groundswell.events.selectors.access import LIVE_RSVP
from groundswell.events.selectors.places import EventPlace, access_place
from groundswell.events.services.contact import write_to_host
from groundswell.events.views.common import (
    actor_with_invitation,
    not_found,
)
from groundswell.network.models import ShareCode
from groundswell.network.selectors import share_links
from groundswell.network.services import resolve_share_code, share_code_for, typed_name_link
from groundswell.network.visits import count_share_visit


def detail(request: HttpRequest, event_uuid: str) -> HttpResponse:
    actor = actor_with_invitation(request, request.GET.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    response = _render_detail(request, event, actor, GuestRSVPForm(initial=_ref(request)))
    if event.visibility == Event.Visibility.PRIVATE:
        add_never_cache_headers(response)  # opened with an invitation: no shared cache keeps it
    if request.GET.get("ref"):
        # A member's share link to this event: counted as their link opened, as on the join page.
        count_share_visit(request, response, request.GET["ref"], request.GET.get("via"))
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
    request: HttpRequest,
    event: Event,
    actor: Actor,
    form: GuestRSVPForm,
    status: int = 200,
    contact_form: ContactHostForm | None = None,
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
    is_host = selectors.is_host(actor, event)
    # Opened through a member's share link: say who invited the visitor (not the member themselves).
    share = resolve_share_code(request.GET.get("ref") or request.POST.get("ref"))
    inviter = share.inviter_name if share and share.person_id != actor.person_id else None
    place = access_place(actor, event)
    point = place.map_point(title=event.title, url=reverse("events:detail", args=[event.uuid]))
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "inviter_name": inviter,
            "place": place,
            "map_points": [point] if point else [],
            "contact_form": (
                contact_form or ContactHostForm(prefix="contact", for_guest=person is None)
                if event.status == Event.Status.PUBLISHED and not is_host
                else None
            ),
            "counts": selectors.counts(event),
            "form": form,
            "mine": mine.get(None),
            "booked": [a for a in mine.values() if a.shift_id is not None],
            "is_host": is_host,
            "manages": manages,
            "has_phone": person is not None and person.phone_numbers.exists(),
            "dates": dates,
            "choices": [d for d in dates if d.pk not in mine],
            "invite_links": _invite_links(event, actor),
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


def _invite_links(event: Event, actor: Actor, share: ShareCode | None = None) -> dict[str, object] | None:
    """The event's address carrying the member's share code (or `share`, a guest's), per
    channel: RSVPs (and joins) through it credit them. None for a visitor, and for a private
    event (its invitation link is the host's to give)."""
    if event.visibility == Event.Visibility.PRIVATE:
        return None
    if share is None:
        if actor.person is None:
            return None
        share = share_code_for(actor.person)
    links = share_links(
        share,
        page=f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}",
        text=f"Come with me to {event.title}:",
    )
    return {
        "copy_link": next(link.link for link in links if link.channel == Channel.LINK),
        "share_buttons": [link for link in links if link.channel != Channel.LINK],
    }


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
    if actor.person is None:
        # What the guest typed, kept in this browser's session only, for the page after: it
        # says the same whether or not the address was on the list, or had RSVP'd, and
        # shows nobody's data but what this browser sent.
        data = form.cleaned_data
        # Their own link to invite friends with, credited to whoever the address belongs to
        # and showing the name typed here (as after a join: it reveals nothing of the owner).
        # (None for a private event: its invitation is the host's to give.)
        invite_code = (
            typed_name_link(
                result.attendance.person, given_name=data["given_name"], family_name=data["family_name"]
            )
            if event.visibility != Event.Visibility.PRIVATE
            else None
        )
        request.session[GUEST_RSVP_SESSION_KEY] = {
            "code": invite_code.code if invite_code else "",
            "event": str(event.uuid),
            "shift": shift.pk if shift else None,
            "given_name": data["given_name"][:100],
            "family_name": data["family_name"][:100],
            "email": data["email"][:254],
            "ref": data["ref"][:64],
            "via": data["via"][:32],
            "invite": data["invite"][:200],
        }
    # A redirect (303: see the result), so refreshing the page after does not RSVP again.
    target = reverse("events:rsvp_done", args=[event.uuid])
    invite = request.POST.get("invite", "")[:200]
    response = redirect(f"{target}?{urlencode({'invite': invite})}" if invite else target)
    response.status_code = 303
    if actor.person is None and not result.already and form.cleaned_data["ref"]:
        # An RSVP through a member's link is a visit through it, counted if the page view was not.
        count_share_visit(request, response, form.cleaned_data["ref"], form.cleaned_data["via"], arrived=True)
    return response


GUEST_RSVP_SESSION_KEY = "groundswell_guest_rsvp"


@never_cache
def rsvp_done(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """After an RSVP: what happens next, the calendar, and inviting a friend (credited to the
    member); a guest is offered to join the movement. It shows only the signed-in member's
    own RSVPs, or what this browser's guest RSVP typed: a guessed address shows nothing."""
    actor = actor_with_invitation(request, request.GET.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    place = access_place(actor, event)
    context: dict[str, object] = {
        "event": event,
        "place": place,
        "invite": request.GET.get("invite", "")[:200],
    }
    if actor.person is not None:
        mine = list(
            event.attendances.filter(person=actor.person, walk_in=False, status__in=LIVE_RSVP)
            .select_related("shift__event")
            .order_by("shift__starts_at", "id")
        )
        if not mine:
            return redirect("events:detail", event_uuid=event.uuid)
        context.update(
            rsvps=mine,
            waitlisted=all(a.status == Attendance.Status.WAITLISTED for a in mine),
            invite_links=_invite_links(event, actor),
            google_url=_google_calendar_url(event, place, mine[-1].shift),
        )
    else:
        guest = request.session.get(GUEST_RSVP_SESSION_KEY)
        if not guest or guest.get("event") != str(event.uuid):
            return redirect("events:detail", event_uuid=event.uuid)
        shift = event.shifts.filter(pk=guest["shift"]).first() if guest.get("shift") else None
        context.update(
            guest=guest,
            invite_links=_invite_links(event, actor, resolve_share_code(guest.get("code"))),
            shift=shift,
            google_url=_google_calendar_url(event, place, shift),
            event_link=f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}",
        )
    return render(request, "events/rsvp_done.html", context)


def _google_calendar_url(event: Event, place: EventPlace, shift: Shift | None) -> str:
    """Google Calendar's "add an event" page, filled in (the .ics serves every other app).
    The place is what this visitor may see: a guest's calendar gets the town."""
    slot = shift or event
    stamp = "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": f"{event.title}: {shift.label}" if shift and shift.label else event.title,
        "dates": f"{slot.starts_at.astimezone(UTC):{stamp}}/{slot.ends_at.astimezone(UTC):{stamp}}",
        "ctz": event.time_zone,
        "details": f"{settings.SITE_URL}{reverse('events:detail', args=[event.uuid])}",
        "location": place.text,
    }
    return f"https://calendar.google.com/calendar/render?{urlencode(query)}"


def _rsvp_form_after_contact(request: HttpRequest) -> GuestRSVPForm:
    return GuestRSVPForm(initial={"invite": request.POST.get("invite", "")[:200]})


@require_POST
def contact(request: HttpRequest, event_uuid: str) -> HttpResponse:
    """Write to the event's host through the site: the host's address is never shown."""
    actor = actor_with_invitation(request, request.POST.get("invite"))
    try:
        event = selectors.access_event(actor, event_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    form = ContactHostForm(request.POST, prefix="contact", for_guest=actor.person is None)
    if not form.is_valid():
        return _render_detail(
            request, event, actor, _rsvp_form_after_contact(request), status=400, contact_form=form
        )
    data = form.cleaned_data
    try:
        if not actor.is_staff:
            ratelimit.check("contact_host", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        write_to_host(
            actor=actor,
            event=event,
            body=data["body"],
            given_name=data.get("given_name", ""),
            email=data.get("email", ""),
        )
    except GroundswellError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_detail(
            request,
            event,
            actor,
            _rsvp_form_after_contact(request),
            status=429 if isinstance(error, RateLimited) else 400,
            contact_form=form,
        )
    messages.success(
        request,
        f"Your message is on its way to {event.host.short_name}: their reply will come to your email.",
    )
    target = reverse("events:detail", args=[event.uuid])
    invite = request.POST.get("invite", "")[:200]
    response = redirect(f"{target}?{urlencode({'invite': invite})}" if invite else target)
    response.status_code = 303
    return response


def _sharing(request: HttpRequest) -> dict[str, bool]:
    """What a signed-in member chose to share with the hosts (the form shows the choice and
    marks that it did; without it, what they chose on My account, by default the name and
    email address)."""
    if request.POST.get("sharing_shown") != "1":
        user = request.user
        return {
            "share_email": getattr(user, "share_email_with_hosts", True),
            "share_phone": getattr(user, "share_phone_with_hosts", False),
        }
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
