"""Moderation: flags (once, naming an agreement), hiding, locking, blocking, approving,
dismissing, each audited; the organizers' queue with its bulk actions, and a group's log,
with a row per persona."""

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.activity.models import Activity, ObjectKind, Verb
from groundswell.conversations import services
from groundswell.conversations.agreements import MOVEMENT_AGREEMENTS, agreements_for
from groundswell.conversations.models import Flag, ModerationAction, Post
from groundswell.conversations.tests.helpers import actor_of, first_post, say, start
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.groups.models import Block
from groundswell.groups.services import leading

PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "blocked", "organizer"]


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_groups_own_agreements_come_first_then_the_movements(cast):
    assert agreements_for(cast.group) == ["Assume good faith", "No selling", *MOVEMENT_AGREEMENTS]
    assert agreements_for(None) == list(MOVEMENT_AGREEMENTS)


@pytest.mark.django_db
def test_a_flag_names_an_agreement_once_per_person_and_post(cast):
    thread = start(cast.member, cast.group)
    post = say(cast.core, thread, "Buy my stuff")
    with pytest.raises(ValidationError) as made_up:
        services.flag(actor=actor_of(cast.member), post=post, agreement="I don't like it")
    assert made_up.value.field == "agreement"
    made = services.flag(actor=actor_of(cast.member), post=post, agreement="No selling", reason="An ad")
    assert made.outcome == Flag.Outcome.OPEN
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag(actor=actor_of(cast.member), post=post, agreement="No selling")
    with pytest.raises(ValidationError, match="your own"):
        services.flag(actor=actor_of(cast.core), post=post, agreement="No selling")
    act = Activity.objects.get(verb=Verb.FLAGGED)
    assert (act.object_kind, act.object_id, act.context_kind, act.context_id) == (
        ObjectKind.POST,
        post.pk,
        ObjectKind.GROUP,
        cast.group.pk,
    )


