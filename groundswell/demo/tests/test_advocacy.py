"""The demo's advocacy: synthetic districts around its places (clearly demo data, never
overlapping, every member inside one), fictional officials serving them, campaigns and
petitions from staff and members, and signatures and calls shaped like a movement's (most
sign, fewer call, a few start something), with the rows and acts the advocacy services
write: a signature and a call made through the services match the demo's own."""

import re
from collections import Counter

import numpy as np
import pytest
import shapely
from django.db.models import F
from django.test import Client

from groundswell.accounts.actors import actor_for_person
from groundswell.accounts.models import User
from groundswell.activity.models import Activity, Detail, Initiator, ObjectKind, Verb
from groundswell.advocacy import districts, services
from groundswell.advocacy.geometry import from_wkb
from groundswell.advocacy.models import (
    MODE_DETAIL,
    AdvocacyCampaign,
    District,
    Level,
    Outreach,
    Petition,
    Review,
    Signature,
    Target,
    TargetPhone,
    TrustedStarter,
)
from groundswell.advocacy.selectors import representatives as lookup
from groundswell.core.channels import Channel
from groundswell.demo.advocacy import districts_for
from groundswell.demo.generator import ADMIN_EMAIL, MEMBER_EMAIL, DemoResult, make_movement
from groundswell.network.models import ShareCode
from groundswell.people.models import Person, PostalAddress
from groundswell.people.places import place_postcode

PEOPLE = 2000
SEED = 5
DEMO_ID = re.compile(r"^ocd-division/country:us/(state:[a-z]{2}/cd:demo-\d+|district:dc|territory:[a-z]{2})$")


@pytest.fixture
def movement(db: None) -> DemoResult:
    districts.current()  # an index built before the demo: the demo's districts must reach it
    return make_movement(people=PEOPLE, seed=SEED)


def water() -> Petition:
    return Petition.objects.get(title="Pass the Clean Water for All Act")


def test_most_sign_fewer_call_a_few_start(movement: DemoResult) -> None:
    summary = movement.advocacy
    signers = set(Signature.objects.values_list("person_id", flat=True))
    callers = set(Outreach.objects.filter(mode=Outreach.Mode.CALL).values_list("person_id", flat=True))
    starters = set(
        Petition.objects.filter(member_started=True).values_list("started_by_id", flat=True)
    ) | set(AdvocacyCampaign.objects.filter(member_started=True).values_list("started_by_id", flat=True))
    assert len(signers) > 2 * len(callers) > 0 and len(callers) > 5 * len(starters) > 0
    assert 3 <= len(starters) <= 12
    assert (summary.signers, summary.callers) == (len(signers), len(callers))
    # Most members sign the staff petition; those who have been to an event sign more often.
    assert 0.4 < len(signers) / PEOPLE < 0.8
    attended = set(Activity.objects.filter(verb=Verb.ATTENDED).values_list("person_id", flat=True))
    water_signers = set(Signature.objects.filter(petition=water()).values_list("person_id", flat=True))
    assert len(water_signers & attended) / len(attended) > 0.55
    # Calls often reach voicemail: the commonest outcome, then a staffer.
    outcomes = Counter(Outreach.objects.filter(mode=Outreach.Mode.CALL).values_list("outcome", flat=True))
    (first, _), (second, _) = outcomes.most_common(2)
    assert (first, second) == (Outreach.Outcome.VOICEMAIL, Outreach.Outcome.REACHED_STAFFER)
    assert summary.voicemails == outcomes[Outreach.Outcome.VOICEMAIL]
    # Callers mostly signed first ("now call your representative").
    assert len(callers & water_signers) / len(callers) > 0.8


def test_referral_credit_flows_through_members_links(movement: DemoResult) -> None:
    credited = Signature.objects.exclude(referrer=None)
    share = credited.count() / Signature.objects.count()
    assert 0.1 < share < 0.5
    # Each credited signature came through a share channel, from a member who signed first.
    assert not credited.filter(channel=Channel.DIRECT).exists()
    first_signed = {
        (petition, person): at
        for petition, person, at in Signature.objects.values_list("petition_id", "person_id", "created_at")
    }
    for petition, referrer, at in credited.values_list("petition_id", "referrer_id", "created_at"):
        assert first_signed[(petition, referrer)] < at
    # Often the signer's own recruiter, on the channel that recruiter reached them through.
    recruited = credited.filter(referrer_id=F("person__recruited_by_id"))
    assert recruited.count() > credited.count() / 3
    assert recruited.filter(channel=F("person__source_channel")).count() > recruited.count() / 2


