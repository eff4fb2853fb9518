"""Advocacy campaigns: starting (staff live or draft; members wait unless trusted), the
checks that refuse a template with an unknown merge field, changing and closing, the
organizers' review with its emails and acts, whom a member contacts, and the totals."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groundswell.accounts.actors import ANONYMOUS
from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.advocacy import services
from groundswell.advocacy.models import (
    MODE_DETAIL,
    AdvocacyCampaign,
    CampaignScript,
    Level,
    Outreach,
    Review,
    Target,
    TrustedStarter,
)
from groundswell.advocacy.selectors import campaigns as selectors
from groundswell.advocacy.tests.campaign_factories import (
    as_actor,
    campaign_details,
    make_campaign,
    make_petition,
    make_target,
)
from groundswell.core.errors import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def senator():
    return make_target("Alex Padilla")


# --- Starting ---------------------------------------------------------------------------------


def test_an_organizers_campaign_is_live_at_once_or_kept_as_a_draft(organizer, senator):
    live = make_campaign(organizer)
    assert (live.status, live.member_started, live.started_by) == (Review.PUBLISHED, False, organizer.person)
    assert live.slug == "call-for-clean-water"
    assert make_campaign(organizer, draft=True).status == Review.DRAFT
    act = Activity.objects.get(verb=Verb.STARTED_CAMPAIGN, object_id=live.pk)
    assert (act.object_kind, act.initiator) == (ObjectKind.ADVOCACY_CAMPAIGN, Initiator.STAFF)


def test_a_members_campaign_waits_unless_they_are_trusted(member, organizer, senator):
    waiting = make_campaign(member)
    assert (waiting.status, waiting.member_started) == (Review.PENDING, True)
    assert (
        Activity.objects.get(verb=Verb.STARTED_CAMPAIGN, object_id=waiting.pk).initiator == Initiator.MEMBER
    )
    services.trust_starter(actor=as_actor(organizer), person=member.person)
    services.trust_starter(actor=as_actor(organizer), person=member.person)  # once is enough
    assert TrustedStarter.objects.get().trusted_by == organizer.person
    assert Activity.objects.filter(verb=Verb.TRUSTED_STARTER).count() == 1
    assert make_campaign(member).status == Review.PUBLISHED
    with pytest.raises(PermissionDenied):
        services.trust_starter(actor=as_actor(member), person=member.person)


def test_titles_make_unique_slugs(organizer, senator):
    import re

    slugs = [make_campaign(organizer, title="Clean water!").slug for _ in range(3)]
    assert slugs[0] == "clean-water" and len(set(slugs)) == 3
    # A clash gets a random mark, not a count: "-2" would tell its starter another exists.
    assert all(re.fullmatch(r"clean-water-[a-z2-9]{5}", slug) for slug in slugs[1:])
    assert make_campaign(organizer, title="¿¿¿").slug == "advocacycampaign"


def test_a_members_slug_never_tells_them_of_a_hidden_one(organizer, member, senator):
    """A member's work always carries a mark, so whether the plain slug was taken — by a
    petition waiting for review or turned down, which they may not see — is not in its address."""
    from groundswell.advocacy.tests.campaign_factories import make_petition

    first = make_petition(member, title="Recall the mayor")
    second = make_petition(member, title="Something else")
    assert first.slug.startswith("recall-the-mayor-") and second.slug.startswith("something-else-")


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"script": "Hi, I'm {member_zip}"}, "script", "{member_zip}"),
        ({"subject": "From {member_email}"}, "subject", "{member_email}"),
        ({"chamber_scripts": {"upper": "Senator {target_nickname}"}}, "chamber_scripts", "{target_nickname}"),
        ({"script": "Hi {member_name"}, "script", "on its own"),
        ({"script": ""}, "script", "script"),
        ({"title": "  "}, "title", "title"),
        ({"title": "x" * 201}, "title", "shorten"),
        ({"mode": "fax"}, "mode", "call"),
        ({"target_levels": [], "targets": []}, "targets", "whom"),
        ({"target_levels": [services.TargetPick(9, "")]}, "target_levels", "levels"),
        ({"target_levels": [services.TargetPick(Level.FEDERAL, "attic")]}, "target_levels", "levels"),
        ({"goal": 0}, "goal", "at least 1"),
        ({"fallback_phone": "call us"}, "fallback_phone", "phone"),
    ],
)
def test_bad_campaign_details_are_refused_with_the_field_named_and_nothing_saved(
    organizer, senator, overrides, field, words
):
    with pytest.raises(ValidationError) as refused:
        make_campaign(organizer, **overrides)
    assert refused.value.field == field
    assert words in refused.value.message
    assert (
        not AdvocacyCampaign.objects.exists()
        and not Activity.objects.filter(verb=Verb.STARTED_CAMPAIGN).exists()
    )


def test_a_target_script_with_an_unknown_field_is_refused(organizer, senator):
    with pytest.raises(ValidationError, match=r"\{senator\}") as refused:
        make_campaign(organizer, target_scripts={senator: "Dear {senator}"})
    assert refused.value.field == "target_scripts"


def test_a_target_no_longer_serving_cannot_be_named(organizer):
    retired = make_target("Old Timer", serving=False)
    with pytest.raises(ValidationError, match="no longer in office") as refused:
        make_campaign(organizer, targets=[retired])
    assert refused.value.field == "targets"


def test_a_meeting_campaign_needs_no_script(organizer, senator):
    assert make_campaign(organizer, mode="meeting", script="").status == Review.PUBLISHED


# --- Changing and closing -------------------------------------------------------------------


def test_a_starter_changes_their_campaign_and_it_goes_back_to_review(member, organizer, senator):
    campaign = make_campaign(member)
    services.approve(actor=as_actor(organizer), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == Review.PUBLISHED
    changed = services.update_campaign(
        actor=as_actor(member), campaign=campaign, details=campaign_details(title="Call today")
    )
    # Approved words must not turn into others unseen.
    assert (changed.title, changed.status, changed.slug) == ("Call today", Review.PENDING, campaign.slug)
    # The log says why it left the public pages: the starter's change, once.
    resent = Activity.objects.get(verb=Verb.RESUBMITTED_CAMPAIGN)
    assert (resent.person_id, resent.object_kind, resent.object_id) == (
        member.person.pk,
        ObjectKind.ADVOCACY_CAMPAIGN,
        campaign.pk,
    )
    # An organizer's change to a member's pending campaign is not an approval.
    again = services.update_campaign(actor=as_actor(organizer), campaign=changed, details=campaign_details())
    assert again.status == Review.PENDING
    # While it waits, its starter may take it back as a draft.
    back = services.update_campaign(
        actor=as_actor(member), campaign=again, details=campaign_details(), draft=True
    )
    assert back.status == Review.DRAFT
    assert Activity.objects.filter(verb=Verb.RESUBMITTED_CAMPAIGN).count() == 1


def test_live_campaigns_do_not_go_back_to_draft_and_rejected_ones_stay_as_they_are(
    member, organizer, senator
):
    campaign = make_campaign(member)
    services.approve(actor=as_actor(organizer), campaign=campaign)
    with pytest.raises(ValidationError, match="live"):
        services.update_campaign(
            actor=as_actor(member), campaign=campaign, details=campaign_details(), draft=True
        )
    other = make_campaign(member)
    services.reject(actor=as_actor(organizer), campaign=other, reason="Off topic")
    with pytest.raises(ValidationError, match="can't be changed"):
        services.update_campaign(actor=as_actor(member), campaign=other, details=campaign_details())


def test_a_trusted_starters_change_stays_live_and_a_staff_draft_goes_live(member, organizer, senator):
    services.trust_starter(actor=as_actor(organizer), person=member.person)
    campaign = make_campaign(member)
    changed = services.update_campaign(
        actor=as_actor(member), campaign=campaign, details=campaign_details(goal=5)
    )
    assert (changed.status, changed.goal) == (Review.PUBLISHED, 5)
    draft = make_campaign(organizer, draft=True)
    kept = services.update_campaign(
        actor=as_actor(organizer), campaign=draft, details=campaign_details(), draft=True
    )
    assert kept.status == Review.DRAFT
    live = services.update_campaign(actor=as_actor(organizer), campaign=draft, details=campaign_details())
    assert live.status == Review.PUBLISHED


def test_scripts_per_chamber_and_target_are_replaced_on_change(organizer, senator):
    rep = make_target("Nancy Pelosi", title="Representative", chamber=Target.Chamber.LOWER, ocd_id="x/cd:11")
    campaign = make_campaign(
        organizer,
        target_levels=[services.TargetPick(Level.FEDERAL)],
        chamber_scripts={"upper": "Senator script", "lower": "House script"},
        target_scripts={senator: "Padilla script"},
    )
    assert selectors.script_for(campaign, senator) == "Padilla script"
    assert selectors.script_for(campaign, rep) == "House script"
    other_senator = make_target("Laphonza Butler")
    assert selectors.script_for(campaign, other_senator) == "Senator script"
    governor = make_target("Gov", chamber=Target.Chamber.EXECUTIVE, level=Level.STATE)
    assert selectors.script_for(campaign, governor) == campaign.script
    services.update_campaign(
        actor=as_actor(organizer),
        campaign=campaign,
        details=campaign_details(chamber_scripts={"lower": "New House script", "upper": "  "}),
    )
    assert list(CampaignScript.objects.values_list("chamber", "text")) == [("lower", "New House script")]
    assert selectors.script_for(campaign, senator) == campaign.script


def test_closing_a_live_campaign(member, organizer, outsider, senator):
    campaign = make_campaign(member)
    with pytest.raises(ValidationError, match="live"):
        services.close_campaign(actor=as_actor(member), campaign=campaign)  # still waiting
    services.approve(actor=as_actor(organizer), campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.close_campaign(actor=as_actor(outsider), campaign=campaign)
    closed = services.close_campaign(actor=as_actor(member), campaign=campaign)
    assert closed.status == Review.CLOSED and closed.closed_at is not None
    assert services.close_campaign(actor=as_actor(member), campaign=closed).closed_at == closed.closed_at
    assert Activity.objects.filter(verb=Verb.CLOSED_CAMPAIGN, object_id=campaign.pk).count() == 1


# --- Review ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_review_tells_the_starter_and_logs_the_act(
    member, organizer, senator, kind, django_capture_on_commit_callbacks
):
    make: Callable[..., Any] = make_campaign if kind == "campaign" else make_petition
    expected_kind = ObjectKind.ADVOCACY_CAMPAIGN if kind == "campaign" else ObjectKind.PETITION
    first, second, third = make(member), make(member), make(member)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(actor=as_actor(organizer), campaign=first)
        services.reject(actor=as_actor(organizer), campaign=second, reason="Not our issue")
        services.request_changes(actor=as_actor(organizer), campaign=third, note="Name the council")
    for campaign in (first, second, third):
        campaign.refresh_from_db()
    assert [c.status for c in (first, second, third)] == [Review.PUBLISHED, Review.REJECTED, Review.DRAFT]
    assert (second.review_note, third.review_note, third.reviewed_by) == (
        "Not our issue",
        "Name the council",
        organizer.person,
    )
    subjects = sorted(message.subject for message in mail.outbox)
    assert [m.to for m in mail.outbox] == [[member.email]] * 3
    assert subjects == sorted(
        [f"Approved: {first.title}", f"Not approved: {second.title}", f"Changes asked: {third.title}"]
    )
    assert any("Name the council" in m.body for m in mail.outbox)
    verbs = list(
        Activity.objects.filter(object_kind=expected_kind, actor=organizer.person).values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == sorted(
        [Verb.APPROVED_CAMPAIGN, Verb.REJECTED_CAMPAIGN, Verb.ASKED_FOR_CAMPAIGN_CHANGES]
    )
    # Not events' verbs: counts of approved events stay as they were.
    assert not Activity.objects.filter(verb__in=[Verb.APPROVED_EVENT, Verb.REJECTED_EVENT]).exists()


def test_review_needs_a_reason_staff_and_something_waiting(member, organizer, senator):
    campaign = make_campaign(member)
    with pytest.raises(ValidationError, match="why") as refused:
        services.reject(actor=as_actor(organizer), campaign=campaign, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(ValidationError, match="change"):
        services.request_changes(actor=as_actor(organizer), campaign=campaign, note="")
    with pytest.raises(PermissionDenied):
        services.approve(actor=as_actor(member), campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.approve(actor=ANONYMOUS, campaign=campaign)
    services.request_changes(actor=as_actor(organizer), campaign=campaign, note="Shorter")
    with pytest.raises(ValidationError, match="waiting for approval"):
        services.approve(actor=as_actor(organizer), campaign=campaign)
    # Sent again, it waits again.
    resent = services.update_campaign(actor=as_actor(member), campaign=campaign, details=campaign_details())
    assert resent.status == Review.PENDING
    assert services.approve(actor=as_actor(organizer), campaign=resent).status == Review.PUBLISHED


def test_waiting_for_review_counts_campaigns_and_petitions_for_staff_only(member, organizer, senator):
    make_campaign(member)
    make_petition(member)
    make_petition(member, draft=True)
    make_campaign(organizer)
    assert selectors.waiting_for_review(as_actor(organizer)) == 2
    member_actor = as_actor(member)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.waiting_for_review(member_actor) == 0
        assert selectors.waiting_for_review(ANONYMOUS) == 0
    assert len(queries) == 0


def test_the_review_queue_is_oldest_first_with_each_starters_record(member, make_member, organizer, senator):
    other = make_member("Nia")
    first = make_petition(member)
    second = make_campaign(other)
    rejected = make_petition(member)
    services.reject(actor=as_actor(organizer), campaign=rejected, reason="No")
    assert selectors.review_queue(as_actor(organizer)) == [first, second]
    history = selectors.starter_history([member.person.pk, other.person.pk])
    assert history[member.person.pk] == {"pending": 1, "rejected": 1}
    assert history[other.person.pk] == {"pending": 1}


# --- Whom a member contacts ---------------------------------------------------------------------


@pytest.fixture
def delegation():
    """A member's representatives, as "who represents me" would hand them over."""
    return {
        Level.FEDERAL: [
            make_target("Nancy Pelosi", title="Representative", chamber="lower", ocd_id="us/ca/cd:11"),
            make_target("Alex Padilla"),
            make_target("Laphonza Butler"),
        ],
        Level.STATE: [
            make_target("Scott Wiener", title="State Senator", level=Level.STATE, ocd_id="us/ca/sldu:11"),
            make_target("Gavin Newsom", title="Governor", level=Level.STATE, chamber="executive"),
        ],
    }