# The member wrote the post: they change or delete it instead.
FLAGS = {
    "anonymous": False,
    "outsider": True,
    "member": False,
    "core": True,
    "leader": True,
    "blocked": True,
    "organizer": True,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_flag_through_the_form(persona, cast):
    post = first_post(start(cast.member, cast.group, raw="Questionable"))
    user = cast.persona(persona)
    response = client_as(user).post(
        reverse("conversations:flag", args=[post.uuid]), {"agreement": "Assume good faith", "reason": "Rude"}
    )
    assert post.flags.exists() is FLAGS[persona]
    assert response.status_code == (400 if persona == "member" else 302)


MODERATES = {  # hide, lock, approve, dismiss, block in the group
    "anonymous": False,
    "outsider": False,
    "member": False,
    "core": False,
    "leader": True,
    "blocked": False,
    "organizer": True,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_moderates_a_groups_thread(persona, cast):
    thread = start(cast.member, cast.group)
    post = say(cast.core, thread, "Off topic")
    services.flag(actor=actor_of(cast.member), post=post, agreement="No selling")
    user = cast.persona(persona)
    actor = actor_of(user)
    refused = (PermissionDenied, NotFound)
    if not MODERATES[persona]:
        for attempt in (
            lambda: services.hide_post(actor=actor, post=post, reason="x"),
            lambda: services.lock_thread(actor=actor, thread=thread),
            lambda: services.dismiss_flags(actor=actor, post=post),
            lambda: services.block_member(
                actor=actor, group=cast.group, person=cast.member.person, until=None, reason="x"
            ),
        ):
            with pytest.raises(refused):
                attempt()
        client = client_as(user)
        client.post(reverse("conversations:hide", args=[post.uuid]), {"reason": "x"})
        client.post(reverse("conversations:lock", args=[thread.uuid]))
        client.post(
            reverse("conversations:block", args=[cast.group.slug, cast.member.person.uuid]),
            {"length": "ever", "reason": "x"},
        )
        post.refresh_from_db()
        thread.refresh_from_db()
        assert post.hidden_at is None and thread.locked_at is None
        assert not ModerationAction.objects.exists()
        return
    services.hide_post(actor=actor, post=post, reason="Off topic here")
    services.unhide_post(actor=actor, post=post)
    services.lock_thread(actor=actor, thread=thread, reason="Cooling off")
    services.unlock_thread(actor=actor, thread=thread)
    assert services.dismiss_flags(actor=actor, post=post) == 0  # hiding resolved the flag already
    block = services.block_member(
        actor=actor, group=cast.group, person=cast.member.person, until=None, reason="Spam"
    )
    services.lift_block(actor=actor, block=block)
    actions = list(ModerationAction.objects.order_by("id").values_list("action", "moderator_id", "group_id"))
    assert [a[0] for a in actions] == ["hide", "unhide", "lock", "unlock", "block", "unblock"]
    assert {a[1] for a in actions} == {user.person.pk} and {a[2] for a in actions} == {cast.group.pk}
    assert Flag.objects.get(post=post).outcome == Flag.Outcome.HIDDEN


@pytest.mark.django_db
def test_hiding_needs_a_reason_the_author_reads(cast, client_for):
    thread = start(cast.member, cast.group)
    post = say(cast.core, thread, "Something")
    response = client_for(cast.leader).post(reverse("conversations:hide", args=[post.uuid]), {"reason": ""})
    assert response.status_code == 400
    client_for(cast.leader).post(
        reverse("conversations:hide", args=[post.uuid]), {"reason": "Personal attack"}
    )
    post.refresh_from_db()
    assert post.hidden_at and post.hidden_by == cast.leader.person and post.hidden_reason == "Personal attack"
    body = client_for(cast.core).get(reverse("conversations:thread", args=[thread.uuid])).content.decode()
    assert "Hidden by a moderator: Personal attack" in body


@pytest.mark.django_db
def test_a_leader_cannot_block_another_leader_or_staff_but_an_organizer_can(cast, make_member):
    from groundswell.conversations.tests.helpers import add_member

    other_leader = make_member("Lou")
    add_member(cast.group, other_leader, "leader")
    with pytest.raises(PermissionDenied):
        services.block_member(
            actor=actor_of(cast.leader), group=cast.group, person=other_leader.person, until=None, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.block_member(
            actor=actor_of(cast.leader),
            group=cast.group,
            person=cast.organizer.person,
            until=None,
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.block_member(
            actor=actor_of(cast.leader), group=cast.group, person=cast.leader.person, until=None, reason="x"
        )
    services.block_member(
        actor=actor_of(cast.organizer),
        group=cast.group,
        person=other_leader.person,
        until=None,
        reason="Abuse",
    )
    assert Block.objects.filter(person=other_leader.person).exists()


@pytest.mark.django_db
def test_a_leader_of_one_group_does_not_moderate_another(cast, make_member):
    from groundswell.conversations.tests.helpers import add_member, make_group

    elsewhere = make_group(make_member("Eve"))
    add_member(elsewhere, cast.member)
    post = say(cast.member, start(cast.member, elsewhere), "Hello")
    with pytest.raises(PermissionDenied):
        services.hide_post(actor=actor_of(cast.leader), post=post, reason="x")
    assert client_as(cast.leader).get(reverse("conversations:log", args=[elsewhere.slug])).status_code == 404


# --- The organizers' queue ---------------------------------------------------------------------


QUEUE = {
    "anonymous": 302,
    "outsider": 404,
    "member": 404,
    "core": 404,
    "leader": 404,
    "blocked": 404,
    "organizer": 200,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue_is_for_organizers(persona, cast):
    post = say(cast.core, start(cast.member, cast.group), "Flag me")
    services.flag(actor=actor_of(cast.member), post=post, agreement="No selling", reason="Selling socks")
    response = client_as(cast.persona(persona)).get(reverse("conversations:queue"))
    assert response.status_code == QUEUE[persona]
    if QUEUE[persona] == 200:
        body = response.content.decode()
        assert "Flag me" in body and "Selling socks" in body and "No selling" in body


@pytest.mark.django_db
def test_the_queue_hides_or_dismisses_in_bulk_oldest_first(cast, client_for, django_assert_max_num_queries):
    thread = start(cast.member, cast.group)
    posts = [say(cast.core, thread, f"Post {n}") for n in range(4)]
    for post in reversed(posts):  # flagged newest first: the queue must still list oldest flag first
        services.flag(actor=actor_of(cast.member), post=post, agreement="No selling")
    client = client_for(cast.organizer)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("conversations:queue"))
    listed = [post.pk for post in page.context["page"].object_list]
    assert listed == [p.pk for p in reversed(posts)]
    # Hiding needs a reason: nothing changes without one, and the page says why.
    refused = client.post(
        reverse("conversations:queue"), {"posts": [str(posts[0].uuid), str(posts[1].uuid)], "action": "hide"}
    )
    assert refused.status_code == 400 and "Please say why" in refused.content.decode()
    assert not Post.objects.filter(hidden_at__isnull=False).exists()
    done = client.post(
        reverse("conversations:queue"),
        {"posts": [str(posts[0].uuid), str(posts[1].uuid)], "action": "hide", "reason": "Adverts"},
    )
    assert done.status_code == 302
    client.post(reverse("conversations:queue"), {"posts": [str(posts[2].uuid)], "action": "dismiss"})
    assert set(Post.objects.filter(hidden_at__isnull=False).values_list("pk", flat=True)) == {
        posts[0].pk,
        posts[1].pk,
    }
    assert Flag.objects.get(post=posts[2]).outcome == Flag.Outcome.DISMISSED
    assert [p.pk for p in client.get(reverse("conversations:queue")).context["page"].object_list] == [
        posts[3].pk
    ]
    assert ModerationAction.objects.filter(action="hide", reason="Adverts").count() == 2


# --- A group's moderation log --------------------------------------------------------------


LOG = {
    "anonymous": 302,
    "outsider": 404,
    "member": 404,
    "core": 404,
    "leader": 200,
    "blocked": 404,
    "organizer": 200,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_groups_moderation_log_is_for_its_leaders_and_organizers(persona, cast):
    post = say(cast.core, start(cast.member, cast.group), "Rude")
    services.hide_post(actor=actor_of(cast.leader), post=post, reason="Name-calling")
    response = client_as(cast.persona(persona)).get(reverse("conversations:log", args=[cast.group.slug]))
    assert response.status_code == LOG[persona]
    if LOG[persona] == 200:
        body = response.content.decode()
        assert "Name-calling" in body and "Hid a post" in body and cast.leader.person.short_name in body


@pytest.mark.django_db
def test_removing_a_member_is_in_the_moderation_log_with_the_reason(cast, client_for):
    """A removal happens on the leaders' page (groups); the log (conversations) has it, in the
    same transaction: a removal that fails logs nothing."""
    leading.remove_member(
        actor=actor_of(cast.leader),
        group=cast.group,
        person=cast.member.person,
        reason="Harassed a neighbour",
    )
    (action,) = ModerationAction.objects.filter(action=ModerationAction.Action.REMOVE)
    assert (action.moderator_id, action.person_id, action.group_id, action.reason) == (
        cast.leader.person.pk,
        cast.member.person.pk,
        cast.group.pk,
        "Harassed a neighbour",
    )
    with pytest.raises(ValidationError):  # nobody active to remove: nothing more in the log
        leading.remove_member(
            actor=actor_of(cast.leader), group=cast.group, person=cast.member.person, reason="x"
        )
    assert ModerationAction.objects.filter(action=ModerationAction.Action.REMOVE).count() == 1
    body = client_for(cast.leader).get(reverse("conversations:log", args=[cast.group.slug])).content.decode()
    assert "Removed a member from the group" in body and "Harassed a neighbour" in body
