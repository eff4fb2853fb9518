"""Monthly partitions of the activity log on PostgreSQL.

The log is range-partitioned on `occurred_at`: old months can be detached or
archived whole, and scans over a period touch only its months. A DEFAULT
partition catches anything outside the months made so far, so an insert never
fails; `groundswell activity_partitions` makes the coming months ahead of time.
"""

from datetime import date

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "activity_activity"


def is_partitioned(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid "
            "WHERE c.relname = %s",
            [TABLE],
        )
        return cursor.fetchone() is not None


def convert_to_partitioned(connection: BaseDatabaseWrapper) -> None:
    """Rebuild the (empty or small) table as a partitioned one with the same columns,
    indexes and foreign keys. The primary key becomes (id, occurred_at), as PostgreSQL
    requires the partition key in every unique index; ids stay unique by their sequence."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
            [TABLE, f"{TABLE}_pkey"],
        )
        index_definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'c')",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            f"CREATE TABLE {TABLE}_partitioned (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY) "
            "PARTITION BY RANGE (occurred_at)"
        )
        cursor.execute(f"ALTER TABLE {TABLE}_partitioned ADD PRIMARY KEY (id, occurred_at)")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE}_partitioned DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE}_partitioned SELECT * FROM {TABLE}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{TABLE}_partitioned', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)"
        )
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute(f"ALTER TABLE {TABLE}_partitioned RENAME TO {TABLE}")
        for definition in index_definitions:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def ensure_monthly_partitions(connection: BaseDatabaseWrapper, *, start: date, months: int) -> list[str]:
    """Make the partitions for `months` months from `start`'s month; returns the new ones.

    A month whose rows already sit in the DEFAULT partition is moved into its own
    partition in one transaction (detach default, create, move rows, re-attach).
    """
    if not is_partitioned(connection):
        return []
    created = []
    first = month_start(start)
    with connection.cursor() as cursor:
        for _ in range(months):
            after = next_month(first)
            name = f"{TABLE}_{first:%Y%m}"
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                bounds = f"FROM ('{first.isoformat()}') TO ('{after.isoformat()}')"
                cursor.execute(
                    f"SELECT 1 FROM {TABLE}_default WHERE occurred_at >= %s AND occurred_at < %s LIMIT 1",
                    [first, after],
                )
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
                else:
                    cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {TABLE}_default")
                    cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
                    cursor.execute(
                        f"WITH moved AS (DELETE FROM {TABLE}_default "
                        "WHERE occurred_at >= %s AND occurred_at < %s RETURNING *) "
                        f"INSERT INTO {name} SELECT * FROM moved",
                        [first, after],
                    )
                    cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {TABLE}_default DEFAULT")
                created.append(name)
            first = after
    return created
