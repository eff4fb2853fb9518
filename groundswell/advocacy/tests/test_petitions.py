"""Petitions: a petition needs its text; signing (a member, a visitor who arrives through
the one way in) credited to the link that brought it, once per person; who signed, in
degrees; the delivery report and its CSV; the starter's message to signers; forgetting and
merging signers."""

import csv
import io
from email import message_from_string

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import override_settings

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.services import forget_person, merge_people_as
from groundswell.activity.models import Activity, Initiator, ObjectKind, Verb
from groundswell.advocacy import services
from groundswell.advocacy.models import District, Level, Petition, Review, Signature
from groundswell.advocacy.selectors import campaigns as selectors
from groundswell.advocacy.tests.campaign_factories import (
    as_actor,
    make_campaign,
    make_petition,
    make_target,
    petition_details,
)
from groundswell.core.channels import Channel
from groundswell.core.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from groundswell.messaging.models import Message
from groundswell.network.models import Origin
from groundswell.network.services import share_code_for
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(organizer):
    return make_petition(organizer)


# --- Starting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u202e\u200b"])
def test_a_petition_with_no_text_is_refused_and_nothing_saved(member, text):
    with pytest.raises(ValidationError, match="text") as refused:
        make_petition(member, text=text)
    assert refused.value.field == "text"
    assert not Petition.objects.exists() and not Activity.objects.filter(verb=Verb.STARTED_CAMPAIGN).exists()


def test_a_members_petition_waits_and_names_its_starter(member, organizer):
    petition = make_petition(member, targets=[make_target()])
    assert (petition.status, petition.started_by, petition.member_started) == (
        Review.PENDING,
        member.person,
        True,
    )
    assert [t.name for t in petition.targets.all()] == ["Alex Padilla"]
    act = Activity.objects.get(verb=Verb.STARTED_CAMPAIGN)
    assert (act.object_kind, act.object_id, act.initiator) == (
        ObjectKind.PETITION,
        petition.pk,
        Initiator.MEMBER,
    )


def test_a_petition_links_only_a_campaign_its_starter_may_see(member, organizer, outsider):
    make_target()
    someone_elses_draft = make_campaign(outsider)  # waiting: nobody else sees it
    with pytest.raises(ValidationError) as refused:
        make_petition(member, advocacy_campaign=someone_elses_draft)
    assert refused.value.field == "advocacy_campaign"
    live = make_campaign(organizer)
    assert make_petition(member, advocacy_campaign=live).advocacy_campaign == live


def test_the_text_people_signed_does_not_change(member, organizer, petition):
    services.sign(actor=as_actor(member), petition=petition)
    with pytest.raises(ValidationError, match="signed this text") as refused:
        services.update_petition(
            actor=as_actor(organizer), petition=petition, details=petition_details(text="Something else")
        )
    assert refused.value.field == "text"
    # Nor does its title ("Keep the library open" → "Close the library"), nor whom it asks.
    with pytest.raises(ValidationError, match="title can't change") as refused:
        services.update_petition(
            actor=as_actor(organizer), petition=petition, details=petition_details(title="Close the library")
        )
    assert refused.value.field == "title"
    mayor, council = make_target("Mayor May", title="Mayor"), make_target("Council", title="Council")
    petition.targets.set([mayor])
    with pytest.raises(ValidationError, match="not take any away") as refused:
        services.update_petition(
            actor=as_actor(organizer), petition=petition, details=petition_details(targets=[council])
        )
    changed = services.update_petition(
        actor=as_actor(organizer),
        petition=petition,
        details=petition_details(goal=500, targets=[mayor, council]),
    )
    assert (changed.goal, changed.status) == (500, Review.PUBLISHED)
    assert set(changed.targets.all()) == {mayor, council}


# --- Signing -------------------------------------------------------------------------------------


