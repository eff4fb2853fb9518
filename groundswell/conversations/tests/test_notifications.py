"""Every post by email (`notifications.notify_of_post`): who is told per persona and choice,
what is never told (held, hidden, deleted, a pending group's, an event's), what the email
says (the member's words as plain text, never a template or HTML), idempotency, unsubscribed
addresses, and one delivery over a real SMTP server."""

import inspect
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from groundswell.conversations import notifications
from groundswell.conversations.models import Post
from groundswell.conversations.services import posting
from groundswell.conversations.tests.helpers import add_member, first_post, say, start
from groundswell.events.tests.factories import EventFactory
from groundswell.groups.models import Block, Group, Membership
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, EmailStatus

pytestmark = pytest.mark.django_db
Notify = Membership.Notify


def choose(group, user, choice):
    Membership.objects.filter(group=group, person=user.person).update(notify=choice)


def told(callbacks, post) -> list[str]:
    """Who receives the post's email, by address (the deliveries run at commit)."""
    mail.outbox.clear()
    with callbacks(execute=True):
        notifications.notify_of_post(post)
    return sorted(address for message in mail.outbox for address in message.to)


# --- Who is told -------------------------------------------------------------------------


@pytest.mark.parametrize("choice", [Notify.EACH_POST, Notify.DIGEST, Notify.NONE])
@pytest.mark.parametrize("persona", ["member", "core", "leader"])
def test_a_member_is_emailed_each_post_only_when_they_chose_it(
    cast, persona, choice, django_capture_on_commit_callbacks
):
    author = cast.member if persona != "member" else cast.core
    thread = start(author, cast.group)
    reader = getattr(cast, persona)
    choose(cast.group, reader, choice)
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == (
        [reader.email] if choice == Notify.EACH_POST else []
    )


def test_the_default_choice_is_the_digest(cast, make_member):
    newcomer = make_member("Nia")
    assert add_member(cast.group, newcomer).notify == Notify.DIGEST


@pytest.mark.parametrize("persona", ["blocked", "left", "requested", "outsider", "organizer", "author"])
def test_nobody_else_is_emailed_each_post(cast, persona, make_member, django_capture_on_commit_callbacks):
    """A blocked member, one who left, one still asking, an outsider and an organizer who is
    not a member (all of whom chose every post where they have a row), and the author."""
    thread = start(cast.leader, cast.group)
    reader = cast.leader if persona == "author" else getattr(cast, persona, None) or make_member("Lee")
    if persona in ("left", "requested"):
        status = Membership.Status.LEFT if persona == "left" else Membership.Status.REQUESTED
        Membership.objects.create(
            group=cast.group, person=reader.person, status=status, notify=Notify.EACH_POST
        )
    choose(cast.group, reader, Notify.EACH_POST)
    choose(cast.group, cast.member, Notify.EACH_POST)  # someone who is told, for contrast
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == [cast.member.email]


def test_a_block_that_ended_or_was_lifted_no_longer_keeps_the_email(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group)
    choose(cast.group, cast.blocked, Notify.EACH_POST)
    Block.objects.filter(person=cast.blocked.person).update(until=timezone.now() - timedelta(days=1))
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == [cast.blocked.email]


def test_a_private_groups_posts_go_to_its_members_only(private_cast, django_capture_on_commit_callbacks):
    cast = private_cast
    thread = start(cast.leader, cast.group)
    for user in (cast.member, cast.core):
        choose(cast.group, user, Notify.EACH_POST)
    # An outsider can have no membership row to choose with; one who left keeps theirs.
    Membership.objects.create(
        group=cast.group, person=cast.outsider.person, status=Membership.Status.LEFT, notify=Notify.EACH_POST
    )
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == sorted(
        [cast.member.email, cast.core.email]
    )


@pytest.mark.parametrize("state", ["held", "hidden", "deleted"])
def test_a_post_nobody_may_see_is_not_emailed(cast, state, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group)
    post = say(cast.core, thread, "Second")
    choose(cast.group, cast.member, Notify.EACH_POST)
    change = {
        "held": {"held": True},
        "hidden": {"hidden_at": timezone.now(), "hidden_by": cast.leader.person, "hidden_reason": "spam"},
        "deleted": {"deleted_at": timezone.now(), "raw": "", "cooked": ""},
    }[state]
    Post.objects.filter(pk=post.pk).update(**change)
    assert told(django_capture_on_commit_callbacks, post) == []
    assert notifications.notify_of_post(post.pk) == 0
    assert not Message.objects.filter(key=f"post:{post.uuid}").exists()


@pytest.mark.parametrize("status", [Group.Status.PENDING, Group.Status.REJECTED])
def test_a_group_waiting_or_turned_down_emails_nobody(cast, status, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group)
    choose(cast.group, cast.member, Notify.EACH_POST)
    Group.objects.filter(pk=cast.group.pk).update(status=status)
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == []


def test_posts_on_an_event_are_not_a_groups(cast):
    event = EventFactory(host=cast.leader)
    thread = start(cast.leader, event)
    assert notifications.notify_of_post(first_post(thread)) == 0


# --- What it says, once -------------------------------------------------------------------


def test_the_email_has_the_title_author_plain_text_and_links(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group, title="Saturday <b>canvass</b>")
    raw = (
        "**Bring** water & <script>alert(1)</script>\n{{ unsubscribe_url }} {% now 'Y' %}\n"
        "[click](javascript:alert(1))"
    )
    post = say(cast.core, thread, raw)
    choose(cast.group, cast.member, Notify.EACH_POST)
    assert told(django_capture_on_commit_callbacks, post) == [cast.member.email]
    (email,) = mail.outbox
    assert email.subject == f"[{cast.group.name}] Saturday <b>canvass</b>"
    assert not getattr(email, "alternatives", [])  # plain text only: nothing of a member's is ever HTML here
    body = email.body
    assert "Cora" in body and cast.core.person.short_name in body
    assert "“Saturday <b>canvass</b>”" in body
    # The member's words exactly as typed (from `raw`): not cooked, not read as a template.
    assert post.raw.strip() in body and "<strong>" not in body
    assert "{{ unsubscribe_url }} {% now 'Y' %}" in body
    assert f"/threads/{thread.uuid}/#post-2" in body
    assert f"/groups/{cast.group.slug}/#notify" in body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "Unsubscribe:" in body


def test_a_post_on_a_later_page_links_to_its_page(cast):
    thread = start(cast.leader, cast.group)
    assert notifications.post_url(thread.uuid, 51).endswith(f"/threads/{thread.uuid}/?page=2#post-51")
    assert notifications.post_url(thread.uuid, 50).endswith(f"/threads/{thread.uuid}/#post-50")


def test_twice_is_once(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group)
    choose(cast.group, cast.member, Notify.EACH_POST)
    post = first_post(thread)
    assert told(django_capture_on_commit_callbacks, post) == [cast.member.email]
    assert told(django_capture_on_commit_callbacks, post) == []
    assert notifications.notify_post(post.pk) == 0  # the task, as the worker runs it
    assert Message.objects.filter(key=f"post:{post.uuid}").count() == 1
    assert Delivery.objects.filter(message__key=f"post:{post.uuid}").count() == 1


def test_the_message_carries_no_author_so_no_members_cap_is_used(cast):
    """Member mail is capped per author and day by counting Messages they wrote; a post's
    notification must not count as one."""
    thread = start(cast.leader, cast.group)
    choose(cast.group, cast.member, Notify.EACH_POST)
    notifications.notify_of_post(first_post(thread))
    message = Message.objects.get(key__startswith="post:")
    assert message.author_id is None and message.kind == Message.Kind.BULK and not message.is_template


def test_an_unsubscribed_address_is_skipped(cast, django_capture_on_commit_callbacks):
    thread = start(cast.leader, cast.group)
    for user in (cast.member, cast.core):
        choose(cast.group, user, Notify.EACH_POST)
    EmailAddress.objects.filter(person=cast.member.person).update(status=EmailStatus.UNSUBSCRIBED)
    assert told(django_capture_on_commit_callbacks, first_post(thread)) == [cast.core.email]
    skipped = Delivery.objects.get(person=cast.member.person, message__key__startswith="post:")
    assert skipped.status == Delivery.Status.SKIPPED


def test_a_post_reaches_a_real_smtp_server(cast, smtp_server, django_capture_on_commit_callbacks):
    sink, port = smtp_server
    thread = start(cast.leader, cast.group, title="Door knocking")
    post = say(cast.core, thread, "Meet at 10 by the library.\nBring comfy shoes.")
    choose(cast.group, cast.member, Notify.EACH_POST)
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert notifications.notify_of_post(post) == 1
    (received,) = sink.messages
    assert received["To"] == cast.member.email
    assert received["Subject"] == f"[{cast.group.name}] Door knocking"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = received.get_payload(decode=True).decode().replace("\r\n", "\n")
    assert "Meet at 10 by the library.\nBring comfy shoes." in body
    assert Delivery.objects.get(person=cast.member.person).status == Delivery.Status.SENT


@pytest.mark.skipif(
    "notify_of_post" not in inspect.getsource(posting), reason="posting does not call notify_of_post yet"
)
def test_posting_tells_each_post_readers(cast, django_capture_on_commit_callbacks):
    """Once posting calls `notify_of_post` on commit (the lead adds that line), a reply is
    emailed to whoever chose every post."""
    choose(cast.group, cast.member, Notify.EACH_POST)
    thread = start(cast.leader, cast.group)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        say(cast.core, thread, "Straight out")
    assert [m.to for m in mail.outbox if "Straight out" in m.body] == [[cast.member.email]]
