"""The leaders' pages of a group: `/groups/<slug>/lead/` (health, the member list and its
CSV, roles, handing over, stepping down, writing to the group, its events), hosting an
event as the group's, stepping down from a role, and the group's calendar feed.

Only the group's leaders and staff open the leaders' page; anyone else is told the group
does not exist (the same words as for a missing group). Every form posts back to the page
that shows it; a problem comes back on that page (status 400) with what was typed.
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.core import ratelimit
from groundswell.core.errors import GroundswellError, NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.events import calendars
from groundswell.events.forms import HostEventForm

# The host form's reading of times and zones, shared so a group's event is hosted exactly
# as any other (events could name it publicly: see the lane's report).
from groundswell.events.views.hosting import details_from_form, form_field_for
from groundswell.groups.forms.leading import (
    HandOverForm,
    MemberSearchForm,
    MessageForm,
    RemoveForm,
    RoleForm,
    StepDownForm,
)
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors import members as member_selectors
from groundswell.groups.selectors.access import MISSING, access_group, membership_of
from groundswell.groups.selectors.health import health_of
from groundswell.groups.services import leading

PAGE_SIZE = 50
HANDOVER_CHOICES_MAX = 1000


def _missing(request: HttpRequest, message: str = MISSING) -> HttpResponse:
    return render(request, "groups/lead_missing.html", {"error": message}, status=404)


def _person_id(group: Group, value: object) -> int | None:
    """The person a form names by public id, if they have a membership of this group."""
    try:
        public_id = uuid.UUID(str(value))
    except ValueError:
        return None
    return (
        Membership.objects.filter(group=group, person__uuid=public_id)
        .values_list("person_id", flat=True)
        .first()
    )


def feed_url(actor: Actor, group: Group) -> str | None:
    """The group's calendar address for this actor: anyone's for a public group; a private
    group's carries the member's own signed key (None for someone who is not a member)."""
    base = f"{settings.SITE_URL}{reverse('groups:events_ics', args=[group.slug])}"
    if group.visibility == Group.Visibility.PUBLIC:
        return base
    membership = membership_of(actor, group)
    if actor.person is None or membership is None or membership.status != Membership.Status.ACTIVE:
        return None
    return f"{base}?key={leading.feed_token(group, actor.person)}"


def _candidates(actor: Actor, group: Group) -> list[tuple[str, str]]:
    """Who a leader may hand over to: the group's other active members who don't lead it."""
    rows = (
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
        .exclude(role=Membership.Role.LEADER)
        .exclude(person=actor.person)
        .order_by("-role", "person__given_name", "person__family_name", "id")
        .values_list("person__uuid", "person__given_name", "person__family_name", "role")[
            :HANDOVER_CHOICES_MAX
        ]
    )
    return [
        (str(public_id), " ".join(p for p in (given, family) if p) + (" (core)" if role == "core" else ""))
        for public_id, given, family, role in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def lead(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug, for_lead=True)
    except NotFound as error:
        return _missing(request, error.message)
    forms: dict[str, object] = {}
    problems: dict[str, str] = {}  # a member row's problem, by their public id
    if request.method == "POST":
        done = _act(request, actor, group, forms, problems)
        if done is not None:
            messages.success(request, done)
            return redirect(_back(group, request))
    return _page(request, actor, group, forms, problems, status=400 if (forms or problems) else 200)


def _back(group: Group, request: HttpRequest) -> str:
    """Back to the leaders' page, on the same page of the list and search."""
    url = reverse("groups:lead", args=[group.slug])
    keep = {k: request.GET[k][:100] for k in ("q", "page") if request.GET.get(k)}
    if keep:
        url = f"{url}?{urlencode(keep)}"
    return url


