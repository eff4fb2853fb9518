"""Pressing one's representatives, on a phone: "who represents me" from a ZIP code → an
organizer's call campaign (the script with the office's name in it, a tel: link, "how did it
go?" as a guest) → a petition opened through a friend's link, signed as a guest and credited
to the friend → joining from the page after, then starting her own petition, which waits →
an organizer approves it from the one review queue → a neighbour signs it through her link,
showing their first name → her petition's page shows the neighbour's first name, and not
their email address.

Districts are boxes drawn around real ZIP code centroids (the table `people.places` reads),
so a ZIP code lookup meets them as it would meet the Census's boundaries: 94110 (San
Francisco) lies deep inside the CA-12 drawn here; the CA-34 box around 90012 (Los Angeles),
with its own representative, is never hers.
"""

import re

import pytest

from groundswell.accounts.models import Role
from groundswell.activity.models import Activity, Detail, Verb
from groundswell.advocacy import services
from groundswell.advocacy.models import Level, Outreach, Petition, Review, Signature, Target, TargetPhone
from groundswell.advocacy.tests.campaign_factories import SCRIPT, make_campaign, make_petition, make_target
from groundswell.advocacy.tests.test_districts import fresh_index, make_district  # noqa: F401
from groundswell.advocacy.tests.test_representatives import around
from groundswell.core.channels import Channel
from groundswell.people.models import Person
from tests.browser.checks import assert_accessible
from tests.browser.test_friend_journey import join_in_one_click, textbox
from tests.browser.test_join_journey import code_emailed_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CA = "ocd-division/country:us/state:ca"
CALL_TITLE = "Call Congress: keep the water clean"
PETITION_TITLE = "Fund the Mission Street bus lane"
MINE = "Open the Dolores schoolyard on weekends"


def new_page(context):
    """A page that gives up on a missing element in 10 s (a broken step fails fast)."""
    context.set_default_timeout(10_000)
    return context.new_page()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def dials(link) -> str:
    """The number a tel: link dials, digits only, without the US country code."""
    href = link.get_attribute("href")
    assert href.startswith("tel:"), href
    return re.sub(r"\D", "", href.removeprefix("tel:+1-"))


def california() -> dict[str, Target]:
    """CA-12 around 94110, CA-34 around 90012, and who serves them (as an import leaves them)."""
    make_district(f"{CA}/cd:12", around("94110", -0.3, -0.3, 0.3, 0.3), name="California's 12th")
    make_district(f"{CA}/cd:34", around("90012", -0.3, -0.3, 0.3, 0.3), name="California's 34th")
    rep = make_target(
        "Nancy Pelosi",
        title="Representative",
        chamber=Target.Chamber.LOWER,
        ocd_id=f"{CA}/cd:12",
        phone="(202) 225-4965",
    )
    TargetPhone.objects.create(target=rep, label="San Francisco office", number="415-556-4862", position=1)
    return {
        "rep": rep,
        "senator": make_target("Alex Padilla", phone="(202) 224-3553"),
        "senator2": make_target("Adam Schiff", phone="(202) 224-3841"),
        "governor": make_target(
            "Gavin Newsom", title="Governor", level=Level.STATE, chamber=Target.Chamber.EXECUTIVE
        ),
        "elsewhere": make_target(
            "Jimmy Gomez", title="Representative", chamber=Target.Chamber.LOWER, ocd_id=f"{CA}/cd:34"
        ),
    }


def guest_details(scope, *, given: str, family: str, email: str, postcode: str) -> None:
    textbox(scope, "First name").fill(given)
    textbox(scope, "Last name (optional)").fill(family)
    textbox(scope, "Email address").fill(email)
    textbox(scope, "ZIP code").fill(postcode)


