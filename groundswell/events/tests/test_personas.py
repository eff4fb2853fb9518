"""Who may do what to an event: one table per service, a row per persona.

Personas: anonymous, outsider (a member with nothing to do with the event), attendee (a
member with an RSVP), host, co-host, organizer, admin. Each row says whether the persona
is let through; a refusal is PermissionDenied (services) or NotFound (reads: the event's
existence is not revealed).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.accounts.actors import ANONYMOUS, Actor
from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.core.errors import NotFound, PermissionDenied
from groundswell.events import selectors, services
from groundswell.events.models import Attendance, Event
from groundswell.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "attendee", "host", "cohost", "organizer", "admin"]


@pytest.fixture
def cast():
    """The people around one event happening now (so walk-ins and check-ins are possible)."""
    host = MemberFactory.create(given_name="Hana")
    cohost = MemberFactory.create(given_name="Cole")
    people = {
        "host": host,
        "cohost": cohost,
        "attendee": MemberFactory.create(given_name="Ada"),
        "outsider": MemberFactory.create(given_name="Otto"),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }
    event = EventFactory.create(
        host=host,
        starts_at=timezone.now() + timedelta(minutes=5),
        visibility=Event.Visibility.PRIVATE,
        cohosts=[cohost],
    )
    # Under way: started half an hour ago (hosts cannot make an event in the past).
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(starts_at=now - timedelta(minutes=30))
    event.refresh_from_db()
    Attendance.objects.create(
        event=event, person=people["attendee"].person, given_name="Ada", email=people["attendee"].email
    )
    return event, people


def as_actor(people: dict, persona: str) -> Actor:
    return ANONYMOUS if persona == "anonymous" else actor_of(people[persona])


def allowed(call) -> bool:
    try:
        call()
    except (PermissionDenied, NotFound):
        return False
    return True


MAY_SEE_PRIVATE = {"host", "cohost", "attendee", "organizer", "admin"}
MANAGERS = {"host", "cohost", "organizer", "admin"}
DIRECTORS = {"host", "organizer", "admin"}
STAFF = {"organizer", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_opens_a_private_event(cast, persona):
    event, people = cast
    actor = as_actor(people, persona)
    assert allowed(lambda: selectors.access_event(actor, event.uuid)) == (persona in MAY_SEE_PRIVATE)
    # With the host's current invitation anyone may open it; with a forged one nobody new.
    invited = actor.carrying(invitation=services.invitation_token(event))
    assert allowed(lambda: selectors.access_event(invited, event.uuid))
    forged = actor.carrying(invitation="not-a-token")
    assert allowed(lambda: selectors.access_event(forged, event.uuid)) == (persona in MAY_SEE_PRIVATE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_manages_an_event(cast, persona):
    event, people = cast
    actor = as_actor(people, persona)
    can = persona in MANAGERS
    assert allowed(lambda: selectors.access_event(actor, event.uuid, for_write=True)) == can
    assert allowed(lambda: selectors.attendees(actor, event)) == can
    attendance = Attendance.objects.get(event=event)
    assert allowed(lambda: services.check_in(actor=actor, attendance=attendance)) == can
    assert (
        allowed(
            lambda: services.walk_in(actor=actor, event=event, given_name="Wes", email=f"wes-{persona}@x.org")
        )
        == can
    )
    assert allowed(lambda: services.report(actor=actor, event=event, attendance=3, notes="", links=[])) == can
    assert allowed(lambda: services.rotate_invitation(actor=actor, event=event)) == can
    assert (
        allowed(lambda: services.message_attendees(actor=actor, event=event, subject="Hi", body="See you"))
        == can
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_calls_an_event_off(cast, persona):
    event, people = cast
    actor = as_actor(people, persona)
    assert allowed(lambda: services.cancel_event(actor=actor, event=event, reason="rain")) == (
        persona in DIRECTORS
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_chooses_the_cohosts(cast, persona):
    """A co-host may change the event, but adding co-hosts would widen who sees its
    attendees: only the host and staff choose them."""
    event, people = cast
    actor = as_actor(people, persona)
    newcomer = MemberFactory.create(given_name="Nia")
    details = services.EventDetails(
        title="Renamed",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        postal_code="10001",
        visibility=Event.Visibility.PRIVATE,
        cohost_emails=[people["cohost"].email, newcomer.email],
    )
    changed = allowed(lambda: services.update_event(actor=actor, event=event, details=details))
    assert changed == (persona in MANAGERS)
    event.refresh_from_db()
    invited = set(event.cohost_invitations.values_list("email", flat=True))
    assert (newcomer.email in invited) == (persona in DIRECTORS)
    assert people["cohost"].person in event.cohosts.all()
    assert not event.cohosts.filter(pk=newcomer.person.pk).exists()  # not before saying yes


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reviews_and_trusts(cast, persona, make_member):
    event, people = cast
    actor = as_actor(people, persona)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PENDING)
    event.refresh_from_db()
    assert allowed(lambda: services.approve_event(actor=actor, event=event)) == (persona in STAFF)
    assert allowed(lambda: services.trust_host(actor=actor, person=people["host"].person)) == (
        persona in STAFF
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_cancels_someone_elses_rsvp(cast, persona):
    event, people = cast
    actor = as_actor(people, persona)
    attendance = Attendance.objects.get(event=event)
    may = persona in MANAGERS | {"attendee"}
    assert allowed(lambda: services.cancel_rsvp(actor=actor, attendance=attendance)) == may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_rsvps_to_a_private_event_by_its_id(cast, persona):
    """Knowing a private event's id is not an invitation: an outsider cannot RSVP their way in."""
    event, people = cast
    actor = as_actor(people, persona)
    if persona == "anonymous":
        call = lambda: services.rsvp_as_guest(  # noqa: E731
            actor=actor, event=event, given_name="Eve", email="eve@example.org"
        )
    else:
        call = lambda: services.rsvp(actor=actor, event=event)  # noqa: E731
    assert allowed(call) == (persona in MAY_SEE_PRIVATE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_hosts_again(cast, persona):
    """Host again invites the last attendees in the host's name: the event's hosts only."""
    event, people = cast
    actor = as_actor(people, persona)
    start = event.starts_at + timedelta(days=7)
    details = services.EventDetails(
        title="Again", starts_at=start, ends_at=start + timedelta(hours=1), postal_code="10001"
    )
    assert allowed(lambda: services.host_again(actor=actor, previous=event, details=details)) == (
        persona in {"host", "cohost"}
    )
