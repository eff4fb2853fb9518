"""Pages: a group's page (by slug or public id), starting and changing a group, joining,
asking to join and leaving, a member's choice of emails about new posts, answering join
requests, inviting by email and accepting an invitation, and organizers' review of new
groups.

Views stay thin: the actor, one selector, one service, then a redirect (303) or the page.
A group the actor may not see is "not found" (404), whether or not it exists.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundswell.accounts.actors import Actor, actor_for_request
from groundswell.accounts.services import return_here_after_sign_in
from groundswell.core import ratelimit
from groundswell.core.errors import GroundswellError, NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.groups.forms.membership import GroupForm, InviteForm, JoinForm, RejectForm
from groundswell.groups.models import Group, Membership
from groundswell.groups.selectors.access import access_group, groups_visible_to, is_member
from groundswell.groups.selectors.pages import group_page
from groundswell.groups.services import leading
from groundswell.groups.services import membership as services
from groundswell.groups.views.leading import feed_url


def _see_other(url: str) -> HttpResponse:
    """After a POST, a page by GET (303: a reload does not post again)."""
    response = redirect(url)
    response.status_code = 303
    return response


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "groups/not_found.html", {"error": message}, status=404)


def page_of(group: Group) -> str:
    return reverse("groups:detail", args=[group.slug])


def _parents(actor: Actor, group: Group | None) -> list[Group]:
    parents = list(groups_visible_to(actor).filter(status=Group.Status.ACTIVE).order_by("name", "id"))
    return [parent for parent in parents if group is None or parent.pk != group.pk]


def _field(form: Any, name: str | None) -> str | None:
    return name if name in form.fields else None


# --- A group's page -----------------------------------------------------------------------


@require_GET
def detail(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key)
    except NotFound as error:
        return not_found(request, error.message)
    page = group_page(actor, group)
    context = {
        "group": group,
        "page": page,
        "join_form": JoinForm(),
        "is_starter": actor.is_person(group.started_by_id),
        "is_staff": actor.is_staff,
        "notify_choices": Membership.Notify.choices,
        "can_host": group.status == Group.Status.ACTIVE and leading.can_host_for(actor, group),
        "feed_url": feed_url(actor, group) if group.status == Group.Status.ACTIVE else None,
        "map_points": [
            {"lat": group.latitude, "lon": group.longitude, "title": group.name, "url": page_of(group)}
        ]
        if group.latitude is not None and group.longitude is not None
        else [],
    }
    return render(request, "groups/detail.html", context)


# --- Starting and changing ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    parents = _parents(actor, None)
    status = 200
    if request.method == "GET":
        initial = {"parent": request.GET.get("parent", "")[:80]}
        form = GroupForm(initial=initial, parents=parents)
    else:
        form = GroupForm(request.POST, parents=parents)
        status = 400
        if form.is_valid():
            try:
                if not actor.is_staff:
                    ratelimit.check("start_group", ip=ratelimit.client_ip(request), person_id=actor.person_id)
                group = services.start_group(actor=actor, details=form.details())
            except RateLimited as error:
                form.add_error(None, error.message)
                status = 429
            except (ValidationError, PermissionDenied) as error:
                form.add_error(_field(form, error.field), error.message)
            else:
                if group.status == Group.Status.PENDING:
                    messages.success(
                        request,
                        "Thanks! An organizer will look at your group soon: we'll email you when it's open.",
                    )
                else:
                    messages.success(request, "Your group is open. Invite your neighbours!")
                return _see_other(page_of(group))
    context = {"form": form, "needs_approval": services.needs_approval(actor)}
    return render(request, "groups/start.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key, for_lead=True)
    except NotFound as error:
        return not_found(request, error.message)
    parents = _parents(actor, group)
    status = 200
    if request.method == "GET":
        form = GroupForm(initial=GroupForm.initial_for(group), parents=parents)
    else:
        form = GroupForm(request.POST, parents=parents)
        status = 400
        if form.is_valid():
            try:
                services.update_group(actor=actor, group=group, details=form.details())
            except (ValidationError, PermissionDenied) as error:
                form.add_error(_field(form, error.field), error.message)
            else:
                messages.success(request, "Saved.")
                return _see_other(page_of(group))
    return render(request, "groups/start.html", {"form": form, "group": group}, status=status)


# --- Joining and leaving -----------------------------------------------------------------


@require_POST
def join(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key)
    except NotFound as error:
        return not_found(request, error.message)
    if actor.person is None:
        return redirect_to_login(page_of(group))
    form = JoinForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.get("note", [])))
        return _see_other(page_of(group))
    try:
        if not actor.is_staff:
            ratelimit.check("join_group", ip=ratelimit.client_ip(request), person_id=actor.person_id)
        membership = services.join_group(actor=actor, group=group, note=note)
    except NotFound as error:
        return not_found(request, error.message)
    except GroundswellError as error:
        messages.error(request, error.message)
        return _see_other(page_of(group))
    if membership.status == membership.Status.ACTIVE:
        messages.success(request, f"Welcome to {group.name}!")
    else:
        messages.success(request, "Thanks: the group's leaders will answer your request soon.")
    return _see_other(page_of(group))


@require_POST
def leave(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key)
    except NotFound as error:
        return not_found(request, error.message)
    if actor.person is None:
        return redirect_to_login(page_of(group))
    was_member = is_member(actor, group)
    try:
        services.leave_group(actor=actor, group=group)
    except GroundswellError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"You've left {group.name}." if was_member else "Your request is withdrawn."
        )
    return _see_other(page_of(group))


NOTIFY_SAID = {
    Membership.Notify.EACH_POST: "You'll get every new post in {group} by email.",
    Membership.Notify.DIGEST: "You'll get a daily digest of new posts in {group}.",
    Membership.Notify.NONE: "You won't get emails about new posts in {group}.",
}


@require_POST
def notify(request: HttpRequest, key: str) -> HttpResponse:
    """A member's choice: every post, a daily digest or nothing (the form on the group page)."""
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key)
    except NotFound as error:
        return not_found(request, error.message)
    if actor.person is None:
        return redirect_to_login(page_of(group))
    try:
        membership = services.set_notify(actor=actor, group=group, choice=request.POST.get("notify", "")[:20])
    except GroundswellError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, NOTIFY_SAID[Membership.Notify(membership.notify)].format(group=group.name))
    # To the page's top, where the message says what was chosen (the form is just below).
    return _see_other(page_of(group))


