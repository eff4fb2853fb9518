"""Outreaches: every contact is an Outreach and a CONTACTED_TARGET act with the mode as its
detail, credited to the link that brought it; outcomes fit the mode; the target belongs to
the campaign; a visitor arrives through the one way in; letters are kept as typed."""

from datetime import date
from typing import Any

import pytest
from django.template import Context, Template

from groundswell.accounts.actors import ANONYMOUS
from groundswell.activity.models import Activity, Detail, Initiator, ObjectKind, Verb
from groundswell.advocacy import services
from groundswell.advocacy.models import MODE_DETAIL, OUTCOMES, Level, Outreach, Target
from groundswell.advocacy.services import OutreachReport
from groundswell.advocacy.tests.campaign_factories import as_actor, make_campaign, make_target
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError
from groundswell.network.models import Origin
from groundswell.network.services import share_code_for
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def senator():
    return make_target("Alex Padilla")


@pytest.fixture
def campaign(organizer, senator):
    return make_campaign(organizer)


def test_a_call_is_an_outreach_and_an_act_with_its_mode(member, make_member, campaign, senator):
    friend = make_member("Fay")
    result = services.log_outreach(
        actor=as_actor(member),
        campaign=campaign,
        report=OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome="staffer",
            call_seconds=95,
            note="Friendly staffer",
        ),
        ref=share_code_for(friend.person).code,
        via="x",
    )
    outreach = result.outreach
    assert not result.already
    assert (outreach.mode, outreach.outcome, outreach.call_seconds, outreach.note) == (
        "call",
        "staffer",
        95,
        "Friendly staffer",
    )
    assert (outreach.person, outreach.origin, outreach.channel, outreach.referrer) == (
        member.person,
        Origin.SELF,
        Channel.X,
        friend.person,
    )
    assert (outreach.given_name, outreach.email) == ("Maya", member.email)
    act = Activity.objects.get(verb=Verb.CONTACTED_TARGET)
    assert (act.person_id, act.object_kind, act.object_id) == (
        member.person.pk,
        ObjectKind.TARGET,
        senator.pk,
    )
    assert (act.context_kind, act.context_id, act.detail) == (
        ObjectKind.ADVOCACY_CAMPAIGN,
        campaign.pk,
        Detail.CALL,
    )
    assert (act.channel, act.referrer_id, act.initiator) == (Channel.X, friend.person.pk, Initiator.MEMBER)


@pytest.mark.parametrize(("mode", "detail"), sorted(MODE_DETAIL.items()))
def test_each_mode_is_the_acts_detail_the_ladder_reads(member, campaign, senator, mode, detail):
    outcome = OUTCOMES[mode][0]
    extra: dict[str, Any] = {"text": "Dear Senator"} if mode in ("email", "letter") else {}
    services.log_outreach(
        actor=as_actor(member),
        campaign=campaign,
        report=OutreachReport(
            target=senator, theirs=frozenset({senator.pk}), mode=mode, outcome=outcome, **extra
        ),
    )
    assert Activity.objects.get(verb=Verb.CONTACTED_TARGET).detail == detail
    # Calls and visits are voice or in-person contact; the codes are the log's own.
    assert (
        detail
        == {
            "call": Detail.CALL,
            "visit": Detail.VISIT,
            "email": Detail.EMAIL,
            "letter": Detail.LETTER,
            "meeting": Detail.MEETING,
        }[mode]
    )


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"outcome": "sent"}, "outcome"),  # not a call's outcome
        ({"outcome": "met", "mode": "email"}, "outcome"),
        ({"outcome": "staffer", "mode": "fax"}, "mode"),
        ({"outcome": "staffer", "call_seconds": -1}, "call_seconds"),
        ({"outcome": "staffer", "call_seconds": 5 * 3600}, "call_seconds"),
        ({"outcome": "sent", "mode": "email", "call_seconds": 60, "text": "x"}, "call_seconds"),
        ({"outcome": "sent", "mode": "email", "text": "  "}, "text"),
        ({"outcome": "staffer", "note": "x" * 2001}, "note"),
        ({"outcome": "staffer", "meeting_date": date(2026, 1, 1)}, "meeting_date"),
    ],
)
def test_a_report_that_does_not_fit_is_refused_and_nothing_logged(member, campaign, senator, report, field):
    with pytest.raises(ValidationError) as refused:
        services.log_outreach(
            actor=as_actor(member),
            campaign=campaign,
            report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), **report),
        )
    assert refused.value.field == field
    assert not Outreach.objects.exists() and not Activity.objects.filter(verb=Verb.CONTACTED_TARGET).exists()


