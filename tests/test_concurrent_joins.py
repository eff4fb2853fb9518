"""Fifty people join with the same address at the same moment (threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection

from groundswell.accounts.actors import ANONYMOUS
from groundswell.accounts.models import User
from groundswell.activity.models import Activity, Verb
from groundswell.messaging.models import Delivery
from groundswell.network.models import ShareCode
from groundswell.network.services import join
from groundswell.people.models import EmailAddress, Person
from tests.services import require_postgres

ZIPS = ["10001", "10002", "94110", "60601", "73301"]
THREADS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_joins_leave_one_person_with_every_detail():
    require_postgres()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def sign_up(i: int) -> None:
        try:
            barrier.wait()
            join(
                actor=ANONYMOUS,
                email=f"  {'same' if i % 3 else 'Same'}@Example.org",
                given_name=f"Name{i}",
                family_name=f"Family{i}",
                phone=f"+1212555{i:04d}",
                postal_code=ZIPS[i % len(ZIPS)],
                email_consent=True,
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    person = Person.objects.get()
    assert EmailAddress.objects.get().address == "same@example.org"
    # Every detail kept: all fifty phone numbers, every postcode, one primary of each.
    assert person.phone_numbers.count() == THREADS
    assert person.phone_numbers.filter(primary=True).count() == 1
    assert sorted(person.postal_addresses.values_list("postal_code", flat=True)) == sorted(ZIPS)
    assert person.given_name.startswith("Name") and person.family_name.startswith("Family")
    # A consistent log: one join (with its yes to email), forty-nine returns, all of this person.
    verbs = list(Activity.objects.values_list("person_id", "verb"))
    assert verbs.count((person.pk, Verb.JOINED)) == 1
    assert verbs.count((person.pk, Verb.SUBSCRIBED)) == 1
    assert verbs.count((person.pk, Verb.RETURNED)) == THREADS - 1
    assert len(verbs) == THREADS + 1
    # One account (made with the join, for the emailed code; nobody is signed in by joining),
    # one share code, one welcome.
    assert User.objects.filter(person=person).count() == 1 == User.objects.count()
    assert ShareCode.objects.filter(person=person).count() == 1
    assert Delivery.objects.filter(person=person).count() == 1
