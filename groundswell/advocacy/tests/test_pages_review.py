"""Organizers' review of member-started petitions and campaigns, in the one review queue
(events' page, with advocacy's section drawn through web's tag) and on advocacy's own page:
approve, ask for changes (a note needed), turn down (a reason needed), trust the starter;
the navigation's count of everything waiting; a row per persona; pinned query counts."""

from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.advocacy.models import AdvocacyCampaign, Petition, Review, TrustedStarter
from groundswell.advocacy.selectors.access import access_petition
from groundswell.advocacy.tests.campaign_factories import make_campaign, make_petition, make_target
from groundswell.events.models import Event, EventCampaign
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

QUEUE = "/events/review/"


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


def decide(client: Client, thing, decision: str, note: str = "", **extra: str):
    kind = "petition" if isinstance(thing, Petition) else "campaign"
    data = {"kind": kind, "uuid": str(thing.uuid), "decision": decision, "note": note, **extra}
    return client.post(reverse("advocacy:review"), data)


def test_the_queue_is_one_page_for_organizers(people, client_for):
    assert reverse("events:review") == QUEUE


def test_a_members_petition_goes_through_the_queue_and_goes_public(
    people, client_for, django_capture_on_commit_callbacks
):
    starter = client_for(people["starter"])
    starter.post(
        reverse("advocacy:start_petition"),
        {"title": "Fix the crossing", "text": "A safe crossing on Elm Street, please.", "save": "send"},
    )
    petition = Petition.objects.get()
    assert petition.status == Review.PENDING
    with pytest.raises(Exception, match="couldn't find"):
        access_petition(ANONYMOUS, petition.slug)

    organizer = client_for(people["organizer"])
    queue = unescape(organizer.get(QUEUE).content.decode())
    # In the one queue, counted in the navigation, with its starter's history.
    assert "Fix the crossing" in queue and "A safe crossing on Elm Street" in queue
    assert '<span class="count">1<span class="visually-hidden"> waiting' in queue
    assert "Petitions and campaigns: 1" in queue and "Events: 0" in queue
    assert "Started by Stu" in queue and "First one" in queue
    assert f'name="next" value="{QUEUE}#advocacy-review"' in queue

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(organizer, petition, "approve", next=f"{QUEUE}#advocacy-review")
    assert response.status_code == 303 and response["Location"] == f"{QUEUE}#advocacy-review"
    petition.refresh_from_db()
    assert petition.status == Review.PUBLISHED and petition.reviewed_by == people["organizer"].person
    assert access_petition(ANONYMOUS, petition.slug) == petition
    assert [m.to[0] for m in mail.outbox] == [people["starter"].email]
    assert "Approved: Fix the crossing" in mail.outbox[0].subject
    after = unescape(organizer.get(QUEUE).content.decode())
    assert "Fix the crossing: approved. Stu" in after and "Review <span" not in after
    try:
        public = reverse("advocacy:petition", args=[petition.slug])
    except NoReverseMatch:  # the public page is another module's, not yet there
        public = None
    if public:
        assert Client().get(public).status_code == 200


def test_asking_for_changes_needs_a_note_and_sends_it_back_to_the_starter(people, client_for):
    petition = make_petition(people["starter"], title="Fix the crossing")
    organizer = client_for(people["organizer"])
    # No note: the card comes back with the problem, what was typed elsewhere is kept, nothing changes.
    refused = decide(organizer, petition, "changes", note="   ", next=QUEUE)
    assert refused.status_code == 400
    page = unescape(refused.content.decode())
    card = page.split(f'id="review-{petition.uuid}"')[1].split("</article>")[0]
    assert "Please say what should change." in card and 'aria-invalid="true" autofocus' in card
    assert f'href="{QUEUE}"' in page  # back to everything waiting
    petition.refresh_from_db()
    assert petition.status == Review.PENDING

    decide(organizer, petition, "changes", note="Please name who decides: the city council?")
    petition.refresh_from_db()
    assert (petition.status, petition.review_note) == (
        Review.DRAFT,
        "Please name who decides: the city council?",
    )
    starter = client_for(people["starter"])
    manage = unescape(starter.get(reverse("advocacy:manage_petition", args=[petition.uuid])).content.decode())
    assert "An organizer asked for changes" in manage and "name who decides: the city council?" in manage
    edit = unescape(starter.get(reverse("advocacy:edit_petition", args=[petition.uuid])).content.decode())
    assert "name who decides: the city council?" in edit and "Send for review" in edit
    # Sent again, it is back in the queue.
    starter.post(
        reverse("advocacy:edit_petition", args=[petition.uuid]),
        {"title": "Fix the crossing", "text": "City council: a safe crossing, please.", "save": "send"},
    )
    petition.refresh_from_db()
    assert petition.status == Review.PENDING
    assert "Sent back before, with" in unescape(organizer.get(QUEUE).content.decode())


