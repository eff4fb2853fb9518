"""The admin of advocacy: who may open it (every page, per persona), what it shows of a
boundary, that a change of districts reaches the lookup index, and that campaigns and
petitions move only through the review services (approve; turn down and ask for changes with
a note), their words checked as the services check them, while signatures and outreaches
stay read-only."""

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
    choice = DistrictChoice.objects.create(
        person=member.person, district=district, level=Level.FEDERAL, kind="cd"
    )
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
    choice = DistrictChoice.objects.create(
        person=member.person, district=district, level=Level.FEDERAL, kind="cd"
    )
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


# --- Campaigns, petitions, signatures, outreaches, trusted starters ---------------------------


@pytest.fixture
def advocacy(clients, make_member):
    """A member's pending petition and call campaign, an organizer's live petition with one
    signature, an outreach, and a trusted starter."""
    from groundswell.advocacy import services
    from groundswell.advocacy.models import Outreach
    from groundswell.advocacy.tests.campaign_factories import (
        as_actor,
        make_campaign,
        make_petition,
        make_target,
    )

    starter, organizer = make_member("Stu"), make_member("Olga", role=Role.ORGANIZER)
    senator = make_target()
    made = {
        "starter": starter,
        "organizer": organizer,
        "pending_petition": make_petition(starter, title="Fix the crossing"),
        "pending_campaign": make_campaign(starter, title="Call about buses"),
        "live_petition": make_petition(organizer, title="Save the library"),
        "live_campaign": make_campaign(organizer, title="Call for clean water", targets=[senator]),
    }
    signer = make_member("Sal", postal_code="94110")
    made["signature"] = services.sign(
        actor=as_actor(signer), petition=made["live_petition"], comment="Yes!"
    ).signature
    made["outreach"] = services.log_outreach(
        actor=as_actor(signer),
        campaign=made["live_campaign"],
        report=services.OutreachReport(
            target=senator, theirs=frozenset({senator.pk}), outcome=Outreach.Outcome.VOICEMAIL
        ),
    ).outreach
    made["trusted"] = services.trust_starter(actor=as_actor(organizer), person=signer.person)
    return made


def advocacy_pages(made) -> list[str]:
    return [
        "/admin/advocacy/advocacycampaign/",
        "/admin/advocacy/advocacycampaign/?status__exact=pending&mode__exact=call&member_started__exact=1",
        "/admin/advocacy/advocacycampaign/?q=buses",
        f"/admin/advocacy/advocacycampaign/{made['pending_campaign'].pk}/change/",
        "/admin/advocacy/petition/",
        "/admin/advocacy/petition/?status__exact=published&member_started__exact=0&q=library",
        f"/admin/advocacy/petition/{made['live_petition'].pk}/change/",
        "/admin/advocacy/signature/",
        "/admin/advocacy/signature/?show_name_publicly__exact=0&q=library",
        f"/admin/advocacy/signature/{made['signature'].pk}/change/",
        "/admin/advocacy/outreach/",
        "/admin/advocacy/outreach/?mode__exact=call&outcome__exact=voicemail",
        f"/admin/advocacy/outreach/{made['outreach'].pk}/change/",
        "/admin/advocacy/trustedstarter/",
        "/admin/advocacy/trustedstarter/add/",
    ]


@pytest.mark.parametrize(
    ("persona", "opens"),
    [("anonymous", False), ("member", False), ("host", False), ("organizer", True), ("admin", True)],
)
def test_staff_open_the_campaign_pages_and_nobody_else_does(persona, opens, clients, advocacy):
    for url in advocacy_pages(advocacy):
        response = clients[persona].get(url)
        if opens:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_lists_show_what_an_organizer_looks_for(clients, advocacy):
    client = clients["organizer"]
    campaigns = client.get("/admin/advocacy/advocacycampaign/?status__exact=pending").content.decode()
    assert "Call about buses" in campaigns and "Call for clean water" not in campaigns
    petitions = client.get("/admin/advocacy/petition/").content.decode()
    assert "Save the library" in petitions and "Fix the crossing" in petitions
    signatures = client.get("/admin/advocacy/signature/").content.decode()
    assert "Save the library" in signatures and "Sal" in signatures
    # Starting one is an act on the site: no "add" here.
    assert client.get("/admin/advocacy/petition/add/").status_code == 403


def _act(verb, obj_id):
    from groundswell.activity.models import Activity

    return Activity.objects.filter(verb=verb, object_id=obj_id)