def test_a_member_signs_once_credited_to_the_link_that_brought_them(member, make_member, petition):
    friend = make_member("Fay")
    code = share_code_for(friend.person).code
    first = services.sign(
        actor=as_actor(member),
        petition=petition,
        comment="Libraries matter",
        show_name=True,
        ref=code,
        via="whatsapp",
    )
    assert not first.already
    signature = first.signature
    assert (signature.channel, signature.referrer, signature.origin) == (
        Channel.WHATSAPP,
        friend.person,
        Origin.SELF,
    )
    assert (signature.given_name, signature.email, signature.postal_code, signature.locality) == (
        "Maya",
        member.email,
        "10001",
        "New York",
    )
    assert (signature.comment, signature.show_name_publicly, signature.starter_may_write) == (
        "Libraries matter",
        True,
        False,
    )
    act = Activity.objects.get(verb=Verb.SIGNED)
    assert (act.person_id, act.object_kind, act.object_id) == (
        member.person.pk,
        ObjectKind.PETITION,
        petition.pk,
    )
    assert (act.channel, act.referrer_id, act.initiator) == (
        Channel.WHATSAPP,
        friend.person.pk,
        Initiator.MEMBER,
    )
    # A second signing (a double click, another link) changes nothing.
    again = services.sign(actor=as_actor(member), petition=petition, comment="Changed my mind", ref=None)
    assert again.already and again.signature == signature
    assert Signature.objects.get().comment == "Libraries matter"
    assert Activity.objects.filter(verb=Verb.SIGNED).count() == 1


def test_a_member_is_not_credited_for_their_own_link(member, petition):
    own = share_code_for(member.person).code
    signature = services.sign(actor=as_actor(member), petition=petition, ref=own).signature
    assert signature.referrer is None
    assert Activity.objects.get(verb=Verb.SIGNED).referrer_id is None


def test_a_visitor_signs_through_the_one_way_in_credited_to_the_sharer(make_member, petition):
    sharer = make_member("Sam")
    code = share_code_for(sharer.person).code
    result = services.sign_as_guest(
        actor=ANONYMOUS,
        petition=petition,
        given_name="Vera",
        family_name="Visitor",
        email="Vera@Example.org",
        postal_code="94110",
        comment='=HYPERLINK("http://evil")',
        ref=code,
        via="bluesky",
        email_consent=True,
    )
    vera = Person.objects.get(email_addresses__address="vera@example.org")
    assert (vera.recruited_by, vera.source_channel) == (sharer.person, Channel.BLUESKY)
    signature = result.signature
    assert (signature.person, signature.origin, signature.referrer, signature.channel) == (
        vera,
        Origin.FORM,
        sharer.person,
        Channel.BLUESKY,
    )
    assert (signature.given_name, signature.postal_code, signature.locality) == (
        "Vera",
        "94110",
        "San Francisco",
    )
    verbs = set(Activity.objects.filter(person=vera).values_list("verb", flat=True))
    assert verbs == {Verb.JOINED, Verb.SIGNED, Verb.SUBSCRIBED}
    assert Activity.objects.filter(person=sharer.person, verb=Verb.RECRUITED).count() == 1
    signed = Activity.objects.get(verb=Verb.SIGNED)
    assert (signed.referrer_id, signed.channel) == (sharer.person.pk, Channel.BLUESKY)


def test_a_visitor_typing_a_known_address_learns_nothing_and_changes_nothing(member, petition):
    services.sign(actor=as_actor(member), petition=petition, comment="Mine")
    result = services.sign_as_guest(
        actor=ANONYMOUS,
        petition=petition,
        given_name="Mallory",
        email=member.email,
        postal_code="94110",
        comment="Theirs",
    )
    assert result.already is False  # the page cannot tell the typist that the owner signed
    assert Signature.objects.get().comment == "Mine"
    member.person.refresh_from_db()
    assert member.person.given_name == "Maya"  # a public form never renames anyone


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_name": " "}, "given_name"),
        ({"email": "not-an-address"}, "email"),
        ({"postal_code": ""}, "postal_code"),
        ({"postal_code": "00000"}, "postal_code"),
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_a_visitors_bad_details_are_refused_and_nothing_saved(petition, overrides, field):
    values = {"given_name": "Vera", "email": "vera@example.org", "postal_code": "94110", **overrides}
    with pytest.raises(ValidationError) as refused:
        services.sign_as_guest(actor=ANONYMOUS, petition=petition, **values)
    assert refused.value.field == field
    assert not Signature.objects.exists() and not Person.objects.filter(
        email_addresses__address="vera@example.org"
    )


