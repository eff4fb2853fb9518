"""Inviting by email and accepting an invitation: who may invite, what a leader learns (nothing
about anyone), the signed link used once, withdrawn or changed links, and the pages."""

import pytest
from django.core import signing

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity, Verb
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.groups.models import Group, Invitation, Membership
from groundswell.groups.services import membership as services
from groundswell.messaging.models import Delivery

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


def test_the_answer_is_the_same_for_members_people_on_the_list_and_strangers(cast):
    group, people = cast
    known = MemberFactory.create(given_name="Kim")
    emails = [people["member"].email, known.email, "stranger@example.org", "  STRANGER@example.org "]
    assert services.invite(actor=actor_of(people["leader"]), group=group, emails=emails) == 3
    assert Invitation.objects.filter(group=group).count() == 3
    invited = set(
        Delivery.objects.filter(message__key__startswith="group-invite").values_list("person_id", flat=True)
    )
    # Only someone on the list who is not in the group yet is written to; nobody else is told.
    assert invited == {known.person.pk}
    delivery = Delivery.objects.get(person=known.person)
    assert "/groups/invitation/" in delivery.context["link"]
    assert delivery.message.kind == "bulk"  # an ask they did not ask for: skips the unsubscribed


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
    # A visitor is sent to sign in, and back here.
    response = client.get(url)
    assert (
        response.status_code == 302
        and "next=" in response["Location"]
        and "invitation" in response["Location"]
    )
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
