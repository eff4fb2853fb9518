"""Who reads and writes each kind of thread, who sees hidden and held posts, and what an
outsider guessing ids learns: one row per persona, through the pages (the real views,
selectors and services together)."""

import uuid

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from groundswell.accounts.models import Role
from groundswell.advocacy.tests.campaign_factories import make_campaign, make_petition
from groundswell.conversations import services
from groundswell.conversations.models import Post, Thread
from groundswell.conversations.selectors import access
from groundswell.conversations.tests.helpers import actor_of, first_post, say, start
from groundswell.core.errors import NotFound, PermissionDenied
from groundswell.events import services as event_services
from groundswell.events.models import Event
from groundswell.events.tests.factories import EventFactory

PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "blocked", "organizer"]


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def thread_url(thread: Thread) -> str:
    return reverse("conversations:thread", args=[thread.uuid])


# --- A group's threads --------------------------------------------------------------------


PUBLIC_GROUP = {  # persona: (reads, writes)
    "anonymous": (True, False),
    "outsider": (True, False),
    "member": (True, True),
    "core": (True, True),
    "leader": (True, True),
    "blocked": (True, False),
    "organizer": (True, True),
}
PRIVATE_GROUP = {**PUBLIC_GROUP, "anonymous": (False, False), "outsider": (False, False)}


@pytest.mark.django_db
@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_group_thread_reading_and_writing(persona, private, request):
    c = request.getfixturevalue("private_cast" if private else "cast")
    thread = start(c.member, c.group, raw="The opening post")
    user = c.persona(persona)
    reads, writes = (PRIVATE_GROUP if private else PUBLIC_GROUP)[persona]

    page = client_as(user).get(thread_url(thread))
    assert page.status_code == (200 if reads else 404)
    assert ("The opening post" in page.content.decode()) is reads

    response = client_as(user).post(reverse("conversations:reply", args=[thread.uuid]), {"raw": "My reply"})
    assert Post.objects.filter(thread=thread, raw="My reply").exists() is writes
    if not writes and user is not None:
        assert response.status_code in (400, 404)
    if persona == "blocked":
        assert "blocked you from posting" in response.content.decode()
    if persona == "outsider" and not private:
        assert "Join the group" in response.content.decode()

    # Starting a thread follows the same rule.
    client_as(user).post(
        reverse("conversations:start", args=["group", c.group.slug]), {"title": "New one", "raw": "Hello"}
    )
    assert Thread.objects.filter(title="New one").exists() is writes


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_an_outsider_guessing_a_private_groups_thread_and_post_ids_learns_nothing(persona, private_cast):
    c = private_cast
    thread = start(c.member, c.group, title="Secret plans", raw="Only for members")
    post = first_post(thread)
    user = c.persona(persona)
    client = client_as(user)
    made_up = client.get(reverse("conversations:thread", args=[uuid.uuid4()]))
    real = client.get(thread_url(thread))
    # The same answer, in the same words, as for a thread that does not exist.
    assert real.status_code == made_up.status_code == 404
    assert real.context["error"] == made_up.context["error"] == access.MISSING_THREAD
    assert "Secret plans" not in real.content.decode()
    post_pages = [
        reverse("conversations:edit", args=[post.uuid]),
        reverse("conversations:delete", args=[post.uuid]),
        reverse("conversations:flag", args=[post.uuid]),
        reverse("conversations:hide", args=[post.uuid]),
    ]
    for url in post_pages:
        response = client.get(url)
        if user is None:
            assert response.status_code == 302  # signing in comes first, and says nothing
            continue
        made_up_post = client.get(url.replace(str(post.uuid), str(uuid.uuid4())))
        assert response.status_code == made_up_post.status_code == 404, url
        assert response.context["error"] == made_up_post.context["error"] == access.MISSING_POST
        assert "Only for members" not in response.content.decode()
    client.post(reverse("conversations:reply", args=[thread.uuid]), {"raw": "let me in"})
    client.post(reverse("conversations:flag", args=[post.uuid]), {"agreement": "No selling"})
    client.post(reverse("conversations:delete", args=[post.uuid]))
    client.post(reverse("conversations:lock", args=[thread.uuid]))
    post.refresh_from_db()
    thread.refresh_from_db()
    assert Post.objects.filter(thread=thread).count() == 1
    assert not post.flags.exists() and post.deleted_at is None and thread.locked_at is None


@pytest.mark.django_db
def test_the_thread_page_is_open_to_visitors_of_a_public_group_only(cast, private_cast):
    public = start(cast.member, cast.group)
    private = start(private_cast.member, private_cast.group)
    assert Client().get(thread_url(public)).status_code == 200
    assert Client().get(thread_url(private)).status_code == 404


