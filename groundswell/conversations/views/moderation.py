"""Flagging a post, the moderators' controls (hide, show again, approve, dismiss flags, lock,
block), the organizers' queue with its bulk actions, and a group's moderation log."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.conversations import services
from groundswell.conversations.forms import BlockForm, FlagForm, QueueForm, ReasonForm
from groundswell.conversations.models import Post
from groundswell.conversations.selectors import access, threads
from groundswell.conversations.views.common import actor_of, ip_of, not_found, refused
from groundswell.conversations.views.threads import _fail_into, agreements_of, post_url
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.groups.models import Block, Group, Membership
from groundswell.groups.selectors.access import access_group
from groundswell.people.models import Person


@login_required
@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, post_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        post = access.access_post(actor, post_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    form = FlagForm(request.POST or None, agreements=agreements_of(post))
    if request.method == "POST" and form.is_valid():
        try:
            services.flag(
                actor=actor,
                post=post,
                agreement=form.cleaned_data["agreement"],
                reason=form.cleaned_data["reason"],
                ip=ip_of(request),
            )
        except (ValidationError, PermissionDenied, RateLimited) as error:
            _fail_into(form, error)
        else:
            messages.success(request, "Thank you: a moderator will look at it.")
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/flag.html", {"form": form, "post": post}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def hide(request: HttpRequest, post_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        post = access.access_post(actor, post_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    if not access.can_hide(actor, post.thread):
        return refused(request, "Only the conversation's moderators can hide a post.")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_post(actor=actor, post=post, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _fail_into(form, error)
        else:
            messages.success(request, "The post is hidden. Its author can see why.")
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/hide.html", {"form": form, "post": post}, status=status)


def _post_action(request: HttpRequest, post_uuid: str, act: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        post = access.access_post(actor, post_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    try:
        if act == "unhide":
            services.unhide_post(actor=actor, post=post)
            messages.success(request, "The post is shown again.")
        elif act == "approve":
            services.approve_held(actor=actor, post=post)
            messages.success(request, "The post is approved: everyone can read it now.")
        else:
            services.dismiss_flags(actor=actor, post=post)
            messages.success(request, "The flags are dismissed.")
    except PermissionDenied as error:
        return refused(request, error.message)
    target = request.POST.get("next", "")
    return redirect(target if target == reverse("conversations:queue") else post_url(post))


@login_required
@require_POST
def unhide(request: HttpRequest, post_uuid: str) -> HttpResponse:
    return _post_action(request, post_uuid, "unhide")


@login_required
@require_POST
def approve(request: HttpRequest, post_uuid: str) -> HttpResponse:
    return _post_action(request, post_uuid, "approve")


@login_required
@require_POST
def dismiss(request: HttpRequest, post_uuid: str) -> HttpResponse:
    return _post_action(request, post_uuid, "dismiss")


@login_required
@require_POST
def lock(request: HttpRequest, thread_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        found = access.access_thread(actor, thread_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    locking = request.POST.get("lock") != "off"
    try:
        if locking:
            services.lock_thread(actor=actor, thread=found, reason=request.POST.get("reason", ""))
        else:
            services.unlock_thread(actor=actor, thread=found, reason=request.POST.get("reason", ""))
    except PermissionDenied as error:
        return refused(request, error.message)
    messages.success(request, "The conversation is locked." if locking else "The conversation is open again.")
    return redirect("conversations:thread", thread_uuid=found.uuid)


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, slug: str, person_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        group = access_group(actor, slug, for_lead=True)
        person = _person_in_group(group, person_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.block_member(
                actor=actor,
                group=group,
                person=person,
                until=form.until(),
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            _fail_into(form, error)
        else:
            messages.success(request, f"{person.short_name} can't post in {group.name} now.")
            return redirect("conversations:log", slug=group.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "conversations/block.html", {"form": form, "group": group, "person": person}, status=status
    )


def _person_in_group(group: Group, person_uuid: str) -> Person:
    """Someone who is (or was) in the group or wrote in its threads: nobody else can be
    blocked from it, and a leader learns nothing of other people's ids here."""
    try:
        public_id = uuid.UUID(person_uuid)
    except ValueError:
        raise NotFound("We couldn't find that member.") from None
    person = (
        Person.objects.filter(uuid=public_id)
        .filter(
            Q(pk__in=Membership.objects.filter(group=group).values("person_id"))
            | Q(pk__in=Post.objects.filter(thread__group=group).values("author_id"))
        )
        .first()
    )
    if person is None:
        raise NotFound("We couldn't find that member.")
    return person


