"""The thread page (a page of 50 posts by number, the reply form at the bottom), starting a
thread on a group, event, campaign or petition, editing and deleting one's own posts."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.actors import Actor
from groundswell.advocacy.selectors.access import access_campaign, access_petition
from groundswell.conversations import services
from groundswell.conversations.agreements import agreements_for
from groundswell.conversations.forms import EditPostForm, ModeratorDeleteForm, ReplyForm, StartThreadForm
from groundswell.conversations.mentions import mention_text
from groundswell.conversations.models import Post, Thread
from groundswell.conversations.selectors import access, threads
from groundswell.conversations.selectors.access import Thing
from groundswell.conversations.services.posting import may_delete, may_edit
from groundswell.conversations.views.common import (
    actor_of,
    ip_of,
    kind_of,
    not_found,
    refused,
    thing_name,
    thing_url,
)
from groundswell.core.errors import GroundswellError, NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.events.selectors.access import access_event
from groundswell.groups.selectors.access import access_group


def post_url(post: Post) -> str:
    page = (post.number - 1) // threads.PAGE_SIZE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{reverse('conversations:thread', args=[post.thread.uuid])}{query}#post-{post.number}"


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _fail_into(form: object, error: GroundswellError) -> None:
    """A service's refusal shown on the form, at the field it names when the form has it."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)  # type: ignore[attr-defined]


def render_thread(
    request: HttpRequest, actor: Actor, thread: Thread, *, form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    thing = access.thing_of(thread)
    page = threads.thread_page(actor, thread, _page_number(request))
    can_moderate = access.can_moderate(actor, thread)
    can_hide = access.can_hide(actor, thread)
    why_not = access.why_not_write(actor, thread)
    for post in page.posts:
        # Decided here from what is loaded (no query per post), kept on the post for its template.
        mine = actor.is_person(post.author_id)
        decided = {
            "mine": mine,
            "can_edit": mine and may_edit(actor, post),
            "can_delete": post.deleted_at is None and (mine or can_moderate),
            "can_flag": actor.person is not None and not mine and post.deleted_at is None,
        }
        for name, value in decided.items():
            setattr(post, name, value)
    people = threads.participants(thread) if why_not is None else []
    context = {
        "thread": thread,
        "thing": thing,
        "thing_url": thing_url(thing),
        "thing_name": thing_name(thing),
        "page": page,
        "form": form or ReplyForm(),
        "why_not": why_not,
        "can_moderate": can_moderate,
        "can_hide": can_hide,
        "is_group": thread.group_id is not None,
        "mentions": [(person, mention_text(person)) for person in people if not actor.is_person(person)],
        "edit_minutes": settings.POST_EDIT_MINUTES,
    }
    return render(request, "conversations/thread.html", context, status=status)


def thread(request: HttpRequest, thread_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        found = access.access_thread(actor, thread_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    return render_thread(request, actor, found)


@login_required
@require_POST
def reply(request: HttpRequest, thread_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        found = access.access_thread(actor, thread_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_thread(request, actor, found, form=form, status=400)
    reply_to = None
    if form.cleaned_data["reply_to"]:
        reply_to = Post.objects.filter(thread=found, uuid=form.cleaned_data["reply_to"]).first()
    try:
        post = services.reply(
            actor=actor,
            thread=found,
            raw=form.cleaned_data["raw"],
            reply_to=reply_to,
            ip=ip_of(request),
            **form.media_data(),  # type: ignore[arg-type]
        )
    except (ValidationError, PermissionDenied, RateLimited) as error:
        _fail_into(form, error)
        return render_thread(request, actor, found, form=form, status=400)
    post.thread = found
    if post.held:
        messages.success(request, "Thanks! A moderator will look at your first post before others see it.")
    return redirect(post_url(post))


def _thing(actor: Actor, kind: str, key: str) -> Thing:
    if kind == "group":
        return access_group(actor, key)
    if kind == "event":
        return access_event(actor, key)
    if kind == "campaign":
        return access_campaign(actor, key)
    if kind == "petition":
        return access_petition(actor, key)
    raise NotFound(access.MISSING_THREAD)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        thing = _thing(actor, kind, key)
        if not access.can_read_on(actor, thing):
            raise NotFound(access.MISSING_THREAD)
    except NotFound as error:
        return not_found(request, error.message)
    why_not = access.why_not_write_on(actor, thing)
    form = StartThreadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and why_not is None and form.is_valid():
        try:
            made = services.start_thread(
                actor=actor,
                on=thing,
                title=form.cleaned_data["title"],
                raw=form.cleaned_data["raw"],
                ip=ip_of(request),
                **form.media_data(),  # type: ignore[arg-type]
            )
        except (ValidationError, PermissionDenied, RateLimited) as error:
            _fail_into(form, error)
        else:
            if made.post_count == 0:
                messages.success(
                    request, "Thanks! A moderator will look at your first post before others see it."
                )
            return redirect("conversations:thread", thread_uuid=made.uuid)
    context = {
        "form": form,
        "why_not": why_not,
        "thing_name": thing_name(thing),
        "thing_url": thing_url(thing),
        "kind": kind_of(thing),
        "key": key,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/start.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, post_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        post = access.access_post(actor, post_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    if not may_edit(actor, post):
        return refused(
            request,
            f"You can change your own posts for {settings.POST_EDIT_MINUTES} minutes after writing them.",
        )
    form = EditPostForm(request.POST or None, initial={"raw": post.raw})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(actor=actor, post=post, raw=form.cleaned_data["raw"])
        except (ValidationError, PermissionDenied) as error:
            _fail_into(form, error)
        else:
            messages.success(request, "Your post is changed.")
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/edit.html", {"form": form, "post": post}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, post_uuid: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        post = access.access_post(actor, post_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    if not may_delete(actor, post):
        return refused(request, "Only its author or a moderator can delete a post.")
    # A moderator deleting someone else's post says why (the moderation log keeps it).
    form = None if actor.is_person(post.author_id) else ModeratorDeleteForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form is not None else ""
        try:
            services.delete_post(actor=actor, post=post, reason=reason)
        except PermissionDenied as error:
            return refused(request, error.message)
        except ValidationError as error:
            _fail_into(form, error)
        else:
            messages.success(request, "The post is deleted.")
            return redirect(post_url(post))
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/delete.html", {"post": post, "form": form}, status=status)


def agreements_of(post: Post) -> list[str]:
    return agreements_for(access.group_of(post.thread))


urlpatterns = [
    path("threads/<str:thread_uuid>/", thread, name="thread"),
    path("threads/<str:thread_uuid>/reply/", reply, name="reply"),
    path("threads/new/<str:kind>/<str:key>/", start, name="start"),
    path("threads/posts/<str:post_uuid>/edit/", edit, name="edit"),
    path("threads/posts/<str:post_uuid>/delete/", delete, name="delete"),
]
