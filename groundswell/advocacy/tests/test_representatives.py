"""Who represents me: the selector, the remembered pick, and the page, per persona.

Districts are drawn around real ZIP code centroids (from the table `people.places` reads),
so a postcode lookup meets them as it would meet the Census's:

- ZIP 90012 (Los Angeles) lies deep inside CA-34 and state senate district 26: one answer;
- ZIP 94110 (San Francisco) sits 1.3 km from the line between CA-11 and CA-12: split;
- a Nevada district drawn (falsely) just across from 94110 is never its candidate.
"""

from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from shapely.geometry import box

from groundswell.accounts.models import Role
from groundswell.activity.models import Activity, Detail, Verb
from groundswell.advocacy import geocoding
from groundswell.advocacy.models import DistrictChoice, Level, Target, TargetPhone
from groundswell.advocacy.selectors import representatives as lookup
from groundswell.advocacy.services.districts import choose_district, forget_district_choice
from groundswell.advocacy.tests.test_districts import fresh_index, make_district  # noqa: F401
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.people.places import place_postcode

US = "ocd-division/country:us"
CA = f"{US}/state:ca"
NV = f"{US}/state:nv"
URL = "/act/representatives/"
PICK_URL = "/act/representatives/pick/"


def centre(postcode: str) -> tuple[float, float]:
    place = place_postcode(postcode)
    assert place.longitude is not None and place.latitude is not None
    return place.longitude, place.latitude


def around(postcode: str, west: float, south: float, east: float, north: float):
    """A box given in degrees from a ZIP code's centroid."""
    longitude, latitude = centre(postcode)
    return box(longitude + west, latitude + south, longitude + east, latitude + north)


def target(name: str, ocd_id: str, level: Level, chamber: str = "", **extra) -> Target:
    return Target.objects.create(
        name=name,
        ocd_id=ocd_id,
        level=level,
        chamber=chamber,
        title=extra.pop("title", ""),
        **extra,
    )


@pytest.fixture
def california(db):
    """Boundaries around 90012 and 94110, and the officials serving them."""
    made: dict[str, Any] = {
        "ca34": make_district(f"{CA}/cd:34", around("90012", -0.3, -0.3, 0.3, 0.3), name="California's 34th"),
        "sd26": make_district(
            f"{CA}/sldu:26", around("90012", -0.2, -0.2, 0.2, 0.2), Level.STATE, "State Senate District 26"
        ),
        # The line between CA-12 (west) and CA-11 (east) runs 0.0147° (1.3 km) east of 94110's centre.
        "ca12": make_district(
            f"{CA}/cd:12", around("94110", -0.3, -0.3, 0.0147, 0.3), name="California's 12th"
        ),
        "ca11": make_district(
            f"{CA}/cd:11", around("94110", 0.0147, -0.3, 0.3, 0.3), name="California's 11th"
        ),
        # Nevada, drawn 2 km west of 94110 where no Nevada is: a state line is not crossed.
        "nv2": make_district(f"{NV}/cd:2", around("94110", -0.05, -0.01, -0.022, 0.01), name="Nevada's 2nd"),
    }
    senator = target("Alex Padilla", CA, Level.FEDERAL, "upper", title="Senator", party="Democratic")
    TargetPhone.objects.create(
        target=senator, label="DC office", number="202-224-3553", verified_on=date(2025, 1, 6)
    )
    TargetPhone.objects.create(target=senator, label="Los Angeles office", number="310-231-4494", position=1)
    made["senator"] = senator
    made["senator2"] = target("Adam Schiff", CA, Level.FEDERAL, "upper", title="Senator")
    made["rep34"] = target("Jimmy Gomez", f"{CA}/cd:34", Level.FEDERAL, "lower", title="Representative")
    made["rep12"] = target("Nancy Pelosi", f"{CA}/cd:12", Level.FEDERAL, "lower", title="Representative")
    made["rep11"] = target("Kevin Mullin", f"{CA}/cd:11", Level.FEDERAL, "lower", title="Representative")
    made["retired"] = target("Old Rep", f"{CA}/cd:34", Level.FEDERAL, "lower", serving=False)
    made["governor"] = target("Gavin Newsom", CA, Level.STATE, "executive", title="Governor")
    made["state_senator"] = target("María Durazo", f"{CA}/sldu:26", Level.STATE, "upper", title="Senator")
    made["nevadan"] = target("Mark Amodei", f"{NV}/cd:2", Level.FEDERAL, "lower")
    made["alone"] = target("A CEO", "", Level.OTHER)
    return made


