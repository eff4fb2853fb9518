"""The "events near me" radius search, through the ORM path the page uses, against one raw SQL query.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/radius_search.py [--events 100000] [--searches 300] [--radius-miles 25]

What it does, in one run:

1. drops and recreates a PostgreSQL database (groundswell_bench_radius) and runs
   `groundswell migrate` against it;
2. writes one host and --events published, public events with COPY, each at the centroid of
   a US ZIP code drawn at random from the standard (residential) ZIP codes of the `zipcodes`
   package, so events are as dense as ZIP codes are: many in cities, few in the plains.
   They start between 30 days ago and 150 days from now, on the half hour, and last 1 to 4
   hours: about a sixth of them are over. Then VACUUM ANALYZE;
3. draws --searches random US ZIP codes (any kind) as search centres, placed with
   `place_postcode` as the page does, and for each one runs the same search two ways in
   the same process, on the same connection:
   - ORM: `groundswell.events.selectors.nearby_ids(...)`, exactly what /events/ calls
     before it loads the 20 events of the page on show: one statement, the bounding box
     and `last_ends_at` on the (latitude, longitude, last_ends_at) index, the haversine
     distance in SQL, the sort, returning (id, distance) pairs;
   - raw: one SQL statement through `connection.cursor()`: the same bounding box and
     `last_ends_at > after`, the haversine distance in SQL, `distance <= radius`,
     `ORDER BY distance, starts_at, id`, returning the same (id, distance) pairs;
   and checks that both give the same event ids in the same order;
4. times --rounds rounds of all the searches (each centre runs ORM then raw or raw then ORM,
   alternately) and prints per-search mean / p50 / p95 of each, for the best round of
   each by mean, and `ratio orm/raw`. To show where the ORM's time goes it also times the
   ORM's own SQL run through a bare cursor (same statement, no queryset), and
   counts the full (generation 2) garbage collections during the timed rounds, which
   make the max;
5. prints EXPLAIN (ANALYZE, BUFFERS) of the ORM's statement, and of the raw one, for the
   search around --explain-zip, and checks that the ORM's plan uses `event_place_idx`;
6. drops the database (unless --keep-db), whatever happens (errors, Ctrl-C).

Exit status 1 if any search differs between the two ways or the index is not used.
A ratio above the aim is reported, not treated as a failure.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from common import (  # bench/ is on the path when run as a script
    admin_execute,
    clean_up,
    manage,
    setup_environment,
)

REPO = Path(__file__).resolve().parent.parent
AIM = 1.5
KM_PER_MILE = 1.609344  # as groundswell.events.views.finding
INDEX = "event_place_idx"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Radius search through nearby_ids against one raw SQL query.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=100_000, help="published public events to write")
    parser.add_argument("--searches", type=int, default=300, help="random US ZIP codes searched around")
    parser.add_argument("--radius-miles", type=float, default=25.0, help="search radius (the page's default)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over all searches; best of each")
    parser.add_argument("--seed", type=int, default=1, help="random seed (events and search centres)")
    parser.add_argument("--explain-zip", default="10001", help="search centre whose plans are printed")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); env BENCH_POSTGRES_URL",
    )
    parser.add_argument("--database", default="groundswell_bench_radius", help="dropped and recreated")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if args.events < 1 or args.searches < 1 or args.rounds < 1 or args.radius_miles <= 0:
        parser.error("--events, --searches, --rounds and --radius-miles must be positive")
    return args


# --- Database -----------------------------------------------------------------------------


EVENT_COLUMNS = [
    "created_at",
    "modified_at",
    "uuid",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "last_ends_at",
    "time_zone",
    "venue",
    "address_lines",
    "locality",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "online_url",
    "capacity",
    "visibility",
    "status",
    "host_id",
    "recurrence_rule",
    "recurrence_exceptions",
    "review_note",
    "report_notes",
    "report_links",
    "address_shown",
    "invitation_key",
]


def write_events(database_url: str, host_id: int, count: int, now: datetime, rng: random.Random) -> int:
    """`count` published public events at random residential ZIP centroids, with COPY."""
    import zipcodes

    zips = [
        row
        for row in zipcodes.list_all()
        if row["zip_code_type"] == "STANDARD" and row["active"] and row["lat"] and row["long"]
    ]
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    half_hours = 180 * 48  # from 30 days ago to 150 days ahead
    copy_sql = f"COPY events_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
    with psycopg.connect(database_url) as conn, conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for i in range(count):
            row = rng.choice(zips)
            starts = start + timedelta(minutes=30 * rng.randrange(half_hours))
            ends = starts + timedelta(hours=rng.choice((1, 2, 2, 2, 3, 4)))
            copy.write_row(
                [
                    now,
                    now,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    f"Bench event {i}",
                    "",
                    starts,
                    ends,
                    ends,  # last_ends_at: no shifts or repeats, so the event's own end
                    row["timezone"] or "UTC",
                    "",
                    "[]",
                    row["city"],
                    row["state"],
                    row["zip_code"],
                    "US",
                    float(row["lat"]),
                    float(row["long"]),
                    "",
                    rng.choice((None, None, 20, 50, 100)),
                    "public",
                    "published",
                    host_id,
                    "",
                    "[]",
                    "",
                    "",
                    "[]",
                    "everyone",
                    f"bench{i}",
                ]
            )
    return len(zips)


# --- The two ways of searching ------------------------------------------------------------

# One statement: the bounding box (as nearby_ids computes it, so the same index serves it),
# the exact haversine distance in SQL with the same formula and Earth radius as
# selectors.distance_km, and the page's order.
RAW_SQL = """
SELECT id, distance_km FROM (
    SELECT id, starts_at,
           2 * %(r)s * asin(least(1.0, sqrt(
               power(sin(radians(latitude - %(lat)s) / 2), 2)
               + cos(radians(%(lat)s)) * cos(radians(latitude))
                 * power(sin(radians(longitude - %(lon)s) / 2), 2)))) AS distance_km
    FROM events_event
    WHERE status = 'published' AND visibility = 'public'
      AND latitude BETWEEN %(south)s AND %(north)s
      AND longitude BETWEEN %(west)s AND %(east)s
      AND last_ends_at > %(after)s
) AS boxed
WHERE distance_km <= %(radius)s
ORDER BY distance_km, starts_at, id
"""

# The rows the database reads for one search: the bounding box, of events not over yet.
BOX_SQL = """
SELECT count(*) FROM events_event
WHERE status = 'published' AND visibility = 'public'
  AND latitude BETWEEN %(south)s AND %(north)s
  AND longitude BETWEEN %(west)s AND %(east)s
  AND last_ends_at > %(after)s
