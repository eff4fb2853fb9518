"""Posting: numbers and counts, cooked HTML stored at write time, the edit window, deleting,
locked threads, held first posts, mentions (told once), the acts in the log, the rate limit."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.conversations import services
from groundswell.conversations.mentions import mention_text
from groundswell.conversations.models import Mention, ModerationAction, Post
from groundswell.conversations.tests.helpers import actor_of, first_post, say, start
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.messaging.models import Delivery, Message


@pytest.mark.django_db
def test_posts_are_numbered_and_counted_and_cooked_once(cast):
    thread = start(cast.member, cast.group, title="  Canvass\u202e plan\u200b ", raw="**Bold** plan")
    assert thread.title == "Canvass plan"  # bidi override and zero-width space gone
    one = first_post(thread)
    assert one.number == 1 and one.cooked == "<p><strong>Bold</strong> plan</p>\n"
    two = say(cast.core, thread, "Second")
    three = services.reply(actor=actor_of(cast.leader), thread=thread, raw="Third", reply_to=two)
    assert [two.number, three.number] == [2, 3]
    assert three.reply_to == two
    thread.refresh_from_db()
    assert thread.post_count == 3 and thread.last_posted_at is not None
    # Acts: the opening post is POSTED on the thread, replies REPLIED on the post; the group is the context.
    posted = Activity.objects.get(verb=Verb.POSTED)
    assert (posted.object_kind, posted.object_id) == (ObjectKind.THREAD, thread.pk)
    assert (posted.context_kind, posted.context_id) == (ObjectKind.GROUP, cast.group.pk)
    replied = Activity.objects.filter(verb=Verb.REPLIED).order_by("id")
    assert [(a.object_kind, a.object_id) for a in replied] == [
        (ObjectKind.POST, two.pk),
        (ObjectKind.POST, three.pk),
    ]
    assert {a.context_id for a in replied} == {cast.group.pk}


@pytest.mark.django_db
def test_empty_and_oversized_posts_are_refused(cast):
    thread = start(cast.member, cast.group)
    with pytest.raises(ValidationError) as empty:
        say(cast.member, thread, " \u200b\n ")
    assert empty.value.field == "raw"
    with pytest.raises(ValidationError):
        say(cast.member, thread, "x" * 20_001)
    with pytest.raises(ValidationError) as no_title:
        start(cast.member, cast.group, title="\u202e")
    assert no_title.value.field == "title"


@pytest.mark.django_db
def test_a_reply_to_a_post_of_another_thread_is_refused(cast):
    one, other = start(cast.member, cast.group), start(cast.member, cast.group, title="Other")
    with pytest.raises(ValidationError):
        services.reply(actor=actor_of(cast.member), thread=one, raw="hi", reply_to=first_post(other))


@pytest.mark.django_db
def test_the_edit_window(cast, settings):
    settings.POST_EDIT_MINUTES = 30
    thread = start(cast.member, cast.group)
    post = say(cast.member, thread, "Frist")
    services.edit_post(actor=actor_of(cast.member), post=post, raw="First")
    post.refresh_from_db()
    assert post.raw == "First" and post.cooked == "<p>First</p>\n" and post.edited_at is not None
    page = pytest.importorskip("django.test").Client()
    page.force_login(cast.member)
    assert "edited" in page.get(reverse("conversations:thread", args=[thread.uuid])).content.decode()
    # Someone else may not, even a leader.
    with pytest.raises(PermissionDenied):
        services.edit_post(actor=actor_of(cast.leader), post=post, raw="Changed by a leader")
    # Past the window: refused, and the page no longer offers it.
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    post.refresh_from_db()
    with pytest.raises(PermissionDenied, match="30 minutes"):
        services.edit_post(actor=actor_of(cast.member), post=post, raw="Too late")
    assert page.get(reverse("conversations:edit", args=[post.uuid])).status_code == 403
    post.refresh_from_db()
    assert post.raw == "First"


@pytest.mark.django_db
def test_deleting_ones_own_post_keeps_the_threads_shape(cast, client_for):
    thread = start(cast.member, cast.group)
    post = say(cast.core, thread, "Oops, wrong thread")
    after = say(cast.member, thread, "Later")
    with pytest.raises(PermissionDenied):
        services.delete_post(actor=actor_of(cast.member), post=post)
    response = client_for(cast.core).post(reverse("conversations:delete", args=[post.uuid]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.raw == "" and post.cooked == "" and post.deleted_at is not None
    body = client_for(cast.member).get(reverse("conversations:thread", args=[thread.uuid])).content.decode()
    assert "This post was deleted." in body and "Oops" not in body and "Later" in body
    assert after.number == 3
    thread.refresh_from_db()
    assert thread.post_count == 3
    # A leader (a moderator in the group) may delete any post in it, saying why: the
    # group's moderation log keeps who, what, when and why.
    with pytest.raises(ValidationError, match="say why"):
        services.delete_post(actor=actor_of(cast.leader), post=after)
    assert Post.objects.get(pk=after.pk).deleted_at is None
    leader = client_for(cast.leader)
    url = reverse("conversations:delete", args=[after.uuid])
    page = leader.get(url).content.decode()
    assert 'name="reason"' in page and "as a moderator" in page
    assert leader.post(url, {"reason": ""}).status_code == 400
    assert leader.post(url, {"reason": "A home address"}).status_code == 302
    assert Post.objects.get(pk=after.pk).deleted_at is not None
    (action,) = ModerationAction.objects.filter(action=ModerationAction.Action.DELETE)
    assert (action.moderator_id, action.reason, action.post_id, action.person_id, action.group_id) == (
        cast.leader.person.pk,
        "A home address",
        after.pk,
        cast.member.person.pk,
        cast.group.pk,
    )
    log = leader.get(reverse("conversations:log", args=[cast.group.slug])).content.decode()
    assert "Deleted a post" in log and "A home address" in log
    # An author deleting their own post is not moderation: nothing in the log.
    assert ModerationAction.objects.filter(post=post).count() == 0


@pytest.mark.django_db
def test_a_locked_thread_takes_no_posts_but_its_moderators(cast):
    thread = start(cast.member, cast.group)
    services.lock_thread(actor=actor_of(cast.leader), thread=thread, reason="Heated")
    with pytest.raises(PermissionDenied, match="locked"):
        say(cast.member, thread)
    say(cast.leader, thread, "Closing this one")
    services.reply(actor=actor_of(cast.organizer), thread=thread, raw="Agreed")
    services.unlock_thread(actor=actor_of(cast.leader), thread=thread)
    say(cast.member, thread, "Thanks")


@pytest.mark.django_db
def test_a_blocked_member_is_refused_with_a_clear_message_and_can_post_after_it_ends(cast):
    thread = start(cast.member, cast.group)
    with pytest.raises(PermissionDenied, match="blocked you from posting"):
        say(cast.blocked, thread)
    block = cast.group.blocks.get(person=cast.blocked.person)
    services.lift_block(actor=actor_of(cast.leader), block=block)
    say(cast.blocked, thread, "Sorry about before")
    # A block for a time ends by itself.
    services.block_member(
        actor=actor_of(cast.leader),
        group=cast.group,
        person=cast.blocked.person,
        until=timezone.now() + timedelta(days=1),
        reason="Again",
    )
    with pytest.raises(PermissionDenied, match="until"):
        say(cast.blocked, thread)
    cast.group.blocks.filter(lifted_at__isnull=True).update(until=timezone.now() - timedelta(seconds=1))
    say(cast.blocked, thread, "Back")


@pytest.mark.django_db
@override_settings(HOLD_FIRST_POSTS=True)
def test_a_members_first_post_is_held_until_approved(cast):
    thread = start(cast.leader, cast.group, raw="Welcome")
    held = say(cast.member, thread, "Hello all")
    also_held = say(cast.member, thread, "Anyone?")  # nothing approved yet: still held
    assert held.held and also_held.held
    thread.refresh_from_db()
    assert thread.post_count == 1
    assert not Activity.objects.filter(verb=Verb.REPLIED).exists()  # the act waits for approval
    with pytest.raises(NotFound):  # a core member does not even see it
        services.approve_held(actor=actor_of(cast.core), post=held)
    services.approve_held(actor=actor_of(cast.leader), post=held)
    held.refresh_from_db()
    thread.refresh_from_db()
    assert not held.held and thread.post_count == 2
    assert Activity.objects.filter(verb=Verb.REPLIED, person=cast.member.person).count() == 1
    assert not say(cast.member, thread, "Now I'm known").held


@pytest.mark.django_db
@override_settings(HOLD_FIRST_POSTS=True)
def test_a_thread_whose_opening_post_is_held_is_listed_for_its_author_and_moderators_only(cast, client_for):
    thread = start(cast.member, cast.group, title="My first thread")
    assert first_post(thread).held and thread.post_count == 0
    from groundswell.conversations.selectors.threads import latest_threads

    assert latest_threads(actor_of(cast.core), cast.group) == []
    assert latest_threads(actor_of(cast.member), cast.group) == [thread]
    assert latest_threads(actor_of(cast.leader), cast.group) == [thread]
    assert client_for(cast.core).get(reverse("conversations:thread", args=[thread.uuid])).status_code == 404


@pytest.mark.django_db
def test_mentions_are_recorded_told_once_and_only_for_readers(private_cast, make_member):
    c = private_cast
    thread = start(c.member, c.group)
    outsider = c.outsider
    raw = (
        f"Thanks {mention_text(c.core.person)} and {mention_text(c.leader.person)}, "
        f"again {mention_text(c.core.person)}; also @[Otto](…) {mention_text(outsider.person)} "
        f"and a fake @[Organizer Olu]({c.core.person.uuid})"
    )
    post = say(c.member, thread, raw)
    # The name shown is the member's own, whatever the label said; an outsider of a private
    # group is not mentioned (the label stays as words) and not told.
    assert f'<span class="mention">@{c.core.person.short_name}</span>' in post.cooked
    assert "Organizer Olu" not in post.cooked
    assert '<span class="mention">@Otto' not in post.cooked and "@Otto" in post.cooked
    assert set(Mention.objects.filter(post=post).values_list("person_id", flat=True)) == {
        c.core.person.pk,
        c.leader.person.pk,
    }
    told = Activity.objects.filter(verb=Verb.WAS_MENTIONED)
    assert sorted(told.values_list("person_id", flat=True)) == sorted([c.core.person.pk, c.leader.person.pk])
    assert {(a.object_kind, a.object_id, a.context_id) for a in told} == {
        (ObjectKind.POST, post.pk, c.group.pk)
    }
    # The site's notice, not mail the author wrote: it counts against no member's day.
    message = Message.objects.get(subject__contains="mentioned you")
    assert message.author_id is None and message.kind == Message.Kind.BULK
    assert set(Delivery.objects.filter(message=message).values_list("person_id", flat=True)) == {
        c.core.person.pk,
        c.leader.person.pk,
    }
    assert str(thread.uuid) in message.body_text and "Thanks" not in message.subject
    # Editing the post tells nobody twice; a newly mentioned reader is told once.
    services.edit_post(actor=actor_of(c.member), post=post, raw=raw + " " + mention_text(c.organizer.person))
    assert Mention.objects.filter(post=post).count() == 3
    assert Delivery.objects.filter(person=c.core.person).count() == 1
    assert Delivery.objects.filter(person=c.organizer.person).count() == 1


@pytest.mark.django_db
def test_posting_is_rate_limited_but_not_for_staff(cast, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": "2/h/person"}
    thread = start(cast.member, cast.group)  # one
    say(cast.member, thread)  # two
    with pytest.raises(RateLimited):
        say(cast.member, thread)
    for _ in range(3):
        say(cast.organizer, thread)
