"""The daily digest (`notifications.send_digests`): per persona and choice, its content
(grouped by group, only the day's posts, only what the reader may read, never their own
alone), escaping, idempotency, unsubscribed addresses, the Celery task, and a fixed number
of queries per batch of readers."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app as celery_app
from groundswell.accounts.models import User
from groundswell.conversations import notifications, services
from groundswell.conversations.models import Post, Thread
from groundswell.conversations.tests.helpers import actor_of, add_member, first_post, make_group, say, start
from groundswell.groups.models import Group, Membership
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, EmailStatus, Person

pytestmark = pytest.mark.django_db
Notify = Membership.Notify


def today():
    return timezone.localdate()


def digests(callbacks, day=None) -> dict[str, Any]:
    """Run the digest; the emails it sent, by address."""
    mail.outbox.clear()
    with callbacks(execute=True):
        notifications.send_digests(day or today())
    found: dict[str, Any] = {}
    for email in mail.outbox:
        (address,) = email.to
        assert address not in found, "one digest per person"
        found[address] = email
    return found


def yesterday(*posts: Post) -> None:
    then = timezone.now() - timedelta(days=1)
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(created_at=then, published_at=then)


# --- Who gets one ---------------------------------------------------------------------------


@pytest.mark.parametrize("choice", [Notify.EACH_POST, Notify.DIGEST, Notify.NONE])
@pytest.mark.parametrize("persona", ["member", "core", "leader"])
def test_a_member_gets_a_digest_only_when_they_chose_it(
    cast, persona, choice, make_member, django_capture_on_commit_callbacks
):
    writer = make_member("Wes")
    add_member(cast.group, writer)
    start(writer, cast.group)
    reader = getattr(cast, persona)
    Membership.objects.filter(person=reader.person).update(notify=choice)
    sent = digests(django_capture_on_commit_callbacks)
    assert (reader.email in sent) == (choice == Notify.DIGEST)


def test_blocked_left_outsiders_and_organizers_get_none(
    cast, make_member, django_capture_on_commit_callbacks
):
    left = make_member("Lou")
    Membership.objects.create(group=cast.group, person=left.person, status=Membership.Status.LEFT)
    asking = make_member("Rae")
    Membership.objects.create(group=cast.group, person=asking.person, status=Membership.Status.REQUESTED)
    start(cast.leader, cast.group)
    sent = digests(django_capture_on_commit_callbacks)
    # Every digest chooser but the author of the only post (the leader: their own post alone).
    assert sorted(sent) == sorted([cast.core.email, cast.member.email])
    for user in (cast.blocked, left, asking, cast.outsider, cast.organizer):
        assert user.email not in sent


def test_a_private_groups_digest_is_for_its_members(private_cast, django_capture_on_commit_callbacks):
    cast = private_cast
    start(cast.leader, cast.group, title="Private matters")
    sent = digests(django_capture_on_commit_callbacks)
    assert sorted(sent) == sorted([cast.core.email, cast.member.email])
    assert all("Private matters" in email.body for email in sent.values())


@pytest.mark.parametrize("status", [Group.Status.PENDING, Group.Status.REJECTED])
def test_a_group_waiting_or_turned_down_has_no_digest(cast, status, django_capture_on_commit_callbacks):
    start(cast.leader, cast.group)
    Group.objects.filter(pk=cast.group.pk).update(status=status)
    assert digests(django_capture_on_commit_callbacks) == {}


def test_nothing_from_others_is_no_digest(cast, django_capture_on_commit_callbacks):
    Membership.objects.filter(group=cast.group).exclude(person=cast.member.person).update(notify=Notify.NONE)
    thread = start(cast.member, cast.group)
    say(cast.member, thread, "And me again")
    assert digests(django_capture_on_commit_callbacks) == {}


@pytest.mark.parametrize("state", ["held", "hidden", "deleted"])
def test_posts_nobody_may_see_are_not_in_it(cast, state, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group, title="Only one left")
    change = {
        "held": {"held": True},
        "hidden": {"hidden_at": timezone.now(), "hidden_by": cast.leader.person, "hidden_reason": "spam"},
        "deleted": {"deleted_at": timezone.now(), "raw": "", "cooked": ""},
    }[state]
    Post.objects.filter(pk=first_post(thread).pk).update(**change)
    assert digests(django_capture_on_commit_callbacks) == {}


def test_a_held_post_is_in_the_digest_of_the_day_it_was_approved(
    cast, make_member, settings, django_capture_on_commit_callbacks
):
    """Written yesterday, held for review, approved today: yesterday's digest (sent this
    morning, before the approval) could not have it, so today's does."""
    settings.HOLD_FIRST_POSTS = True
    newcomer = make_member("Nia")
    add_member(cast.group, newcomer)
    thread = start(newcomer, cast.group, title="My first question")
    post = first_post(thread)
    assert post.held and post.published_at is None
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert digests(django_capture_on_commit_callbacks, today() - timedelta(days=1)) == {}
    services.approve_held(actor=actor_of(cast.leader), post=first_post(thread))
    sent = digests(django_capture_on_commit_callbacks, today())
    assert "My first question" in sent[cast.member.email].body
    assert digests(django_capture_on_commit_callbacks, today() - timedelta(days=1)) == {}


