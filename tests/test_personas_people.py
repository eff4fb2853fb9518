"""Who may change what of a person: one table per service, a row per persona.

The person acted on is "Tia", an ordinary member. Personas: anonymous, outsider (another
member), self (Tia herself), host and group leader (trusted members, but not staff: their
rights are over their events and groups, never over other people's records), organizer,
admin. A refusal is PermissionDenied, and changes nothing.
"""

import pytest

from groundswell.accounts.actors import ANONYMOUS, Actor
from groundswell.accounts.models import Role, User
from groundswell.accounts.services import forget_person, merge_people_as, set_role, tag_person
from groundswell.accounts.tests.factories import MemberFactory, actor_of
from groundswell.activity.models import Activity
from groundswell.core.errors import PermissionDenied
from groundswell.messaging.services import change_subscription
from groundswell.network.models import Origin
from groundswell.network.services import arrive_many
from groundswell.people.models import EmailAddress, EmailStatus, Person, Tagging
from groundswell.people.services import PersonDetails

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "outsider", "self", "host", "group_leader", "organizer", "admin"]
STAFF = {"organizer", "admin"}


@pytest.fixture
def cast():
    tia = MemberFactory.create(given_name="Tia")
    return tia, {
        "self": tia,
        "outsider": MemberFactory.create(given_name="Otto"),
        "host": MemberFactory.create(given_name="Hana", role=Role.HOST),
        "group_leader": MemberFactory.create(given_name="Gil", role=Role.GROUP_LEADER),
        "organizer": MemberFactory.create(given_name="Olu", role=Role.ORGANIZER),
        "admin": MemberFactory.create(given_name="Ali", role=Role.ADMIN),
    }


def as_actor(people: dict, persona: str) -> Actor:
    return ANONYMOUS if persona == "anonymous" else actor_of(people[persona])


def allowed(call) -> bool:
    acts_before = Activity.objects.count()
    try:
        call()
    except PermissionDenied:
        assert Activity.objects.count() == acts_before  # a refusal leaves no trace but itself
        return False
    return True


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_unsubscribes_an_address(cast, persona):
    tia, people = cast
    email = EmailAddress.objects.get(address=tia.email)
    may = allowed(lambda: change_subscription(email=email, subscribed=False, actor=as_actor(people, persona)))
    assert may == (persona in STAFF | {"self"})
    email.refresh_from_db()
    assert (email.status == EmailStatus.UNSUBSCRIBED) == may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_tags_a_person(cast, persona):
    tia, people = cast
    may = allowed(lambda: tag_person(actor=as_actor(people, persona), person=tia.person, add=["leader"]))
    assert may == (persona in STAFF)  # not even Tia: tags are the organization's notes
    assert Tagging.objects.filter(person=tia.person).exists() == may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_merges_records(cast, persona):
    tia, people = cast
    duplicate = MemberFactory.create(given_name="Tia2").person
    may = allowed(
        lambda: merge_people_as(actor=as_actor(people, persona), keep=tia.person, duplicate=duplicate)
    )
    assert may == (persona in STAFF)
    assert Person.objects.filter(pk=duplicate.pk).exists() != may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_forgets_a_person(cast, persona):
    tia, people = cast
    may = allowed(lambda: forget_person(actor=as_actor(people, persona), person=tia.person))
    assert may == (persona in STAFF | {"self"})
    assert (Person.objects.get(pk=tia.person.pk).anonymized_at is not None) == may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_brings_people_in_in_bulk(cast, persona):
    _, people = cast
    rows = [PersonDetails(email="new1@example.org"), PersonDetails(email="new2@example.org")]
    actor = as_actor(people, persona)
    # A bulk arrival from a form (not an import or the API) is staff's alone.
    may = allowed(lambda: arrive_many(actor=actor, rows=rows, origin=Origin.STAFF))
    assert may == (persona in STAFF)
    assert Person.objects.filter(email_addresses__address="new1@example.org").exists() == may


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_gives_roles(cast, persona):
    tia, people = cast
    user = User.objects.get(person=tia.person)
    may = allowed(lambda: set_role(user=user, role=Role.ORGANIZER, actor=as_actor(people, persona)))
    assert may == (persona == "admin")  # an organizer cannot make organizers
    user.refresh_from_db()
    assert (user.role == Role.ORGANIZER) == may