@login_required
@require_POST
def lift(request: HttpRequest, slug: str, block_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        group = access_group(actor, slug, for_lead=True)
    except NotFound as error:
        return not_found(request, error.message)
    found = Block.objects.filter(group=group, pk=block_id).select_related("group", "person").first()
    if found is None:
        return not_found(request, "We couldn't find that block.")
    try:
        services.lift_block(actor=actor, block=found)
    except PermissionDenied as error:
        return refused(request, error.message)
    messages.success(request, f"{found.person.short_name} can post in {group.name} again.")
    return redirect("conversations:log", slug=group.slug)


@login_required
def log(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        group = access_group(actor, slug, for_lead=True)
    except NotFound as error:
        return not_found(request, error.message)
    context = {
        "group": group,
        "actions": threads.moderation_log(group, page=request.GET.get("page", 1)),
        "blocks": threads.active_blocks(group),
    }
    return render(request, "conversations/log.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.is_staff:
        return not_found(request, "We couldn't find that page.")
    page = threads.queue(page=request.GET.get("page", 1))
    choices = [(str(post.uuid), f"#{post.number} in {post.thread.title}") for post in page.object_list]
    status = 200
    if request.method == "POST":
        chosen_ids = request.POST.getlist("posts")
        # The chosen posts may be on another page than the one shown: offer what was sent.
        chosen = list(
            Post.objects.filter(uuid__in=[value for value in chosen_ids if _is_uuid(value)]).select_related(
                "author",
                "thread",
                "thread__group",
                "thread__event",
                "thread__advocacy_campaign",
                "thread__petition",
            )
        )
        form = QueueForm(request.POST, choices=[(str(p.uuid), str(p.uuid)) for p in chosen])
        if form.is_valid():
            try:
                done = services.act_on_many(
                    actor=actor,
                    posts=chosen,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied, NotFound) as error:
                _fail_into(form, error)
            else:
                verb = "hidden" if form.cleaned_data["action"] == "hide" else "cleared"
                messages.success(request, f"{done} {'post' if done == 1 else 'posts'} {verb}.")
                return redirect("conversations:queue")
        status = 400
        form.fields["posts"].choices = choices  # type: ignore[attr-defined]
    else:
        form = QueueForm(choices=choices)
    return render(request, "conversations/queue.html", {"page": page, "form": form}, status=status)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


urlpatterns = [
    path("threads/posts/<str:post_uuid>/flag/", flag, name="flag"),
    path("threads/posts/<str:post_uuid>/hide/", hide, name="hide"),
    path("threads/posts/<str:post_uuid>/unhide/", unhide, name="unhide"),
    path("threads/posts/<str:post_uuid>/approve/", approve, name="approve"),
    path("threads/posts/<str:post_uuid>/dismiss/", dismiss, name="dismiss"),
    path("threads/<str:thread_uuid>/lock/", lock, name="lock"),
    path("moderation/", queue, name="queue"),
    path("moderation/groups/<slug:slug>/", log, name="log"),
    path("moderation/groups/<slug:slug>/block/<str:person_uuid>/", block, name="block"),
    path("moderation/groups/<slug:slug>/blocks/<int:block_id>/lift/", lift, name="lift"),
]
