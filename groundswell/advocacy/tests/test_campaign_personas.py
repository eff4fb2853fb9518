"""Who may do what to an advocacy campaign or a petition: one table per service and selector,
a row per persona.

Personas: anonymous, outsider (a member with nothing to do with it), member (a member who
signed and called), starter (the member who started it), host (a member with the host role:
no more rights here than any member), organizer, admin. A refusal is PermissionDenied
(services) or NotFound (reads, and anything the persona may not know exists). Outsiders
guess: the public ids and slugs of drafts, pending and rejected work open nothing.
"""

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from groundswell.accounts.actors import ANONYMOUS, Actor
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory
from groundswell.advocacy import services
from groundswell.advocacy.models import AdvocacyCampaign, Petition, Review
from groundswell.advocacy.selectors import access
from groundswell.advocacy.selectors import campaigns as selectors
from groundswell.advocacy.tests.campaign_factories import (
    as_actor,
    campaign_details,
    make_campaign,
    make_petition,
    make_target,
    petition_details,
)
from groundswell.core.errors import NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "member", "starter", "host", "organizer", "admin"]
STATUSES = [Review.DRAFT, Review.PENDING, Review.PUBLISHED, Review.CLOSED, Review.REJECTED]
MANAGERS = {"starter", "organizer", "admin"}
STAFF = {"organizer", "admin"}


@pytest.fixture
def cast():
    senator = make_target()
    people = {
        "starter": MemberFactory.create(given_name="Stu"),
        "member": MemberFactory.create(given_name="Ada"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "host": MemberFactory.create(given_name="Hana", role=Role.HOST),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }
    things: dict[tuple[str, str], Any] = {}
    for status in STATUSES:
        campaign = make_campaign(people["starter"], title=f"Campaign {status}")
        petition = make_petition(people["starter"], title=f"Petition {status}")
        AdvocacyCampaign.objects.filter(pk=campaign.pk).update(status=status)
        Petition.objects.filter(pk=petition.pk).update(status=status)
        campaign.refresh_from_db()
        petition.refresh_from_db()
        things[("campaign", status)] = campaign
        things[("petition", status)] = petition
    live_petition = things[("petition", Review.PUBLISHED)]
    services.sign(
        actor=as_actor(people["member"]),
        petition=live_petition,
        show_name=True,
        starter_may_write=True,
        comment="Yes",
    )
    services.log_outreach(
        actor=as_actor(people["member"]),
        campaign=things[("campaign", Review.PUBLISHED)],
        report=services.OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="staffer"),
    )
    return things, people, senator


def as_persona(people: dict, persona: str) -> Actor:
    return ANONYMOUS if persona == "anonymous" else as_actor(people[persona])


def allowed(call) -> bool:
    try:
        call()
    except (PermissionDenied, NotFound):
        return False
    return True


ACCESS = {"campaign": access.access_campaign, "petition": access.access_petition}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_who_opens_it_by_public_id_or_slug(cast, persona, kind):
    things, people, _ = cast
    actor = as_persona(people, persona)
    visible = access.campaigns_visible_to(actor) if kind == "campaign" else access.petitions_visible_to(actor)
    for status in STATUSES:
        thing = things[(kind, status)]
        may = status in (Review.PUBLISHED, Review.CLOSED) or persona in MANAGERS
        for key in (thing.uuid, str(thing.uuid), thing.slug):
            assert allowed(lambda key=key, thing=thing: ACCESS[kind](actor, key)) == may, (status, key)
        assert allowed(lambda thing=thing: ACCESS[kind](actor, thing.uuid, for_write=True)) == (
            persona in MANAGERS
        )
        assert visible.filter(pk=thing.pk).exists() == may


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_a_guessed_id_or_slug_opens_nothing_and_says_nothing(cast, persona, kind):
    _, people, _ = cast
    actor = as_persona(people, persona)
    for guess in (
        uuid.uuid4(),
        "campaign-pending-9",
        "petition-draft-2",
        "",
        None,
        "x" * 500,
        "../admin",
        "1 OR 1=1",
    ):
        with pytest.raises(NotFound) as refused:
            ACCESS[kind](actor, guess)
        assert refused.value.message in ("We couldn't find that campaign.", "We couldn't find that petition.")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_who_changes_it(cast, persona, kind):
    things, people, _ = cast
    thing, actor = things[(kind, Review.PENDING)], as_persona(people, persona)
    call: Callable[[], object]
    if kind == "campaign":
        call = lambda: services.update_campaign(actor=actor, campaign=thing, details=campaign_details())  # noqa: E731
    else:
        call = lambda: services.update_petition(actor=actor, petition=thing, details=petition_details())  # noqa: E731
    assert allowed(call) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_who_closes_it(cast, persona, kind):
    things, people, _ = cast
    thing, actor = things[(kind, Review.PUBLISHED)], as_persona(people, persona)
    call: Callable[[], object]
    if kind == "campaign":
        call = lambda: services.close_campaign(actor=actor, campaign=thing)  # noqa: E731
    else:
        call = lambda: services.close_petition(actor=actor, petition=thing)  # noqa: E731
    assert allowed(call) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["campaign", "petition"])