def names(found) -> list[str]:
    return [t.name for t in found.targets]


# --- The selector ----------------------------------------------------------------------------


def test_a_postcode_inside_one_district_of_each_kind(california):
    found = lookup.representatives_for_postcode("90012")
    assert [group.level for group in found.groups] == [Level.FEDERAL, Level.STATE]
    # Senators (the state's) before the representative (the district's); only serving ones.
    assert [t.name for t in found.groups[0].targets] == ["Adam Schiff", "Alex Padilla", "Jimmy Gomez"]
    assert [t.name for t in found.groups[1].targets] == ["Gavin Newsom", "María Durazo"]
    assert not found.needs_address
    assert found.postcode == "90012" and found.region == "CA" and not found.precise
    # Broadest first.
    assert [(d.ocd_id, d.how) for d in found.divisions] == [
        (US, lookup.How.ENCLOSING),
        (CA, lookup.How.ENCLOSING),
        (f"{CA}/cd:34", lookup.How.NEAR),
        (f"{CA}/sldu:26", lookup.How.NEAR),
    ]
    assert found.divisions[0].name == "United States" and found.divisions[1].name == "California"
    assert found.groups[0].representatives[2].division.name == "California's 34th"
    assert found.groups[0].representatives[0].division.name == "California"


def test_a_postcode_split_between_districts_asks_and_lists_the_candidates(california):
    found = lookup.representatives_for_postcode("94110")
    assert found.needs_address
    (question,) = found.questions
    assert (question.level, question.kind) == (Level.FEDERAL, "cd")
    # The one the centre is in first ("likely"), then by distance.
    assert [c.district.ocd_id for c in question.candidates] == [f"{CA}/cd:12", f"{CA}/cd:11"]
    assert [c.likely for c in question.candidates] == [True, False]
    assert [t.name for t in question.candidates[0].targets] == ["Nancy Pelosi"]
    # Neither representative is given as sure; the senators are (the ZIP code is in California).
    assert names(found) == ["Adam Schiff", "Alex Padilla", "Gavin Newsom"]
    # The Nevada district 2 km away is not a candidate: a ZIP code lies in one state.
    assert "Mark Amodei" not in str([c.targets for c in question.candidates])


def test_a_pick_settles_the_question(california):
    found = lookup.representatives_for_postcode("94110", picked=[california["ca12"].pk])
    assert not found.needs_address
    assert "Nancy Pelosi" in names(found) and "Kevin Mullin" not in names(found)
    assert found.picks_used == (california["ca12"].pk,)
    assert [d.how for d in found.divisions if d.kind == "cd"] == [lookup.How.CHOSEN]


def test_a_pick_far_from_the_place_looked_up_does_not_count(california):
    # A district 500 km away is not this ZIP code's, whoever picked it.
    found = lookup.representatives_for_postcode("90012", picked=[california["ca12"].pk])
    assert "Jimmy Gomez" in names(found) and "Nancy Pelosi" not in names(found)
    assert found.picks_used == ()


def test_a_pick_of_a_district_that_does_not_exist_is_ignored(california):
    found = lookup.representatives_for_postcode("94110", picked=[999_999])
    assert found.needs_address