def test_turning_down_needs_a_reason_and_the_starter_sees_it(people, client_for):
    campaign = make_campaign(people["starter"], title="Call them all")
    organizer = client_for(people["organizer"])
    assert decide(organizer, campaign, "reject").status_code == 400
    campaign.refresh_from_db()
    assert campaign.status == Review.PENDING
    response = decide(organizer, campaign, "reject", note="This repeats our national campaign.")
    assert response.status_code == 303 and response["Location"] == reverse("advocacy:review")
    campaign.refresh_from_db()
    assert campaign.status == Review.REJECTED
    manage = unescape(
        client_for(people["starter"])
        .get(reverse("advocacy:manage_campaign", args=[campaign.uuid]))
        .content.decode()
    )
    assert "Not approved" in manage and "This repeats our national campaign." in manage
    assert reverse("advocacy:edit_campaign", args=[campaign.uuid]) not in manage


def test_a_trusted_starters_next_one_goes_live_at_once(people, client_for):
    first = make_petition(people["starter"])
    decide(client_for(people["organizer"]), first, "approve", trust="1")
    assert TrustedStarter.objects.filter(person=people["starter"].person).exists()
    starter = client_for(people["starter"])
    form = unescape(starter.get(reverse("advocacy:start_campaign")).content.decode())
    assert "Publishing puts it live at once" in form
    response = starter.post(
        reverse("advocacy:start_campaign"),
        {
            "title": "Call now",
            "mode": "call",
            "target_levels": ["1:upper"],
            "script": "Hi {target_name}",
            "save": "send",
        },
    )
    campaign = AdvocacyCampaign.objects.get()
    assert campaign.status == Review.PUBLISHED and campaign.member_started
    assert "is live" in unescape(starter.get(response["Location"]).content.decode())


def test_a_decision_on_something_no_longer_waiting_changes_nothing(people, client_for):
    petition = make_petition(people["starter"])
    organizer = client_for(people["organizer"])
    decide(organizer, petition, "approve")
    response = decide(organizer, petition, "reject", note="Too late")
    assert response.status_code == 303
    petition.refresh_from_db()
    assert petition.status == Review.PUBLISHED
    assert "no longer waiting" in unescape(organizer.get(response["Location"]).content.decode())


def test_next_is_never_another_site(people, client_for):
    petition = make_petition(people["starter"])
    response = decide(client_for(people["organizer"]), petition, "approve", next="https://evil.example/")
    assert response["Location"] == reverse("advocacy:review")


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "starter", "organizer", "admin"])
def test_only_staff_review(people, persona):
    petition = make_petition(people["starter"])
    client = client_as(people, persona)
    expected = {"anonymous": 302, "organizer": 200, "admin": 200}.get(persona, 404)
    assert client.get(reverse("advocacy:review")).status_code == expected
    response = decide(client, petition, "approve", trust="1")
    assert response.status_code == (303 if persona in ("organizer", "admin") else expected)
    petition.refresh_from_db()
    assert (petition.status == Review.PUBLISHED) == (persona in ("organizer", "admin"))
    assert TrustedStarter.objects.exists() == (persona in ("organizer", "admin"))
    # Nobody but staff learns what waits, from the navigation or the queue.
    home = client.get("/").content.decode()
    assert ("Review" in home) == (persona in ("organizer", "admin"))


