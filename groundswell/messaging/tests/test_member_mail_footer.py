"""Member-written mail's footer: who wrote it, in what role, and why the reader has it; an
event host's message (no role or reason given) keeps the words it always had."""

import pytest
from django.core import mail
from django.test import override_settings

from groundswell.messaging import services
from groundswell.messaging.models import Message

pytestmark = pytest.mark.django_db


def named(user, family_name: str):
    """The member, with this family name (the footer shows its initial)."""
    user.person.family_name = family_name
    user.person.save(update_fields=["family_name"])
    return user


def _sent_footer(message: Message, person_id: int, capture) -> list[str]:
    mail.outbox.clear()
    with capture(execute=True):
        services.send(message=message, person_ids=[person_id])
    (sent,) = mail.outbox
    return sent.body.split("\n--\n", 1)[1].splitlines()


@override_settings(SITE_NAME="Groundswell")
def test_a_host_s_message_keeps_the_events_words(make_member, django_capture_on_commit_callbacks):
    host, reader = named(make_member("Hana"), "Ito"), make_member("Ann")
    message = Message.objects.create(
        kind=Message.Kind.MEMBER,
        subject="See you",
        body_text="Bring water.",
        is_template=False,
        author=host.person,
        about="Canvass (Sat, Dec 26)",
    )
    footer = _sent_footer(message, reader.person_id, django_capture_on_commit_callbacks)
    assert footer[:2] == [
        "Hana I., a host of Canvass (Sat, Dec 26), wrote this through Groundswell.",
        "You're getting it because you RSVP'd or were checked in.",
    ]


@override_settings(SITE_NAME="Groundswell")
def test_a_message_with_a_role_and_a_reason_says_them(make_member, django_capture_on_commit_callbacks):
    author, reader = named(make_member("Stu"), "Reyes"), make_member("Ann")
    message = Message.objects.create(
        kind=Message.Kind.MEMBER,
        subject="Thanks",
        body_text="Thank you for signing.",
        is_template=False,
        author=author.person,
        author_role="who started",
        about="the petition “Clean water”",
        reason="You signed “Clean water” and said its starter may write to you.",
    )
    footer = _sent_footer(message, reader.person_id, django_capture_on_commit_callbacks)
    assert footer[:2] == [
        "Stu R., who started the petition “Clean water”, wrote this through Groundswell.",
        "You signed “Clean water” and said its starter may write to you.",
    ]
    assert footer[2].startswith("Unsubscribe: ")
