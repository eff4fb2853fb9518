"""A member's choice of what a group emails them about new posts (every post, a daily digest,
nothing): the service per persona and bad input, the form on the group page, and the view
per persona (anonymous, outsider, member, leader), never a 500."""

import pytest
from django.contrib.messages import get_messages

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.core.errors import PermissionDenied, ValidationError
from groundswell.groups.models import Group, Membership
from groundswell.groups.services.membership import set_notify

pytestmark = pytest.mark.django_db
Notify = Membership.Notify


@pytest.fixture
def cast(make_group, join):
    people = {
        "leader": MemberFactory.create(given_name="Lena"),
        "member": MemberFactory.create(given_name="Maya"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "left": MemberFactory.create(given_name="Lou"),
        "requested": MemberFactory.create(given_name="Rae"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
    }
    group = make_group(people["leader"], name="Mission Tenants")
    join(people["member"], group)
    for name, status in (("left", Membership.Status.LEFT), ("requested", Membership.Status.REQUESTED)):
        Membership.objects.create(group=group, person=people[name].person, status=status)
    return group, people


def choice_of(group, user) -> str:
    return Membership.objects.get(group=group, person=user.person).notify


# --- The service ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "leader"])
@pytest.mark.parametrize("choice", [Notify.EACH_POST, Notify.DIGEST, Notify.NONE])
def test_a_member_or_leader_chooses(cast, persona, choice):
    group, people = cast
    membership = set_notify(actor=actor_of(people[persona]), group=group, choice=choice)
    assert membership.notify == choice == choice_of(group, people[persona])


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "left", "requested", "organizer"])
def test_nobody_else_chooses(cast, persona):
    group, people = cast
    before = dict(Membership.objects.values_list("pk", "notify"))
    with pytest.raises(PermissionDenied):
        actor = ANONYMOUS if persona == "anonymous" else actor_of(people[persona])
        set_notify(actor=actor, group=group, choice=Notify.EACH_POST)
    assert dict(Membership.objects.values_list("pk", "notify")) == before


@pytest.mark.parametrize("bad", ["", "sometimes", "EACH", "each ; drop", "x" * 5000, None])
def test_an_unknown_choice_is_refused_with_a_clear_message(cast, bad):
    group, people = cast
    with pytest.raises(ValidationError) as refused:
        set_notify(actor=actor_of(people["member"]), group=group, choice=bad)
    assert refused.value.field == "notify"
    assert "every post, a daily digest or nothing" in refused.value.message
    assert choice_of(group, people["member"]) == Notify.DIGEST


# --- The page and the view ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "member", "leader", "organizer"])
def test_the_form_is_on_the_group_page_for_members_only(cast, client, client_for, persona):
    group, people = cast
    Membership.objects.filter(person=people["member"].person).update(notify=Notify.EACH_POST)
    browser = client if persona == "anonymous" else client_for(people[persona])
    html = browser.get(f"/groups/{group.slug}/").content.decode()
    shown = persona in ("member", "leader")
    assert (f'action="/groups/{group.slug}/notify/"' in html) == shown
    if shown:
        assert 'id="notify"' in html and "<legend>Email me about new posts here</legend>" in html
        checked = Notify.EACH_POST if persona == "member" else Notify.DIGEST  # the default
        assert f'value="{checked}" id="notify-{checked}" checked' in html
        for value, label in Notify.choices:
            assert f'<label for="notify-{value}">{label}</label>' in html


def test_a_member_changes_it_through_the_page(cast, client_for):
    group, people = cast
    browser = client_for(people["member"])
    response = browser.post(f"/groups/{group.slug}/notify/", {"notify": "each"})
    assert response.status_code == 303 and response["Location"] == f"/groups/{group.slug}/"
    assert choice_of(group, people["member"]) == Notify.EACH_POST
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["You'll get every new post in Mission Tenants by email."]
    page = browser.get(f"/groups/{group.slug}/").content.decode()
    assert 'value="each" id="notify-each" checked' in page


@pytest.mark.parametrize("bad", [{}, {"notify": ""}, {"notify": "weekly"}, {"notify": "é" * 3000}])
def test_bad_input_through_the_page_is_a_message_not_a_500(cast, client_for, bad):
    group, people = cast
    response = client_for(people["member"]).post(f"/groups/{group.slug}/notify/", bad, follow=True)
    assert response.status_code == 200
    assert "Please choose every post, a daily digest or nothing." in response.content.decode()
    assert choice_of(group, people["member"]) == Notify.DIGEST


def test_anonymous_is_asked_to_sign_in(cast, client):
    group, _ = cast
    response = client.post(f"/groups/{group.slug}/notify/", {"notify": "each"})
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize("persona", ["outsider", "left", "organizer"])
def test_someone_not_in_the_group_is_told_no(cast, client_for, persona):
    group, people = cast
    response = client_for(people[persona]).post(
        f"/groups/{group.slug}/notify/", {"notify": "each"}, follow=True
    )
    assert response.status_code == 200
    assert "Only the group&#x27;s members choose what it sends them." in response.content.decode()
    assert not Membership.objects.filter(notify=Notify.EACH_POST).exists()


def test_an_outsider_guessing_a_pending_group_finds_nothing(cast, client_for, make_group):
    _, people = cast
    waiting = make_group(people["leader"], name="Secret plan", status=Group.Status.PENDING)
    for key in (waiting.slug, waiting.uuid, "no-such-group"):
        response = client_for(people["outsider"]).post(f"/groups/{key}/notify/", {"notify": "each"})
        assert response.status_code == 404
        assert "Secret plan" not in response.content.decode()


def test_only_post(cast, client_for):
    group, people = cast
    assert client_for(people["member"]).get(f"/groups/{group.slug}/notify/").status_code == 405