def test_a_street_address_point_is_looked_up_exactly(california):
    longitude, latitude = centre("94110")
    west = lookup.representatives_at(longitude=longitude, latitude=latitude, region="CA")
    assert "Nancy Pelosi" in names(west) and not west.needs_address and west.precise
    east = lookup.representatives_at(longitude=longitude + 0.02, latitude=latitude, region="CA")
    assert "Kevin Mullin" in names(east) and "Nancy Pelosi" not in names(east)
    # On the very line: one answer, the lowest OCD id (…/cd:11 < …/cd:12).
    on_line = lookup.representatives_at(longitude=longitude + 0.0147, latitude=latitude)
    assert [d.ocd_id for d in on_line.divisions if d.kind == "cd"] == [f"{CA}/cd:11"]


def test_an_address_outside_every_district(california):
    found = lookup.representatives_at(longitude=-100.0, latitude=45.0, region="SD")
    assert found.districts_loaded and not found.needs_address
    assert [d.ocd_id for d in found.divisions] == [US, f"{US}/state:sd"]
    assert names(found) == []


def test_without_any_boundary_a_us_postcode_still_finds_its_state_s_officials(db):
    target("Alex Padilla", CA, Level.FEDERAL, "upper")
    target("Jimmy Gomez", f"{CA}/cd:34", Level.FEDERAL, "lower")
    found = lookup.representatives_for_postcode("90012")
    assert not found.districts_loaded
    assert names(found) == ["Alex Padilla"]


def test_dc_and_territories_are_their_own_divisions(db):
    target("Eleanor Holmes Norton", f"{US}/district:dc", Level.FEDERAL, "lower")
    target("Pablo José Hernández", f"{US}/territory:pr", Level.FEDERAL, "lower")
    assert names(lookup.representatives_for_postcode("20001")) == ["Eleanor Holmes Norton"]
    assert names(lookup.representatives_for_postcode("00901")) == ["Pablo José Hernández"]


def test_a_postcode_we_cannot_place(california):
    found = lookup.representatives_for_postcode("SW1A 1AA")
    assert not found.located and names(found) == [] and not found.needs_address
    # With no place to be near, a pick stands on its own.
    picked = lookup.representatives_for_postcode("SW1A 1AA", picked=[california["ca12"].pk])
    assert "Nancy Pelosi" in names(picked)


@pytest.mark.parametrize("postcode", ["00000", "1234", "", "<script>"])
def test_a_postcode_that_cannot_be_read(db, postcode):
    with pytest.raises(ValidationError) as raised:
        lookup.representatives_for_postcode(postcode)
    assert raised.value.field == "postal_code"


def test_a_member_s_remembered_pick_wins(california, make_member, actor):
    user = make_member("Ana", postal_code="94110")
    choose_district(actor=actor(user), district=california["ca12"])
    found = lookup.representatives_for_postcode("94110", person=user.person)
    assert "Nancy Pelosi" in names(found) and not found.needs_address
    # This visit's pick wins over the remembered one.
    now = lookup.representatives_for_postcode("94110", person=user.person, picked=[california["ca11"].pk])
    assert "Kevin Mullin" in names(now) and "Nancy Pelosi" not in names(now)


def test_a_member_s_representatives_from_their_address(california, make_member):
    user = make_member("Ana", postal_code="90012")
    found = lookup.representatives_for_person(user.person)
    assert found is not None and found.from_address and found.postcode == "90012"
    assert "Jimmy Gomez" in names(found)


def test_a_member_without_an_address_has_none(db, make_member):
    from groundswell.people.models import PostalAddress

    user = make_member("Ana")
    PostalAddress.objects.filter(person=user.person).delete()
    assert lookup.representatives_for_person(user.person) is None


def test_districts_to_pick(california):
    split = lookup.representatives_for_postcode("94110")
    (group,) = lookup.districts_to_pick(split)
    assert [o.district.ocd_id for o in group.options] == [f"{CA}/cd:12", f"{CA}/cd:11"]
    assert group.options[0].likely
    every = lookup.districts_to_pick(split, every=True)
    # Every California district, by kind, numbers in order; never Nevada's.
    assert [(g.kind, [o.district.ocd_id.rsplit(":", 1)[1] for o in g.options]) for g in every] == [
        ("cd", ["11", "12", "34"]),
        ("sldu", ["26"]),
    ]