# --- Leaders: requests and invitations ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key, for_lead=True)
    except NotFound as error:
        return not_found(request, error.message)
    if request.method == "POST":
        answer = services.approve_request if request.POST.get("answer") == "yes" else services.decline_request
        try:
            membership = answer(actor=actor, group=group, membership_id=request.POST.get("membership", ""))
        except GroundswellError as error:
            messages.error(request, error.message)
        else:
            said = "is a member now" if membership.status == membership.Status.ACTIVE else "was declined"
            messages.success(request, f"{membership.person.short_name} {said}.")
        return _see_other(reverse("groups:requests", args=[group.slug]))
    waiting = services.pending_requests(actor=actor, group=group)
    return render(request, "groups/requests.html", {"group": group, "waiting": waiting})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, key: str) -> HttpResponse:
    actor = actor_for_request(request)
    try:
        group = access_group(actor, key, for_lead=True)
    except NotFound as error:
        return not_found(request, error.message)
    status = 200
    if request.method == "POST":
        form = InviteForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                if not actor.is_staff:
                    ratelimit.check(
                        "group_invite", ip=ratelimit.client_ip(request), person_id=actor.person_id
                    )
                count = services.invite(
                    actor=actor, group=group, emails=form.addresses(), note=form.cleaned_data["note"]
                )
            except RateLimited as error:
                form.add_error(None, error.message)
                status = 429
            except (ValidationError, PermissionDenied) as error:
                form.add_error(_field(form, error.field) or "emails", error.message)
            else:
                messages.success(
                    request,
                    f"Invited {count} address{'es' if count != 1 else ''}. Each person who isn't in the "
                    "group yet gets an email with their own link to join (at most one a week).",
                )
                return _see_other(reverse("groups:invite", args=[group.slug]))
    else:
        form = InviteForm()
    return render(request, "groups/invite.html", {"group": group, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: who invites you to what, and a button to join. A
    visitor who is not signed in sees the invitation with a way to join the movement (credited
    to the inviter) or to sign in, and comes back here once signed in."""
    actor = actor_for_request(request)
    try:
        found = services.invitation_for_token(token)
    except NotFound as error:
        return render(request, "groups/invitation.html", {"error": error.message}, status=404)
    if actor.person is None:
        try:
            services.check_invitation(found)
        except ValidationError as error:
            context = {"invitation": found, "group": found.group, "error": error.message}
            return render(request, "groups/invitation.html", context, status=410)
        # Joining (an emailed code, perhaps much later) or signing in brings them back here:
        # kept in the session, as a `next` parameter would be lost on the way.
        return_here_after_sign_in(request, request.path)
        context = {
            "invitation": found,
            "group": found.group,
            "join_url": services.join_url_for(found),
            "sign_in_url": resolve_url(settings.LOGIN_URL),
        }
        return render(request, "groups/invitation.html", context)
    problem = ""
    try:
        services.check_invitation(found, actor.person)
    except ValidationError as error:
        problem = error.message
    if request.method == "POST" and not problem:
        try:
            services.accept_invitation(actor=actor, token=token)
        except NotFound as error:
            return render(request, "groups/invitation.html", {"error": error.message}, status=404)
        except GroundswellError as error:
            problem = error.message
        else:
            messages.success(request, f"Welcome to {found.group.name}!")
            return _see_other(page_of(found.group))
    context = {"invitation": found, "group": found.group, "error": problem}
    return render(request, "groups/invitation.html", context, status=410 if problem else 200)


# --- Organizers: new groups waiting -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not actor.is_staff:
        return not_found(request, "We couldn't find that page.")
    forms: dict[int, RejectForm] = {}
    status = 200
    if request.method == "POST":
        try:
            group = access_group(actor, request.POST.get("group", ""))
            if request.POST.get("decision") == "approve":
                services.approve_group(actor=actor, group=group)
                messages.success(request, f"{group.name} is open now; its starter is told.")
                return _see_other(reverse("groups:review"))
            form = RejectForm(request.POST, prefix=f"g{group.pk}")
            if form.is_valid():
                services.reject_group(actor=actor, group=group, note=form.cleaned_data["note"])
                messages.success(request, f"{group.name} was turned down; its starter is told.")
                return _see_other(reverse("groups:review"))
            forms[group.pk] = form
            status = 400
        except GroundswellError as error:
            messages.error(request, error.message)
            return _see_other(reverse("groups:review"))
    waiting = list(
        Group.objects.filter(status=Group.Status.PENDING)
        .select_related("started_by", "parent")
        .order_by("created_at", "id")
    )
    cards = [(group, forms.get(group.pk) or RejectForm(prefix=f"g{group.pk}")) for group in waiting]
    return render(request, "groups/review.html", {"cards": cards}, status=status)


urlpatterns: list[URLPattern] = [
    path("start/", start, name="start"),
    path("review/", review, name="review"),
    path("invitation/<str:token>/", invitation, name="invitation"),
    path("<str:key>/", detail, name="detail"),
    path("<str:key>/edit/", edit, name="edit"),
    path("<str:key>/join/", join, name="join"),
    path("<str:key>/leave/", leave, name="leave"),
    path("<str:key>/notify/", notify, name="notify"),
    path("<str:key>/requests/", requests, name="requests"),
    path("<str:key>/invite/", invite, name="invite"),
]
