"""The pages where people take part: /act/, a campaign's page, reporting an outreach and the
page after it, a petition's page, signing and the page after, the live count.

Personas: anonymous, outsider (a member with nothing to do with it), member (a member who
took part in the live ones), starter (the member who started it), organizer. Pending work is
"not found" for everyone but its starter and staff, whether asked by slug or by public id.

No district boundary is loaded unless a test draws some: a California ZIP code then finds
the state's senators, filed under the state's division (as on "who represents me").
"""

import re
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from shapely.geometry import box

from groundswell.activity.models import Activity, Detail, Verb
from groundswell.advocacy import geocoding, services
from groundswell.advocacy.models import (
    AdvocacyCampaign,
    Level,
    Outreach,
    Petition,
    Review,
    Signature,
    Target,
)
from groundswell.advocacy.tests.campaign_factories import as_actor, make_campaign, make_petition, make_target
from groundswell.advocacy.tests.test_districts import fresh_index, make_district  # noqa: F401
from groundswell.advocacy.views.campaigns import _anchor
from groundswell.core.channels import Channel
from groundswell.network.models import ShareClickCount, ShareCode
from groundswell.network.services import share_code_for
from groundswell.people.models import EmailAddress, EmailStatus, Person
from groundswell.people.places import place_postcode

pytestmark = pytest.mark.django_db

CA = "ocd-division/country:us/state:ca"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156 Safari/537.36"
PERSONAS = ["anonymous", "outsider", "member", "starter", "organizer"]


def page_of(client: Client, url: str, **extra) -> tuple[int, str]:
    response = client.get(url, **extra)
    return response.status_code, response.content.decode()


def campaign_url(campaign: AdvocacyCampaign, query: str = "") -> str:
    return reverse("advocacy:campaign", args=[campaign.slug]) + (f"?{query}" if query else "")


def petition_url(petition: Petition) -> str:
    return reverse("advocacy:petition", args=[petition.slug])


@pytest.fixture
def senators():
    return (
        make_target("Alex Padilla", email="padilla@senate.example.org"),
        make_target("Adam Schiff", phone="(202) 224-3841"),
    )


@pytest.fixture
def cast(make_member, organizer):
    return {
        "outsider": make_member("Otto", postal_code="90012"),
        "member": make_member("Maya", postal_code="90012"),
        "starter": make_member("Stu", postal_code="90012"),
        "organizer": organizer,
    }


def client_of(persona: str, cast: dict, client_for) -> Client:
    return Client() if persona == "anonymous" else client_for(cast[persona])


@pytest.fixture
def campaigns(cast, senators):
    """A live call campaign asking for the member's US senators, a member's one waiting for
    approval, and a closed one: by status."""
    live = make_campaign(cast["organizer"], title="Call for clean water")
    pending = make_campaign(cast["starter"], title="Keep the bus running")
    closed = make_campaign(cast["organizer"], title="Save the dam")
    services.close_campaign(actor=as_actor(cast["organizer"]), campaign=closed)
    return {Review.PUBLISHED: live, Review.PENDING: pending, Review.CLOSED: closed}


@pytest.fixture
def petitions(cast, senators):
    live = make_petition(cast["organizer"], title="Replace the lead pipes", targets=list(senators))
    pending = make_petition(cast["starter"], title="A crosswalk on Main")
    closed = make_petition(cast["organizer"], title="Save the oak")
    services.close_petition(actor=as_actor(cast["organizer"]), petition=closed)
    return {Review.PUBLISHED: live, Review.PENDING: pending, Review.CLOSED: closed}


# --- Who sees what ----------------------------------------------------------------------------