def test_query_counts(california, make_member, django_assert_num_queries):
    lookup.representatives_for_postcode("90012")  # builds the index
    with django_assert_num_queries(2):  # targets, their phones
        lookup.representatives_for_postcode("90012")
    with django_assert_num_queries(2):  # a split ZIP: candidates' targets come in the same query
        lookup.representatives_for_postcode("94110")
    user = make_member("Ana", postal_code="90012")
    with django_assert_num_queries(4):  # the address, the picks, targets, phones
        lookup.representatives_for_person(user.person)


# --- Remembering a pick ----------------------------------------------------------------------


def test_choosing_a_district(california, make_member, actor):
    user = make_member("Ana", postal_code="94110")
    changes = Activity.objects.filter(person=user.person, verb=Verb.CHANGED_DETAILS)
    choice = choose_district(actor=actor(user), district=california["ca11"].pk)
    assert (choice.person_id, choice.district_id, choice.level, choice.kind) == (
        user.person.pk,
        california["ca11"].pk,
        1,
        "cd",
    )
    # The act says a district was picked, never which (the log is read by the analytics).
    assert list(changes.values_list("detail", "object_id", "initiator")) == [(Detail.DISTRICT, None, 0)]
    choose_district(actor=actor(user), district=california["ca11"])  # the same again: no act
    assert changes.count() == 1
    choose_district(actor=actor(user), district=california["ca12"])  # replaces it
    assert DistrictChoice.objects.get(person=user.person).district_id == california["ca12"].pk
    assert changes.count() == 2
    # A pick at another level stands beside it.
    choose_district(actor=actor(user), district=california["sd26"])
    assert DistrictChoice.objects.filter(person=user.person).count() == 2
    assert forget_district_choice(actor=actor(user), level=Level.FEDERAL)
    assert not forget_district_choice(actor=actor(user), level=Level.FEDERAL)
    assert list(DistrictChoice.objects.filter(person=user.person).values_list("level", flat=True)) == [2]


def test_picks_of_two_kinds_at_one_level_stand_side_by_side(california, make_member, actor):
    """A state senate district and an assembly district are both of the state level: picking
    one keeps the other, and a lookup uses both."""
    assembly = make_district(
        f"{CA}/sldl:17", around("94110", -0.3, -0.3, 0.3, 0.3), Level.STATE, "Assembly District 17"
    )
    senate = make_district(
        f"{CA}/sldu:11", around("94110", -0.3, -0.3, 0.3, 0.3), Level.STATE, "State Senate District 11"
    )
    target("Matt Haney", f"{CA}/sldl:17", Level.STATE, "lower")
    target("Scott Wiener", f"{CA}/sldu:11", Level.STATE, "upper")
    user = make_member("Ana", postal_code="94110")
    choose_district(actor=actor(user), district=senate)
    choose_district(actor=actor(user), district=assembly)
    assert sorted(DistrictChoice.objects.filter(person=user.person).values_list("level", "kind")) == [
        (2, "sldl"),
        (2, "sldu"),
    ]
    found = lookup.representatives_for_person(user.person)
    assert found is not None and set(found.picks_used) == {senate.pk, assembly.pk}
    assert {"Matt Haney", "Scott Wiener"} <= set(names(found))
    # Forgetting one kind keeps the other.
    assert forget_district_choice(actor=actor(user), level=Level.STATE, kind="sldl")
    assert list(DistrictChoice.objects.filter(person=user.person).values_list("kind", flat=True)) == ["sldu"]
    # Without a kind, every pick at the level goes.
    choose_district(actor=actor(user), district=assembly)
    assert forget_district_choice(actor=actor(user), level=Level.STATE)
    assert not DistrictChoice.objects.filter(person=user.person).exists()