def _act(
    request: HttpRequest, actor: Actor, group: Group, forms: dict[str, object], problems: dict[str, str]
) -> str | None:
    """Do what the posted form asks; the success message, or None with the problem put on
    its form (or its member's row)."""
    action = request.POST.get("action", "")
    if action == "message":
        form = MessageForm(request.POST)
        forms["message_form"] = form
        if not form.is_valid():
            return None
        try:
            # The `member_mail` limit and the day's cap are the service's own.
            count = leading.message_group(
                actor=actor, group=group, subject=form.cleaned_data["subject"], text=form.cleaned_data["text"]
            )
        except GroundswellError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return None
        forms.clear()
        return f"Your message is on its way to {count} {'member' if count == 1 else 'members'}."
    if action == "hand_over":
        handover = HandOverForm(request.POST, candidates=_candidates(actor, group))
        forms["handover_form"] = handover
        if not handover.is_valid():
            return None
        person_id = _person_id(group, handover.cleaned_data["person"])
        try:
            if person_id is None:
                raise ValidationError("Please choose a member of the group.", field="person")
            new = leading.hand_over(
                actor=actor,
                group=group,
                to_person=person_id,
                stay_as=handover.cleaned_data["stay_as"],
                core_title=handover.cleaned_data["core_title"],
            )
        except GroundswellError as error:
            handover.add_error(error.field if error.field in handover.fields else None, error.message)
            return None
        forms.clear()
        return f"{new.person.display_name} leads {group.name} now. Thank you for leading it."
    if action == "step_down":
        stepping = StepDownForm(request.POST)
        forms["step_down_form"] = stepping
        if not stepping.is_valid():
            return None
        try:
            leading.step_down(actor=actor, group=group, to_role=stepping.cleaned_data["to_role"])
        except GroundswellError as error:
            stepping.add_error(None, error.message)
            return None
        forms.clear()
        return "You've stepped down. Thank you for leading the group."
    if action in ("role", "remove"):
        row_form: RoleForm | RemoveForm = (
            RoleForm(request.POST) if action == "role" else RemoveForm(request.POST)
        )
        key = str(request.POST.get("person", ""))[:40]
        if not row_form.is_valid():
            problems[key] = " ".join(str(e) for errors in row_form.errors.values() for e in errors)
            return None
        person_id = _person_id(group, row_form.cleaned_data["person"])
        try:
            if person_id is None:
                raise ValidationError("That person isn't an active member of this group.")
            if isinstance(row_form, RoleForm):
                membership = leading.set_role(
                    actor=actor,
                    group=group,
                    person=person_id,
                    role=row_form.cleaned_data["role"],
                    core_title=row_form.cleaned_data["core_title"],
                )
                name, role = membership.person.display_name, membership.get_role_display().lower()
                return f"{name} is now a {role}" + (
                    f" ({membership.core_title})." if membership.core_title else "."
                )
            membership = leading.remove_member(
                actor=actor, group=group, person=person_id, reason=row_form.cleaned_data["reason"]
            )
            return f"{membership.person.display_name} is no longer a member; they've been told why."
        except GroundswellError as error:
            problems[key] = error.message
            return None
    problems[""] = "Please use the buttons on the page."
    return None


