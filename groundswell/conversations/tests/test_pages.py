"""The thread page: pages by number with a constant number of queries (a thread of a few
hundred posts), what each reader sees of edited, deleted, hidden and held posts, the
controls each is offered; `{% threads_for %}` on a thing's page."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groundswell.conversations import services
from groundswell.conversations.models import Flag, Post, Thread
from groundswell.conversations.tests.helpers import actor_of, say, start
from groundswell.events.tests.factories import EventFactory


def _long_thread(cast, posts: int) -> Thread:
    """A thread of `posts` posts by four authors, some flagged, made in bulk (the services are
    tested elsewhere; here only the reading side counts)."""
    thread = start(cast.member, cast.group, title="A long one", raw="Post 1")
    authors = [cast.member.person, cast.core.person, cast.leader.person, cast.organizer.person]
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            thread=thread,
            number=n,
            author=authors[n % 4],
            raw=f"Post {n}",
            cooked=f"<p>Post {n}</p>",
            created_at=now,
        )
        for n in range(2, posts + 1)
    )
    Thread.objects.filter(pk=thread.pk).update(post_count=posts, last_posted_at=now)
    flagged = Post.objects.filter(thread=thread, number__in=[3, 60, 260])
    Flag.objects.bulk_create(
        Flag(post=post, flagged_by=cast.member.person, agreement="No selling") for post in flagged
    )
    return thread


# Signed in: the session and account, the membership (once: the rules share it), the block
# check, the last number, the page's posts (authors, flags and "flagged by me" joined in),
# the people to mention, and the message framework's reads.
PINNED = {"anonymous": 3, "member": 10, "leader": 10}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "member", "leader"])
def test_every_page_of_a_long_thread_costs_the_same_few_queries(persona, cast, django_assert_max_num_queries):
    thread = _long_thread(cast, 300)
    client = Client()
    user = cast.persona(persona)
    if user is not None:
        client.force_login(user)
    url = reverse("conversations:thread", args=[thread.uuid])
    client.get(url)  # the session and the site's one-off reads, out of the count
    counts = []
    for page in (1, 2, 6):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?page={page}")
        assert response.status_code == 200
        shown = [post.number for post in response.context["page"].posts]
        assert shown == list(range((page - 1) * 50 + 1, page * 50 + 1))
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts  # the same on every page
    with django_assert_max_num_queries(PINNED[persona]):
        client.get(f"{url}?page=4")
    # No OFFSET: the page is a range on the number.
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{url}?page=6")
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


@pytest.mark.django_db
def test_edited_deleted_hidden_and_held_posts_as_each_reader_sees_them(cast, client_for, settings):
    thread = start(cast.member, cast.group, raw="Opening")
    edited = say(cast.member, thread, "Helo")
    services.edit_post(actor=actor_of(cast.member), post=edited, raw="Hello")
    gone = say(cast.core, thread, "Regret this")
    services.delete_post(actor=actor_of(cast.core), post=gone)
    hidden = say(cast.core, thread, "Insult")
    services.hide_post(actor=actor_of(cast.leader), post=hidden, reason="Be kind")
    url = reverse("conversations:thread", args=[thread.uuid])

    as_member = client_for(cast.member).get(url).content.decode()
    assert "Hello" in as_member and "edited" in as_member
    assert "This post was deleted." in as_member and "Regret" not in as_member
    assert "Insult" not in as_member
    assert reverse("conversations:edit", args=[edited.uuid]) in as_member  # their own, in the window
    assert reverse("conversations:hide", args=[edited.uuid]) not in as_member

    as_author = client_for(cast.core).get(url).content.decode()
    assert "Insult" in as_author and "Hidden by a moderator: Be kind" in as_author

    as_leader = client_for(cast.leader).get(url).content.decode()
    assert "Insult" in as_leader and "Show again" in as_leader
    assert reverse("conversations:hide", args=[edited.uuid]) in as_leader
    assert "Lock the conversation" in as_leader
    assert reverse("conversations:block", args=[cast.group.slug, cast.core.person.uuid]) in as_leader


@pytest.mark.django_db
def test_a_visitor_is_asked_to_sign_in_and_an_outsider_to_join(cast, client_for):
    thread = start(cast.member, cast.group)
    url = reverse("conversations:thread", args=[thread.uuid])
    assert "Please sign in to take part" in Client().get(url).content.decode()
    assert "Join the group to take part" in client_for(cast.outsider).get(url).content.decode()


def _render_threads_for(thing, user) -> str:
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = user or AnonymousUser()
    return Template("{% load talk %}{% threads_for thing %}").render(
        Context({"thing": thing, "request": request})
    )


@pytest.mark.django_db
def test_threads_for_lists_the_latest_and_offers_to_start_one(
    cast, private_cast, django_assert_max_num_queries
):
    for n in range(12):
        say(cast.core, start(cast.member, cast.group, title=f"Topic {n}"), "A reply")
    with django_assert_max_num_queries(6):
        html = _render_threads_for(cast.group, cast.member)
    assert html.count('class="title"') == 10 and "Topic 11" in html and "Topic 1<" not in html
    assert "1 reply" in html and "Start a conversation" in html
    assert "Start a conversation" not in _render_threads_for(cast.group, cast.outsider)
    assert "Join the group" in _render_threads_for(cast.group, cast.outsider)
    # A private group's threads are nothing at all to an outsider.
    start(private_cast.member, private_cast.group, title="Members only")
    assert _render_threads_for(private_cast.group, private_cast.outsider) == ""
    assert "Members only" in _render_threads_for(private_cast.group, private_cast.member)


@pytest.mark.django_db
def test_an_events_page_shows_its_conversations(make_member, client_for):
    host = make_member("Hana")
    event = EventFactory.create(host=host)
    start(host, event, title="Carpool from downtown?")
    body = client_for(host).get(reverse("events:detail", args=[event.uuid])).content.decode()
    assert "Carpool from downtown?" in body
    assert reverse("conversations:start", args=["event", event.uuid]) in body