def test_targets_for_picks_the_members_own_at_the_chosen_levels(organizer, delegation):
    federal = make_campaign(
        organizer,
        target_levels=[
            services.TargetPick(Level.FEDERAL, "upper"),
            services.TargetPick(Level.FEDERAL, "lower"),
        ],
    )
    assert [t.name for t in selectors.targets_for(federal, delegation)] == [
        "Alex Padilla",
        "Laphonza Butler",
        "Nancy Pelosi",
    ]
    flat = [t for group in delegation.values() for t in group]
    assert selectors.targets_for(federal, flat) == selectors.targets_for(federal, delegation)
    senate_only = make_campaign(organizer, target_levels=[services.TargetPick(Level.FEDERAL, "upper")])
    assert [t.name for t in selectors.targets_for(senate_only, flat)] == ["Alex Padilla", "Laphonza Butler"]
    state_any = make_campaign(organizer, target_levels=[services.TargetPick(Level.STATE)])
    assert [t.name for t in selectors.targets_for(state_any, flat)] == ["Scott Wiener", "Gavin Newsom"]
    # No representatives known (no address yet, or no district data): nobody, and the page
    # shows the fallback.
    assert selectors.targets_for(federal, []) == []


def test_named_targets_are_everyones_and_retired_ones_drop_out(organizer, delegation):
    ceo = make_target("Pat Chief", title="CEO", level=Level.OTHER, chamber="", ocd_id="")
    both = make_campaign(
        organizer, targets=[ceo], target_levels=[services.TargetPick(Level.FEDERAL, "lower")]
    )
    assert [t.name for t in selectors.targets_for(both, delegation)] == ["Nancy Pelosi", "Pat Chief"]
    assert [t.name for t in selectors.targets_for(both, {})] == ["Pat Chief"]
    pelosi = delegation[Level.FEDERAL][0]
    Target.objects.filter(pk=pelosi.pk).update(serving=False)
    pelosi.refresh_from_db()
    assert [t.name for t in selectors.targets_for(both, [pelosi])] == ["Pat Chief"]
    Target.objects.filter(pk=ceo.pk).update(serving=False)
    assert selectors.targets_for(both, [pelosi]) == []
    assert not selectors.target_in_campaign(both, pelosi)
    assert selectors.target_in_campaign(both, ceo)  # named: its past outreaches stay its own