def test_who_reviews_and_trusts(cast, persona, kind):
    things, people, _ = cast
    thing, actor = things[(kind, Review.PENDING)], as_persona(people, persona)
    assert allowed(lambda: services.request_changes(actor=actor, campaign=thing, note="Shorter")) == (
        persona in STAFF
    )
    assert allowed(lambda: services.trust_starter(actor=actor, person=people["starter"].person)) == (
        persona in STAFF
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_who_signed(cast, persona):
    things, people, _ = cast
    petition, actor = things[("petition", Review.PUBLISHED)], as_persona(people, persona)
    signers = selectors.visible_signers(actor, petition)
    assert signers.count == 1  # anyone may see the count
    assert bool(signers.shown) == (persona in MANAGERS)  # first names and towns of those who chose
    assert (signers.everyone is not None) == (persona in STAFF)  # contact details: staff only
    if signers.shown:
        assert (signers.shown[0].first_name, signers.shown[0].town) == ("Ada", "New York")
    # Of a petition still waiting, nothing at all for those who may not see it.
    pending = things[("petition", Review.PENDING)]
    assert allowed(lambda: selectors.visible_signers(actor, pending)) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_gets_the_delivery_report(cast, persona):
    things, people, _ = cast
    petition, actor = things[("petition", Review.PUBLISHED)], as_persona(people, persona)
    assert allowed(lambda: selectors.delivery_report(actor, petition)) == (persona in STAFF)
    assert allowed(lambda: selectors.write_delivery_csv(actor, petition, io.StringIO())) == (persona in STAFF)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_writes_to_the_signers(cast, persona):
    things, people, _ = cast
    petition, actor = things[("petition", Review.PUBLISHED)], as_persona(people, persona)
    call = lambda: services.message_signers(actor=actor, petition=petition, subject="Hi", body="Thanks")  # noqa: E731
    assert allowed(call) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_signs_or_calls_before_it_is_live_and_outsiders_learn_nothing(cast, persona):
    """Knowing a waiting petition's id is no way to sign it (or to learn it exists)."""
    things, people, senator = cast
    actor = as_persona(people, persona)
    report = services.OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="busy")
    for status in (Review.DRAFT, Review.PENDING, Review.REJECTED):
        petition, campaign = things[("petition", status)], things[("campaign", status)]
        if persona == "anonymous":
            attempts = [
                lambda petition=petition: services.sign_as_guest(
                    actor=actor,
                    petition=petition,
                    given_name="Eve",
                    email="eve@example.org",
                    postal_code="10001",
                ),
                lambda campaign=campaign: services.log_outreach_as_guest(
                    actor=actor, campaign=campaign, report=report, given_name="Eve", email="eve@example.org"
                ),
            ]
        else:
            attempts = [
                lambda petition=petition: services.sign(actor=actor, petition=petition),
                lambda campaign=campaign: services.log_outreach(
                    actor=actor, campaign=campaign, report=report
                ),
            ]
        for attempt in attempts:
            if persona in MANAGERS:
                with pytest.raises(ValidationError, match="isn't open yet"):
                    attempt()
            else:
                with pytest.raises(NotFound):
                    attempt()


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_signs_and_calls_a_live_one(cast, persona):
    things, people, senator = cast
    actor = as_persona(people, persona)
    petition, campaign = things[("petition", Review.PUBLISHED)], things[("campaign", Review.PUBLISHED)]
    report = services.OutreachReport(target=senator, theirs=frozenset({senator.pk}), outcome="voicemail")
    if persona == "anonymous":
        assert allowed(
            lambda: services.sign_as_guest(
                actor=actor, petition=petition, given_name="Eve", email="eve@example.org", postal_code="10001"
            )
        )
        assert allowed(
            lambda: services.log_outreach_as_guest(
                actor=actor, campaign=campaign, report=report, given_name="Eve", email="eve@example.org"
            )
        )
    else:
        assert allowed(lambda: services.sign(actor=actor, petition=petition))
        assert allowed(lambda: services.log_outreach(actor=actor, campaign=campaign, report=report))


@pytest.mark.parametrize("persona", PERSONAS)
def test_whose_started_work_is_seen_on_a_hub(cast, persona):
    _, people, _ = cast
    actor = as_persona(people, persona)
    started = selectors.campaigns_started_by(actor, people["starter"].person)
    statuses = {c.status for c in started.campaigns} | {p.status for p in started.petitions}
    everything = persona in MANAGERS
    assert statuses == (set(STATUSES) if everything else {Review.PUBLISHED, Review.CLOSED})


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_review_queue_and_its_count(cast, persona):
    _, people, _ = cast
    actor = as_persona(people, persona)
    assert selectors.waiting_for_review(actor) == (2 if persona in STAFF else 0)
    assert allowed(lambda: selectors.review_queue(actor)) == (persona in STAFF)