def _page(
    request: HttpRequest,
    actor: Actor,
    group: Group,
    forms: dict[str, object],
    problems: dict[str, str],
    *,
    status: int = 200,
) -> HttpResponse:
    search_form = MemberSearchForm(request.GET or None)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    page = Paginator(member_selectors.members(actor, group, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = {str(m.person.uuid) for m in page}
    mine = membership_of(actor, group)
    leads_it = (
        mine is not None and mine.status == Membership.Status.ACTIVE and mine.role == Membership.Role.LEADER
    )
    upcoming, recent = member_selectors.group_events(group)
    health = health_of([group])[group.pk]
    context = {
        "group": group,
        "health": health,
        # The bar chart: each month's bar as a tenth of the busiest month (a class, since
        # the Content-Security-Policy refuses inline styles).
        "bars": [
            {"month": month, "count": count, "width": round(count * 10 / health.busiest_month)}
            for month, count in health.events_by_month
        ],
        "leaderless_days": settings.GROUP_LEADERLESS_DAYS,
        "page": page,
        "search": search,
        "search_form": search_form,
        "problems": problems,
        # A problem with someone not shown on this page (a guessed id, a stale form) is
        # said at the top, so it is never lost.
        "general_problem": " ".join(p for key, p in problems.items() if key not in shown),
        "role_choices": RoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        "leads_it": leads_it,
        "mine": mine,
        "message_form": forms.get("message_form") or MessageForm(),
        "handover_form": forms.get("handover_form")
        or (HandOverForm(candidates=_candidates(actor, group)) if leads_it else None),
        "step_down_form": forms.get("step_down_form") or StepDownForm(),
        "upcoming": upcoming,
        "recent": recent,
        "feed_url": feed_url(actor, group),
        "can_host": leading.can_host_for(actor, group) and group.status == Group.Status.ACTIVE,
        "posted": forms,
    }
    return render(request, "groups/lead.html", context, status=status)


@login_required
def members_csv(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug, for_lead=True)
    except NotFound as error:
        return _missing(request, error.message)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{group.slug}.csv"'
    member_selectors.write_members_csv(actor, group, response)
    return response


def events_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's events as a calendar to subscribe to: anyone's for a public group; for a
    private one, only at a member's signed address (`?key=`)."""
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug)
    except NotFound as error:
        return _missing(request, error.message)
    private = group.visibility == Group.Visibility.PRIVATE
    if private:
        try:
            leading.member_for_feed(group, request.GET.get("key"))
        except NotFound:
            return _missing(request)  # the same words: the feed's existence is not told
    response = HttpResponse(
        calendars.calendar(member_selectors.feed_events(group), name=group.name), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="group-{group.slug}.ics"'
    if private:
        add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def host_event(request: HttpRequest, slug: str) -> HttpResponse:
    """Host an event as the group's (its leaders, core members and organizers)."""
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug)
    except NotFound as error:
        return _missing(request, error.message)
    if not leading.can_host_for(actor, group):
        return _missing(request)
    if request.method == "GET":
        return render(request, "groups/lead_event.html", {"group": group, "form": HostEventForm()})
    form = HostEventForm(request.POST)
    if form.is_valid():
        try:
            if not actor.is_staff:
                ratelimit.check("host_event", ip=ratelimit.client_ip(request), person_id=actor.person_id)
            event = leading.host_group_event(
                actor=actor, group=group, details=details_from_form(form, host=actor.person)
            )
        except (ValidationError, PermissionDenied, RateLimited) as error:
            form.add_error(form_field_for(error.field), error.message)
        else:
            if event.status == event.Status.PENDING:
                messages.success(
                    request, "Thanks! An organizer will look at the event soon; we'll let you know."
                )
            else:
                messages.success(request, f"The event is live, as {group.name}'s. Share it!")
            return redirect("events:detail", event_uuid=event.uuid)
    return render(request, "groups/lead_event.html", {"group": group, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def write_to_group(request: HttpRequest, slug: str) -> HttpResponse:
    """Write to the whole group: its team (leaders, core members) and organizers. Leaders
    also have the form on their page; a core member has this one."""
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug)
    except NotFound as error:
        return _missing(request, error.message)
    if not leading.can_host_for(actor, group):
        return _missing(request)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = leading.message_group(
                actor=actor, group=group, subject=form.cleaned_data["subject"], text=form.cleaned_data["text"]
            )
        except GroundswellError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, f"Your message is on its way to {count} {'member' if count == 1 else 'members'}."
            )
            return redirect(_group_page(group))
    status = 400 if request.method == "POST" else 200
    return render(request, "groups/lead_write.html", {"group": group, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def step_down(request: HttpRequest, slug: str) -> HttpResponse:
    """A core member or leader gives up their role (a confirmation, then the change)."""
    actor = actor_for_request(request)
    try:
        group = access_group(actor, slug)
    except NotFound as error:
        return _missing(request, error.message)
    mine = membership_of(actor, group)
    if mine is None or mine.status != Membership.Status.ACTIVE or mine.role == Membership.Role.MEMBER:
        return _missing(request, "You have no role in this group to step down from.")
    form = StepDownForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leading.step_down(actor=actor, group=group, to_role=form.cleaned_data["to_role"])
        except GroundswellError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"You've stepped down. Thank you for what you did for {group.name}.")
            return redirect(_group_page(group))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "groups/lead_step_down.html", {"group": group, "mine": mine, "form": form}, status=status
    )


def _group_page(group: Group) -> str:
    try:
        return reverse("groups:detail", args=[group.slug])
    except NoReverseMatch:  # the group page is another lane's: until it is named, its address
        return f"/groups/{group.slug}/"


urlpatterns = [
    path("<slug:slug>/lead/", lead, name="lead"),
    path("<slug:slug>/lead/members.csv", members_csv, name="lead_csv"),
    path("<slug:slug>/events.ics", events_ics, name="events_ics"),
    path("<slug:slug>/events/new/", host_event, name="host_event"),
    path("<slug:slug>/step-down/", step_down, name="step_down"),
    path("<slug:slug>/write/", write_to_group, name="write"),
]
