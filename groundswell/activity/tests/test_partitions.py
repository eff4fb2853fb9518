"""The activity log is partitioned by month on PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import connection

from groundswell.activity.models import Activity, Verb
from groundswell.activity.partitions import ensure_monthly_partitions, is_partitioned
from groundswell.activity.services import record
from groundswell.people.services import PersonDetails, upsert_person
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def partition_of(activity: Activity) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM activity_activity WHERE id = %s", [activity.pk])
        return cursor.fetchone()[0]


def test_rows_land_in_their_month_and_old_rows_move_out_of_default():
    require_postgres()
    assert is_partitioned(connection)
    person, _ = upsert_person(details=PersonDetails(email="p@example.org"))
    early = record(person=person, verb=Verb.SIGNED, at=datetime(2031, 2, 10, tzinfo=UTC))
    assert partition_of(early) == "activity_activity_default"

    made = ensure_monthly_partitions(connection, start=date(2031, 1, 1), months=3)
    assert made == ["activity_activity_203101", "activity_activity_203102", "activity_activity_203103"]
    assert partition_of(early) == "activity_activity_203102"  # moved out of the default partition
    later = record(person=person, verb=Verb.SIGNED, at=datetime(2031, 3, 31, 23, 0, tzinfo=UTC))
    assert partition_of(later) == "activity_activity_203103"
    assert ensure_monthly_partitions(connection, start=date(2031, 1, 1), months=3) == []
    # The ORM sees one table, ids stay unique.
    assert Activity.objects.filter(person=person).count() == 2


def test_partition_command_reports_what_it_made(capsys):
    require_postgres()
    call_command("activity_partitions", "--from", "2032-05", "--months", "2")
    assert "activity_activity_203205" in capsys.readouterr().out