def test_only_a_live_petition_takes_signatures(member, organizer, outsider):
    waiting = make_petition(member)
    with pytest.raises(NotFound):
        services.sign(actor=as_actor(outsider), petition=waiting)  # its id is no way in
    with pytest.raises(NotFound):
        services.sign_as_guest(
            actor=ANONYMOUS, petition=waiting, given_name="V", email="v@example.org", postal_code="10001"
        )
    with pytest.raises(ValidationError, match="isn't open yet"):
        services.sign(actor=as_actor(member), petition=waiting)
    live = services.close_petition(actor=as_actor(organizer), petition=make_petition(organizer))
    with pytest.raises(ValidationError, match="closed"):
        services.sign(actor=as_actor(outsider), petition=live)
    with pytest.raises(PermissionDenied, match="sign in"):
        services.sign(actor=ANONYMOUS, petition=live)
    assert not Signature.objects.exists()


def test_the_signed_act_carries_the_attached_campaign_as_context(member, organizer):
    make_target()
    campaign = make_campaign(organizer)
    petition = make_petition(organizer, advocacy_campaign=campaign)
    services.sign(actor=as_actor(member), petition=petition)
    act = Activity.objects.get(verb=Verb.SIGNED)
    assert (act.context_kind, act.context_id) == (ObjectKind.ADVOCACY_CAMPAIGN, campaign.pk)


# --- Who signed ----------------------------------------------------------------------------------


@pytest.fixture
def signed(petition, make_member):
    """Three signers: Ada shows her name, Ben does not, Cy shows his and lets the starter write."""
    people = {}
    for name, show, write in [("Ada", True, False), ("Ben", False, True), ("Cy", True, True)]:
        user = make_member(name, postal_code="94110")
        services.sign(
            actor=as_actor(user),
            petition=petition,
            show_name=show,
            starter_may_write=write,
            comment=f"{name} cares",
        )
        people[name] = user
    return people


def test_anyone_sees_the_count_the_starter_shown_first_names_and_towns_staff_everything(
    petition, signed, organizer, outsider, make_member
):
    assert selectors.visible_signers(ANONYMOUS, petition).count == 3
    plain = selectors.visible_signers(as_actor(outsider), petition)
    assert (plain.count, plain.shown, plain.everyone) == (3, [], None)
    starter = make_member("Stu")
    theirs = services.approve(actor=as_actor(organizer), campaign=make_petition(starter, text="Their text"))
    for user in signed.values():
        services.sign(actor=as_actor(user), petition=theirs, show_name=user.person.given_name != "Ben")
    seen = selectors.visible_signers(as_actor(starter), theirs)
    assert (seen.count, seen.shown_count, seen.everyone) == (3, 2, None)
    assert sorted((s.first_name, s.town) for s in seen.shown) == [
        ("Ada", "San Francisco"),
        ("Cy", "San Francisco"),
    ]
    assert all(not hasattr(s, "email") for s in seen.shown)
    staff = selectors.visible_signers(as_actor(organizer), theirs)
    assert staff.everyone is not None and {s.email for s in staff.everyone} == {
        u.email for u in signed.values()
    }


def test_the_starter_writes_only_to_signers_who_agreed_as_written(
    petition, signed, organizer, make_member, django_capture_on_commit_callbacks
):
    starter = make_member("Stu")
    theirs = services.approve(actor=as_actor(organizer), campaign=make_petition(starter, text="Their text"))
    with pytest.raises(ValidationError, match="Nobody"):
        services.message_signers(actor=as_actor(starter), petition=theirs, subject="Hi", body="Thanks")
    for name, user in signed.items():
        services.sign(actor=as_actor(user), petition=theirs, starter_may_write=name != "Ada")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.message_signers(
            actor=as_actor(starter),
            petition=theirs,
            subject="Next step",
            body="Come on {{ Monday }} {% now 'Y' %}",
        )
    assert queued == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([signed["Ben"].email, signed["Cy"].email])
    assert all("Come on {{ Monday }} {% now 'Y' %}" in m.body for m in mail.outbox)  # never a template
    message = Message.objects.get(subject="Next step")
    assert (message.kind, message.author, message.is_template) == (Message.Kind.MEMBER, starter.person, False)
    assert Activity.objects.filter(verb=Verb.MESSAGED_SIGNERS, person=starter.person).count() == 1
    with pytest.raises(PermissionDenied):
        services.message_signers(actor=as_actor(signed["Ada"]), petition=theirs, subject="Hi", body="Spam")
    with pytest.raises(ValidationError) as refused:
        services.message_signers(
            actor=as_actor(starter), petition=theirs, subject="Hi\r\nBcc: x@example.org", body=""
        )
    assert refused.value.field == "body"


