"""Writing hundreds of thousands of rows quickly, on SQLite and PostgreSQL alike.

`bulk_create` spends several microseconds of Python preparing each field of each
model instance: at 100,000 people (about 750,000 rows, 6 million values) the demo
took 53 s on SQLite and 68 s on PostgreSQL that way, on two busy cores, against a
budget of 60 s. Here columns arrive already in the form the database stores
(numbers, text, booleans, None, and timestamps made by `timestamps`) and go in
through the driver's fastest path: COPY on PostgreSQL, one prepared `executemany`
on SQLite. Django still names the table and columns, and fills every column not
given with the field's default, so the rows are the ones `bulk_create` would write.
"""

import os
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models


def timestamps(now_us: int, seconds_ago: np.ndarray) -> list[str]:
    """Timestamps `seconds_ago` before `now_us` (microseconds since the epoch, UTC),
    as the database reads them.

    SQLite stores datetimes as text and compares them as text, so the form must be
    exactly Django's own: naive UTC, a space before the time, and no fraction when
    the microseconds are zero. PostgreSQL reads the same text with a UTC offset.
    """
    if not len(seconds_ago):
        return []
    stamps = (now_us - np.round(seconds_ago * 1_000_000).astype(np.int64)).astype("datetime64[us]")
    text = np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ")
    text = np.char.replace(text, ".000000", "")
    if connection.vendor == "postgresql":
        text = np.char.add(text, "+00:00")
    return text.tolist()


def random_uuids(count: int) -> list[str]:
    """Version-4 UUIDs, as hex (what Django stores on SQLite, and text PostgreSQL's uuid
    reads). Public ids must differ between runs and installations, so these come from
    the system's randomness, not the seed."""
    raw = os.urandom(16 * count)
    return [uuid.UUID(bytes=raw[i : i + 16], version=4).hex for i in range(0, 16 * count, 16)]


def insert_rows(model: type[models.Model], columns: Mapping[str, Sequence[Any]]) -> int:
    """Insert rows given column by column (field attname → values in stored form).

    A column left out takes its field's default, the same for every row; so any
    field that must differ between rows (the unique ones) has to be given.
    """
    fields = model._meta.concrete_fields
    counts = {len(values) for values in columns.values()}
    if len(counts) != 1:
        raise ValueError("every column needs the same number of rows")
    count = counts.pop()
    unknown = set(columns) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    names: list[str] = []
    data: list[Sequence[Any]] = []
    for f in fields:
        if f.attname in columns:
            names.append(f.column)
            data.append(columns[f.attname])
        elif f.primary_key:
            continue  # the database numbers the rows
        elif f.unique:
            raise ValueError(f"{model.__name__}.{f.attname} is unique: give a value per row")
        else:
            names.append(f.column)
            data.append([f.get_db_prep_save(f.get_default(), connection)] * count)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    rows = zip(*data, strict=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one statement: no per-row parse, plan or round trip.
            driver_cursor: Any = cursor.cursor
            with driver_cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, list(rows))
    return count


def reset_id_sequence(model: type[models.Model]) -> None:
    """After writing explicit ids, move the id sequence past them (PostgreSQL; SQLite
    follows the largest id by itself), so the next real signup gets a fresh id."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
