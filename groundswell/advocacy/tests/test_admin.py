"""The admin of targets, their phones, districts and members' district choices: who may open
it, what it shows of a boundary, and that a change of districts reaches the lookup index."""

import pytest
from django.db.models.signals import post_delete, post_save
from django.test import Client
from shapely.geometry import MultiPolygon, Polygon

from groundswell.accounts.models import Role
from groundswell.advocacy import districts
from groundswell.advocacy.models import District, DistrictChoice, Level, Target, TargetPhone

pytestmark = pytest.mark.django_db

# A district of two parts, the first with a hole (a lake): 5 + 5 + 5 vertices.
BOUNDARY = MultiPolygon(
    [
        Polygon(
            [(-79, 35), (-78, 35), (-78, 36), (-79, 36)],
            [[(-78.8, 35.2), (-78.6, 35.2), (-78.6, 35.4), (-78.8, 35.4)]],
        ),
        Polygon([(-77, 35), (-76.5, 35), (-76.5, 35.5), (-77, 35.5)]),
    ]
)


def make_district(ocd_id: str = "ocd-division/country:us/state:nc/cd:4", boundary=BOUNDARY) -> District:
    west, south, east, north = boundary.bounds
    return District.objects.create(
        ocd_id=ocd_id,
        name="North Carolina's 4th",
        level=Level.FEDERAL,
        boundary=boundary.wkb,
        min_longitude=west,
        min_latitude=south,
        max_longitude=east,
        max_latitude=north,
        source="tl_2024_us_cd119.zip",
    )


@pytest.fixture
def target() -> Target:
    target = Target.objects.create(
        name="Valerie Foushee",
        title="Representative",
        level=Level.FEDERAL,
        ocd_id="ocd-division/country:us/state:nc/cd:4",
        source="congress-legislators",
        external_id="F000477",
    )
    TargetPhone.objects.create(target=target, label="DC office", number="202-225-1784")
    return target


@pytest.fixture
def clients(make_member) -> dict[str, Client]:
    people = {
        "member": make_member("Maya"),
        "host": make_member("Hana", role=Role.HOST),
        "organizer": make_member("Olu", role=Role.ORGANIZER),
        "admin": make_member("Ali", role=Role.ADMIN),
    }
    made = {"anonymous": Client()}
    for persona, user in people.items():
        made[persona] = Client()
        made[persona].force_login(user)
    return made


def pages(target: Target, district: District, choice: DistrictChoice) -> list[str]:
    return [
        "/admin/advocacy/",
        "/admin/advocacy/target/",
        "/admin/advocacy/target/?level__exact=1&serving__exact=1&q=foushee",
        "/admin/advocacy/target/add/",
        f"/admin/advocacy/target/{target.pk}/change/",
        "/admin/advocacy/district/",
        f"/admin/advocacy/district/{district.pk}/change/",
        "/admin/advocacy/districtchoice/",
        f"/admin/advocacy/districtchoice/{choice.pk}/change/",
    ]


@pytest.mark.parametrize(
    ("persona", "opens"),
    [("anonymous", False), ("member", False), ("host", False), ("organizer", True), ("admin", True)],
)
def test_staff_open_every_advocacy_page_and_nobody_else_does(persona, opens, clients, target, member):
    district = make_district()
    choice = DistrictChoice.objects.create(person=member.person, district=district, level=Level.FEDERAL)
    for url in pages(target, district, choice):
        response = clients[persona].get(url)
        if opens:
            assert response.status_code == 200, url
        else:  # the admin sends whoever is not staff to sign in
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_admin_index_lists_advocacy_for_an_organizer(clients):
    html = clients["organizer"].get("/admin/").content.decode()
    for name in ("Advocacy", "Targets", "Districts", "District choices"):
        assert name in html


def test_a_district_shows_its_shape_and_box_not_its_bytes(clients):
    district = make_district()
    html = clients["organizer"].get(f"/admin/advocacy/district/{district.pk}/change/").content.decode()
    assert "MultiPolygon: 2 part(s), 1 hole(s), 15 vertices" in html
    assert "west -79.00000, south 35.00000, east -76.50000, north 36.00000" in html
    assert 'name="boundary"' not in html and "\\x01\\x06" not in html
    assert "Add district" not in html  # boundaries come from the import command


def test_a_district_links_to_the_targets_answering_for_it(clients, target):
    district = make_district()
    html = clients["organizer"].get(f"/admin/advocacy/district/{district.pk}/change/").content.decode()
    assert "1 answering for this district" in html
    listing = (
        clients["organizer"]
        .get("/admin/advocacy/target/", {"ocd_id__exact": district.ocd_id})
        .content.decode()
    )
    assert "Valerie Foushee" in listing