def test_the_districts_are_demo_data_and_hold_every_member(movement: DemoResult) -> None:
    rows = list(District.objects.all())
    assert len(rows) == movement.advocacy.districts > 10
    for district in rows:
        assert district.is_demo and district.source == "demo" and district.level == Level.FEDERAL
        assert DEMO_ID.match(district.ocd_id), district.ocd_id
        assert re.match(r"^Demo district( \d+)? \([A-Z]{2}\)$", district.name), district.name
        shape = from_wkb(district.boundary)
        assert shape.is_valid and not shape.is_empty
        assert (district.min_longitude, district.min_latitude) == pytest.approx(shape.bounds[:2])
    # Districts never overlap (they meet along ZIP code lines).
    shapes = [from_wkb(d.boundary) for d in rows]
    tree = shapely.STRtree(shapes)
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i < j:
            assert shapes[i].intersection(shapes[j]).area < 1e-9
    # More members, more districts: the state with the most has several.
    states = Counter(PostalAddress.objects.values_list("region", flat=True))
    busiest, members = states.most_common(1)[0]
    assert (
        District.objects.filter(ocd_id__contains=f"state:{busiest.lower()}/").count()
        == districts_for(members)
        > 1
    )
    # Every member's ZIP centre lies in a demo district of their own state, which the index
    # knows without being told to forget (the demo marked it changed).
    for postcode, region in set(PostalAddress.objects.values_list("postal_code", "region")):
        place = place_postcode(postcode)
        assert place.longitude is not None and place.latitude is not None
        found = [d.ocd_id for d in districts.districts_at(place.longitude, place.latitude)]
        division = districts.us_state_division(region)
        assert any(ocd_id == division or ocd_id.startswith(f"{division}/") for ocd_id in found), postcode


def test_the_officials_are_fictional_and_serve_the_districts(movement: DemoResult) -> None:
    assert not Target.objects.exclude(source="demo").exists()
    district_ids = set(District.objects.values_list("ocd_id", flat=True))
    representatives = Target.objects.filter(chamber=Target.Chamber.LOWER, level=Level.FEDERAL)
    assert set(representatives.values_list("ocd_id", flat=True)) == district_ids
    assert representatives.count() == len(district_ids)
    for state in {ocd_id.split("/cd:")[0] for ocd_id in district_ids if "/cd:" in ocd_id}:
        assert Target.objects.filter(ocd_id=state, chamber=Target.Chamber.UPPER).count() == 2
        assert (
            Target.objects.filter(ocd_id=state, chamber=Target.Chamber.EXECUTIVE, title="Governor").count()
            == 1
        )
    assert all("(demo)" in office for office in Target.objects.values_list("office", flat=True))
    phones = list(TargetPhone.objects.values_list("number", "label", "verified_on"))
    assert phones and all(re.fullmatch(r"\(\d{3}\) 555-01\d\d", n) and label for n, label, _ in phones)
    assert all(verified is not None for _, _, verified in phones if _ != "City Hall")
    assert (
        not Target.objects.filter(email__isnull=False)
        .exclude(email="")
        .exclude(email__endswith="@example.org")
        .exists()
    )


def test_staff_and_members_campaigns_and_petitions(movement: DemoResult) -> None:
    admin = User.objects.get(email=ADMIN_EMAIL).person
    member = User.objects.get(email=MEMBER_EMAIL).person
    staff_campaigns = AdvocacyCampaign.objects.filter(member_started=False)
    assert sorted(staff_campaigns.values_list("mode", flat=True)) == ["call", "email"]
    assert set(staff_campaigns.values_list("started_by", flat=True)) == {admin.pk}
    call = staff_campaigns.get(mode="call")
    assert call.target_levels == [{"level": 1, "chamber": "lower"}, {"level": 1, "chamber": "upper"}]
    assert call.scripts.get().chamber == Target.Chamber.UPPER
    staff_petitions = Petition.objects.filter(member_started=False)
    assert staff_petitions.count() == 2 and water().advocacy_campaign == call
    # Delivered to the senators of the states where most members live.
    assert {t.chamber for t in water().targets.all()} == {Target.Chamber.UPPER}
    assert 2 <= water().targets.count() <= 6
    members = Petition.objects.filter(member_started=True)
    assert members.filter(status=Review.PENDING).count() == 1
    changed = members.get(status=Review.DRAFT)
    assert changed.review_note and changed.reviewed_by == admin
    assert Activity.objects.filter(verb=Verb.ASKED_FOR_CAMPAIGN_CHANGES, object_id=changed.pk).count() == 1
    assert not Signature.objects.filter(petition__status__in=[Review.PENDING, Review.DRAFT]).exists()
    live = members.filter(status=Review.PUBLISHED)
    assert live.count() >= 2
    # The member the demo signs in as started one, and people signed it.
    theirs = live.get(started_by=member)
    assert theirs.signatures.count() > 1 and theirs.signatures.filter(person=member).exists()
    # A trusted member's went live without review; the rest were approved by staff.
    (trust,) = TrustedStarter.objects.all()
    assert trust.trusted_by == admin
    assert Activity.objects.filter(verb=Verb.TRUSTED_STARTER, object_id=trust.person_id).count() == 1
    assert live.filter(started_by=trust.person, reviewed_by=None).exists()
    approved = live.exclude(reviewed_by=None)
    assert set(approved.values_list("reviewed_by", flat=True)) == {admin.pk}
    assert Activity.objects.filter(verb=Verb.APPROVED_CAMPAIGN).count() == approved.count() + (
        AdvocacyCampaign.objects.filter(member_started=True).count()
    )
    for row in live.exclude(reviewed_by=None):
        assert row.reviewed_at is not None
        assert row.created_at < row.reviewed_at < row.signatures.order_by("created_at")[0].created_at


