"""A group's page per persona (public and private, active and pending), joining and leaving
through the pages, starting a group through the form, the review queue, and query counts."""

import pytest
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.groups.models import Group, Membership

pytestmark = pytest.mark.django_db
PERSONAS = ["anonymous", "outsider", "member", "core", "leader", "organizer"]


@pytest.fixture
def cast(make_group, join):
    people = {
        "leader": MemberFactory.create(given_name="Lena", family_name="Lopez"),
        "core": MemberFactory.create(given_name="Cora", family_name="Chen"),
        "member": MemberFactory.create(given_name="Maya", family_name="Moss"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
    }
    group = make_group(people["leader"], name="Mission Tenants", description="We *meet* on Tuesdays.")
    join(people["core"], group, role=Membership.Role.CORE, core_title="Events coordinator")
    join(people["member"], group)
    return group, people


def open_as(client, client_for, people, persona):
    return client if persona == "anonymous" else client_for(people[persona])


@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_an_active_groups_page(cast, client, client_for, persona, visibility):
    group, people = cast
    Group.objects.filter(pk=group.pk).update(visibility=visibility)
    page = open_as(client, client_for, people, persona).get(f"/groups/{group.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<em>meet</em>" in html and "Lena L." in html and "Cora C., Events coordinator" in html
    assert people["leader"].email not in html and "Lopez" not in html  # never contact details or full names
    button = {
        "anonymous": "Sign in to join",
        "outsider": "Join this group",
        "organizer": "Join this group",
        "member": "Leave this group",
        "core": "Leave this group",
        "leader": "Leave this group",
    }[persona]
    assert button in html
    assert ("Change the group" in html) == (persona in ("leader", "organizer"))
    # A private group's activity is for its members and staff.
    sees_activity = visibility == "public" or persona in ("member", "core", "leader", "organizer")
    assert ("Recent activity" in html) == sees_activity
    if sees_activity:
        assert "Maya joined" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_pending_groups_page(cast, client, client_for, persona, make_group):
    _, people = cast
    waiting = make_group(people["member"], name="Secret plan", status=Group.Status.PENDING)
    browser = open_as(client, client_for, people, persona)
    missing = browser.get("/groups/no-such-group/")
    for key in (waiting.slug, waiting.uuid):
        page = browser.get(f"/groups/{key}/")
        if persona in ("member", "organizer"):  # its starter, and staff
            assert page.status_code == 200 and "Waiting for an organizer" in page.content.decode()
        else:
            assert page.status_code == missing.status_code == 404
            assert "Secret plan" not in page.content.decode()
            assert page.context["error"] == missing.context["error"]


def test_joining_asking_and_leaving_through_the_page(cast, client, client_for):
    group, people = cast
    outsider = client_for(people["outsider"])
    response = outsider.post(f"/groups/{group.slug}/join/")
    assert response.status_code == 303
    assert Membership.objects.get(group=group, person=people["outsider"].person).status == "active"
    assert "Leave this group" in outsider.get(f"/groups/{group.slug}/").content.decode()
    assert outsider.post(f"/groups/{group.slug}/leave/").status_code == 303
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    outsider.post(f"/groups/{group.slug}/join/", {"note": "Neighbour"})
    assert "Waiting for approval" in outsider.get(f"/groups/{group.slug}/").content.decode()
    assert client.post(f"/groups/{group.slug}/join/").status_code == 302  # sign in first
    too_long = outsider.post(f"/groups/{group.slug}/join/", {"note": "x" * 600}, follow=True)
    assert "500 characters" in too_long.content.decode()


def test_answering_requests_through_the_page(cast, client_for):
    group, people = cast
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.REQUEST)
    client_for(people["outsider"]).post(f"/groups/{group.slug}/join/", {"note": "<b>hi</b>"})
    url = f"/groups/{group.slug}/requests/"
    assert client_for(people["member"]).get(url).status_code == 404
    leader = client_for(people["leader"])
    page = leader.get(url).content.decode()
    assert "Otto" in page and "&lt;b&gt;hi&lt;/b&gt;" in page
    asking = Membership.objects.get(group=group, person=people["outsider"].person)
    assert leader.post(url, {"membership": asking.pk, "answer": "yes"}).status_code == 303
    asking.refresh_from_db()
    assert asking.status == "active"
    assert leader.post(url, {"membership": "junk", "answer": "yes"}).status_code == 303


def test_starting_a_group_through_the_form(cast, client_for, client):
    _, people = cast
    assert client.get("/groups/start/").status_code == 302
    browser = client_for(people["outsider"])
    assert browser.get("/groups/start/").status_code == 200
    bad = browser.post(
        "/groups/start/", {"name": "", "postal_code": "00000", "join_policy": "x", "visibility": "y"}
    )
    assert bad.status_code == 400 and "Please give the group a name" in bad.content.decode()
    bad = browser.post(
        "/groups/start/",
        {"name": "N" * 500, "postal_code": "94110", "join_policy": "open", "visibility": "public"},
    )
    assert bad.status_code == 400 and "120 characters" in bad.content.decode()
    bad = browser.post(
        "/groups/start/",
        {"name": "Fine", "postal_code": "00000", "join_policy": "open", "visibility": "public"},
    )
    assert bad.status_code == 400 and "couldn" in bad.content.decode()
    bad = browser.post(
        "/groups/start/",
        {
            "name": "Fine",
            "postal_code": "94110",
            "parent": "ghost",
            "join_policy": "open",
            "visibility": "public",
        },
    )
    assert bad.status_code == 400 and "choose a group from the list" in bad.content.decode()
    assert not Group.objects.filter(name="Fine").exists()
    good = browser.post(
        "/groups/start/",
        {
            "name": "<script>alert(1)</script> Club",
            "description": "[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
            "postal_code": "94110",
            "join_policy": "open",
            "visibility": "public",
        },
    )
    assert good.status_code == 303
    html = browser.get(good["Location"]).content.decode()
    assert "<script>alert" not in html and 'href="javascript' not in html and "<img" not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_review_queue_is_for_organizers(cast, client, client_for, make_group, persona, settings):
    _, people = cast
    waiting = make_group(people["member"], name="Waiting", status=Group.Status.PENDING)
    browser = open_as(client, client_for, people, persona)
    page = browser.get("/groups/review/")
    if persona == "organizer":
        assert page.status_code == 200 and "Waiting" in page.content.decode()
        bad = browser.post("/groups/review/", {"group": str(waiting.uuid), "decision": "reject"})
        assert bad.status_code == 400 and "Please tell the starter why" in bad.content.decode()
        assert (
            browser.post("/groups/review/", {"group": str(waiting.uuid), "decision": "approve"}).status_code
            == 303
        )
        waiting.refresh_from_db()
        assert waiting.status == Group.Status.ACTIVE
    else:
        assert page.status_code in (302, 404)
        browser.post("/groups/review/", {"group": str(waiting.uuid), "decision": "approve"})
        waiting.refresh_from_db()
        assert waiting.status == Group.Status.PENDING


def test_a_regions_page_lists_its_groups_with_their_health(make_group, join, client):
    leader = MemberFactory.create(given_name="Rhea")
    region = make_group(leader, name="NorCal", postal_code="", area="Northern California")
    thriving = make_group(leader, name="Thriving", parent=region)
    fading = make_group(MemberFactory.create(given_name="Fay"), name="Fading", parent=region)
    Membership.objects.filter(group=fading).update(status=Membership.Status.LEFT)
    Group.objects.filter(pk=fading.pk).update(leaderless_since=timezone.now())
    join(MemberFactory.create(given_name="Cy"), thriving, role=Membership.Role.CORE)
    html = client.get(f"/groups/{region.slug}/").content.decode()
    assert "Groups in NorCal" in html and "Thriving" in html and "Fading" in html
    assert "No leader since" in html and "Rhea" in html
    child = client.get(f"/groups/{thriving.slug}/").content.decode()
    assert 'href="/groups/norcal/">NorCal</a>' in child  # the breadcrumb


def test_the_group_page_has_a_fixed_number_of_queries(
    make_group, join, client_for, django_assert_max_num_queries
):
    leader = MemberFactory.create(given_name="Lena")
    region = make_group(leader, name="Region", postal_code="", area="Bay Area")
    group = make_group(leader, name="Big", parent=region)
    for n in range(20):
        join(
            MemberFactory.create(given_name=f"M{n}"), group, role=Membership.Role.CORE if n < 5 else "member"
        )
        make_group(leader, name=f"Child {n}", parent=group)
    browser = client_for(leader)
    with django_assert_max_num_queries(17):
        page = browser.get(f"/groups/{group.slug}/")
    assert page.status_code == 200 and len(page.context["page"].children) == 20