@override_settings(GROUNDSWELL_RATE_LIMITS={"member_mail": "100/h/person"})
def test_a_message_subject_never_carries_a_header(
    petition, signed, organizer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_signers(
            actor=as_actor(organizer), petition=petition, subject="Hi\r\nBcc: evil@example.org", body="x"
        )
    assert mail.outbox
    for sent in mail.outbox:
        headers = message_from_string(sent.message().as_string())
        assert headers["Bcc"] is None and headers["Subject"] == "Hi Bcc: evil@example.org"


@override_settings(HOST_MESSAGES_PER_DAY=2, GROUNDSWELL_RATE_LIMITS={"member_mail": "100/h/person"})
def test_a_starter_may_send_a_few_messages_a_day_and_staff_are_not_capped(petition, signed, organizer):
    for _ in range(2):
        services.message_signers(actor=as_actor(organizer), petition=petition, subject="Hi", body="x")
    starter_petition = petition
    starter_petition.started_by = signed["Ada"].person
    starter_petition.save(update_fields=["started_by"])
    ada = as_actor(signed["Ada"])
    services.message_signers(actor=ada, petition=starter_petition, subject="One", body="x")
    services.message_signers(actor=ada, petition=starter_petition, subject="Two", body="x")
    with pytest.raises(PermissionDenied, match="most a member can send"):
        services.message_signers(actor=ada, petition=starter_petition, subject="Three", body="x")
    services.message_signers(actor=as_actor(organizer), petition=petition, subject="Staff", body="x")


@override_settings(GROUNDSWELL_RATE_LIMITS={"member_mail": "1/h/person"})
def test_a_starters_messages_are_rate_limited(petition, signed):
    petition.started_by = signed["Cy"].person
    petition.save(update_fields=["started_by"])
    services.message_signers(actor=as_actor(signed["Cy"]), petition=petition, subject="One", body="x")
    with pytest.raises(RateLimited):
        services.message_signers(actor=as_actor(signed["Cy"]), petition=petition, subject="Two", body="x")


# --- The delivery report -------------------------------------------------------------------------

PLACES = {
    "94110": ["ocd-division/country:us/state:ca/cd:12"],
    "94103": ["ocd-division/country:us/state:ca/cd:11"],
    "10001": ["ocd-division/country:us/state:ny/cd:12"],
}


def test_the_delivery_report_groups_signers_by_target_district(
    organizer, make_member, django_assert_max_num_queries
):
    senator = make_target("Alex Padilla", ocd_id="ocd-division/country:us/state:ca")
    rep = make_target(
        "Nancy Pelosi",
        title="Representative",
        chamber="lower",
        ocd_id="ocd-division/country:us/state:ca/cd:12",
    )
    ceo = make_target("Pat Chief", title="CEO", level=Level.OTHER, chamber="", ocd_id="")
    District.objects.create(
        ocd_id="ocd-division/country:us/state:ca/cd:12",
        name="California's 12th",
        level=Level.FEDERAL,
        boundary=b"",
        min_longitude=0,
        min_latitude=0,
        max_longitude=0,
        max_latitude=0,
    )
    petition = make_petition(organizer, targets=[senator, rep, ceo])
    for name, postcode in [("Ann", "94110"), ("Bo", "94103"), ("Cal", "10001")]:
        user = make_member(name, postal_code=postcode)
        services.sign(actor=as_actor(user), petition=petition, comment=f"=cmd|' /C calc'!A0 from {name}")
    located: list[str] = []

    def locate(postcode: str) -> list[str]:
        located.append(postcode)
        return PLACES[postcode]

    staff = as_actor(organizer)
    with django_assert_max_num_queries(3):  # targets, district names, signatures
        report = selectors.delivery_report(staff, petition, locate=locate)
    assert report.total == 3 and report.located
    groups = [(g.name, [r.given_name for r in g.rows]) for g in report.groups]
    assert groups == [
        ("Everyone who signed", ["Ann", "Bo", "Cal"]),  # for the CEO, who answers for no district
        ("ocd-division/country:us/state:ca", ["Ann", "Bo"]),  # the state holds both districts
        ("California's 12th", ["Ann"]),
        ("Elsewhere, or not placed in a target's district", ["Cal"]),
    ]
    assert [t.name for t in report.groups[1].targets] == ["Alex Padilla"]
    assert report.groups[2].rows[0].town == "San Francisco" and report.groups[2].count == 1
    assert sorted(located) == ["10001", "94103", "94110"]  # once per postcode
    out = io.StringIO()
    selectors.write_delivery_csv(as_actor(organizer), petition, out, locate=locate)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:4] == ["district", "district id", "targets", "first name"]
    assert len(rows) == 1 + 3 + 2 + 1 + 1
    comments = [row[7] for row in rows[1:]]
    assert all(comment.startswith("'=cmd") for comment in comments)  # shown as text, never run
    # Without a way to place postcodes, signers are listed, unsorted, under "elsewhere".
    unplaced = selectors.delivery_report(as_actor(organizer), petition)
    assert not unplaced.located and unplaced.groups[-1].elsewhere and unplaced.groups[-1].count == 3