# --- An event's threads ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", [Event.Visibility.PUBLIC, Event.Visibility.PRIVATE])
def test_event_thread_personas(visibility, make_member):
    host = make_member("Hana")
    event = EventFactory.create(host=host, visibility=visibility)
    going = make_member("Gus")
    from groundswell.events.links import invitation_token

    invited = actor_of(going).carrying(invitation=invitation_token(event))
    event_services.rsvp(actor=invited, event=event)
    outsider = make_member("Otto")
    organizer = make_member("Olu", role=Role.ORGANIZER)
    thread = start(host, event, raw="Bring water")
    private = visibility == Event.Visibility.PRIVATE
    rows = {  # user: (reads, writes)
        None: (not private, False),
        outsider: (not private, False),
        going: (True, True),
        host: (True, True),
        organizer: (True, True),
    }
    for user, (reads, writes) in rows.items():
        assert access.can_read(actor_of(user), thread) is reads
        assert client_as(user).get(thread_url(thread)).status_code == (200 if reads else 404)
        before = Post.objects.count()
        client_as(user).post(reverse("conversations:reply", args=[thread.uuid]), {"raw": "On my way"})
        assert Post.objects.count() == before + (1 if writes else 0), user
    # Someone who may see a public event but has no RSVP is told how to join in.
    if not private:
        assert (
            access.why_not_write(actor_of(outsider), thread)
            == "RSVP to the event to take part in its conversation."
        )


# --- Campaigns' and petitions' threads ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_campaign_and_petition_threads(kind, make_member, organizer):
    thing = make_campaign(organizer) if kind == "campaign" else make_petition(organizer)
    member = make_member("Maya")
    thread = start(member, thing, raw="Called today")
    assert access.can_read(actor_of(None), thread)
    with pytest.raises(PermissionDenied):
        services.reply(actor=actor_of(None), thread=thread, raw="hi")
    say(make_member("Otto"), thread, "Me too")  # any signed-in member writes
    # A draft's threads are its starter's and staff's, like the draft itself.
    draft = make_petition(organizer, draft=True, title="Draft one") if kind == "petition" else None
    if draft is not None:
        assert not access.can_read_on(actor_of(member), draft)
        with pytest.raises(NotFound):
            start(member, draft)


@pytest.mark.django_db
def test_a_member_who_started_a_petition_may_hide_posts_in_its_threads_but_not_lock(make_member, organizer):
    from groundswell.advocacy.models import Petition, Review

    starter = make_member("Sam")
    petition = make_petition(starter)
    # A member's petition waits for review; an organizer's approval is advocacy's to test.
    Petition.objects.filter(pk=petition.pk).update(status=Review.PUBLISHED)
    petition.refresh_from_db()
    troll = make_member("Tom")
    thread = start(troll, petition, raw="buy pills")
    post = first_post(thread)
    services.hide_post(actor=actor_of(starter), post=post, reason="Spam")
    with pytest.raises(PermissionDenied):
        services.lock_thread(actor=actor_of(starter), thread=thread)


# --- Hidden and held posts ------------------------------------------------------------------


SEES_HIDDEN = {
    "anonymous": False,
    "outsider": False,
    "member": False,
    "core": True,  # its author
    "leader": True,
    "blocked": False,
    "organizer": True,
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_hidden_post_is_gone_for_all_but_its_author_the_leaders_and_organizers(persona, cast):
    thread = start(cast.member, cast.group, raw="Opening")
    hidden = say(cast.core, thread, "A rude remark")
    services.hide_post(actor=actor_of(cast.leader), post=hidden, reason="Not kind")
    user = cast.persona(persona)
    body = client_as(user).get(thread_url(thread)).content.decode()
    assert ("A rude remark" in body) is SEES_HIDDEN[persona]
    assert access.can_see_post(actor_of(user), hidden, thread) is SEES_HIDDEN[persona]
    # Its author sees it, and why.
    author_body = client_as(cast.core).get(thread_url(thread)).content.decode()
    assert "A rude remark" in author_body and "Hidden by a moderator: Not kind" in author_body


SEES_HELD = {**SEES_HIDDEN, "core": False, "member": True}  # the member wrote it


@pytest.mark.django_db
@override_settings(HOLD_FIRST_POSTS=True)
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_held_post_is_seen_by_its_author_and_the_moderators(persona, cast):
    thread = start(cast.leader, cast.group, raw="Welcome, everyone")  # a leader is never held
    held = say(cast.member, thread, "My very first post")
    assert held.held
    user = cast.persona(persona)
    body = client_as(user).get(thread_url(thread)).content.decode()
    assert ("My very first post" in body) is SEES_HELD[persona]
    assert "My very first post" in client_as(cast.member).get(thread_url(thread)).content.decode()
