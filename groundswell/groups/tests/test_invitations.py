"""Inviting by email and accepting an invitation: who may invite, what a leader learns (nothing
about anyone), the signed link used once, withdrawn or changed links, and the pages."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.services import RETURN_SESSION_KEY
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Verb
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.groups.models import Group, Invitation, Membership
from groundswell.groups.services import leading
from groundswell.groups.services import membership as services
from groundswell.messaging.models import Delivery, Message, Suppression
from groundswell.network.tests.test_join import SIGN_IN_CODE, sign_in_codes_to
from groundswell.people.models import EmailAddress, EmailStatus

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "organizer"]


@pytest.fixture
def cast(make_group, join):
    people = {
        "leader": MemberFactory.create(given_name="Lena"),
        "core": MemberFactory.create(given_name="Cora"),
        "member": MemberFactory.create(given_name="Maya"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
    }
    group = make_group(people["leader"], name="Quiet Circle", join_policy=Group.JoinPolicy.INVITATION)
    join(people["core"], group, role=Membership.Role.CORE)
    join(people["member"], group)
    return group, people


def as_actor(people, persona):
    return ANONYMOUS if persona == "anonymous" else actor_of(people[persona])


def token_for(email):
    return services.invitation_token(Invitation.objects.get(email=email))


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_invite(cast, persona):
    group, people = cast
    actor = as_actor(people, persona)
    if persona in ("leader", "organizer"):
        assert services.invite(actor=actor, group=group, emails=["new@example.org"]) == 1
        assert Invitation.objects.filter(group=group, email="new@example.org").exists()
    else:
        with pytest.raises(PermissionDenied):
            services.invite(actor=actor, group=group, emails=["new@example.org"])
        assert not Invitation.objects.exists()


def test_the_answer_is_the_same_for_members_people_on_the_list_and_strangers(
    cast, django_capture_on_commit_callbacks
):
    group, people = cast
    known = MemberFactory.create(given_name="Kim")
    gone = MemberFactory.create(given_name="Una")
    EmailAddress.objects.filter(person=gone.person).update(status=EmailStatus.UNSUBSCRIBED)
    emails = [
        people["member"].email,
        known.email,
        gone.email,
        "stranger@example.org",
        "  STRANGER@example.org ",
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = services.invite(
            actor=actor_of(people["leader"]),
            group=group,
            emails=emails,
            note="Come Tuesday, <b>we</b> have tea.",
        )
    assert count == 4
    # Every address has its invitation row (so nothing counted from them differs); the
    # group's member is emailed nothing.
    assert sorted(Invitation.objects.filter(group=group).values_list("email", flat=True)) == sorted(
        [people["member"].email, known.email, gone.email, "stranger@example.org"]
    )
    by_address = {sent.to[0]: sent for sent in mail.outbox}
    # Someone on our list hears from us, as our other notices: the unsubscribed do not.
    assert sorted(by_address) == sorted([known.email, "stranger@example.org"])
    ours = by_address[known.email]
    assert ours.subject == f"{people['leader'].person.short_name} invites you to join Quiet Circle"
    assert "Come Tuesday, <b>we</b> have tea." in ours.body and "/groups/invitation/" in ours.body
    for content, _ in getattr(ours, "alternatives", []):
        assert "<b>we</b>" not in str(content) and "&lt;b&gt;we&lt;/b&gt;" in str(content)
    # A stranger gets the leader's own email, sent for them: their name, Reply-To theirs.
    theirs = by_address["stranger@example.org"]
    assert theirs.subject == f"{people['leader'].person.short_name} invites you to join Quiet Circle"
    assert theirs.reply_to == [people["leader"].email]
    assert "Lena" in theirs.from_email and "via" in theirs.from_email
    # Our words first, theirs quoted after: a note cannot pass for the movement's own.
    assert theirs.body.startswith(f"{people['leader'].person.short_name} invites you to join Quiet Circle")
    assert "wrote:\n\n> Come Tuesday, <b>we</b> have tea." in theirs.body
    assert token_for("stranger@example.org") in theirs.body
    assert not getattr(theirs, "alternatives", None)  # plain text: their words, never markup
    delivery = Delivery.objects.get(message__key__startswith="group-invite-to")
    assert delivery.person_id == people["leader"].person.pk
    assert delivery.message.kind == Message.Kind.ON_BEHALF
    # The message row names nobody (the inviter's words live in the delivery's context, which
    # forgetting them clears) and has no author: it is not mail to the group's members.
    assert delivery.message.author_id is None and "Lena" not in delivery.message.subject


def test_inviting_strangers_does_not_use_up_the_leaders_mail_to_the_group(
    cast, settings, django_capture_on_commit_callbacks
):
    group, people = cast
    leader = actor_of(people["leader"])
    settings.HOST_MESSAGES_PER_DAY = 2
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=leader, group=group, emails=[f"s{n}@example.org" for n in range(5)])
    leading.message_group(actor=leader, group=group, subject="Tuesday", text="Tea at 7.")
    assert Message.objects.filter(author=people["leader"].person).count() == 1


def test_an_inviter_may_invite_so_many_a_day_whatever_the_addresses(cast, settings):
    """Counted on the invitation rows, made for every address (members too): the limit says
    nothing about who is on the list. Staff are held to it as well."""
    group, people = cast
    settings.GROUP_INVITES_PER_DAY = 5
    lists = {
        "leader": [people["member"].email, people["core"].email] + [f"l{n}@example.org" for n in range(3)],
        "organizer": [people["outsider"].email] + [f"o{n}@example.org" for n in range(4)],
    }
    for persona, emails in lists.items():
        actor = actor_of(people[persona])
        assert services.invite(actor=actor, group=group, emails=emails) == 5
        with pytest.raises(ValidationError, match="5 people a day"):
            services.invite(actor=actor, group=group, emails=[f"{persona}-more@example.org"])
    assert not Invitation.objects.filter(email__endswith="-more@example.org").exists()
    # A day on, the count starts again.
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    assert services.invite(actor=actor_of(people["leader"]), group=group, emails=["later@example.org"]) == 1


def test_an_address_we_do_not_know_gets_one_invitation_email_a_week_whichever_group_asks(
    cast, make_group, django_capture_on_commit_callbacks
):
    group, people = cast
    other_leader = MemberFactory.create(given_name="Ravi")
    other = make_group(other_leader, name="Second Circle")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=actor_of(people["leader"]), group=group, emails=["pat@example.org"])
        services.invite(actor=actor_of(other_leader), group=other, emails=["pat@example.org"])
    assert [sent.to for sent in mail.outbox] == [["pat@example.org"]]
    assert Invitation.objects.filter(email="pat@example.org").count() == 2  # both links work


def test_an_address_is_not_emailed_about_a_group_again_within_a_week(
    cast, django_capture_on_commit_callbacks
):
    group, people = cast
    leader = actor_of(people["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=leader, group=group, emails=["stranger@example.org"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # The same answer, and nothing sent; a week on, the leader may ask again.
        assert (
            services.invite(actor=leader, group=group, emails=["stranger@example.org", "new@example.org"])
            == 2
        )
    assert [sent.to for sent in mail.outbox] == [["new@example.org"]]
    Invitation.objects.update(created_at=timezone.now() - services.INVITE_AGAIN_AFTER - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=leader, group=group, emails=["stranger@example.org"])
    assert [sent.to for sent in mail.outbox] == [["new@example.org"], ["stranger@example.org"]]


def test_an_inviter_needs_an_address_for_the_replies(cast):
    group, people = cast
    EmailAddress.objects.filter(person=people["leader"].person).delete()
    with pytest.raises(ValidationError, match="add an email address"):
        services.invite(actor=actor_of(people["leader"]), group=group, emails=["new@example.org"])
    assert not Invitation.objects.exists() and not Delivery.objects.exists()


def test_a_note_too_long_is_refused_and_nothing_is_saved(cast):
    group, people = cast
    with pytest.raises(ValidationError, match="under 500"):
        services.invite(
            actor=actor_of(people["leader"]), group=group, emails=["a@example.org"], note="x" * 501
        )
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        ([], "at least one"),
        (["   "], "at least one"),
        (["not-an-address"], "doesn't look like"),
        (["ok@example.org", "<script>@x"], "doesn't look like"),
        ([f"p{n}@example.org" for n in range(51)], "50 people or fewer"),
    ],
)
def test_bad_addresses_are_refused_and_nothing_is_saved(cast, emails, message):
    group, people = cast
    with pytest.raises(ValidationError, match=message):
        services.invite(actor=actor_of(people["leader"]), group=group, emails=emails)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_accepting_an_invitation_joins_whatever_the_policy(cast, persona):
    group, people = cast
    services.invite(actor=actor_of(people["leader"]), group=group, emails=["guest@example.org"])
    token = token_for("guest@example.org")
    actor = as_actor(people, persona)
    if persona == "anonymous":
        with pytest.raises(PermissionDenied, match="sign in"):
            services.accept_invitation(actor=actor, token=token)
        return
    membership = services.accept_invitation(actor=actor, token=token)
    assert membership.status == Membership.Status.ACTIVE
    invitation = Invitation.objects.get(email="guest@example.org")
    assert invitation.accepted_by_id == people[persona].person.pk and invitation.accepted_at
    if persona in ("outsider", "organizer"):
        act = Activity.objects.get(verb=Verb.JOINED_GROUP, person=people[persona].person)
        assert act.referrer_id == people["leader"].person.pk and act.channel == Channel.EMAIL
    # Used once: anyone else holding the link is refused; its holder again is fine.
    assert services.accept_invitation(actor=actor, token=token).pk == membership.pk
    other = MemberFactory.create(given_name="Eve")
    with pytest.raises(ValidationError, match="used already"):
        services.accept_invitation(actor=actor_of(other), token=token)


def test_withdrawn_and_tampered_links_are_refused(cast):
    group, people = cast
    services.invite(actor=actor_of(people["leader"]), group=group, emails=["a@example.org", "b@example.org"])
    invitation = Invitation.objects.get(email="a@example.org")
    services.withdraw_invitation(actor=actor_of(people["leader"]), invitation=invitation)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.accept_invitation(actor=actor_of(people["outsider"]), token=token_for("a@example.org"))
    good = token_for("b@example.org")
    other = Invitation.objects.get(email="b@example.org")
    forged = signing.dumps([other.pk, "0" * 32], salt="wrong-salt")
    wrong_key = signing.dumps([other.pk, "0" * 32], salt=services.INVITATION_SALT, compress=True)
    for token in (good[:-3] + "abc", forged, wrong_key, "", "x" * 1000, "<script>"):
        with pytest.raises(NotFound):
            services.accept_invitation(actor=actor_of(people["outsider"]), token=token)
    assert not Membership.objects.filter(person=people["outsider"].person).exists()


def test_the_invitation_page(cast, client, client_for):
    group, people = cast
    services.invite(actor=actor_of(people["leader"]), group=group, emails=["c@example.org"])
    url = f"/groups/invitation/{token_for('c@example.org')}/"
    # A visitor sees the invitation, with a way to join the movement or to sign in.
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200 and "Quiet Circle" in page and "sign in" in page
    assert "/join?ref=" in page and 'method="post"' not in page
    outsider = client_for(people["outsider"])
    page = outsider.get(url)
    assert (
        page.status_code == 200
        and "Lena" in page.content.decode()
        and "Quiet Circle" in page.content.decode()
    )
    response = outsider.post(url)
    assert response.status_code == 303 and response["Location"] == f"/groups/{group.slug}/"
    assert Membership.objects.get(person=people["outsider"].person).status == Membership.Status.ACTIVE
    # Tampered: a clear page, never a 500.
    bad = outsider.get("/groups/invitation/not-a-token/")
    assert bad.status_code == 404 and "This invitation link isn&#x27;t valid" in bad.content.decode()
    used = client_for(people["organizer"]).get(url)
    assert used.status_code == 410 and "used already" in used.content.decode()
    # A used link says so to a visitor too, and keeps nothing to come back to.
    visitor = Client()
    used = visitor.get(url)
    assert used.status_code == 410 and "used already" in used.content.decode()
    assert RETURN_SESSION_KEY not in visitor.session


def test_the_invite_page_for_leaders_only(cast, client, client_for):
    group, people = cast
    url = f"/groups/{group.slug}/invite/"
    for persona in ("outsider", "member", "core"):
        assert client_for(people[persona]).get(url).status_code == 404
    assert client.get(url).status_code == 302  # sign in first
    leader = client_for(people["leader"])
    assert leader.get(url).status_code == 200
    response = leader.post(url, {"emails": "x@example.org, y@example.org\nnope"})
    assert response.status_code == 400 and "nope" in response.content.decode()
    assert not Invitation.objects.exists()
    response = leader.post(url, {"emails": "x@example.org, y@example.org"})
    assert response.status_code == 303 and Invitation.objects.count() == 2


def test_a_stranger_invited_by_email_joins_the_movement_and_comes_back_to_join_the_group(
    cast, django_capture_on_commit_callbacks
):
    """The whole way for an address we did not know: the leader's email, the invitation page,
    the join page (credited to the leader), the emailed code, and back to the invitation."""
    group, people = cast
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=actor_of(people["leader"]), group=group, emails=["sam@example.org"])
    (email,) = [sent for sent in mail.outbox if sent.to == ["sam@example.org"]]
    link = re.search(r"https?://\S+/groups/invitation/\S+/", str(email.body))
    assert link
    sam = Client()
    page = sam.get(urlsplit(link.group(0)).path)
    join_link = re.search(r'href="https?://[^"]+(/join\?ref=[^"]+)"', page.content.decode())
    assert page.status_code == 200 and join_link
    join_url = html.unescape(join_link.group(1))
    ref = parse_qs(urlsplit(join_url).query)["ref"][0]
    with django_capture_on_commit_callbacks(execute=True):
        joined = sam.post(
            "/join",
            {
                "email": "sam@example.org",
                "given_name": "Sam",
                "postal_code": "94110",
                "ref": ref,
                "via": "email",
            },
        )
    assert joined.status_code == 302
    (code_email,) = sign_in_codes_to("sam@example.org")
    code = SIGN_IN_CODE.search(str(code_email.body))
    assert code
    # Signed in by the code, Sam is taken back to the invitation (not the hub), and joins.
    confirmed = sam.post(reverse("account_confirm_login_code"), {"code": code.group(1)})
    assert confirmed.status_code == 302 and confirmed["Location"] == urlsplit(link.group(0)).path
    landing = sam.get(urlsplit(link.group(0)).path)
    assert landing.status_code == 200 and 'method="post"' in landing.content.decode()
    answer = sam.post(urlsplit(link.group(0)).path)
    assert answer.status_code == 303 and answer["Location"] == f"/groups/{group.slug}/"
    sam_person = EmailAddress.objects.get(address="sam@example.org").person
    assert Membership.objects.get(person=sam_person, group=group).status == Membership.Status.ACTIVE
    joined_act = Activity.objects.get(verb=Verb.JOINED, person=sam_person)
    assert joined_act.referrer_id == people["leader"].person.pk  # the leader brought Sam


def test_someone_we_do_not_know_can_stop_invitations_in_one_click(
    cast, make_group, client, django_capture_on_commit_callbacks
):
    """Every invitation to an address we do not know carries a link (and the one-click
    header) that stops them: the unsubscribe of someone we never subscribed."""
    group, people = cast
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(actor=actor_of(people["leader"]), group=group, emails=["pat@example.org"])
    (email,) = [sent for sent in mail.outbox if sent.to == ["pat@example.org"]]
    link = re.search(r"https?://\S+/no-invitations/\S+/", str(email.body))
    assert link and email.extra_headers["List-Unsubscribe"] == f"<{link.group(0)}>"
    path = urlsplit(link.group(0)).path
    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "pat@example.org" in page.content.decode()
    assert not Suppression.objects.exists()
    assert client.post(path).status_code == 200  # one click, no sign-in, no CSRF token
    assert client.post(path).status_code == 200  # twice is the same
    assert list(Suppression.objects.values_list("address", flat=True)) == ["pat@example.org"]
    assert client.get(path[:-5] + "xxxx/").status_code == 404
    # A week on, another group asks: the invitation is made (the same answer), nothing is sent.
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=8))
    other_leader = MemberFactory.create(given_name="Ravi")
    other = make_group(other_leader, name="Second Circle")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invite(actor=actor_of(other_leader), group=other, emails=["pat@example.org"]) == 1
    assert mail.outbox == [] and Invitation.objects.filter(group=other, email="pat@example.org").exists()