SEES_PENDING = {"starter", "organizer"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", [Review.PUBLISHED, Review.PENDING, Review.CLOSED])
def test_a_campaign_s_page_per_persona(persona, status, cast, campaigns, client_for):
    campaign = campaigns[status]
    client = client_of(persona, cast, client_for)
    code, html = page_of(client, campaign_url(campaign))
    by_uuid, _ = page_of(client, reverse("advocacy:campaign", args=[campaign.uuid]))
    if status == Review.PENDING and persona not in SEES_PENDING:
        assert code == by_uuid == 404
        assert campaign.title not in html
        return
    assert code == by_uuid == 200
    assert campaign.title in html
    if status == Review.PENDING:
        assert "Waiting for an organizer's approval" in html
        assert 'action="/act/campaigns/' + campaign.slug + '/outreach/"' not in html  # a preview
    elif status == Review.CLOSED:
        assert "This campaign is closed." in html and "outreach-form" not in html
    else:
        assert "Waiting for an organizer" not in html


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", [Review.PUBLISHED, Review.PENDING, Review.CLOSED])
def test_a_petition_s_page_per_persona(persona, status, cast, petitions, client_for):
    petition = petitions[status]
    client = client_of(persona, cast, client_for)
    code, html = page_of(client, petition_url(petition))
    count_code, count = page_of(
        client, reverse("advocacy:petition_count", args=[petition.slug]), HTTP_HX_REQUEST="true"
    )
    if status == Review.PENDING and persona not in SEES_PENDING:
        assert code == count_code == 404
        assert petition.title not in html and petition.title not in count
        return
    assert code == count_code == 200
    assert petition.title in html
    has_form = 'action="/act/petitions/' + petition.slug + '/sign/"' in html
    assert has_form == (status == Review.PUBLISHED)
    if status == Review.CLOSED:
        assert "This petition is closed." in html
    if status == Review.PENDING:
        assert "Signing opens once an organizer approves it." in html


def test_an_outsider_guessing_urls_learns_nothing(cast, campaigns, petitions, client_for):
    outsider = client_for(cast["outsider"])
    pending_campaign, pending_petition = campaigns[Review.PENDING], petitions[Review.PENDING]
    guesses = [
        campaign_url(pending_campaign),
        reverse("advocacy:campaign", args=[pending_campaign.uuid]),
        reverse("advocacy:outreach_done", args=[pending_campaign.slug]),
        reverse("advocacy:campaign", args=["no-such-campaign"]),
        reverse("advocacy:campaign", args=[uuid.uuid4()]),
        petition_url(pending_petition),
        reverse("advocacy:signed", args=[pending_petition.slug]),
        reverse("advocacy:petition", args=[uuid.uuid4()]),
    ]
    for url in guesses:
        response = outsider.get(url)
        assert response.status_code == 404, url
        assert b"We couldn&#x27;t find that" in response.content
    # Posting to them is no way in either, and writes nothing.
    target = Target.objects.first()
    assert target is not None
    response = outsider.post(
        reverse("advocacy:log_outreach", args=[pending_campaign.slug]),
        {"target": str(target.uuid), "outcome": "voicemail"},
    )
    assert response.status_code == 404
    assert outsider.post(reverse("advocacy:sign", args=[pending_petition.slug]), {}).status_code == 404
    assert not Outreach.objects.exists() and not Signature.objects.exists()


def test_the_index_lists_what_is_open(cast, campaigns, petitions, client):
    _, html = page_of(client, reverse("advocacy:index"))
    assert campaigns[Review.PUBLISHED].title in html and petitions[Review.PUBLISHED].title in html
    for hidden in (campaigns[Review.PENDING], campaigns[Review.CLOSED], petitions[Review.PENDING]):
        assert hidden.title not in html
    assert reverse("advocacy:representatives") in html
    assert "of 10 calls" in html and "of 100 signatures" in html


def test_the_index_with_nothing_open(db, client):
    code, html = page_of(client, reverse("advocacy:index"))
    assert code == 200 and "No campaigns are open right now." in html


# --- Finding whom to contact ------------------------------------------------------------------


def test_a_visitor_types_a_zip_code_and_gets_a_script_with_placeholders(campaigns, senators, client):
    campaign = campaigns[Review.PUBLISHED]
    _, before = page_of(client, campaign_url(campaign))
    assert "Find my representatives" in before and "tel:" not in before
    _, html = page_of(client, campaign_url(campaign, "postcode=90012"))
    # The script: a visitor's name is a placeholder; the town comes from the ZIP code.
    assert "Hi, I&#x27;m [your name] from Los Angeles." in html
    assert "Senator Adam Schiff" in html and "Senator Alex Padilla" in html
    # One target in full at a time; the other a tap away.
    assert 'href="tel:+1-202-224-3841"' in html and "showing 1 of 2" in html
    assert f"target={senators[0].uuid}" in html


def test_a_member_s_targets_come_from_their_address(campaigns, cast, client_for):
    _, html = page_of(client_for(cast["member"]), campaign_url(campaigns[Review.PUBLISHED]))
    maya = cast["member"].person
    assert f"Hi, I&#x27;m {maya.given_name} {maya.family_name} from Los Angeles." in html
    assert "For the address on your account" in html
    assert "About you" not in html  # a member gives nothing more


def test_a_bad_zip_code_is_told_on_the_form(campaigns, client):
    response = client.get(campaign_url(campaigns[Review.PUBLISHED], "postcode=00000"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and "We couldn&#x27;t find the ZIP code 00000" in html


def test_no_target_found_shows_the_fallback(cast, client):
    campaign = make_campaign(
        cast["organizer"],
        title="Call your state senator",
        target_levels=[services.TargetPick(Level.STATE, "upper")],
        fallback_phone="(202) 224-3121",
        not_found_text="Call the switchboard and ask for your senator.",
    )
    _, html = page_of(client, campaign_url(campaign, "postcode=90012"))
    assert "We couldn't find your representatives for this campaign" in html
    assert "Call the switchboard and ask for your senator." in html
    assert 'href="tel:+1-202-224-3121"' in html
    assert "outreach-form" not in html


@pytest.fixture
def split_zip(db, senators):
    """ZIP 94110 sits 1.3 km from the line between CA-12 (west) and CA-11 (east)."""
    place = place_postcode("94110")
    lon, lat = place.longitude, place.latitude
    assert lon is not None and lat is not None
    west = make_district(f"{CA}/cd:12", box(lon - 0.3, lat - 0.3, lon + 0.0147, lat + 0.3), name="CA-12")
    east = make_district(f"{CA}/cd:11", box(lon + 0.0147, lat - 0.3, lon + 0.3, lat + 0.3), name="CA-11")
    pelosi = make_target(
        "Nancy Pelosi", title="Representative", chamber="lower", ocd_id=f"{CA}/cd:12", phone="(202) 225-4965"
    )
    make_target("Kevin Mullin", title="Representative", chamber="lower", ocd_id=f"{CA}/cd:11")
    return west, east, pelosi


def test_a_split_zip_code_asks_which_district_and_shows_the_sure_targets(cast, split_zip, client):
    west, _, pelosi = split_zip
    campaign = make_campaign(
        cast["organizer"],
        title="Call Congress",
        target_levels=[
            services.TargetPick(Level.FEDERAL, "upper"),
            services.TargetPick(Level.FEDERAL, "lower"),
        ],
    )
    _, html = page_of(client, campaign_url(campaign, "postcode=94110"))
    assert "Your ZIP code is split between districts." in html
    assert "CA-12 (Representative Nancy Pelosi)" in html and "CA-11 (Representative Kevin Mullin)" in html
    assert "Senator Adam Schiff" in html  # the senators are sure
    assert "tel:+1-202-225-4965" not in html  # no representative until they pick
    _, picked = page_of(client, campaign_url(campaign, f"postcode=94110&district-1={west.pk}"))
    assert "split between districts" not in picked and "CA-12: your pick." in picked
    assert f"target={pelosi.uuid}" in picked


def test_a_street_address_is_posted_and_finds_the_exact_district(cast, split_zip, settings, monkeypatch):
    _, _, pelosi = split_zip
    settings.GEOCODER = "nominatim"
    place = place_postcode("94110")
    assert place.longitude is not None and place.latitude is not None
    west_of_the_line = geocoding.Located(
        longitude=place.longitude - 0.01, latitude=place.latitude, region="CA"
    )
    monkeypatch.setattr(geocoding, "_ask", lambda text, service: west_of_the_line)
    campaign = make_campaign(
        cast["organizer"], title="Call Congress", target_levels=[services.TargetPick(Level.FEDERAL, "lower")]
    )
    client = Client()
    _, page = page_of(client, campaign_url(campaign))
    assert 'name="address"' in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    response = client.post(campaign_url(campaign), {"address": "1 Valencia St, San Francisco"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "For the address you entered." in html and "split between districts" not in html
    assert f'value="{pelosi.uuid}"' in html
    # The address rides only in POSTed forms (the steps, the report), never in a link.
    assert not re.search(r'href="[^"]*Valencia', html)
    assert 'name="address" value="1 Valencia St, San Francisco"' in html
    # A report whose form comes back with an error finds the same targets again.
    response = report(client, campaign, pelosi, outcome="", address="1 Valencia St, San Francisco")
    assert response.status_code == 400 and f'id="{_anchor(pelosi)}"' in response.content.decode()


# --- Reporting an outreach --------------------------------------------------------------------


def report(client: Client, campaign: AdvocacyCampaign, target: Target, **fields) -> Any:
    data = {"target": str(target.uuid), "outcome": "voicemail", **fields}
    return client.post(reverse("advocacy:log_outreach", args=[campaign.slug]), data, HTTP_USER_AGENT=BROWSER)


def test_a_call_logged_end_to_end(campaigns, cast, senators, make_member, client_for):
    campaign = campaigns[Review.PUBLISHED]
    friend = make_member("Fay")
    code = share_code_for(friend.person).code
    maya = client_for(cast["member"])
    _, page = page_of(maya, campaign_url(campaign, f"ref={code}&via=whatsapp"))
    assert f"{friend.person.short_name} invited you to take part." in page
    assert 'name="shown"' not in page  # the targets a report may name are worked out, not carried
    first, second = senators[1], senators[0]  # Schiff, then Padilla (by name)
    response = report(
        maya,
        campaign,
        first,
        outcome="staffer",
        call_minutes="3",
        note="Kind staffer",
        ref=code,
        via="whatsapp",
        postcode="",
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("advocacy:outreach_done", args=[campaign.slug])
    outreach = Outreach.objects.get()
    assert (outreach.person, outreach.target, outreach.mode, outreach.outcome) == (
        cast["member"].person,
        first,
        Outreach.Mode.CALL,
        Outreach.Outcome.REACHED_STAFFER,
    )
    assert outreach.call_seconds == 180 and outreach.note == "Kind staffer"
    assert outreach.referrer == friend.person and outreach.channel == Channel.WHATSAPP
    act = Activity.objects.get(verb=Verb.CONTACTED_TARGET)
    assert act.person == cast["member"].person and act.detail == Detail.CALL
    assert act.referrer_id == friend.person.pk and act.channel == Channel.WHATSAPP
    # The page after: thanks, the next target not yet called, and the member's own link.
    _, done = page_of(maya, response["Location"])
    assert "Thanks for calling Senator Adam Schiff's office." in done
    assert "Next: Senator Alex Padilla" in done and f'value="{second.uuid}"' in done
    assert f"?ref={share_code_for(cast['member'].person).code}&amp;via=" in done
    # Back on the campaign's page, the call is ticked and the next one is shown in full.
    _, again = page_of(maya, campaign_url(campaign))
    assert "You called" not in again.split("target-steps")[0]
    assert '<span class="step-done"> ✓' in again and f'value="{second.uuid}"' in again


def test_a_double_submit_logs_one_call(campaigns, cast, senators, client_for):
    maya = client_for(cast["member"])
    for _ in range(2):
        assert report(maya, campaigns[Review.PUBLISHED], senators[0]).status_code == 303
    assert Outreach.objects.count() == 1


def test_a_guest_s_call_through_a_friend_s_link(campaigns, senators, make_member):
    campaign = campaigns[Review.PUBLISHED]
    friend = make_member("Fay")
    code = share_code_for(friend.person).code
    guest = Client()
    response = report(
        guest,
        campaign,
        senators[0],
        given_name="Gil",
        family_name="Guest",
        email="gil@example.org",
        postal_code="90012",
        ref=code,
        via="x",
        postcode="90012",  # the lookup the page carries: their senators
    )
    assert response.status_code == 303
    gil = Person.objects.get(email_addresses__address="gil@example.org")
    assert gil.recruited_by == friend.person
    outreach = Outreach.objects.get()
    assert outreach.person == gil and outreach.given_name == "Gil" and outreach.referrer == friend.person
    assert Activity.objects.get(verb=Verb.CONTACTED_TARGET).referrer_id == friend.person.pk
    # A report sent without a counted page view is a visit through the link.
    assert ShareClickCount.objects.get(share_code__person=friend.person).clicks == 1
    _, done = page_of(guest, response["Location"])
    assert "Thank you, Gil!" in done and "Next: Senator Adam Schiff" in done
    # Their own link credits the address's owner and shows the typed name.
    link = re.search(r"\?ref=([a-z0-9]+)&amp;via=", done)
    assert link is not None
    shared = ShareCode.objects.get(code=link.group(1))
    assert shared.person == gil and shared.inviter_name == "Gil G."
    # The next form knows who they are.
    assert 'value="gil@example.org"' in done
    # Join in one click, email consent asked and unticked.
    assert reverse("network:join") in done and 'name="email_consent" id="join-consent">' in done


def test_a_report_names_only_the_reporter_s_own_representatives(campaigns, cast, senators, client_for):
    """A campaign for "my senators" takes a report of a call to the senators of the place the
    reporter looked up (or lives at), never another state's: the list a report may name is
    worked out again from the lookup, not carried by the form."""
    campaign = campaigns[Review.PUBLISHED]
    texan = make_target("Ted Cruz", ocd_id="ocd-division/country:us/state:tx")
    maya = client_for(cast["member"])  # lives in 90012, California
    refused = report(maya, campaign, texan, postcode="", shown=str(texan.uuid))
    assert refused.status_code == 400
    assert "Senator Ted Cruz doesn&#x27;t represent the place you looked up" in refused.content.decode()
    # Typing a Texas ZIP code is a lookup of Texas: its senator may be named then.
    assert report(maya, campaign, texan, postcode="73301").status_code == 303
    guest = Client()
    details = {"given_name": "Gil", "email": "gil@example.org", "postal_code": "90012"}
    assert report(guest, campaign, texan, postcode="90012", **details).status_code == 400
    assert report(guest, campaign, senators[0], **details).status_code == 400  # no place at all
    assert Outreach.objects.filter(target=texan).count() == 1
    assert report(guest, campaign, senators[0], postcode="90012", **details).status_code == 303
    # The page after offers the next of them, and takes its report as the page gave it.
    _, done = page_of(guest, reverse("advocacy:outreach_done", args=[campaign.slug]))
    assert "Next: Senator Adam Schiff" in done
    assert report(guest, campaign, senators[1], **details).status_code == 303
    assert report(guest, campaign, texan, **details).status_code == 400


def test_a_guest_must_say_who_they_are(campaigns, senators, client):
    response = report(
        client, campaigns[Review.PUBLISHED], senators[0], given_name="", email="", postal_code=""
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There are 3 problems" in html and "Please enter your email address." in html
    assert not Outreach.objects.exists() and not Person.objects.filter(given_name="").exists()


def test_an_email_with_markup_is_stored_as_typed_and_shown_escaped(cast, client_for):
    ceo = make_target(
        "Pat CEO", title="CEO", level=Level.OTHER, chamber="", ocd_id="", email="ceo@example.org"
    )
    campaign = make_campaign(
        cast["organizer"],
        title="Email the CEO",
        mode=AdvocacyCampaign.Mode.EMAIL,
        target_levels=[],
        targets=[ceo],
        subject="From {member_name}",
        script="Dear {target_name}, please.",
    )
    maya = client_for(cast["member"])
    _, page = page_of(maya, campaign_url(campaign))
    assert "mailto:ceo@example.org?subject=From%20Maya" in page and "Dear Pat CEO, please." in page
    evil = '<script>alert("x")</script> Please stop the shutoffs.'
    response = report(maya, campaign, ceo, outcome="sent", subject="<b>Hi</b>", text=evil)
    assert response.status_code == 303
    outreach = Outreach.objects.get()
    assert outreach.text == evil and outreach.mode == Outreach.Mode.EMAIL
    assert Activity.objects.get(verb=Verb.CONTACTED_TARGET).detail == Detail.EMAIL
    _, done = page_of(maya, response["Location"])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Please stop the shutoffs." in done
    assert "<script>alert" not in done and "<b>Hi</b>" not in done
    # And when the form comes back with an error, the textarea holds it escaped too.
    response = report(maya, campaign, ceo, outcome="sent", text=evil, note="x" * 3000)
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()


def test_a_target_not_in_the_campaign_is_refused_on_the_form(campaigns, cast, client_for):
    stranger = make_target("Mark Amodei", ocd_id="ocd-division/country:us/state:nv/cd:2", chamber="lower")
    maya = client_for(cast["member"])
    response = report(maya, campaigns[Review.PUBLISHED], stranger)
    assert response.status_code == 400
    assert "That target isn&#x27;t part of this campaign." in response.content.decode()
    response = maya.post(
        reverse("advocacy:log_outreach", args=[campaigns[Review.PUBLISHED].slug]),
        {"target": "not-a-uuid", "outcome": "voicemail"},
    )
    assert response.status_code == 400
    assert "Please choose whom you contacted from the list." in response.content.decode()
    assert not Outreach.objects.exists()


def test_an_outcome_the_mode_does_not_have_is_refused(campaigns, cast, senators, client_for):
    response = report(client_for(cast["member"]), campaigns[Review.PUBLISHED], senators[0], outcome="met")
    assert response.status_code == 400
    assert 'href="#target-' in response.content.decode()  # the summary links to the choices
    assert not Outreach.objects.exists()


def test_a_closed_or_pending_campaign_takes_no_outreach(campaigns, cast, senators, client_for):
    closed = report(client_for(cast["member"]), campaigns[Review.CLOSED], senators[0])
    assert closed.status_code == 400 and "This campaign is closed." in closed.content.decode()
    pending = report(client_for(cast["starter"]), campaigns[Review.PENDING], senators[0])
    assert pending.status_code == 400 and "This campaign isn&#x27;t open yet." in pending.content.decode()
    assert not Outreach.objects.exists()


def test_outreach_reports_are_rate_limited_for_everyone_but_staff(
    campaigns, cast, senators, client_for, settings
):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "outreach": "1/h/person"}
    cache.clear()
    maya = client_for(cast["member"])
    assert report(maya, campaigns[Review.PUBLISHED], senators[0]).status_code == 303
    refused = report(maya, campaigns[Review.PUBLISHED], senators[1])
    assert refused.status_code == 429 and "error-summary" in refused.content.decode()
    organizer = client_for(cast["organizer"])
    for target in senators:
        assert report(organizer, campaigns[Review.PUBLISHED], target, postcode="90012").status_code == 303


JUNK_REPORTS = [
    {"outcome": "voicemail", "call_minutes": "three"},
    {"outcome": "voicemail", "call_minutes": "-5"},
    {"outcome": "voicemail", "call_minutes": "99999999999999999999"},
    {"outcome": "voicemail", "note": "x\x00y"},
    {"outcome": "voicemail", "meeting_date": "2030-13-45"},
    {"outcome": "voicemail", "shown": "a,b,,c" * 500, "district": ["x", "9" * 40], "postcode": "9" * 50},
    {"outcome": ["voicemail", "busy"], "ref": "<script>", "via": "\u202e"},
]


@pytest.mark.parametrize("junk", JUNK_REPORTS)
def test_junk_in_a_report_is_never_a_500(junk, campaigns, cast, senators, client_for):
    response = report(client_for(cast["member"]), campaigns[Review.PUBLISHED], senators[0], **junk)
    assert response.status_code in (303, 400)


@pytest.mark.parametrize(
    "query",
    [
        "postcode=%00",
        "postcode=" + "1" * 30,
        "district=abc&district=99999999999&postcode=90012",
        "target=zzz",
        "letter=%ff",
        "ref=" + "a" * 200,
    ],
)
def test_junk_in_a_campaign_s_address_is_never_a_500(query, campaigns, client):
    assert client.get(campaign_url(campaigns[Review.PUBLISHED], query)).status_code in (200, 400, 404)


def test_a_guest_s_page_with_their_details_is_never_cached(campaigns, senators):
    guest = Client()
    report(
        guest,
        campaigns[Review.PUBLISHED],
        senators[0],
        given_name="Gil",
        email="gil@example.org",
        postal_code="90012",
        postcode="90012",
    )
    response = guest.get(campaign_url(campaigns[Review.PUBLISHED], "postcode=90012"))
    assert 'value="gil@example.org"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_page_after_without_an_outreach_goes_back(campaigns, cast, client_for, client):
    url = reverse("advocacy:outreach_done", args=[campaigns[Review.PUBLISHED].slug])
    assert client.get(url)["Location"] == campaign_url(campaigns[Review.PUBLISHED])
    assert client_for(cast["member"]).get(url).status_code == 302


def test_a_printable_letter(cast, client):
    senator = make_target("Alex Padilla", postal_address="331 Hart Senate Office Building\nWashington, DC")
    campaign = make_campaign(
        cast["organizer"],
        title="Write about lunches",
        mode=AdvocacyCampaign.Mode.LETTER,
        script="Dear {target_title} {target_name}, feed the kids. {member_name}",
    )
    _, page = page_of(client, campaign_url(campaign, "postcode=90012"))
    assert f"?letter={senator.uuid}" in page and "I mailed it" in page
    _, letter = page_of(client, campaign_url(campaign, f"letter={senator.uuid}"))
    assert "331 Hart Senate Office Building<br>Washington, DC" in letter
    assert "Dear Senator Alex Padilla, feed the kids. [your name]" in letter
    other = make_target("Someone Else", level=Level.OTHER, chamber="", ocd_id="")
    assert client.get(campaign_url(campaign, f"letter={other.uuid}")).status_code == 404
    assert client.get(campaign_url(campaign, "letter=nonsense")).status_code == 404


def test_a_meeting_request(cast, client_for):
    rep = make_target("Jimmy Gomez", title="Representative", chamber="lower", ocd_id=CA)
    campaign = make_campaign(
        cast["organizer"],
        title="Meet your representative",
        mode=AdvocacyCampaign.Mode.MEETING,
        target_levels=[services.TargetPick(Level.FEDERAL, "lower")],
        script="",
    )
    response = report(
        client_for(cast["member"]),
        campaign,
        rep,
        outcome="requested",
        meeting_date="2030-04-02",
        who_went="Maya and 3 neighbours",
    )
    assert response.status_code == 303
    outreach = Outreach.objects.get()
    assert outreach.mode == Outreach.Mode.MEETING and str(outreach.meeting_date) == "2030-04-02"
    assert Activity.objects.get(verb=Verb.CONTACTED_TARGET).detail == Detail.MEETING


# --- Signing ----------------------------------------------------------------------------------


def sign(client: Client, petition: Petition, **fields) -> Any:
    return client.post(reverse("advocacy:sign", args=[petition.slug]), fields, HTTP_USER_AGENT=BROWSER)


GUEST = {"given_name": "Gil", "family_name": "Guest", "postal_code": "90012"}


def test_a_guest_signs_through_a_friend_s_link_and_is_credited(petitions, make_member):
    petition = petitions[Review.PUBLISHED]
    friend = make_member("Fay")
    code = share_code_for(friend.person).code
    guest = Client()
    _, page = page_of(guest, f"{petition_url(petition)}?ref={code}&via=whatsapp", HTTP_USER_AGENT=BROWSER)
    assert f"{friend.person.short_name} asked you to sign this petition." in page
    assert f'name="ref" value="{code}"' in page and 'name="via" value="whatsapp"' in page
    response = sign(
        guest, petition, **GUEST, email="gil@example.org", comment="Yes!", ref=code, via="whatsapp"
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("advocacy:signed", args=[petition.slug])
    gil = Person.objects.get(email_addresses__address="gil@example.org")
    assert gil.recruited_by == friend.person
    signature = Signature.objects.get()
    assert signature.person == gil and signature.referrer == friend.person and signature.comment == "Yes!"
    assert (signature.show_name_publicly, signature.starter_may_write) == (False, False)
    act = Activity.objects.get(verb=Verb.SIGNED)
    assert act.referrer_id == friend.person.pk and act.channel == Channel.WHATSAPP
    # The page view counted the visit; signing from the same browser does not count it again.
    assert ShareClickCount.objects.get(share_code__person=friend.person).clicks == 1
    # No yes, no subscription.
    assert EmailAddress.objects.get(address="gil@example.org").status == EmailStatus.UNSUBSCRIBED
    _, done = page_of(guest, response["Location"])
    assert "Thanks for signing, Gil!" in done and "1 of 100 signatures" not in done
    link = re.search(r"\?ref=([a-z0-9]+)&amp;via=", done)
    assert link is not None and ShareCode.objects.get(code=link.group(1)).person == gil


def test_a_guest_signature_counts_the_visit_when_the_page_view_did_not(petitions, make_member):
    friend = make_member("Fay")
    code = share_code_for(friend.person).code
    response = Client().post(
        reverse("advocacy:sign", args=[petitions[Review.PUBLISHED].slug]),
        {**GUEST, "email": "bo@example.org", "ref": code, "via": "x"},
        HTTP_USER_AGENT="facebookexternalhit/1.1",  # its page view would not have counted
    )
    assert response.status_code == 303
    assert ShareClickCount.objects.get(share_code__person=friend.person).clicks == 1


def test_a_guest_who_says_yes_to_email_is_subscribed(petitions, client):
    sign(client, petitions[Review.PUBLISHED], **GUEST, email="yes@example.org", email_consent="on")
    assert EmailAddress.objects.get(address="yes@example.org").status == EmailStatus.SUBSCRIBED


def test_a_member_signs_with_their_choices_and_is_told_of_a_duplicate(petitions, cast, client_for):
    petition = petitions[Review.PUBLISHED]
    maya = client_for(cast["member"])
    _, page = page_of(maya, petition_url(petition))
    assert "Signing as <strong>Maya" in page and 'name="given_name"' not in page
    response = sign(maya, petition, comment="For my kids", show_name="on")
    assert response.status_code == 303
    signature = Signature.objects.get()
    assert signature.person == cast["member"].person and signature.show_name_publicly
    assert not signature.starter_may_write and signature.locality == "Los Angeles"
    _, done = page_of(maya, response["Location"])
    assert "Thanks for signing" in done and "already signed" not in done
    again = sign(maya, petition, comment="Twice")
    assert again.status_code == 303
    _, done = page_of(maya, again["Location"])
    assert "You&#x27;ve already signed this petition" in done
    assert Signature.objects.get().comment == "For my kids"
    _, page = page_of(maya, petition_url(petition))
    assert "You signed on" in page and 'action="/act/petitions/' not in page


def _normalized(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"ref(=|%3D)[a-z0-9]+", "ref=CODE", html)


def test_a_guest_sees_the_same_page_whether_or_not_the_address_signed(petitions, cast):
    petition = petitions[Review.PUBLISHED]
    services.sign(actor=as_actor(cast["member"]), petition=petition)  # Maya signed already
    pages, banners = [], []
    for email in (cast["member"].email, "new@example.org"):
        guest = Client()
        response = sign(guest, petition, **GUEST, email=email)
        assert response.status_code == 303
        html = page_of(guest, response["Location"])[1]
        pages.append(_normalized(html).replace(email, "EMAIL"))
        # Their link's landing page names whoever typed, never the address's owner.
        link = re.search(r"\?ref=([a-z0-9]+)&amp;via=", html)
        assert link is not None
        banners.append(page_of(Client(), f"{petition_url(petition)}?ref={link.group(1)}")[1])
    assert pages[0] == pages[1]
    assert "Maya" not in pages[0]
    for banner in banners:
        assert "Gil G. asked you to sign this petition." in banner and "Maya" not in banner
    # Maya's signature is untouched; the new address signed.
    assert Signature.objects.get(person=cast["member"].person).given_name == "Maya"
    assert Signature.objects.count() == 2


def test_bad_signatures_come_back_on_the_form(petitions, client):
    response = sign(
        client, petitions[Review.PUBLISHED], given_name="", email="not an address", postal_code="0"
    )
    html = response.content.decode()
    assert response.status_code == 400 and "There are 3 problems" in html
    assert not Signature.objects.exists()


def test_a_closed_petition_takes_no_signature(petitions, cast, client_for):
    response = sign(client_for(cast["member"]), petitions[Review.CLOSED])
    assert response.status_code == 400 and "This petition is closed." in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_is_rate_limited(petitions, cast, client_for, settings, make_member):
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "sign": "1/h/ip"}
    cache.clear()
    assert sign(Client(), petitions[Review.PUBLISHED], **GUEST, email="a@example.org").status_code == 303
    refused = sign(Client(), petitions[Review.PUBLISHED], **GUEST, email="b@example.org")
    assert refused.status_code == 429
    assert sign(client_for(cast["organizer"]), petitions[Review.PUBLISHED]).status_code == 303


def test_after_signing_now_call_your_representative(cast, campaigns, client_for):
    petition = make_petition(cast["organizer"], title="Lead", advocacy_campaign=campaigns[Review.PUBLISHED])
    response = sign(client_for(cast["member"]), petition)
    _, done = page_of(client_for(cast["member"]), response["Location"])
    assert "Now call your representative" in done and campaign_url(campaigns[Review.PUBLISHED]) in done
    guest = Client()
    response = sign(guest, petition, **GUEST, email="gil@example.org")
    _, done = page_of(guest, response["Location"])
    assert campaign_url(campaigns[Review.PUBLISHED], "postcode=90012") in done  # their ZIP code carried


def test_the_page_after_signing_shows_nothing_to_someone_who_did_not(petitions, cast, client, client_for):
    url = reverse("advocacy:signed", args=[petitions[Review.PUBLISHED].slug])
    assert client.get(url)["Location"] == petition_url(petitions[Review.PUBLISHED])
    assert client_for(cast["outsider"]).get(url).status_code == 302


def test_the_live_count(petitions, cast, client):
    petition = petitions[Review.PUBLISHED]
    services.sign(actor=as_actor(cast["member"]), petition=petition)
    _, page = page_of(client, petition_url(petition))
    assert f'hx-get="{reverse("advocacy:petition_count", args=[petition.slug])}"' in page
    assert 'hx-trigger="every 30s"' in page and "htmx" in page
    count_url = reverse("advocacy:petition_count", args=[petition.slug])
    _, fragment = page_of(client, count_url, HTTP_HX_REQUEST="true")
    assert "<strong>1</strong> of 100 signatures" in fragment and "<html" not in fragment
    closed_url = reverse("advocacy:petition_count", args=[petitions[Review.CLOSED].slug])
    _, closed = page_of(client, closed_url, HTTP_HX_REQUEST="true")
    assert "hx-get" not in closed  # a closed petition's count stops asking
    # Opened as a page, it is the petition's page at its count.
    assert client.get(count_url)["Location"] == petition_url(petition) + "#sign"


def test_the_starter_and_staff_are_pointed_to_the_management_page(petitions, cast, client_for):
    live = petitions[Review.PUBLISHED]
    try:
        manage = reverse("advocacy:manage_petition", args=[live.uuid])
    except NoReverseMatch:  # not built yet: the page must still work
        manage = None
    for persona, sees in [("organizer", True), ("starter", False), ("member", False), ("outsider", False)]:
        _, html = page_of(client_for(cast[persona]), petition_url(live))
        assert ("Who signed, messages" in html) == (sees and manage is not None), persona
        if manage is not None:
            assert (manage in html) == sees
    mine = make_petition(cast["starter"], title="Mine to manage")
    _, html = page_of(client_for(cast["starter"]), petition_url(mine))
    assert ("Who signed, messages" in html) == (manage is not None)
    # Anonymous visitors see a count only, never a signer.
    services.sign(actor=as_actor(cast["member"]), petition=live, show_name=True, comment="Mine")
    _, html = page_of(Client(), petition_url(live))
    assert "Mine" not in html and cast["member"].email not in html and "Maya" not in html


# --- Query counts -----------------------------------------------------------------------------


def test_the_campaign_page_s_queries(campaigns, cast, senators, client_for, django_assert_max_num_queries):
    maya = client_for(cast["member"])
    services.log_outreach(
        actor=as_actor(cast["member"]),
        campaign=campaigns[Review.PUBLISHED],
        report=services.OutreachReport(
            target=senators[0], theirs=frozenset({senators[0].pk}), outcome="voicemail"
        ),
    )
    page_of(maya, campaign_url(campaigns[Review.PUBLISHED]))  # warm the session and caches
    with django_assert_max_num_queries(17):
        code, _ = page_of(maya, campaign_url(campaigns[Review.PUBLISHED]))
    assert code == 200
    # The page after a call: the same reads, and the next target's (no threads there).
    with django_assert_max_num_queries(14):
        code, _ = page_of(maya, reverse("advocacy:outreach_done", args=[campaigns[Review.PUBLISHED].slug]))
    assert code == 200
    with django_assert_max_num_queries(10):
        code, _ = page_of(Client(), campaign_url(campaigns[Review.PUBLISHED], "postcode=90012"))
    assert code == 200


def test_the_petition_page_s_queries(petitions, cast, client_for, django_assert_max_num_queries):
    maya = client_for(cast["member"])
    services.sign(actor=as_actor(cast["member"]), petition=petitions[Review.PUBLISHED])
    page_of(maya, petition_url(petitions[Review.PUBLISHED]))
    with django_assert_max_num_queries(9):
        code, _ = page_of(maya, petition_url(petitions[Review.PUBLISHED]))
    assert code == 200
    with django_assert_max_num_queries(4):
        code, _ = page_of(Client(), petition_url(petitions[Review.PUBLISHED]))
    assert code == 200


def test_the_index_s_queries(campaigns, petitions, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(reverse("advocacy:index")).status_code == 200