def test_the_page_s_let_the_map_decide_forgets_only_that_line_s_kind(
    california, make_member, actor, client_for
):
    assembly = make_district(
        f"{CA}/sldl:17", around("94110", -0.3, -0.3, 0.3, 0.3), Level.STATE, "Assembly 17"
    )
    senate = make_district(f"{CA}/sldu:11", around("94110", -0.3, -0.3, 0.3, 0.3), Level.STATE, "Senate 11")
    user = make_member("Ana", postal_code="94110")
    choose_district(actor=actor(user), district=senate)
    choose_district(actor=actor(user), district=assembly)
    client = client_for(user)
    page = client.get(reverse("advocacy:representatives")).content.decode()
    assert 'name="forget_kind" value="sldl"' in page and 'name="forget_kind" value="sldu"' in page
    client.post(reverse("advocacy:pick_district"), {"forget": str(Level.STATE.value), "forget_kind": "sldl"})
    assert list(DistrictChoice.objects.filter(person=user.person).values_list("kind", flat=True)) == ["sldu"]


def test_a_forgotten_member_s_picks_go_with_them(california, make_member, actor):
    from groundswell.accounts.services import forget_person

    user = make_member("Ana", postal_code="94110")
    choose_district(actor=actor(user), district=california["ca12"])
    forget_person(actor=actor(user), person=user.person)
    assert not DistrictChoice.objects.exists()


def test_a_merge_keeps_one_pick_per_kind(california, make_member, actor):
    """Two records of one person, each with a congressional pick: the kept record's stays."""
    from groundswell.people.services import merge_people

    keep, duplicate = make_member("Ana", postal_code="94110"), make_member("Ana B", postal_code="94110")
    choose_district(actor=actor(keep), district=california["ca12"])
    choose_district(actor=actor(duplicate), district=california["ca11"])
    choose_district(actor=actor(duplicate), district=california["sd26"])
    merge_people(keep=keep.person, duplicate=duplicate.person)
    assert sorted(DistrictChoice.objects.values_list("person_id", "kind", "district_id")) == sorted(
        [(keep.person.pk, "cd", california["ca12"].pk), (keep.person.pk, "sldu", california["sd26"].pk)]
    )


def test_a_visitor_cannot_remember_a_pick(california, actor):
    with pytest.raises(PermissionDenied):
        choose_district(actor=actor(None), district=california["ca11"])
    assert DistrictChoice.objects.count() == 0


def test_a_district_that_is_gone(california, make_member, actor):
    with pytest.raises(NotFound):
        choose_district(actor=actor(make_member("Ana")), district=999_999)


def test_a_pick_is_the_picker_s_own(california, make_member, actor):
    """Each actor picks only for themselves: another member's lookup is untouched."""
    ana, otto = make_member("Ana", postal_code="94110"), make_member("Otto", postal_code="94110")
    choose_district(actor=actor(ana), district=california["ca12"])
    assert lookup.representatives_for_postcode("94110", person=otto.person).needs_address
    assert DistrictChoice.objects.get().person_id == ana.person.pk


# --- The page, per persona -------------------------------------------------------------------


def test_the_url():
    assert reverse("advocacy:representatives") == URL
    assert reverse("advocacy:pick_district") == PICK_URL


def test_anonymous_sees_the_form(client, california):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="postcode"' in html and 'name="address"' not in html  # no geocoder set
    assert "Who represents me?" in html


