"""The copy of a member's data holds their groups (status, role, their note asking to join),
what they wrote in conversations (a deleted post's words are gone; a hidden one says why), and
the addresses they invited. The invitation emails sent for them are not listed as mail we sent
them: the rows would differ for addresses on our list and off it. Nobody else's words appear."""

import io
import json
import zipfile

import pytest
from django.core import mail

from groundswell.conversations import services as talk
from groundswell.conversations.tests.helpers import actor_of, add_member, make_group, say, start
from groundswell.groups.models import Membership
from groundswell.groups.services import membership as groups
from groundswell.web.my_account.exports import write_archive

pytestmark = pytest.mark.django_db


def _data(person) -> dict:
    out = io.BytesIO()
    write_archive(person, out)
    out.seek(0)
    return json.loads(zipfile.ZipFile(out).read("groundswell-data.json"))


def test_the_archive_has_the_members_groups_posts_and_invitations(
    make_member, django_capture_on_commit_callbacks
):
    lena, maya, kim = make_member("Lena"), make_member("Maya"), make_member("Kim")
    group = make_group(lena, name="Mission Tenants")
    add_member(group, lena, role=Membership.Role.LEADER)
    add_member(group, maya, role=Membership.Role.CORE)
    Membership.objects.filter(person=maya.person).update(core_title="=events coordinator")
    thread = start(lena, group, title="Saturday canvass", raw="Lena's own words")
    kept = say(maya, thread, "I can bring the clipboards")
    gone = say(maya, thread, "My phone number is 555-0100")
    hidden = say(maya, thread, "Something rude")
    talk.delete_post(actor=actor_of(maya), post=gone)
    talk.hide_post(actor=actor_of(lena), post=hidden, reason="Name-calling")
    with django_capture_on_commit_callbacks(execute=True):
        groups.invite(actor=actor_of(lena), group=group, emails=[kim.email, "friend@example.org"])
    assert {sent.to[0] for sent in mail.outbox} >= {kim.email, "friend@example.org"}

    data = _data(maya.person)
    (membership,) = data["group_memberships"]
    assert (membership["group"], membership["status"], membership["role"], membership["role_title"]) == (
        "Mission Tenants",
        "Member",
        "Core member",
        "=events coordinator",
    )
    posts = {post["number"]: post for post in data["posts"]}
    assert posts[kept.number]["text"] == "I can bring the clipboards"
    assert posts[gone.number]["text"] == "" and posts[gone.number]["deleted_at"]
    assert posts[hidden.number]["hidden_by_a_moderator_because"] == "Name-calling"
    assert "Lena's own words" not in json.dumps(data)

    leader = _data(lena.person)
    assert sorted(row["email"] for row in leader["group_invitations_sent"]) == sorted(
        [kim.email, "friend@example.org"]
    )
    # The email sent for Lena to the address we did not know is hers to them, not ours to her.
    assert not any("friend@example.org" in json.dumps(row) for row in leader["messages_received"])
    assert leader["group_memberships"][0]["role"] == "Leader"
