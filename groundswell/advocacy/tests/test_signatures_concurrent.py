"""Fifty signatures by the same person at the same moment leave one (threads, PostgreSQL).

Mirrors tests/test_concurrent_rsvps.py: a barrier releases every thread at once, each on its
own connection, and every one must succeed (a double click is not an error)."""

import threading

import pytest
from django.db import connection

from groundswell.accounts.actors import ANONYMOUS, actor_for_person
from groundswell.activity.models import Activity, Verb
from groundswell.advocacy import services
from groundswell.advocacy.models import Signature
from groundswell.advocacy.tests.campaign_factories import make_petition
from groundswell.people.models import Person
from tests.services import require_postgres

THREADS = 50


def _all_at_once(work) -> list[BaseException]:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def go(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_signatures_by_a_member_leave_one(member, organizer):
    require_postgres()
    petition = make_petition(organizer)
    actor = actor_for_person(member.person)
    results: list[services.SignResult] = []

    def sign(i: int) -> None:
        results.append(services.sign(actor=actor, petition=petition, comment=f"try {i}"))

    assert _all_at_once(sign) == []
    signature = Signature.objects.get()
    assert signature.person == member.person
    assert {result.signature.pk for result in results} == {signature.pk}
    assert [result.already for result in results].count(False) == 1
    assert Activity.objects.filter(verb=Verb.SIGNED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_signatures_from_the_form_by_one_newcomer_leave_one_person_and_one_signature(
    organizer,
):
    require_postgres()
    petition = make_petition(organizer)

    def sign(i: int) -> None:
        services.sign_as_guest(
            actor=ANONYMOUS,
            petition=petition,
            given_name=f"Nell{i}",
            email=f"  {'nell' if i % 2 else 'NELL'}@example.org",
            postal_code="10001",
            comment=f"try {i}",
        )

    assert _all_at_once(sign) == []
    nell = Person.objects.get(email_addresses__address="nell@example.org")
    assert list(Signature.objects.values_list("person_id", flat=True)) == [nell.pk]
    assert Activity.objects.filter(verb=Verb.SIGNED).count() == 1
    assert Activity.objects.filter(person=nell, verb=Verb.JOINED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_call_reported_fifty_times_at_once_is_logged_once(member, organizer):
    """A double (or fifty-fold) click on "how did it go?" is one call: one row, one act."""
    require_postgres()
    from groundswell.advocacy.models import Outreach
    from groundswell.advocacy.tests.campaign_factories import make_campaign, make_target

    senator = make_target()
    campaign = make_campaign(organizer)
    actor = actor_for_person(member.person)

    def report(i: int) -> None:
        services.log_outreach(
            actor=actor,
            campaign=campaign,
            report=services.OutreachReport(
                target=senator, theirs=frozenset({senator.pk}), outcome="voicemail"
            ),
        )

    assert _all_at_once(report) == []
    assert Outreach.objects.count() == 1
    assert Activity.objects.filter(verb=Verb.CONTACTED_TARGET).count() == 1
