"""The XSS corpus (conversations/tests/xss_corpus.py) through the real forms of every field a
member writes about a group: its name, description and agreements (starting it), a join
request's note, a core member's role title (the leaders' role form), the subject and text of
a message to the group, and an invitation's note. The pages that show them — the group's page
(to its leader, to a member, to a visitor), the find page, the leaders' page, the requests
page, an invitation to a visitor — and the emails sent (the request to the leaders, the
welcome, the message, both kinds of invitation) hold no executable markup; the member's
message goes out as plain text; names keep no bidi or zero-width characters."""

import re
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.test import Client

from groundswell.conversations.tests.test_xss import executable
from groundswell.conversations.tests.xss_corpus import PAYLOADS
from groundswell.groups.models import Group, Invitation, Membership
from groundswell.groups.services.leading import CORE_TITLE_MAX, SUBJECT_MAX
from groundswell.groups.services.membership import NAME_MAX, NOTE_MAX, invitation_token

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
MAP_DATA = "<script> [('id', 'map-points'), ('type', 'application/json')]"
NO_LIMITS = {"start_group": "", "join_group": "", "group_invite": "", "member_mail": "", "post": ""}


@pytest.fixture
def permissive(settings):
    """Limits that would stop one member starting 60-odd groups and writing to each."""
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, **NO_LIMITS}
    settings.GROUPS_NEED_APPROVAL = False
    settings.HOST_MESSAGES_PER_DAY = 10_000
    settings.GROUP_INVITES_PER_DAY = 10_000
    return settings


def unsafe(html: str) -> list[str]:
    """Executable markup on a page; the map's points are data (`json_script`: a JSON block
    the browser never runs, its `<` escaped), so that one block is not counted."""
    return [problem for problem in executable(html) if not problem.startswith(MAP_DATA)]


def _name(payload: str, i: int) -> str:
    # Letters of its own: a name of symbols alone is refused (it would make no address).
    return f"{payload[: NAME_MAX - 12]} group {i}"


def test_no_payload_reaches_a_group_page_or_email_as_executable_markup(
    permissive, make_member, client_for, django_capture_on_commit_callbacks
):
    starter, asker, known = make_member("Lena"), make_member("Otto"), make_member("Kim")
    leader, member, visitor = client_for(starter), client_for(asker), Client()
    pages: dict[str, str] = {}
    mail.outbox.clear()
    for i, payload in enumerate(PAYLOADS):
        response = leader.post(
            "/groups/start/",
            {
                "name": _name(payload, i),
                "description": payload,
                "agreements": payload,
                "postal_code": "94110",
                "area": "",
                "parent": "",
                "join_policy": Group.JoinPolicy.REQUEST,
                "visibility": Group.Visibility.PUBLIC,
            },
        )
        assert response.status_code in (302, 303), (payload, response.status_code)
        group = Group.objects.order_by("-id")[0]
        assert executable(group.description_html) == [] and executable(group.agreements_html) == []
        slug = group.slug
        pages[f"edit form {i}"] = leader.get(f"/groups/{slug}/edit/").content.decode()

        with django_capture_on_commit_callbacks(execute=True):
            response = member.post(f"/groups/{slug}/join/", {"note": payload[:NOTE_MAX]})
        assert response.status_code in (302, 303), (payload, response.status_code)
        asking = Membership.objects.get(group=group, person=asker.person)
        assert asking.status == Membership.Status.REQUESTED
        pages[f"requests {i}"] = leader.get(f"/groups/{slug}/requests/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = leader.post(f"/groups/{slug}/requests/", {"membership": asking.pk, "answer": "yes"})
        assert response.status_code in (302, 303)

        response = leader.post(
            f"/groups/{slug}/lead/",
            {
                "action": "role",
                "person": str(asker.person.uuid),
                "role": Membership.Role.CORE,
                "core_title": payload[:CORE_TITLE_MAX],
            },
        )
        assert response.status_code in (302, 303), (payload, response.status_code)
        assert Membership.objects.get(group=group, person=asker.person).role == Membership.Role.CORE

        with django_capture_on_commit_callbacks(execute=True):
            response = leader.post(
                f"/groups/{slug}/lead/",
                {"action": "message", "message-subject": payload[:SUBJECT_MAX], "message-text": payload},
            )
        assert response.status_code in (302, 303), (payload, response.status_code)

        with django_capture_on_commit_callbacks(execute=True):
            response = leader.post(
                f"/groups/{slug}/invite/",
                {"emails": f"{known.email}, stranger{i}@example.org", "note": payload[:NOTE_MAX]},
            )
        assert response.status_code in (302, 303), (payload, response.status_code)
        invitation = Invitation.objects.get(group=group, email=f"stranger{i}@example.org")
        pages[f"invitation to a visitor {i}"] = visitor.get(
            f"/groups/invitation/{invitation_token(invitation)}/"
        ).content.decode()

        pages[f"leaders' page {i}"] = leader.get(f"/groups/{slug}/lead/").content.decode()
        pages[f"group page as its leader {i}"] = leader.get(f"/groups/{slug}/").content.decode()
        pages[f"group page as a core member {i}"] = member.get(f"/groups/{slug}/").content.decode()
        pages[f"group page as a visitor {i}"] = visitor.get(f"/groups/{slug}/").content.decode()

    for page in range(1, len(PAYLOADS) // 10 + 2):
        response = visitor.get(f"/groups/?near=94110&page={page}")
        if response.status_code == 200:
            pages[f"find page {page}"] = response.content.decode()
    pages["find page, signed in"] = member.get("/groups/?near=94110").content.decode()
    assert "alert(1)" in pages["group page as a visitor 0"]  # shown, as words

    found = {name: problems for name, html in pages.items() if (problems := unsafe(html))}
    assert found == {}

    # The emails: to the leaders (the request, with its note), the welcome, the message, the
    # invitations (ours to someone on the list, the leader's own to a stranger).
    assert len(mail.outbox) >= 5 * len(PAYLOADS)
    for sent in mail.outbox:
        subject = str(make_header(decode_header(str(sent.subject))))
        assert "\n" not in subject and "\r" not in subject and not INVISIBLE.search(subject)
        assert sent.content_subtype == "plain"
        for content, mimetype in getattr(sent, "alternatives", []):
            if mimetype == "text/html":
                assert unsafe(str(content)) == [], (subject, content)
    # The member's own message is plain text, sent as written (HTML only as words).
    written = [m for m in mail.outbox if "<script>alert(1)</script>" in m.body]
    assert written and all(m.content_subtype == "plain" for m in written)

    # Names and titles keep no bidi override or zero-width character.
    assert not any(INVISIBLE.search(name) for name in Group.objects.values_list("name", flat=True))
    assert not any(
        INVISIBLE.search(title) for title in Membership.objects.values_list("core_title", flat=True)
    )