@pytest.mark.parametrize("persona", ["organizer", "admin"])
def test_staff_approve_through_the_service(persona, clients, advocacy):
    from groundswell.activity.models import Initiator, Verb
    from groundswell.advocacy.models import Petition, Review

    petition = advocacy["pending_petition"]
    live = advocacy["live_petition"]
    response = clients[persona].post(
        "/admin/advocacy/petition/",
        {"action": "approve_selected", "_selected_action": [petition.pk, live.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 petition(s) approved." in html
    assert "Save the library: Only a petition waiting for approval can be reviewed." in html
    petition.refresh_from_db()
    assert petition.status == Review.PUBLISHED and petition.reviewed_by is not None
    (act,) = _act(Verb.APPROVED_CAMPAIGN, petition.pk)
    assert (act.person_id, act.initiator) == (petition.reviewed_by_id, Initiator.STAFF)
    assert Petition.objects.get(pk=live.pk).status == Review.PUBLISHED  # untouched


@pytest.mark.parametrize("persona", ["anonymous", "member", "host"])
def test_nobody_else_reviews_through_the_admin(persona, clients, advocacy):
    from groundswell.advocacy.models import Review

    campaign = advocacy["pending_campaign"]
    for action in ("approve_selected", "reject_selected"):
        response = clients[persona].post(
            "/admin/advocacy/advocacycampaign/",
            {"action": action, "_selected_action": [campaign.pk], "apply": "yes", "note": "No"},
        )
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    campaign.refresh_from_db()
    assert campaign.status == Review.PENDING


def test_turning_down_asks_for_a_note_first(clients, advocacy):
    from groundswell.activity.models import Verb
    from groundswell.advocacy.models import Review

    campaign = advocacy["pending_campaign"]
    client = clients["organizer"]
    url = "/admin/advocacy/advocacycampaign/"
    asked = client.post(url, {"action": "reject_selected", "_selected_action": [campaign.pk]})
    html = asked.content.decode()
    assert asked.status_code == 200 and "Turn down: a note to the starter" in html
    assert "Call about buses" in html and 'name="note"' in html and 'value="yes"' in html
    # No note: asked again, nothing changes.
    again = client.post(url, {"action": "reject_selected", "_selected_action": [campaign.pk], "apply": "yes"})
    assert again.status_code == 200 and "Please write a note" in again.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Review.PENDING and not _act(Verb.REJECTED_CAMPAIGN, campaign.pk).exists()
    done = client.post(
        url,
        {
            "action": "reject_selected",
            "_selected_action": [campaign.pk],
            "apply": "yes",
            "note": "Buses are the county's, not the city's: <b>please</b> retarget.",
        },
        follow=True,
    )
    assert "1 campaign(s) turned down." in done.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Review.REJECTED
    assert campaign.review_note.startswith("Buses are the county's")
    assert _act(Verb.REJECTED_CAMPAIGN, campaign.pk).count() == 1
    # The starter is told (the notice goes out once the admin's transaction commits).
    from groundswell.messaging.models import Delivery

    assert Delivery.objects.filter(
        person=advocacy["starter"].person, message__key__startswith="advocacy-review:campaign"
    ).exists()


def test_asking_for_changes_sends_it_back_with_the_note(clients, advocacy):
    from groundswell.activity.models import Verb
    from groundswell.advocacy.models import Review

    petition = advocacy["pending_petition"]
    clients["admin"].post(
        "/admin/advocacy/petition/",
        {
            "action": "request_changes_selected",
            "_selected_action": [petition.pk],
            "apply": "yes",
            "note": "Name the intersection.",
        },
    )
    petition.refresh_from_db()
    assert (petition.status, petition.review_note) == (Review.DRAFT, "Name the intersection.")
    assert _act(Verb.ASKED_FOR_CAMPAIGN_CHANGES, petition.pk).count() == 1


def test_closing_a_live_campaign(clients, advocacy):
    from groundswell.activity.models import Verb
    from groundswell.advocacy.models import Review

    campaign = advocacy["live_campaign"]
    clients["organizer"].post(
        "/admin/advocacy/advocacycampaign/", {"action": "close_selected", "_selected_action": [campaign.pk]}
    )
    campaign.refresh_from_db()
    assert campaign.status == Review.CLOSED and _act(Verb.CLOSED_CAMPAIGN, campaign.pk).count() == 1


def _campaign_form(campaign, **changes) -> dict:
    data = {
        "title": campaign.title,
        "mode": campaign.mode,
        "description": campaign.description,
        "goal": campaign.goal or "",
        "target_levels": '[{"level": 1, "chamber": "upper"}]',
        "targets": [t.pk for t in campaign.targets.all()],
        "script": campaign.script,
        "subject": campaign.subject,
        "talking_points": "",
        "fallback_phone": "",
        "not_found_text": "",
        "scripts-TOTAL_FORMS": "0",
        "scripts-INITIAL_FORMS": "0",
        "status": "published",  # not a field of the form: ignored
    }
    data.update(changes)
    return data


def test_an_organizer_edits_a_campaign_its_words_checked_and_its_status_untouched(clients, advocacy):
    from groundswell.advocacy.models import AdvocacyCampaign, Review

    campaign = advocacy["pending_campaign"]
    url = f"/admin/advocacy/advocacycampaign/{campaign.pk}/change/"
    client = clients["organizer"]
    refused = client.post(url, _campaign_form(campaign, script="Hi {member_zip}, call {target_name}"))
    assert refused.status_code == 200 and "member_zip" in refused.content.decode()
    assert AdvocacyCampaign.objects.get(pk=campaign.pk).script == campaign.script
    saved = client.post(url, _campaign_form(campaign, script="Hello {target_title} {target_name}.\u202e"))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.script == "Hello {target_title} {target_name}."  # cleaned as the services clean
    assert campaign.status == Review.PENDING


@pytest.mark.parametrize(
    "picks",
    ['[{"level": 9, "chamber": "upper"}]', '[{"level": 1, "chamber": "attic"}]', '{"level": 1}', "[3]"],
)
def test_target_levels_outside_the_list_are_refused(clients, advocacy, picks):
    campaign = advocacy["live_campaign"]
    url = f"/admin/advocacy/advocacycampaign/{campaign.pk}/change/"
    response = clients["organizer"].post(url, _campaign_form(campaign, target_levels=picks))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.target_levels == [{"level": 1, "chamber": "upper"}]


def test_a_chamber_script_with_an_unknown_field_is_refused(clients, advocacy):
    from groundswell.advocacy.models import CampaignScript

    campaign = advocacy["live_campaign"]
    form = _campaign_form(
        campaign,
        **{
            "scripts-TOTAL_FORMS": "1",
            "scripts-0-chamber": "upper",
            "scripts-0-text": "Senator {target_nickname}",
        },
    )
    response = clients["organizer"].post(f"/admin/advocacy/advocacycampaign/{campaign.pk}/change/", form)
    assert response.status_code == 200 and "target_nickname" in response.content.decode()
    assert not CampaignScript.objects.exists()


def test_a_signed_petition_s_text_stays_as_signed(clients, advocacy):
    petition = advocacy["live_petition"]
    response = clients["organizer"].post(
        f"/admin/advocacy/petition/{petition.pk}/change/",
        {"title": "Save the library!", "text": "Something else", "goal": "100"},
    )
    assert response.status_code == 200 and "People have signed this text" in response.content.decode()
    petition.refresh_from_db()
    assert petition.title == "Save the library"


def test_signatures_and_outreaches_are_read_only(clients, advocacy):
    from groundswell.advocacy.models import Outreach, Signature

    client = clients["admin"]
    for name, obj in (("signature", advocacy["signature"]), ("outreach", advocacy["outreach"])):
        assert client.get(f"/admin/advocacy/{name}/add/").status_code == 403
        html = client.get(f"/admin/advocacy/{name}/{obj.pk}/change/").content.decode()
        assert 'type="submit" value="Save"' not in html
        assert client.post(f"/admin/advocacy/{name}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Signature.objects.filter(pk=advocacy["signature"].pk).exists()
    assert Outreach.objects.filter(pk=advocacy["outreach"].pk).exists()


def test_trusting_a_starter_in_the_admin_is_logged(clients, advocacy, make_member):
    from groundswell.activity.models import Activity, Verb
    from groundswell.advocacy.models import TrustedStarter

    newcomer = make_member("Nia")
    response = clients["organizer"].post(
        "/admin/advocacy/trustedstarter/add/", {"person": newcomer.person.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    trust = TrustedStarter.objects.get(person=newcomer.person)
    assert trust.trusted_by is not None and trust.trusted_by.given_name == "Olu"
    assert Activity.objects.filter(verb=Verb.TRUSTED_STARTER, object_id=newcomer.person.pk).count() == 1