"""


def raw_params(lat: float, lon: float, radius_km: float, after: datetime) -> dict[str, Any]:
    from groundswell.events.selectors import EARTH_RADIUS_KM, bounding_box

    south, north, west, east = bounding_box(lat, lon, radius_km)
    return {
        "r": EARTH_RADIUS_KM,
        "lat": lat,
        "lon": lon,
        "south": south,
        "north": north,
        "west": west,
        "east": east,
        "after": after,
        "radius": radius_km,
    }


def search_orm(lat: float, lon: float, radius_km: float, after: datetime) -> list[int]:
    from groundswell.events.selectors import nearby_ids

    found = nearby_ids(latitude=lat, longitude=lon, radius_km=radius_km, starts_after=after)
    return [event_id for event_id, _ in found]


def search_raw(lat: float, lon: float, radius_km: float, after: datetime) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, raw_params(lat, lon, radius_km, after))
        return [row[0] for row in cursor.fetchall()]


def orm_statement(lat: float, lon: float, radius_km: float, after: datetime) -> tuple[str, Any]:
    """The one statement nearby_ids sends, as sent (SQL and parameters)."""
    from django.db import connection

    sent: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        search_orm(lat, lon, radius_km, after)
    if len(sent) != 1:
        raise RuntimeError(f"nearby_ids sent {len(sent)} statements, expected 1: {sent}")
    return sent[0]


def run_statement(sql: str, params: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- Figures ------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"{label:<28} mean {statistics.fmean(ms):7.2f} ms   p50 {percentile(ms, 50):7.2f} ms   "
        f"p95 {percentile(ms, 95):7.2f} ms   max {max(ms):7.2f} ms"
    )


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    postgres = args.postgres.rstrip("/")
    database_url = f"{postgres}/{args.database}"
    radius_km = args.radius_miles * KM_PER_MILE
    rng = random.Random(args.seed)
    created_db = False
    try:
        print(
            f"radius search benchmark: {args.events} events, {args.searches} searches of "
            f"{args.radius_miles:g} miles ({radius_km:.2f} km), {args.rounds} rounds, {os.cpu_count()} CPUs"
        )
        env = setup_environment(database_url)
        admin_execute(postgres, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin_execute(postgres, f'CREATE DATABASE "{args.database}"')
        created_db = True
        manage(env, "migrate", "--no-input")

        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from groundswell.people.models import Person
        from groundswell.people.places import place_postcode, us_zip_codes

        now = timezone.now()
        host = Person.objects.create(given_name="Bench", family_name="Host")
        started = time.monotonic()
        zip_pool = write_events(database_url, host.pk, args.events, now, rng)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
            upcoming = conn.execute(
                "SELECT count(*) FROM events_event WHERE last_ends_at > %s", [now]
            ).fetchone()[0]  # type: ignore[index]
        print(
            f"database {args.database} ready (PostgreSQL {version}): {args.events} events over "
            f"{zip_pool} residential ZIP codes, {upcoming} not over yet, written and analyzed in "
            f"{time.monotonic() - started:.1f} s"
        )

        # Search centres: any US ZIP code, placed as the page places what people type.
        centres = []
        for code in rng.sample(us_zip_codes(), args.searches):
            place = place_postcode(code)
            assert place.latitude is not None and place.longitude is not None
            centres.append((code, place.latitude, place.longitude))

        # Check: the same events, in the same order, both ways. This also warms both paths up.
        mismatches = []
        found_counts, box_counts = [], []
        for code, lat, lon in centres:
            orm_ids = search_orm(lat, lon, radius_km, now)
            raw_ids = search_raw(lat, lon, radius_km, now)
            found_counts.append(len(orm_ids))
            sql, params = orm_statement(lat, lon, radius_km, now)
            if run_statement(sql, params) != len(orm_ids):
                mismatches.append(f"ZIP {code}: the ORM's statement on a bare cursor gave other rows")
            with connection.cursor() as cursor:
                cursor.execute(BOX_SQL, raw_params(lat, lon, radius_km, now))
                box_counts.append(cursor.fetchone()[0])
            if orm_ids != raw_ids:
                same_set = set(orm_ids) == set(raw_ids)
                mismatches.append(
                    f"ZIP {code}: ORM {len(orm_ids)} events, raw {len(raw_ids)}"
                    + (" (same events, other order)" if same_set else "")
                )
        print(
            f"events found per search: mean {statistics.fmean(found_counts):.0f}, "
            f"p50 {percentile(found_counts, 50):.0f}, p95 {percentile(found_counts, 95):.0f}, "
            f"max {max(found_counts)}, none for {sum(1 for n in found_counts if n == 0)} of {len(centres)}; "
            f"the database reads {sum(box_counts) / max(1, sum(found_counts)):.2f}x as many rows "
            f"(the bounding box: mean {statistics.fmean(box_counts):.0f}, max {max(box_counts)})"
        )

        # Full garbage collections (generation 2) during the timed rounds: with Django loaded a
        # process tracks about 250,000 objects, and one full collection takes long enough to
        # be the max of a round.
        full_collections: list[float] = []
        collecting: list[float] = []

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                collecting[:] = [time.perf_counter()]
            elif info["generation"] == 2 and collecting:
                full_collections.append(time.perf_counter() - collecting[0])

        gc.callbacks.append(on_gc)
        # Timed rounds. Each centre runs both ways back to back, alternating which goes first.
        rounds: dict[str, list[list[float]]] = {"orm": [], "raw": [], "orm_sql": []}
        for round_no in range(1, args.rounds + 1):
            times: dict[str, list[float]] = {kind: [] for kind in rounds}
            statements = [orm_statement(lat, lon, radius_km, now) for _, lat, lon in centres]
            for i, (_, lat, lon) in enumerate(centres):
                ways: list[tuple[str, Callable[[], Any]]] = [
                    ("orm", partial(search_orm, lat, lon, radius_km, now)),
                    ("raw", partial(search_raw, lat, lon, radius_km, now)),
                    ("orm_sql", partial(run_statement, *statements[i])),
                ]
                if i % 2:
                    ways.reverse()
                for kind, call in ways:
                    times[kind].append(timed(call))
            for kind in rounds:
                rounds[kind].append(times[kind])
            print(
                f"round {round_no}: ORM mean {statistics.fmean(times['orm']) * 1000:.2f} ms, "
                f"raw mean {statistics.fmean(times['raw']) * 1000:.2f} ms, "
                f"ratio {statistics.fmean(times['orm']) / statistics.fmean(times['raw']):.2f}"
            )

        gc.callbacks.remove(on_gc)
        best = {kind: min(outs, key=statistics.fmean) for kind, outs in rounds.items()}
        print()
        print(summary("ORM (nearby_ids)", best["orm"]))
        print(summary("raw (one SQL statement)", best["raw"]))
        print(summary("  ORM's own SQL, bare cursor", best["orm_sql"]))
        slowest = max(range(len(centres)), key=lambda i: best["orm"][i])
        print(
            f"slowest ORM search: ZIP {centres[slowest][0]}, {found_counts[slowest]} events found, "
            f"{box_counts[slowest]} rows read: ORM {best['orm'][slowest] * 1000:.1f} ms, "
            f"raw {best['raw'][slowest] * 1000:.1f} ms"
        )
        print(
            f"full garbage collections during the {args.rounds} timed rounds: {len(full_collections)}"
            + (
                f" ({', '.join(f'{t * 1000:.0f}' for t in full_collections)} ms; "
                f"{len(gc.get_objects())} objects tracked)"
                if full_collections
                else ""
            )
        )
        ratio = statistics.fmean(best["orm"]) / statistics.fmean(best["raw"])
        ratio_p50 = percentile(best["orm"], 50) / percentile(best["raw"], 50)
        python_ms = (statistics.fmean(best["orm"]) - statistics.fmean(best["orm_sql"])) * 1000
        per_row_us = python_ms * 1000 / max(1.0, statistics.fmean(found_counts))
        print(
            f"ORM time outside its SQL (building and compiling the queryset, rows): {python_ms:.2f} ms "
            f"per search, {per_row_us:.1f} µs per event found"
        )
        print(f"ratio orm/raw: {ratio:.2f} (aim ≤ {AIM}); at p50: {ratio_p50:.2f}")

        # Plans, for one search.
        explain_place = place_postcode(args.explain_zip)
        assert explain_place.latitude is not None and explain_place.longitude is not None
        lat, lon = explain_place.latitude, explain_place.longitude
        sql, params = orm_statement(lat, lon, radius_km, now)
        orm_plan = explain(sql, params)
        raw_plan = explain(RAW_SQL, raw_params(lat, lon, radius_km, now))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            print(f"\nthe ORM's statement for ZIP {args.explain_zip} ({lat}, {lon}):")
            print(connection.ops.last_executed_query(cursor, sql, params))
        print(f"\nEXPLAIN (ANALYZE, BUFFERS), ORM, ZIP {args.explain_zip}:\n{orm_plan}")
        print(f"\nEXPLAIN (ANALYZE, BUFFERS), raw, ZIP {args.explain_zip}:\n{raw_plan}")

        checks = [
            (not mismatches, f"same events in the same order both ways, for all {len(centres)} searches"),
            (INDEX in orm_plan, f"the ORM's plan uses {INDEX}"),
            (INDEX in raw_plan, f"the raw statement's plan uses {INDEX}"),
        ]
        print()
        for ok, text in checks:
            print(f"check: {text} {'✓' if ok else '✗ FAILED'}")
        for problem in mismatches[:10]:
            print(f"    ! {problem}")
        if len(mismatches) > 10:
            print(f"    ! ... and {len(mismatches) - 10} more")
        return 0 if all(ok for ok, _ in checks) else 1
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        clean_up(postgres, args.database, drop=created_db and not args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