def test_anonymous_looks_up_a_postcode(client, california):
    response = client.get(URL, {"postcode": "90012"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Senator Alex Padilla" in html and "Representative Jimmy Gomez" in html
    assert html.index("Alex Padilla") < html.index("Jimmy Gomez") < html.index("Gavin Newsom")
    assert 'href="tel:+1-202-224-3553"' in html and "DC office" in html and "checked Jan 6, 2025" in html
    assert "Old Rep" not in html and "A CEO" not in html
    assert "Your ZIP code is split" not in html


def test_anonymous_with_a_split_postcode_picks_and_is_not_remembered(client, california):
    response = client.get(URL, {"postcode": "94110"})
    html = response.content.decode()
    assert "Your ZIP code is split" in html
    assert f'value="{california["ca12"].pk}"' in html and "(Nancy Pelosi)" in html
    assert "your ZIP code's centre is here" in html
    response = client.post(PICK_URL, {"postcode": "94110", "pick-1": str(california["ca12"].pk)})
    assert response.status_code == 303
    assert response["Location"] == f"{URL}?postcode=94110&district={california['ca12'].pk}"
    html = client.get(response["Location"]).content.decode()
    assert "Representative Nancy Pelosi" in html and "Your ZIP code is split" not in html
    assert DistrictChoice.objects.count() == 0


def test_a_member_sees_their_own_representatives_at_once(client_for, make_member, california):
    user = make_member("Ana", postal_code="90012")
    response = client_for(user).get(URL)
    html = response.content.decode()
    assert "Jimmy Gomez" in html and "From the address on your account" in html
    assert "no-store" in response["Cache-Control"]


def test_a_member_picks_and_it_is_remembered(client_for, make_member, california):
    user = make_member("Ana", postal_code="94110")
    client = client_for(user)
    assert "Your ZIP code is split" in client.get(URL).content.decode()
    response = client.post(PICK_URL, {"pick-1": str(california["ca12"].pk), "from_address": "1"})
    assert response.status_code == 303 and response["Location"] == URL
    html = client.get(URL).content.decode()
    assert "Nancy Pelosi" in html and "Your choice" in html and "Your ZIP code is split" not in html
    assert DistrictChoice.objects.get(person=user.person).district_id == california["ca12"].pk
    # …and taken back.
    response = client.post(PICK_URL, {"forget": str(Level.FEDERAL)})
    assert response.status_code == 303
    assert not DistrictChoice.objects.exists()
    assert "Your ZIP code is split" in client.get(URL).content.decode()


def test_an_outsider_does_not_see_another_member_s_pick(client_for, make_member, california, actor):
    ana = make_member("Ana", postal_code="94110")
    choose_district(actor=actor(ana), district=california["ca12"])
    otto = make_member("Otto", postal_code="94110")
    html = client_for(otto).get(URL).content.decode()
    assert "Your ZIP code is split" in html and "Your choice" not in html
    # …nor by sending its id to the forget button: only their own picks go.
    client_for(otto).post(PICK_URL, {"forget": str(Level.FEDERAL)})
    assert DistrictChoice.objects.filter(person=ana.person).exists()


def test_a_pick_without_a_choice(client, california):
    response = client.post(PICK_URL, {"postcode": "94110"}, follow=True)
    assert "Please choose your district first." in response.content.decode()


def test_a_bad_postcode_gets_a_clear_message(client, california):
    response = client.get(URL, {"postcode": "00000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html and "We couldn&#x27;t find the ZIP code 00000" in html


def test_staff_with_no_district_data_are_told_what_to_import(client_for, make_member, db):
    html = client_for(make_member("Olu", role=Role.ORGANIZER)).get(URL).content.decode()
    assert "No district maps are imported yet" in html
    assert "groundswell import districts cb_2024_us_cd119_500k.zip" in html
    assert "groundswell import targets legislators-current.yaml" in html


@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_visitors_and_members_with_no_district_data_get_a_plain_word(
    client, client_for, make_member, db, persona
):
    browser = client if persona == "anonymous" else client_for(make_member("Ana"))
    html = browser.get(URL, {"postcode": "90012"}).content.decode()
    assert "District maps haven't been loaded here yet" in html
    assert "groundswell import" not in html


def test_a_postcode_with_no_representatives_tells_staff_to_import_targets(client_for, make_member, db):
    make_district(f"{CA}/cd:34", around("90012", -0.3, -0.3, 0.3, 0.3))
    html = (
        client_for(make_member("Olu", role=Role.ORGANIZER)).get(URL, {"postcode": "90012"}).content.decode()
    )
    assert "We found no representatives for this place yet." in html
    assert "groundswell import targets" in html


def test_what_officials_are_called_is_escaped(client, california):
    target("<script>alert(1)</script>", f"{CA}/cd:34", Level.FEDERAL, "lower")
    html = client.get(URL, {"postcode": "90012"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_page_s_query_count(client, california, django_assert_num_queries):
    client.get(URL, {"postcode": "90012"})  # the index is built
    with django_assert_num_queries(2):  # targets, phones; nothing per target
        client.get(URL, {"postcode": "90012"})


def test_the_every_district_list(client, california):
    html = client.get(URL, {"postcode": "94110", "every": "1"}).content.decode()
    assert "Choose your districts" in html
    assert "State Senate District 26" in html and "Nevada" not in html


# --- With a geocoder -------------------------------------------------------------------------


@pytest.fixture
def geocoder(settings, monkeypatch):
    settings.GEOCODER = "nominatim"
    longitude, latitude = centre("94110")
    calls = []

    def ask(text, service):
        calls.append(text)
        if "nowhere" in text:
            return None
        # West of the line: CA-12.
        return geocoding.Located(longitude=longitude - 0.01, latitude=latitude, region="CA")

    monkeypatch.setattr(geocoding, "_ask", ask)
    return calls


def test_a_street_address_is_posted_and_looked_up_exactly(client, california, geocoder):
    html = client.get(URL).content.decode()
    assert 'name="address"' in html and 'method="post"' in html
    response = client.post(URL, {"address": "1 Valencia St, San Francisco"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your representatives at that address" in html and "Nancy Pelosi" in html
    assert "Your ZIP code is split" not in html
    client.post(URL, {"address": "1 Valencia St, San Francisco"})
    assert geocoder == ["1 Valencia St, San Francisco"]  # the second answer came from the cache


def test_an_address_the_geocoder_cannot_find(client, california, geocoder):
    response = client.post(URL, {"address": "nowhere at all"})
    assert response.status_code == 400
    assert "We couldn&#x27;t find that address" in response.content.decode()


def test_neither_address_nor_postcode(client, california, geocoder):
    response = client.post(URL, {"address": " ", "postcode": ""})
    assert response.status_code == 400
    assert "Please enter your street address or your ZIP code." in response.content.decode()


def test_address_lookups_are_rate_limited(client, california, geocoder, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "geocode": "2/h/ip"}
    for number in range(2):
        assert client.post(URL, {"address": f"{number} Valencia St"}).status_code == 200
    response = client.post(URL, {"address": "3 Valencia St"})
    assert response.status_code == 400
    assert len(geocoder) == 2


def test_the_geocoder_is_off_by_default():
    cache.clear()
    assert not geocoding.enabled()
    with pytest.raises(ValidationError, match="not switched on"):
        geocoding.geocode("1 Valencia St")


def test_what_geocoders_answer_is_read_for_the_state():
    nominatim = {"address": {"ISO3166-2-lvl4": "US-CA", "postcode": "94110", "country_code": "us"}}
    assert geocoding._parts(nominatim) == ("CA", "94110", "US")
    google = {
        "address_components": [
            {"types": ["administrative_area_level_1"], "short_name": "NY"},
            {"types": ["postal_code"], "short_name": "10001"},
            {"types": ["country"], "short_name": "US"},
        ]
    }
    assert geocoding._parts(google) == ("NY", "10001", "US")
    assert geocoding._parts({"address": {"ISO3166-2-lvl4": "GB-ENG", "country_code": "gb"}}) == ("", "", "GB")


def test_a_member_s_picks_are_rate_limited(california, make_member, client_for, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "pick_district": "2/h/person"}
    district = make_district(f"{CA}/cd:99", around("94110", -0.3, -0.3, 0.3, 0.3), Level.FEDERAL, "CA-99")
    user = make_member("Ana", postal_code="94110")
    client = client_for(user)
    for _ in range(2):
        client.post(reverse("advocacy:pick_district"), {f"pick-{Level.FEDERAL.value}": str(district.pk)})
    DistrictChoice.objects.all().delete()
    response = client.post(
        reverse("advocacy:pick_district"), {f"pick-{Level.FEDERAL.value}": str(district.pk)}
    )
    assert response.status_code == 303
    assert not DistrictChoice.objects.exists()
    assert (
        "Too many" in client.get(response["Location"]).content.decode()
        or "try again" in client.get(response["Location"]).content.decode()
    )