def test_the_acts_are_the_services_acts(movement: DemoResult) -> None:
    signatures: dict[tuple[int, int | None], Signature] = {
        (s.person_id, s.petition_id): s for s in Signature.objects.select_related("petition")
    }
    acts = Activity.objects.filter(verb=Verb.SIGNED)
    assert acts.count() == len(signatures) == movement.advocacy.signatures
    for act in acts:
        signature = signatures[(act.person_id, act.object_id)]
        campaign = signature.petition.advocacy_campaign_id
        assert (act.object_kind, act.channel, act.referrer_id, act.actor_id, act.initiator) == (
            ObjectKind.PETITION,
            signature.channel,
            signature.referrer_id,
            act.person_id,
            Initiator.MEMBER,
        )
        assert (act.context_kind, act.context_id) == (
            (ObjectKind.ADVOCACY_CAMPAIGN, campaign) if campaign else (None, None)
        )
        assert act.occurred_at == signature.created_at
    contacts = Activity.objects.filter(verb=Verb.CONTACTED_TARGET)
    outreaches: dict[tuple[int, int | None, object], Outreach] = {
        (o.person_id, o.target_id, o.created_at): o for o in Outreach.objects.all()
    }
    assert contacts.count() == len(outreaches) == movement.advocacy.outreaches
    for act in contacts:
        outreach = outreaches[(act.person_id, act.object_id, act.occurred_at)]
        assert (act.object_kind, act.context_kind, act.context_id, act.detail) == (
            ObjectKind.TARGET,
            ObjectKind.ADVOCACY_CAMPAIGN,
            outreach.campaign_id,
            MODE_DETAIL[outreach.mode],
        )
        assert (act.channel, act.referrer_id, act.initiator) == (
            outreach.channel,
            outreach.referrer_id,
            Initiator.MEMBER,
        )
    started = Activity.objects.filter(verb=Verb.STARTED_CAMPAIGN)
    assert started.count() == AdvocacyCampaign.objects.count() + Petition.objects.count()
    for act in started:
        model = AdvocacyCampaign if act.object_kind == ObjectKind.ADVOCACY_CAMPAIGN else Petition
        row = model.objects.get(pk=int(act.object_id or 0))
        assert (act.person_id, act.actor_id) == (row.started_by_id, row.started_by_id)
        assert act.initiator == (Initiator.MEMBER if row.member_started else Initiator.STAFF)
        assert act.occurred_at == row.created_at
    # Nothing happens before the person joined, or after now.
    assert not Activity.objects.filter(
        verb__in=[Verb.SIGNED, Verb.CONTACTED_TARGET], occurred_at__lt=F("person__created_at")
    ).exists()
    calls = Activity.objects.filter(verb=Verb.CONTACTED_TARGET, detail=Detail.CALL).count()
    assert calls == Outreach.objects.filter(mode=Outreach.Mode.CALL).count() == movement.advocacy.calls


def _shape_of_signature(signature: Signature) -> tuple:
    person = signature.person
    roles = {person.pk: "signer", signature.referrer_id: "referrer", None: None}
    home = person.postal_addresses.get(primary=True)
    acts = Activity.objects.filter(person=person, verb=Verb.SIGNED, object_id=signature.petition_id)
    return (
        signature.origin,
        signature.channel,
        roles.get(signature.referrer_id, "other"),
        (signature.given_name, signature.family_name, signature.email)
        == (
            person.given_name,
            person.family_name,
            person.email_addresses.get(primary=True).address,
        ),
        (signature.postal_code, signature.locality) == (home.postal_code, home.locality),
        signature.phone,
        signature.source,
        sorted(
            (
                a.verb,
                a.object_kind,
                a.context_kind,
                a.context_id,
                a.detail,
                a.channel,
                roles.get(a.referrer_id, "other"),
                roles.get(a.actor_id, "other"),
                a.initiator,
                a.slot_id,
            )
            for a in acts
        ),
    )