def test_an_unsubscribed_address_gets_none(cast, django_capture_on_commit_callbacks):
    start(cast.leader, cast.group)
    EmailAddress.objects.filter(person=cast.member.person).update(status=EmailStatus.UNSUBSCRIBED)
    sent = digests(django_capture_on_commit_callbacks)
    assert cast.member.email not in sent and cast.core.email in sent
    assert not Delivery.objects.filter(person=cast.member.person).exists()


# --- What it says ---------------------------------------------------------------------------


def test_the_digest_groups_the_days_new_posts_by_group(cast, make_member, django_capture_on_commit_callbacks):
    member, leader = cast.member, cast.leader
    # Group A (the cast's): a busy thread, one of the member's own alone, one from yesterday.
    busy = start(leader, cast.group, title="Saturday canvass", raw="Who's coming?")
    say(cast.core, busy, "Me!")
    hidden = say(cast.core, busy, "Buy my stuff")
    Post.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now(), hidden_by=leader.person)
    say(cast.core, busy, "Bring water.\nAnd hats.\nAnd sunscreen.\nAnd snacks.")
    mine = start(member, cast.group, title="My own idea")
    old = start(leader, cast.group, title="Last week's news")
    yesterday(first_post(old))
    # Group B: private, the member is in it; group C: private, they are not; group D: every post.
    b_leader = make_member("Bea")
    group_b = make_group(b_leader, private=True, name="Zeta Tenants")
    add_member(group_b, b_leader, Membership.Role.LEADER)
    add_member(group_b, member)
    start(b_leader, group_b, title="Rent strike", raw="Meeting on Monday")
    group_c = make_group(b_leader, private=True, name="Closed Circle")
    add_member(group_c, b_leader, Membership.Role.LEADER)
    start(b_leader, group_c, title="Secret stuff")
    group_d = make_group(b_leader, name="Each Post Club")
    add_member(group_d, b_leader, Membership.Role.LEADER)
    add_member(group_d, member)
    Membership.objects.filter(group=group_d, person=member.person).update(notify=Notify.EACH_POST)
    start(b_leader, group_d, title="Not in a digest")

    sent = digests(django_capture_on_commit_callbacks)
    email = sent[member.email]
    body = email.body
    assert email.subject == f"4 new posts in your groups on {today():%A, %B} {today().day}"
    assert body.startswith(f"Hi {member.person.given_name},")
    # Grouped, by name: A's section before Zeta's, each with its threads.
    a_at, z_at = body.index(f"== {cast.group.name} =="), body.index("== Zeta Tenants ==")
    assert a_at < body.index("Saturday canvass") < z_at < body.index("Rent strike")
    assert "* Saturday canvass (3 new posts)" in body  # the hidden one is not counted
    assert "Cora" in body and "> Bring water.\n  > And hats.\n  > And sunscreen. …" in body
    busy_last = Post.objects.filter(thread=busy).order_by("-number")[0]
    assert f"/threads/{busy.uuid}/#post-{busy_last.number}" in body
    assert "* Rent strike (1 new post)" in body and "> Meeting on Monday" in body
    for absent in ("My own idea", "Last week's news", "Secret stuff", "Closed Circle", "Not in a digest"):
        assert absent not in body
    assert "Buy my stuff" not in body
    assert f"/groups/{cast.group.slug}/#notify" in body and f"/groups/{group_b.slug}/#notify" in body
    assert "Unsubscribe from all our email: http" in body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    # The leader's own thread alone is not news to them; the member's is.
    assert (
        "My own idea" in sent[leader.email].body
        and "Saturday canvass (2 new posts)" in sent[leader.email].body
    )
    assert Thread.objects.get(pk=mine.pk)  # still there, just not in the member's digest


def test_the_newest_quoted_is_someone_elses(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group, title="Plans")
    say(cast.core, thread, "Cora's word")
    say(cast.member, thread, "Maya's word, the newest")
    sent = digests(django_capture_on_commit_callbacks)
    assert "> Cora's word" in sent[cast.member.email].body
    assert "(2 new posts)" in sent[cast.member.email].body  # the leader's and Cora's
    assert "> Maya's word, the newest" in sent[cast.core.email].body