# --- Totals and lists ---------------------------------------------------------------------------


def test_campaign_totals_by_mode_and_target_and_the_share_through_members(
    organizer, make_member, senator, django_assert_max_num_queries
):
    rep = make_target("Nancy Pelosi", title="Representative", chamber="lower", ocd_id="us/ca/cd:11")
    campaign = make_campaign(organizer, goal=4, targets=[senator, rep])
    recruiter = make_member("Rae")
    recruited = make_member("Rex", recruited_by=recruiter.person)
    loner = make_member("Lou")
    for user, target, mode, outcome in [
        (recruited, senator, "call", "staffer"),
        (recruited, rep, "call", "voicemail"),
        (loner, senator, "email", "sent"),
    ]:
        services.log_outreach(
            actor=as_actor(user),
            campaign=campaign,
            report=services.OutreachReport(
                target=target, theirs=frozenset({target.pk}), mode=mode, outcome=outcome, text="Hello"
            ),
        )
    with django_assert_max_num_queries(4):
        totals = selectors.campaign_totals(campaign)
    assert (totals.outreaches, totals.people, totals.goal, totals.progress) == (3, 2, 4, 75)
    assert totals.by_mode == {"call": 2, "email": 1}
    assert [(row.target.name, row.outreaches) for row in totals.by_target] == [
        ("Alex Padilla", 2),
        ("Nancy Pelosi", 1),
    ]
    assert totals.through_members == 2 and totals.through_members_share == pytest.approx(2 / 3)
    assert selectors.progress(9, 4) == 100 and selectors.progress(3, None) is None
    empty = selectors.campaign_totals(make_campaign(organizer))
    assert (empty.outreaches, empty.through_members_share, empty.progress) == (0, None, 0)
    assert set(MODE_DETAIL) == set(Outreach.Mode.values)