def test_a_signature_through_the_service_matches_the_demo_s(movement: DemoResult) -> None:
    """The demo writes in bulk, by the services' rules: a member who signs through another
    member's link, signed in, leaves the same rows and acts as a demo signature so credited."""
    petition = water()
    demo = (
        Signature.objects.filter(petition=petition, channel=Channel.WHATSAPP)
        .exclude(referrer=None)
        .select_related("person")
        .first()
    )
    assert demo is not None
    newcomer = (
        Person.objects.exclude(signatures__petition=petition).exclude(pk=petition.started_by_id).first()
    )
    assert newcomer is not None
    code = ShareCode.objects.filter(person_id=int(demo.referrer_id or 0)).first()
    assert code is not None
    real = services.sign(
        actor=actor_for_person(newcomer), petition=petition, ref=code.code, via="whatsapp"
    ).signature
    assert _shape_of_signature(real) == _shape_of_signature(demo)


def test_a_call_through_the_service_matches_the_demo_s(movement: DemoResult) -> None:
    call = AdvocacyCampaign.objects.get(mode="call", member_started=False)
    demo = (
        Outreach.objects.filter(campaign=call, target__chamber=Target.Chamber.UPPER)
        .exclude(referrer=None)
        .select_related("person", "target")
        .first()
    )
    assert demo is not None
    senator = demo.target
    caller = (
        Person.objects.filter(postal_addresses__region=demo.person.postal_addresses.get().region)
        .exclude(outreachs__campaign=call)  # Participation's related name
        .first()
    )
    assert caller is not None
    code = ShareCode.objects.filter(person_id=int(demo.referrer_id or 0)).first()
    assert code is not None
    real = services.log_outreach(
        actor=actor_for_person(caller),
        campaign=call,
        report=services.OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome=demo.outcome,
            call_seconds=demo.call_seconds,
        ),
        ref=code.code,
        via=Channel(demo.channel).slug,
    ).outreach

    def shape(outreach: Outreach) -> tuple:
        person = outreach.person
        roles = {person.pk: "caller", outreach.referrer_id: "referrer", None: None}
        act = Activity.objects.get(person=person, verb=Verb.CONTACTED_TARGET, object_id=outreach.target_id)
        return (
            outreach.origin,
            outreach.channel,
            roles.get(outreach.referrer_id, "other"),
            outreach.mode,
            (outreach.given_name, outreach.family_name, outreach.email)
            == (person.given_name, person.family_name, person.email_addresses.get(primary=True).address),
            (act.object_kind, act.context_kind, act.context_id, act.detail, act.channel, act.initiator),
            (roles.get(act.referrer_id, "other"), roles.get(act.actor_id, "other")),
        )

    assert shape(real) == shape(demo)


def test_who_represents_me_works_for_the_demo_member(movement: DemoResult) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    home = member.person.postal_addresses.get(primary=True)
    found = lookup.representatives_for_person(member.person)
    assert found is not None and found.districts_loaded
    federal = [t for t in found.targets if t.level == Level.FEDERAL]
    candidates = [t for q in found.questions for c in q.candidates for t in c.targets]
    representatives = [t for t in federal + candidates if t.chamber == Target.Chamber.LOWER]
    assert representatives and all(t.source == "demo" for t in representatives)
    state = districts.us_state_division(home.region)
    assert state is not None and all(t.ocd_id.startswith(state) for t in representatives)
    if home.region != "DC":
        assert len([t for t in federal if t.chamber == Target.Chamber.UPPER]) == 2
    # And the page, for anyone looking up that ZIP code.
    html = Client().get("/act/representatives/", {"postcode": home.postal_code}).content.decode()
    assert representatives[0].name in html and "(demo)" in html and "555-01" in html


def test_a_second_run_reuses_the_demo_districts(db: None) -> None:
    first = make_movement(people=600, seed=3)
    count = District.objects.count()
    officials = Target.objects.exclude(ocd_id="").count()
    second = make_movement(people=600, seed=4)
    assert District.objects.count() == count and Target.objects.exclude(ocd_id="").count() == officials
    assert second.advocacy.districts == 0 and second.advocacy.signatures > 0
    assert first.advocacy.districts == count
    later = Person.objects.order_by("-id")[:600]
    assert Outreach.objects.filter(person__in=later, target__ocd_id__contains="/cd:demo-").exists()
    np.testing.assert_array_less(0, [Signature.objects.filter(person__in=later).count()])


def test_the_demo_tells_the_district_index(db: None, django_capture_on_commit_callbacks) -> None:
    """Bulk inserts send no signals: the demo marks the index stale itself, here at once and in
    every process once its transaction commits (`districts_changed`, on commit)."""
    districts.current()
    writes = districts._process.writes
    with django_capture_on_commit_callbacks() as callbacks:
        make_movement(people=300, seed=2)
    assert District.objects.exists()
    assert districts._process.writes > writes
    assert districts.districts_changed in callbacks