def test_member_words_are_escaped_in_html_and_never_a_template(cast, django_capture_on_commit_callbacks):
    start(
        cast.leader,
        cast.group,
        title="<script>alert(1)</script> {{ unsubscribe_url }}",
        raw='<img src=x onerror=alert(1)> {% now "Y" %} [x](javascript:alert(1))',
    )
    email = digests(django_capture_on_commit_callbacks)[cast.member.email]
    html = email.alternatives[0][0]
    assert "<script>" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ unsubscribe_url }}" in html
    assert '{% now "Y" %}' in email.body and "<script>alert(1)</script> {{ unsubscribe_url }}" in email.body


def test_only_the_days_posts_and_yesterday_by_default(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group, title="Yesterday's thread")
    yesterday(first_post(thread))
    assert digests(django_capture_on_commit_callbacks) == {}  # today's digest: nothing today
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = notifications.send_digests()  # yesterday's
    assert run.day == today() - timedelta(days=1) and run.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.core.email, cast.member.email])


def test_twice_is_once(cast, django_capture_on_commit_callbacks):
    start(cast.leader, cast.group)
    first = digests(django_capture_on_commit_callbacks)
    assert sorted(first) == sorted([cast.core.email, cast.member.email])
    assert digests(django_capture_on_commit_callbacks) == {}
    assert Message.objects.filter(key=f"digest:{today().isoformat()}").count() == 1
    assert Delivery.objects.filter(message__key__startswith="digest:").count() == 2


def test_the_celery_task(cast, django_capture_on_commit_callbacks):
    name = "groundswell.conversations.notifications.send_daily_digests"
    assert celery_app.tasks[name].name == notifications.send_daily_digests.name == name
    start(cast.leader, cast.group)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_daily_digests.delay(today().isoformat()).get() == 2
    assert len(mail.outbox) == 2


# --- Bounded queries per batch -------------------------------------------------------------


def queries_for(leader: User, readers: int, batch_size: int) -> tuple[int, int]:
    """The statements a digest run makes for a group of `readers` digest readers (and one
    post), rolled back afterwards: (all but the deliveries' INSERTs, those INSERTs). One bulk
    insert of a batch's deliveries is cut by Django into statements of as many rows as the
    database takes parameters (about 90 rows a statement on SQLite, all of them on
    PostgreSQL): those are counted apart."""
    with transaction.atomic():
        group = make_group(leader)
        people = Person.objects.bulk_create(Person(given_name=f"R{n}") for n in range(readers))
        EmailAddress.objects.bulk_create(
            EmailAddress(person=p, address=f"r{p.pk}@example.org", primary=True) for p in people
        )
        Membership.objects.bulk_create(
            Membership(group=group, person=p, status=Membership.Status.ACTIVE) for p in people
        )
        add_member(group, leader, Membership.Role.LEADER)
        start(leader, group)
        with CaptureQueriesContext(connection) as queries:
            run = notifications.send_digests(today(), batch_size=batch_size)
        assert run.sent == readers and Delivery.objects.count() == readers
        inserts = sum('INTO "messaging_delivery"' in query["sql"] for query in queries)
        transaction.set_rollback(True)
    return len(queries) - inserts, inserts


def test_a_fixed_number_of_queries_per_batch(make_member):
    leader = make_member("Lena")
    Membership.objects.all().delete()
    (small, small_inserts), (large, large_inserts) = (
        queries_for(leader, 10, 500),
        queries_for(leader, 200, 500),
    )
    assert small == large <= 12  # one batch: the same statements for 10 readers as for 200
    assert small_inserts == 1 and large_inserts <= 200 // 50
    # Batches of 10: each batch adds the same few statements, whatever the readers.
    one, two, three = (queries_for(leader, n, 10)[0] for n in (10, 20, 30))
    assert three - two == two - one <= 5


def test_a_reader_in_several_groups_gets_one_digest_across_batch_edges(
    cast, make_member, django_capture_on_commit_callbacks
):
    other = make_group(cast.leader, name="Second Street")
    add_member(other, cast.leader, Membership.Role.LEADER)
    add_member(other, cast.member)
    start(cast.leader, cast.group, title="First news")
    start(cast.leader, other, title="Second news")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = notifications.send_digests(today(), batch_size=1)  # a page ends inside a person's rows
    sent = [m for m in mail.outbox if m.to == [cast.member.email]]
    assert len(sent) == 1 and "First news" in sent[0].body and "Second news" in sent[0].body
    assert run.sent == 2  # the member and the core member