def test_the_target_must_belong_to_the_campaign_and_still_serve(member, organizer, campaign):
    rep = make_target("Nancy Pelosi", title="Representative", chamber=Target.Chamber.LOWER)
    with pytest.raises(ValidationError, match="isn't part of this campaign"):
        services.log_outreach(
            actor=as_actor(member),
            campaign=campaign,
            report=OutreachReport(target=rep, theirs=frozenset({rep.pk}), outcome="busy"),
        )
    ceo = make_target("Pat Chief", title="CEO", level=Level.OTHER, chamber="", ocd_id="")
    named = make_campaign(organizer, targets=[ceo], target_levels=[])
    services.log_outreach(
        actor=as_actor(member), campaign=named, report=OutreachReport(target=ceo, outcome="voicemail")
    )
    Target.objects.filter(pk=ceo.pk).update(serving=False)
    ceo.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer in office"):
        services.log_outreach(
            actor=as_actor(member), campaign=named, report=OutreachReport(target=ceo, outcome="busy")
        )


def test_a_target_picked_by_level_must_be_the_reporter_s_own(member, campaign, senator):
    """ "My senators": a report names one of the targets the reporter's own place gives
    (`theirs`), never any senator anywhere; the campaign's named targets need no place."""
    texan = make_target("Ted Cruz", ocd_id="ocd-division/country:us/state:tx")
    for theirs in (frozenset(), frozenset({senator.pk})):
        with pytest.raises(ValidationError, match="doesn't represent the place you looked up") as refused:
            services.log_outreach(
                actor=as_actor(member),
                campaign=campaign,
                report=OutreachReport(target=texan, theirs=theirs, outcome="busy"),
            )
        assert refused.value.field == "target"
    assert not Outreach.objects.exists() and not Activity.objects.filter(verb=Verb.CONTACTED_TARGET).exists()


def test_only_a_live_campaign_takes_outreaches(member, organizer, outsider, senator):
    waiting = make_campaign(member)
    report = OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="busy")
    with pytest.raises(NotFound):
        services.log_outreach(actor=as_actor(outsider), campaign=waiting, report=report)
    with pytest.raises(ValidationError, match="isn't open yet"):
        services.log_outreach(actor=as_actor(member), campaign=waiting, report=report)
    closed = services.close_campaign(actor=as_actor(organizer), campaign=make_campaign(organizer))
    with pytest.raises(ValidationError, match="closed"):
        services.log_outreach(actor=as_actor(member), campaign=closed, report=report)
    with pytest.raises(PermissionDenied, match="sign in"):
        services.log_outreach(actor=ANONYMOUS, campaign=make_campaign(organizer), report=report)


def test_a_double_submit_logs_one_outreach_but_a_second_call_logs_another(member, campaign, senator):
    report = OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="busy")
    first = services.log_outreach(actor=as_actor(member), campaign=campaign, report=report)
    again = services.log_outreach(actor=as_actor(member), campaign=campaign, report=report)
    assert again.already and again.outreach == first.outreach
    # Busy the first time, through the second time: a new outreach.
    services.log_outreach(
        actor=as_actor(member),
        campaign=campaign,
        report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="staffer"),
    )
    assert Outreach.objects.count() == 2 == Activity.objects.filter(verb=Verb.CONTACTED_TARGET).count()


