"""Writing in conversations: starting a thread, replying, editing within a window, deleting
one's own post; mentions, and the acts in the log.

Each post keeps what the member typed (`raw`, cleaned of invisible and direction-changing
characters) and the safe HTML made from it once, here (`cooked`: Markdown through
`core.markdown.cook`, mentions drawn as names): pages render `cooked` and never Markdown.

A post's `number` is the next in its thread, taken under a row lock on the thread, so two
replies at once never share a place. With `HOLD_FIRST_POSTS`, a member's posts wait for a
moderator until one of theirs has been approved; a held post is "published" (counted,
logged, its mentions told) when it is approved.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from groundswell.accounts.actors import Actor, actor_for_person
from groundswell.activity.models import Verb
from groundswell.activity.services import record
from groundswell.conversations import media as media_files
from groundswell.conversations.mentions import cook_post
from groundswell.conversations.models import Media, Mention, ModerationAction, Post, Thread
from groundswell.conversations.notifications import notify_of_post
from groundswell.conversations.selectors import access
from groundswell.conversations.selectors.access import Thing
from groundswell.conversations.services import media as media_services
from groundswell.conversations.services.audit import log_action, moderator_reason
from groundswell.core import ratelimit
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.core.text import clean_line, clean_text
from groundswell.messaging.models import Message
from groundswell.messaging.services import send
from groundswell.people.models import Person

TITLE_MAX = 200
POST_MAX = 20_000


def _clean_title(title: str) -> str:
    title = clean_line(title)
    if not title:
        raise ValidationError("Please give the conversation a title.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(f"Please keep the title under {TITLE_MAX} characters.", field="title")
    return title


def _clean_raw(raw: str) -> str:
    raw = clean_text(raw)
    if not raw.strip():
        raise ValidationError("Please write something.", field="raw")
    if len(raw) > POST_MAX:
        raise ValidationError(f"Please keep a post under {POST_MAX:,} characters.", field="raw")
    return raw


def _limit(actor: Actor, ip: str | None) -> None:
    if not actor.is_staff:
        ratelimit.check("post", ip=ip, person_id=actor.person_id)


def _should_hold(actor: Actor, thing: Thing) -> bool:
    """A member's posts wait while none of theirs has been approved (when the site says so);
    moderators and staff are never held."""
    if not settings.HOLD_FIRST_POSTS or actor.is_staff or access.can_moderate_on(actor, thing):
        return False
    return not Post.objects.filter(author_id=actor.person_id, held=False).exists()


def _cook(raw: str, thread: Thread) -> tuple[str, list[Person]]:
    thing = access.thing_of(thread)
    cooked = cook_post(raw, may_mention=lambda person: access.can_read_on(actor_for_person(person), thing))
    return cooked.html, cooked.mentioned


def _thread_url(thread: Thread, post: Post | None = None) -> str:
    from django.urls import reverse

    path = reverse("conversations:thread", args=[thread.uuid])
    if post is not None:
        page = (post.number - 1) // THREAD_PAGE_SIZE + 1
        path += (f"?page={page}" if page > 1 else "") + f"#post-{post.number}"
    return f"{settings.SITE_URL}{path}"


THREAD_PAGE_SIZE = 50


def _tell_mentioned(post: Post, thread: Thread, people: list[Person]) -> int:
    """Record the mentions of people not yet told of this post, and tell them by email,
    once per post (Mention rows are unique per post and person)."""
    author = post.author
    already = set(Mention.objects.filter(post=post).values_list("person_id", flat=True))
    new = [person for person in people if person.pk not in already and person.pk != author.pk]
    if not new:
        return 0
    Mention.objects.bulk_create([Mention(post=post, person=person) for person in new], ignore_conflicts=True)
    thing = access.thing_of(thread)
    for person in new:
        record(
            person=person, verb=Verb.WAS_MENTIONED, obj=post, context=thing, actor=actor_for_person(author)
        )
    # The site's notice of a mention (no words of the author's in it), not mail the author
    # wrote: no author on the Message, so it never counts against their day's member mail.
    message = Message.objects.create(
        kind=Message.Kind.BULK,
        subject=f"{author.short_name} mentioned you in “{thread.title}”"[:255],
        body_text=(
            f"{author.short_name} mentioned you in the conversation “{thread.title}”.\n\n"
            f"Read it and reply: {_thread_url(thread, post)}\n"
        ),
        is_template=False,
        about=f"“{thread.title}”"[:255],
    )
    return send(message=message, person_ids=[person.pk for person in new])


def _publish(post: Post, thread: Thread, mentioned: list[Person]) -> None:
    """A post the readers can see now: counted on its thread, logged, its mentions told."""
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, last_posted_at=now)
    thread.post_count += 1
    thread.last_posted_at = now
    thing = access.thing_of(thread)
    author_actor = actor_for_person(post.author)
    if post.number == 1:
        record(person=post.author, verb=Verb.POSTED, obj=thread, context=thing, actor=author_actor)
    else:
        record(person=post.author, verb=Verb.REPLIED, obj=post, context=thing, actor=author_actor)
    _tell_mentioned(post, thread, mentioned)
    # Members who chose "every post" hear of it once it is stored (a failure to queue is
    # logged; the deliveries are the outbox).
    transaction.on_commit(lambda: notify_of_post(post.pk), robust=True)


def start_thread(
    *,
    actor: Actor,
    on: Thing,
    title: str,
    raw: str,
    ip: str | None = None,
    images: list[object] | None = None,
    alt_text: str = "",
    link: str = "",
    tags: str = "",
) -> Thread:
    """A new conversation on a group, event, campaign or petition, with its opening post and
    what it brings (images, links, tags: `services.media`), all or nothing."""
    reason = access.why_not_write_on(actor, on)
    if reason == access.MISSING_THREAD:
        raise NotFound(reason)
    if reason is not None:
        raise PermissionDenied(reason)
    author = actor.require_person()
    title, raw = _clean_title(title), _clean_raw(raw)
    prepared = media_services.prepare(
        author=author, raw=raw, images=images, alt_text=alt_text, link=link, tags=tags
    )
    _limit(actor, ip)
    field = {
        "Group": "group",
        "Event": "event",
        "AdvocacyCampaign": "advocacy_campaign",
        "Petition": "petition",
    }[type(on).__name__]
    written = media_services.write_images(prepared)
    try:
        with transaction.atomic():
            thread = Thread.objects.create(title=title, author=author, **{field: on})
            setattr(thread, field, on)
            held = _should_hold(actor, on)
            cooked, mentioned = _cook(raw, thread)
            post = Post.objects.create(
                thread=thread,
                number=1,
                author=author,
                raw=raw,
                cooked=cooked,
                held=held,
                published_at=None if held else timezone.now(),
            )
            media_services.attach(post=post, prepared=prepared)
            if not held:
                _publish(post, thread, mentioned)
    except BaseException:
        media_files.delete_quietly(written)  # no file outlives a post that was never made
        raise
    return thread


def reply(
    *,
    actor: Actor,
    thread: Thread,
    raw: str,
    reply_to: Post | None = None,
    ip: str | None = None,
    images: list[object] | None = None,
    alt_text: str = "",
    link: str = "",
    tags: str = "",
) -> Post:
    """A post at the end of the thread, with what it brings (images, links, tags), all or
    nothing."""
    if not access.can_read(actor, thread):
        raise NotFound(access.MISSING_THREAD)
    reason = access.why_not_write(actor, thread)
    if reason is not None:
        raise PermissionDenied(reason)
    author = actor.require_person()
    raw = _clean_raw(raw)
    if reply_to is not None and (
        reply_to.thread_id != thread.pk or not access.can_see_post(actor, reply_to, thread)
    ):
        raise ValidationError("You can only reply to a post in this conversation.", field="reply_to")
    prepared = media_services.prepare(
        author=author, raw=raw, images=images, alt_text=alt_text, link=link, tags=tags
    )
    _limit(actor, ip)
    written = media_services.write_images(prepared)
    try:
        post = _reply_in_transaction(actor, thread, author, raw, reply_to, prepared)
    except BaseException:
        media_files.delete_quietly(written)  # no file outlives a post that was never made
        raise
    return post


def _reply_in_transaction(
    actor: Actor,
    thread: Thread,
    author: Person,
    raw: str,
    reply_to: Post | None,
    prepared: media_services.Prepared,
) -> Post:
    with transaction.atomic():
        # The lock makes replies to one thread take their numbers one at a time; it also
        # re-reads the lock state, so a reply cannot land in a thread locked since it was read.
        locked = (
            Thread.objects.select_for_update()
            .filter(pk=thread.pk)
            .values_list("locked_at", flat=True)
            .first()
        )
        if locked is not None and not access.can_moderate(actor, thread):
            raise PermissionDenied("This conversation is locked: it takes no new posts.")
        number = (thread.posts.aggregate(last=Max("number"))["last"] or 0) + 1
        held = _should_hold(actor, access.thing_of(thread))
        cooked, mentioned = _cook(raw, thread)
        post = Post.objects.create(
            thread=thread,
            number=number,
            author=author,
            reply_to=reply_to,
            raw=raw,
            cooked=cooked,
            held=held,
            published_at=None if held else timezone.now(),
        )
        media_services.attach(post=post, prepared=prepared)
        if not held:
            _publish(post, thread, mentioned)
    return post


def edit_window_open(post: Post) -> bool:
    return timezone.now() <= post.created_at + timedelta(minutes=settings.POST_EDIT_MINUTES)


def may_edit(actor: Actor, post: Post) -> bool:
    return (
        actor.is_person(post.author_id)
        and post.deleted_at is None
        and post.hidden_at is None
        and edit_window_open(post)
    )


def edit_post(*, actor: Actor, post: Post, raw: str) -> Post:
    """Its author changes a post within `POST_EDIT_MINUTES` of writing it; the page then says
    "edited". A hidden or deleted post stays as it is; people newly mentioned are told."""
    thread = post.thread
    if not access.can_read(actor, thread) or not access.can_see_post(actor, post, thread):
        raise NotFound(access.MISSING_POST)
    if not actor.is_person(post.author_id):
        raise PermissionDenied("Only its author can change a post.")
    if post.deleted_at is not None:
        raise PermissionDenied("This post was deleted.")
    if post.hidden_at is not None:
        raise PermissionDenied("A moderator hid this post: it can't be changed.")
    if not edit_window_open(post):
        raise PermissionDenied(
            f"A post can be changed for {settings.POST_EDIT_MINUTES} minutes after it is written."
        )
    if thread.locked_at is not None and not access.can_moderate(actor, thread):
        raise PermissionDenied("This conversation is locked: it takes no changes.")
    raw = _clean_raw(raw)
    with transaction.atomic():
        cooked, mentioned = _cook(raw, thread)
        post.raw, post.cooked, post.edited_at = raw, cooked, timezone.now()
        post.save(update_fields=["raw", "cooked", "edited_at", "modified_at"])
        if not post.held:
            _tell_mentioned(post, thread, mentioned)
    return post


def may_delete(actor: Actor, post: Post) -> bool:
    return post.deleted_at is None and (
        actor.is_person(post.author_id) or access.can_moderate(actor, post.thread)
    )


def delete_post(*, actor: Actor, post: Post, reason: str = "") -> Post:
    """Its author deletes a post: the words go, the row stays, so the thread keeps its shape
    and shows "deleted". A moderator may delete someone else's post too (words that must not
    stay even hidden: an address, a threat), saying why: an act of moderation, in the log."""
    thread = post.thread
    if not access.can_read(actor, thread) or not access.can_see_post(actor, post, thread):
        raise NotFound(access.MISSING_POST)
    own = actor.is_person(post.author_id)
    if not (own or access.can_moderate(actor, thread)):
        raise PermissionDenied("Only its author or a moderator can delete a post.")
    why = moderator_reason(reason, missing=None if own else "Please say why: it goes in the moderation log.")
    if post.deleted_at is not None:
        return post
    with transaction.atomic():
        post.raw, post.cooked, post.deleted_at = "", "", timezone.now()
        post.save(update_fields=["raw", "cooked", "deleted_at", "modified_at"])
        # Its images go with its words (their files after the commit: `media.remove_files`);
        # shared link cards stay.
        Media.objects.filter(post=post).delete()
        if not own:
            log_action(
                actor,
                ModerationAction.Action.DELETE,
                reason=why,
                group=access.group_of(thread),
                thread=thread,
                post=post,
                person=post.author_id,
            )
    return post


def approve(*, post: Post) -> None:
    """A held post goes out (called by moderation.approve_held, which checks the actor)."""
    thread = post.thread
    with transaction.atomic():
        Thread.objects.select_for_update().filter(pk=thread.pk).values_list("pk", flat=True).first()
        post.held = False
        post.published_at = timezone.now()
        post.save(update_fields=["held", "published_at", "modified_at"])
        _, mentioned = _cook(post.raw, thread)
        _publish(post, thread, mentioned)