def test_an_organizer_edits_a_target_and_its_phones(clients, target):
    phone = target.phones.get()
    response = clients["organizer"].post(
        f"/admin/advocacy/target/{target.pk}/change/",
        {
            "name": "Valerie P. Foushee",
            "title": "Representative",
            "office": "U.S. House of Representatives",
            "level": Level.FEDERAL,
            "chamber": "lower",
            "party": "Democrat",
            "serving": "on",
            "ocd_id": target.ocd_id,
            "phones-TOTAL_FORMS": "2",
            "phones-INITIAL_FORMS": "1",
            "phones-0-id": phone.pk,
            "phones-0-target": target.pk,
            "phones-0-position": "0",
            "phones-0-label": "DC office",
            "phones-0-number": "202-225-1784",
            "phones-1-target": target.pk,
            "phones-1-position": "1",
            "phones-1-label": "District office",
            "phones-1-number": "919-967-7924",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.name == "Valerie P. Foushee" and target.source == "congress-legislators"
    assert [(p.label, p.number) for p in target.phones.all()] == [
        ("DC office", "202-225-1784"),
        ("District office", "919-967-7924"),
    ]


def test_a_target_added_by_hand_is_marked_as_from_the_admin(clients):
    response = clients["organizer"].post(
        "/admin/advocacy/target/add/",
        {
            "name": "Dana Ortiz",
            "title": "CEO",
            "level": Level.OTHER,
            "serving": "on",
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Target.objects.get(name="Dana Ortiz").source == "admin"


def test_organizers_retire_targets_and_only_admins_delete_them(clients, target):
    assert clients["organizer"].get(f"/admin/advocacy/target/{target.pk}/delete/").status_code == 403
    clients["organizer"].post(
        "/admin/advocacy/target/", {"action": "retire_selected", "_selected_action": [target.pk]}
    )
    target.refresh_from_db()
    assert target.serving is False
    assert clients["admin"].get(f"/admin/advocacy/target/{target.pk}/delete/").status_code == 200


def test_members_district_choices_are_read_only(clients, member):
    district = make_district()
    choice = DistrictChoice.objects.create(person=member.person, district=district, level=Level.FEDERAL)
    client = clients["admin"]
    assert client.get("/admin/advocacy/districtchoice/add/").status_code == 403
    html = client.get(f"/admin/advocacy/districtchoice/{choice.pk}/change/").content.decode()
    assert 'name="district"' not in html and "Save" not in html
    assert (
        client.post(f"/admin/advocacy/districtchoice/{choice.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert DistrictChoice.objects.filter(pk=choice.pk).exists()


@pytest.fixture
def index_without_signals():
    """The lookup index, with the districts module's own save/delete receivers off: what is
    left to tell the index of a change is the admin itself."""
    districts.forget()
    post_save.disconnect(sender=District, dispatch_uid="advocacy.districts.saved")
    post_delete.disconnect(sender=District, dispatch_uid="advocacy.districts.deleted")
    yield
    post_save.connect(districts._district_written, sender=District, dispatch_uid="advocacy.districts.saved")
    post_delete.connect(
        districts._district_written, sender=District, dispatch_uid="advocacy.districts.deleted"
    )
    districts.forget()


def _at_the_lake_shore() -> list[str]:
    return [found.ocd_id for found in districts.districts_at(-78.9, 35.9)]


def test_a_district_saved_or_deleted_in_the_admin_reaches_the_index(clients, index_without_signals):
    district = make_district()
    districts.forget()
    assert _at_the_lake_shore() == [district.ocd_id]
    client = clients["organizer"]
    response = client.post(
        f"/admin/advocacy/district/{district.pk}/change/",
        {"name": "NC-4", "ocd_id": "ocd-division/country:us/state:nc/cd:4x", "level": Level.FEDERAL},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _at_the_lake_shore() == ["ocd-division/country:us/state:nc/cd:4x"]
    district.refresh_from_db()
    assert bytes(district.boundary) == BOUNDARY.wkb  # the form never touches the boundary
    client.post(f"/admin/advocacy/district/{district.pk}/delete/", {"post": "yes"})
    assert _at_the_lake_shore() == []


def test_districts_deleted_together_in_the_admin_reach_the_index(clients, index_without_signals):
    first = make_district()
    second = make_district("ocd-division/country:us/state:nc/sldu:20")
    districts.forget()
    assert len(_at_the_lake_shore()) == 2
    clients["organizer"].post(
        "/admin/advocacy/district/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert not District.objects.exists()
    assert _at_the_lake_shore() == []
