"""The groups admin: staff only; a group's status changes only through the services' actions
(approve, turn down: acts and emails), memberships and invitations are read-only."""

import pytest

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.activity.models import Activity, Verb
from groundswell.groups.models import Group, Invitation, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return MemberFactory.create(given_name="Ada", role=Role.ADMIN)


def test_pages_open_for_staff_and_not_for_members(make_group, admin_user, client_for):
    leader = MemberFactory.create(given_name="Lena")
    group = make_group(leader)
    Invitation.objects.create(group=group, email="x@example.org", invited_by=leader.person, key="k" * 32)
    browser = client_for(admin_user)
    for url in (
        "/admin/groups/group/",
        f"/admin/groups/group/{group.pk}/change/",
        "/admin/groups/membership/",
        "/admin/groups/invitation/",
        "/admin/groups/block/",
    ):
        assert browser.get(url).status_code == 200, url
    assert client_for(leader).get("/admin/groups/group/").status_code == 302
    change = browser.get(f"/admin/groups/group/{group.pk}/change/").content.decode()
    assert 'name="status"' not in change  # read-only: only the services change it
    assert "k" * 32 not in browser.get("/admin/groups/invitation/").content.decode()


def test_approving_through_the_admin_action_uses_the_service(make_group, admin_user, client_for):
    starter = MemberFactory.create(given_name="Sam")
    waiting = make_group(starter, name="Waiting", status=Group.Status.PENDING)
    response = client_for(admin_user).post(
        "/admin/groups/group/", {"action": "approve", "_selected_action": [waiting.pk]}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Group.Status.ACTIVE
    assert Activity.objects.filter(verb=Verb.APPROVED_GROUP, person=admin_user.person).exists()


def test_editing_in_the_admin_cooks_the_description_again(make_group, admin_user, client_for):
    group = make_group(MemberFactory.create(given_name="Lena"))
    data = {
        "name": "Renamed",
        "description": "**bold** <script>x</script>",
        "agreements": "",
        "postal_code": "94110",
        "area": "",
        "parent": "",
        "join_policy": "open",
        "visibility": "public",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(Membership.objects.get(group=group).pk),
        "memberships-0-group": str(group.pk),
    }
    response = client_for(admin_user).post(f"/admin/groups/group/{group.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    group.refresh_from_db()
    assert group.name == "Renamed" and "<strong>bold</strong>" in group.description_html
    assert "<script" not in group.description_html
