"""Many people RSVP to one small event at the same moment (threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection

from groundswell.accounts.actors import actor_for_person
from groundswell.events import services
from groundswell.events.models import Attendance
from groundswell.events.tests.factories import EventFactory
from groundswell.people.services import PersonDetails, upsert_person
from tests.services import require_postgres

THREADS = 80
CAPACITY = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_respect_capacity_exactly(member):
    require_postgres()
    event = EventFactory.create(host=member, title="Small room", hours=1, capacity=CAPACITY)
    people = [upsert_person(details=PersonDetails(email=f"r{i}@example.org"))[0] for i in range(THREADS)]
    actors = [actor_for_person(person) for person in people]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def go(actor) -> None:
        try:
            barrier.wait()
            services.rsvp(actor=actor, event=event)
            services.rsvp(actor=actor, event=event)  # a double click: still one RSVP
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = list(Attendance.objects.filter(event=event).values_list("status", flat=True))
    assert len(statuses) == THREADS
    assert statuses.count(Attendance.Status.ACCEPTED) == CAPACITY
    assert statuses.count(Attendance.Status.WAITLISTED) == THREADS - CAPACITY