def test_representatives_call_sign_start_approve_and_a_neighbour_signs(
    browser, signed_in, live_server, settings, make_member
):
    settings.SITE_URL = live_server.url
    targets = california()
    organizer = make_member("Ella", role=Role.ORGANIZER, postal_code="94110")
    call = make_campaign(
        organizer,
        title=CALL_TITLE,
        script=SCRIPT,
        target_levels=[
            services.TargetPick(Level.FEDERAL, Target.Chamber.UPPER),
            services.TargetPick(Level.FEDERAL, Target.Chamber.LOWER),
        ],
    )
    petition = make_petition(organizer, title=PETITION_TITLE, text="Buses stuck in traffic make us late.")
    assert call.status == petition.status == Review.PUBLISHED
    friend = make_member("Bea", postal_code="94110")
    neighbour = make_member("Nia", postal_code="94110")

    # 1. A visitor on a phone: who represents me at 94110? Federal and state, each with a way in.
    page = new_page(browser.new_context(**PHONE))
    page.goto(f"{live_server.url}/act/representatives/")
    assert_accessible(page)
    textbox(page, "ZIP code").fill("94110")
    page.get_by_role("button", name="Find my representatives").tap()
    results = page.get_by_role("region", name="Representatives for ZIP code 94110")
    federal = results.get_by_role("region", name="Federal", exact=True)
    assert re.sub(r"\s+", " ", federal.inner_text()).count("Senator") == 2
    for name in ("Senator Alex Padilla", "Senator Adam Schiff", "Representative Nancy Pelosi"):
        assert federal.get_by_text(name, exact=True).is_visible(), name
    assert (
        results.get_by_role("region", name="State", exact=True)
        .get_by_text("Governor Gavin Newsom")
        .is_visible()
    )
    assert "Jimmy Gomez" not in results.inner_text()  # CA-34's, 600 km away
    assert dials(federal.get_by_role("link", name="(202) 225-4965")) == "2022254965"
    assert_accessible(page)
    fits_the_phone(page)

    # 2. The call campaign: her ZIP code, her representative's script and number, "how did it go?".
    page.goto(f"{live_server.url}/act/campaigns/{call.slug}/")
    page.get_by_role("heading", level=1, name=CALL_TITLE).wait_for()
    take_part = page.locator("#take-part")
    textbox(take_part, "Your ZIP code").fill("94110")
    take_part.get_by_role("button", name="Find my representatives").tap()
    page.get_by_text("For ZIP code 94110").wait_for()
    # Her senators and representative, one at a time (senators first); not the governor (not
    # whom this campaign asks) nor CA-34's representative.
    steps = page.get_by_role("navigation", name="Whom to call")
    assert steps.get_by_role("listitem").all_inner_texts() == [
        "Senator Adam Schiff",
        "Senator Alex Padilla",
        "Representative Nancy Pelosi",
    ]
    assert "Gavin Newsom" not in take_part.inner_text() and "Jimmy Gomez" not in take_part.inner_text()
    steps.get_by_role("link", name="Representative Nancy Pelosi").tap()
    card = page.get_by_role("article", name="Representative Nancy Pelosi")
    script = card.get_by_role("region", name="What to say to Nancy Pelosi's office").inner_text()
    assert "calling Representative Nancy Pelosi about clean water" in script
    assert "from San Francisco" in script
    assert dials(card.get_by_role("link", name=re.compile(r"^Call DC office"))) == "2022254965"
    assert card.get_by_role("link", name=re.compile(r"^Call San Francisco office")).is_visible()
    assert_accessible(page)
    fits_the_phone(page)
    card.get_by_role("radio", name="I left a voicemail").check()
    guest_details(card, given="Ada", family="Lovelace", email="ada@example.org", postcode="94110")
    card.get_by_role("button", name="Report my call to Nancy Pelosi").tap()
    page.wait_for_url("**/done/")
    page.get_by_role("heading", level=1, name="Thank you, Ada!").wait_for()
    assert "Thanks for calling Representative Nancy Pelosi's office" in page.inner_text("main")
    ada = Person.objects.get(email_addresses__address="ada@example.org")
    outreach = Outreach.objects.get(person=ada, campaign=call)
    assert outreach.target == targets["rep"] and outreach.outcome == Outreach.Outcome.VOICEMAIL
    assert outreach.mode == Outreach.Mode.CALL
    assert Activity.objects.filter(
        person=ada, verb=Verb.CONTACTED_TARGET, detail=Detail.CALL, object_id=targets["rep"].pk
    ).exists()
    # The page after offers the next of her targets, a senator.
    assert page.get_by_role("heading", name=re.compile(r"^Next: Senator ")).is_visible()

    # 3. A friend signs the organizer's petition and sends Ada her link, over WhatsApp.
    friend_page = new_page(signed_in(friend, **PHONE))
    friend_page.goto(f"{live_server.url}/act/petitions/{petition.slug}/")
    friend_page.get_by_role("button", name="Sign the petition").tap()
    friend_page.wait_for_url("**/signed/")
    asks = friend_page.get_by_role("region", name="Ask friends to sign")
    link = textbox(asks, "Your link to this petition").input_value()
    assert link.startswith(f"{live_server.url}/act/petitions/{petition.slug}/?ref=") and "via=link" in link
    friend_page.context.close()

    page.goto(link.replace("via=link", "via=whatsapp"))
    page.get_by_role("heading", level=1, name=PETITION_TITLE).wait_for()
    assert page.get_by_text(re.compile(r"^Bea T\. asked you to sign this petition")).is_visible()
    assert_accessible(page)
    fits_the_phone(page)
    sign = page.get_by_role("complementary", name="Sign the petition")
    guest_details(sign, given="Ada", family="Lovelace", email="ada@example.org", postcode="94110")
    sign.get_by_role("button", name="Sign the petition").tap()
    page.wait_for_url("**/signed/")
    page.get_by_role("heading", level=1, name="Thanks for signing, Ada!").wait_for()
    own = textbox(page.get_by_role("region", name="Ask friends to sign"), "Your link to this petition")
    assert own.input_value().startswith(f"{live_server.url}/act/petitions/{petition.slug}/?ref=")
    assert_accessible(page)
    signature = Signature.objects.get(petition=petition, person=ada)
    assert signature.referrer_id == friend.person_id and signature.channel == Channel.WHATSAPP
    assert Activity.objects.filter(
        person=ada, verb=Verb.SIGNED, object_id=petition.pk, referrer_id=friend.person_id
    ).exists()

    # 4. She joins from the page after signing, signs in with the emailed code, and starts her own.
    join_in_one_click(page)
    page.get_by_role("link", name="Enter my code").tap()
    page.get_by_label("Code").fill(code_emailed_to("ada@example.org"))
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url("**/hub/")
    assert Person.objects.get(email_addresses__address="ada@example.org") == ada
    page.goto(f"{live_server.url}/act/start/")
    page.get_by_role("link", name="Start a petition").tap()
    page.get_by_role("heading", level=1, name="Start a petition").wait_for()
    assert_accessible(page)
    fits_the_phone(page)
    textbox(page, "Title").fill(MINE)
    textbox(page, "Your petition").fill("Our kids have nowhere to play on weekends. Open the gates.")
    page.get_by_role("button", name="Send for review").tap()
    page.get_by_text("Waiting for an organizer.").wait_for()
    assert page.get_by_text("Your petition is with an organizer now").is_visible()
    mine = Petition.objects.get(title=MINE)
    assert mine.started_by == ada and mine.status == Review.PENDING
    # Nobody else sees it while it waits.
    assert page.request.get(f"{live_server.url}/act/petitions/{mine.slug}/").ok  # hers: a preview
    assert browser.new_context().request.get(f"{live_server.url}/act/petitions/{mine.slug}/").status == 404

    # 5. An organizer: "Review" in the navigation counts it; the one queue lists it; approve.
    review = new_page(signed_in(organizer))
    review.goto(f"{live_server.url}/act/")
    review.get_by_role("navigation", name="Main").get_by_role("link", name="Review 1 waiting").click()
    review.wait_for_url("**/events/review/")
    queue = review.get_by_role("region", name="Petitions and campaigns")
    card = queue.get_by_role("article", name=MINE)
    assert card.get_by_text("Started by Ada Lovelace").is_visible()
    assert_accessible(review)
    card.get_by_role("button", name="Approve").click()
    review.get_by_text(f"{MINE}: approved.").wait_for()
    mine.refresh_from_db()
    assert mine.status == Review.PUBLISHED
    assert (
        review.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Review", exact=True)
        .is_visible()
    )

    # Her manage page now says it's live, with her own link to share.
    page.goto(f"{live_server.url}/act/petitions/{mine.uuid}/manage/")
    page.get_by_text("Live, under your name.").wait_for()
    her_link = textbox(page.get_by_role("region", name="Share it"), "Your link to the petition").input_value()
    assert her_link.startswith(f"{live_server.url}/act/petitions/{mine.slug}/?ref=")

    # 6. A neighbour, signed in on their own phone, signs through her link and shows their name.
    neighbour_page = new_page(signed_in(neighbour, **PHONE))
    neighbour_page.goto(her_link)
    neighbour_page.get_by_role("heading", level=1, name=MINE).wait_for()
    assert neighbour_page.get_by_text("Started by Ada L.").is_visible()
    assert neighbour_page.get_by_text(re.compile(r"^Ada L\. asked you to sign this petition")).is_visible()
    neighbour_page.get_by_role("checkbox", name="Show my first name and town with my signature").check()
    neighbour_page.get_by_role("button", name="Sign the petition").tap()
    neighbour_page.wait_for_url("**/signed/")
    neighbour_page.get_by_role("heading", level=1, name="Thanks for signing!").wait_for()
    theirs = Signature.objects.get(petition=mine, person=neighbour.person)
    assert theirs.show_name_publicly and theirs.referrer_id == ada.pk

    # 7. From her hub, her petition: the neighbour's first name and town, not their email.
    page.goto(f"{live_server.url}/hub/")
    page.get_by_role("region", name="Your petitions and campaigns").get_by_role("link", name=MINE).tap()
    page.get_by_role("heading", level=1, name=re.compile(MINE)).wait_for()
    signers = page.get_by_role("region", name="Who signed")
    assert "1 of the 1 people who signed chose to show their first name" in signers.inner_text()
    content = page.content()
    assert neighbour.person.email_addresses.get().address not in content
    assert neighbour.person.family_name not in content
    assert signers.get_by_text("Nia", exact=True).is_visible()
    assert "San Francisco" in signers.inner_text()
    assert_accessible(page)
    fits_the_phone(page)
    # The organizer sees everything, the email included.
    review.goto(f"{live_server.url}/act/petitions/{mine.uuid}/manage/")
    assert (
        neighbour.person.email_addresses.get().address
        in review.get_by_role("region", name="Who signed").inner_text()
    )
