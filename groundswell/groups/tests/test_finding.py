"""/groups/: near a place (nearest first, with distance, within the radius), the list without
a place, bad input, and the query count."""

import pytest

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.groups.models import Group

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(make_group, join):
    leader = MemberFactory.create(given_name="Lena")
    made = {
        "mission": make_group(leader, name="Mission Tenants", postal_code="94110"),
        "oakland": make_group(
            leader, name="Oakland Rising", postal_code="94607", visibility=Group.Visibility.PRIVATE
        ),
        "brooklyn": make_group(leader, name="Brooklyn Block", postal_code="11211"),
        "region": make_group(leader, name="NorCal", postal_code="", area="Northern California"),
    }
    Group.objects.filter(pk__in=[made["mission"].pk, made["oakland"].pk]).update(parent=made["region"])
    for n in range(3):
        join(MemberFactory.create(given_name=f"M{n}"), made["mission"])
    made["waiting"] = make_group(
        leader, name="Waiting Mission", postal_code="94110", status=Group.Status.PENDING
    )
    return made


def test_near_a_zip_lists_active_groups_nearest_first_with_distance(client, groups):
    page = client.get("/groups/?near=94110&radius=25")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Mission Tenants") < html.index("Oakland Rising")
    assert "Brooklyn Block" not in html and "Waiting Mission" not in html
    assert "4 members" in html and "mi away" in html and "Private" in html
    found = [item.group.name for item in page.context["page"]]
    assert found == ["Mission Tenants", "Oakland Rising"]


def test_nothing_within_the_radius_offers_wider_and_the_nearest(client, groups):
    html = client.get("/groups/?near=59801&radius=5").content.decode()  # Missoula, MT
    assert "No groups within 5 miles" in html and "Search within 10 miles" in html
    assert "The nearest groups" in html


def test_without_a_place_regions_and_the_largest(client, groups):
    html = client.get("/groups/").content.decode()
    assert "Regions" in html and "NorCal" in html and "The largest groups" in html
    assert "Waiting Mission" not in html


def test_a_member_sees_groups_near_their_own_postcode(client_for, groups):
    member = MemberFactory.create(given_name="Sam", postal_code="94607")
    page = client_for(member).get("/groups/")
    assert page.context["search"].near.place.postal_code == "94607"


@pytest.mark.parametrize(
    "near", ["00000", "1234", "Nowhereville, ZZ", "<script>alert(1)</script>", "x" * 150, "🙂", "94110\x00"]
)
def test_bad_places_get_a_clear_message_never_a_500(client, groups, near):
    page = client.get("/groups/", {"near": near, "radius": "25"})
    assert page.status_code == 400
    assert "error-summary" in page.content.decode()
    assert "<script>alert" not in page.content.decode()


def test_junk_radius_and_page(client, groups):
    assert client.get("/groups/?near=94110&radius=9999").status_code == 400
    assert client.get("/groups/?near=94110&page=zzz").status_code == 200


def test_staff_see_how_many_groups_wait(client_for, groups):
    organizer = MemberFactory.create(given_name="Olu", role=Role.ORGANIZER)
    html = client_for(organizer).get("/groups/?near=94110").content.decode()
    assert "1 new group waiting" in html


def test_the_search_has_a_fixed_number_of_queries(client, make_group, django_assert_max_num_queries):
    leader = MemberFactory.create(given_name="Lena")
    for n in range(25):
        make_group(leader, name=f"Group {n}", postal_code="94110")
    with django_assert_max_num_queries(3):
        page = client.get("/groups/?near=94110")
    assert len(page.context["page"].object_list) == 20
