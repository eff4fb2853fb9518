"""Many people RSVP to one small event at the same moment (threads, PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from groundswell.events import services
from groundswell.events.models import Attendance
from groundswell.people.services import PersonDetails, upsert_person
from tests.services import require_postgres

THREADS = 80
CAPACITY = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_rsvps_respect_capacity_exactly(member):
    require_postgres()
    start = timezone.now() + timedelta(days=2)
    event = services.host_event(
        host=member.person,
        details=services.EventDetails(
            title="Small room",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            postal_code="10001",
            capacity=CAPACITY,
        ),
    )
    people = [upsert_person(details=PersonDetails(email=f"r{i}@example.org"))[0] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def go(person) -> None:
        try:
            barrier.wait()
            services.rsvp(event=event, person=person)
            services.rsvp(event=event, person=person)  # a double click: still one RSVP
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = list(Attendance.objects.filter(event=event).values_list("status", flat=True))
    assert len(statuses) == THREADS
    assert statuses.count(Attendance.Status.ACCEPTED) == CAPACITY
    assert statuses.count(Attendance.Status.WAITLISTED) == THREADS - CAPACITY