def test_the_navigation_counts_events_petitions_and_campaigns_together(people, client_for):
    moderated = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    event = EventFactory.create(host=MemberFactory.create(given_name="Hana"), campaign=moderated)
    assert event.status == Event.Status.PENDING
    make_petition(people["starter"])
    make_campaign(people["starter"])
    page = unescape(client_for(people["organizer"]).get("/").content.decode())
    assert (
        page.count('<span class="count">3<span class="visually-hidden"> waiting') == 3
    )  # the row, the phone's Menu button and its list
    queue = unescape(client_for(people["organizer"]).get(QUEUE).content.decode())
    assert "Events: 1" in queue and "Petitions and campaigns: 2" in queue
    events_part = queue.split('id="events-review"')[1].split('id="advocacy-review"')[0]
    assert event.title in events_part
    assert client_for(people["starter"]).get("/").content.decode().count('class="count"') == 0


def test_with_nothing_waiting_the_page_says_so_once_per_part(people, client_for):
    page = unescape(client_for(people["organizer"]).get(QUEUE).content.decode())
    assert page.count("Nothing waiting") == 1  # the events' part (a browser journey looks for it)
    assert "No petitions or campaigns to look at." in page


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", [QUEUE, "/act/review/"])
def test_the_review_pages_cost_the_same_however_much_waits(people, client_for, url):
    senator = make_target()
    moderated = EventCampaign.objects.create(title="Mod", slug="mod", approval="moderated")
    EventFactory.create(host=MemberFactory.create(given_name="H"), campaign=moderated)
    make_petition(people["starter"], targets=[senator])
    make_campaign(people["starter"], targets=[senator], chamber_scripts={"upper": "Senator {target_name}"})
    client = client_for(people["organizer"])
    client.get(url)  # the viewer's clock, once
    before = _queries(client, url)
    for n in range(5):
        starter = MemberFactory.create(given_name=f"S{n}")
        make_petition(starter, title=f"P{n}", targets=[senator])
        make_campaign(starter, title=f"C{n}", targets=[senator], chamber_scripts={"lower": "Hi"})
        EventFactory.create(host=MemberFactory.create(given_name=f"H{n}"), campaign=moderated)
    after = _queries(client, url)
    assert after == before, f"{url}: {before} queries with a few waiting, {after} with more"
    # The events' part as before (7), the navigation's three counts, advocacy's queue and
    # its starters' history (four), targets, scripts and a petition's campaign (three).
    assert after <= (16 if url == QUEUE else 13), after


def test_a_decision_lands_only_on_the_words_the_organizer_read(people, client_for):
    """The starter edits a waiting petition while an organizer has the queue open: Approve,
    sent with the version the card showed, is refused, and nothing goes live."""
    import re

    from groundswell.advocacy import services
    from groundswell.advocacy.tests.campaign_factories import as_actor, petition_details

    petition = make_petition(people["starter"])
    organizer = client_for(people["organizer"])
    page = organizer.get(QUEUE).content.decode()
    seen = re.search(
        rf'name="uuid" value="{petition.uuid}">\s*<input type="hidden" name="seen" value="([^"]+)"', page
    )
    assert seen, "the card carries the version shown"
    services.update_petition(
        actor=as_actor(people["starter"]),
        petition=petition,
        details=petition_details(text="Send your money to stan@example.org."),
    )
    response = decide(organizer, petition, "approve", seen=seen.group(1))
    assert response.status_code == 400
    assert "changed this petition since you opened it" in unescape(response.content.decode())
    petition.refresh_from_db()
    assert petition.status == Review.PENDING
    # Read again, it can be approved.
    page = organizer.get(QUEUE).content.decode()
    seen = re.search(
        rf'name="uuid" value="{petition.uuid}">\s*<input type="hidden" name="seen" value="([^"]+)"', page
    )
    assert seen is not None
    assert decide(organizer, petition, "approve", seen=seen.group(1)).status_code == 303
    petition.refresh_from_db()
    assert petition.status == Review.PUBLISHED
