"""A petition's starter writes to its signers: the footer says who wrote it, in what role, and
why the reader has it (they ticked "the starter may write to me"), never "a host of"."""

import pytest
from django.core import mail
from django.test import override_settings

from groundswell.advocacy import services
from groundswell.advocacy.tests.campaign_factories import as_actor, make_petition
from groundswell.messaging.models import Message

pytestmark = pytest.mark.django_db


def named(user, family_name: str):
    """The member, with this family name (the footer shows its initial)."""
    user.person.family_name = family_name
    user.person.save(update_fields=["family_name"])
    return user


@pytest.fixture
def live(make_member, organizer):
    starter = named(make_member("Stu"), "Reyes")
    petition = services.approve(
        actor=as_actor(organizer), campaign=make_petition(starter, title="Keep Elm Street's library open")
    )
    reader = make_member("Cy", postal_code="94110")
    services.sign(actor=as_actor(reader), petition=petition, starter_may_write=True)
    return starter, petition, reader


def _footer(body: object) -> list[str]:
    return str(body).split("\n--\n", 1)[1].splitlines()


@override_settings(GROUNDSWELL_RATE_LIMITS={"member_mail": "100/h/person"}, SITE_NAME="Groundswell")
def test_the_starter_s_message_says_who_started_it_and_why_the_reader_has_it(
    live, django_capture_on_commit_callbacks
):
    starter, petition, reader = live
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_signers(actor=as_actor(starter), petition=petition, subject="Next", body="Thanks!")
    (sent,) = mail.outbox
    assert sent.to == [reader.email]
    footer = _footer(sent.body)
    assert footer[0] == (
        "Stu R., who started the petition “Keep Elm Street's library open”, wrote this through Groundswell."
    )
    assert footer[1] == ("You signed “Keep Elm Street's library open” and said its starter may write to you.")
    assert footer[2].startswith("Unsubscribe: http")
    assert "a host" not in sent.body and "RSVP" not in sent.body
    message = Message.objects.get(subject="Next")
    assert (message.author_role, message.about) == (
        "who started",
        "the petition “Keep Elm Street's library open”",
    )


@override_settings(SITE_NAME="Groundswell")
def test_an_organizer_writing_is_named_as_one(live, organizer, django_capture_on_commit_callbacks):
    _, petition, _ = live
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_signers(actor=as_actor(organizer), petition=petition, subject="From us", body="x")
    (sent,) = mail.outbox
    line = _footer(sent.body)[0]
    assert ", an organizer of the petition “Keep Elm Street's library open”, wrote this" in line