def test_open_campaigns_lists_live_ones_of_staff_and_members_with_counts(
    member, organizer, senator, django_assert_num_queries
):
    staff_campaign = make_campaign(organizer)
    member_campaign = make_campaign(member)
    services.approve(actor=as_actor(organizer), campaign=member_campaign)
    make_campaign(member)  # waiting
    make_campaign(organizer, draft=True)
    closed = make_campaign(organizer)
    services.close_campaign(actor=as_actor(organizer), campaign=closed)
    petition = make_petition(organizer)
    make_petition(member)  # waiting
    services.sign(actor=as_actor(member), petition=petition)
    with django_assert_num_queries(2):
        found = selectors.open_campaigns()
        assert [(c.title, c.started_by.given_name) for c in found.campaigns]  # starters loaded
    assert [c.pk for c in found.campaigns] == [member_campaign.pk, staff_campaign.pk]
    assert [(p.pk, p.signature_count) for p in found.petitions] == [(petition.pk, 1)]  # type: ignore[attr-defined]
    assert found.campaigns[0].outreach_count == 0  # type: ignore[attr-defined]


def test_a_members_own_campaigns_for_the_hub(member, organizer, outsider, senator):
    waiting = make_campaign(member)
    live = make_petition(member)
    services.approve(actor=as_actor(organizer), campaign=live)
    mine = selectors.campaigns_started_by(as_actor(member), member.person)
    assert ([c.pk for c in mine.campaigns], [p.pk for p in mine.petitions]) == ([waiting.pk], [live.pk])
    theirs = selectors.campaigns_started_by(as_actor(outsider), member.person)
    assert (theirs.campaigns, [p.pk for p in theirs.petitions]) == ([], [live.pk])
    assert [
        c.pk for c in selectors.campaigns_started_by(as_actor(organizer), member.person.pk).campaigns
    ] == [waiting.pk]