def test_only_staff_get_the_delivery_report(petition, member, signed):
    for actor in (ANONYMOUS, as_actor(member), as_actor(signed["Ada"])):
        with pytest.raises(NotFound):
            selectors.delivery_report(actor, petition)
        with pytest.raises(NotFound):
            selectors.write_delivery_csv(actor, petition, io.StringIO())


# --- Forgetting and merging -------------------------------------------------------------------


def test_forgetting_a_signer_blanks_what_they_gave_and_keeps_the_count(petition, signed, organizer):
    ada = signed["Ada"].person
    forget_person(actor=as_actor(organizer), person=ada)
    signature = Signature.objects.get(person=ada)
    assert (signature.given_name, signature.family_name, signature.email) == ("", "", "")
    assert (signature.comment, signature.postal_code, signature.locality) == ("", "", "")
    # Nor do their choices stay: not "shown" as a blank line, not on a list to write to.
    assert (signature.show_name_publicly, signature.starter_may_write) == (False, False)
    assert selectors.petition_totals(petition).signatures == 3


def test_merging_two_records_that_both_signed_leaves_one_signature(petition, make_member, organizer):
    first, second = make_member("Dee"), make_member("Dee")
    services.sign(actor=as_actor(first), petition=petition)
    services.sign(actor=as_actor(second), petition=petition)
    merge_people_as(actor=as_actor(organizer), keep=first.person, duplicate=second.person)
    assert list(Signature.objects.values_list("person_id", flat=True)) == [first.person.pk]


def test_a_comment_is_stored_as_typed_and_escaped_on_a_page(petition, member):
    comment = "<script>alert('x')</script> & <b>bold</b>"
    signature = services.sign(actor=as_actor(member), petition=petition, comment=comment).signature
    assert Signature.objects.get(pk=signature.pk).comment == comment
    page = Template("{{ signature.comment }}").render(Context({"signature": signature}))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_tick_on_the_public_form_never_puts_anyone_on_the_starter_s_list(make_member, petition, client_for):
    """Anyone can type anyone's address on the public form: a starter typing strangers'
    addresses (or a visitor typing a member's) must not put them on the starter's list.
    A member who ticks it signed in is on it."""
    member = make_member("Vera")
    for given_name, email in [("Typed", member.email), ("Stranger", "stranger@example.net")]:
        services.sign_as_guest(
            actor=ANONYMOUS,
            petition=petition,
            given_name=given_name,
            email=email,
            postal_code="94110",
            starter_may_write=True,
        )
    assert selectors.signer_mail_recipients(petition) == []
    signed_in = make_member("Sol")
    services.sign(actor=as_actor(signed_in), petition=petition, starter_may_write=True)
    assert selectors.signer_mail_recipients(petition) == [signed_in.person_id]


def test_a_signature_never_lands_on_a_petition_closed_since_the_page_was_read(member, organizer, petition):
    stale = Petition.objects.get(pk=petition.pk)  # what the signing page read: published
    services.close_petition(actor=as_actor(organizer), petition=petition)
    with pytest.raises(ValidationError, match="closed"):
        services.sign(actor=as_actor(member), petition=stale)
    assert not Signature.objects.filter(petition=petition).exists()