def test_a_visitor_reports_a_call_through_the_one_way_in(make_member, campaign, senator):
    sharer = make_member("Sam")
    result = services.log_outreach_as_guest(
        actor=ANONYMOUS,
        campaign=campaign,
        report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="voicemail"),
        given_name="Vic",
        email="vic@example.org",
        postal_code="94110",
        ref=share_code_for(sharer.person).code,
    )
    vic = Person.objects.get(email_addresses__address="vic@example.org")
    assert vic.recruited_by == sharer.person
    outreach = result.outreach
    assert (outreach.person, outreach.origin, outreach.referrer, outreach.channel) == (
        vic,
        Origin.FORM,
        sharer.person,
        Channel.LINK,
    )
    assert set(Activity.objects.filter(person=vic).values_list("verb", flat=True)) == {
        Verb.JOINED,
        Verb.CONTACTED_TARGET,
    }
    with pytest.raises(ValidationError) as refused:
        services.log_outreach_as_guest(
            actor=ANONYMOUS,
            campaign=campaign,
            report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="voicemail"),
            given_name="",
            email="x@example.org",
        )
    assert refused.value.field == "given_name"


def test_a_visitor_typing_a_known_address_changes_nothing_of_theirs(member, campaign, senator):
    result = services.log_outreach_as_guest(
        actor=ANONYMOUS,
        campaign=campaign,
        report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="busy"),
        given_name="Mallory",
        email=member.email,
    )
    member.person.refresh_from_db()
    assert member.person.given_name == "Maya" and result.outreach.given_name == "Mallory"
    assert result.already is False


def test_a_letter_is_kept_as_typed_and_escaped_on_a_page(member, organizer, senator):
    letter = make_campaign(organizer, mode="letter", script="Dear {target_name}, I'm {member_name}.")
    text = "Dear Senator,\n<script>alert(1)</script>\nx\r\nBcc: evil@example.org"
    outreach = services.log_outreach(
        actor=as_actor(member),
        campaign=letter,
        report=OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome="sent",
            text=text,
            subject="About <b>water</b>",
        ),
    ).outreach
    stored = Outreach.objects.get(pk=outreach.pk)
    assert stored.text == "Dear Senator,\n<script>alert(1)</script>\nx\nBcc: evil@example.org"
    assert stored.subject == "About <b>water</b>"
    page = Template("{{ o.text|linebreaksbr }} {{ o.subject }}").render(Context({"o": stored}))
    assert "<script>" not in page and "<b>" not in page


def test_a_meeting_is_requested_and_then_reported(member, organizer, senator):
    meeting = make_campaign(organizer, mode="meeting", script="")
    services.log_outreach(
        actor=as_actor(member),
        campaign=meeting,
        report=OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="requested"),
    )
    met = services.log_outreach(
        actor=as_actor(member),
        campaign=meeting,
        report=OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome="met",
            meeting_date=date(2026, 3, 2),
            who_went="Maya, Ben and Cy",
            note="Listened",
        ),
    ).outreach
    assert (met.mode, met.meeting_date, met.who_went) == ("meeting", date(2026, 3, 2), "Maya, Ben and Cy")


def test_forgetting_a_caller_blanks_their_note_and_text(member, organizer, senator):
    from groundswell.accounts.services import forget_person

    letter = make_campaign(organizer, mode="email", script="Dear {target_name}")
    services.log_outreach(
        actor=as_actor(member),
        campaign=letter,
        report=OutreachReport(
            target=senator,
            theirs=frozenset({senator.pk}),
            outcome="sent",
            text="My story",
            subject="Water",
            note="Sent it",
        ),
    )
    forget_person(actor=as_actor(member), person=member.person)
    outreach = Outreach.objects.get()
    assert (outreach.text, outreach.subject, outreach.note, outreach.given_name, outreach.email) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert Activity.objects.filter(verb=Verb.CONTACTED_TARGET).count() == 1  # it still counts
