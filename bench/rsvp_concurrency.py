"""A rush of RSVPs to one event with limited places, in-process, against bare one-INSERT threads.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/rsvp_concurrency.py [--threads 200] [--capacity 50] [--rounds 3]

What it does, in one run:

1. drops and recreates a PostgreSQL database (groundswell_bench_rsvp), runs
   `groundswell migrate` against it, writes a host and --threads people, and creates the
   baseline's scratch table `bench_baseline(id bigserial primary key, person_id bigint,
   created_at timestamptz default now())`;
2. runs rounds of two kinds in turn (baseline, rsvp, baseline, rsvp, ...). Each round
   starts --threads threads that wait at a barrier and are let go together:
   - rsvp: each thread calls `groundswell.events.services.rsvp(actor=..., event=...)`
     for its own person, on one event made for the round with `host_event` (capacity
     --capacity, ZIP 10001, a week ahead). Every RSVP locks the event row, so they go
     through one at a time;
   - baseline: each thread runs one raw `INSERT INTO bench_baseline` through
     `connection.cursor()` (one statement, one commit), the least a thread could do;
   each thread uses its own database connection, opened in the thread and closed at the
   end of it, as Django does per thread. PostgreSQL has max_connections (100 here), so at
   most --connections threads hold one at a time (a semaphore, like a pool); the others
   wait their turn. Both kinds pay the same connect and the same wait;
3. prints for each round the wall time from the barrier to the last thread, RSVPs (or
   inserts) per second, the latency of the call itself (p50/p95), connect time, and the
   accepted and waitlisted counts; then the best round of each kind and
   `ratio rsvp/baseline` (throughput);
4. checks every rsvp round: exactly --capacity accepted and the rest waitlisted, in the
   results returned and in the database; nobody accepted after anybody waitlisted (by
   created_at); one `rsvped` activity per RSVP; no errors; baseline rows = inserts;
5. drops the database (unless --keep-db), whatever happens (errors, Ctrl-C).

Exit status 1 if any check fails (the counts above included), 0 otherwise.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from common import (  # bench/ is on the path when run as a script
    admin_execute,
    clean_up,
    manage,
    print_errors,
    setup_environment,
)

REPO = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Concurrent RSVPs to one limited event against bare one-INSERT threads.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--threads", type=int, default=200, help="threads (people) per round")
    parser.add_argument("--capacity", type=int, default=50, help="places at the event")
    parser.add_argument("--rounds", type=int, default=3, help="baseline+rsvp rounds; best of each")
    parser.add_argument(
        "--connections",
        type=int,
        default=0,
        help="database connections open at once (0: what max_connections leaves, less 20 for others)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=0.0,
        metavar="MS",
        help="the GIL's switch interval for this run (0: Python's default, 5 ms)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); env BENCH_POSTGRES_URL",
    )
    parser.add_argument("--database", default="groundswell_bench_rsvp", help="dropped and recreated")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    args = parser.parse_args()
    if (
        args.threads < 1
        or args.rounds < 1
        or args.capacity < 1
        or args.connections < 0
        or args.switch_interval < 0
    ):
        parser.error("--threads, --rounds and --capacity must be positive")
    if args.capacity >= args.threads:
        parser.error("--capacity must be below --threads, or nobody is waitlisted")
    return args


# --- Database -----------------------------------------------------------------------------


def free_connections(postgres: str) -> int:
    rows = admin_execute(
        postgres,
        "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
        " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')",
    )
    return int(rows[0][0])


# --- One round ----------------------------------------------------------------------------


@dataclass
class Round:
    kind: str
    wall: float = 0.0
    calls: list[float] = field(default_factory=list)  # the rsvp() or INSERT itself
    connects: list[float] = field(default_factory=list)  # opening the thread's connection
    waits: list[float] = field(default_factory=list)  # waiting for a connection slot
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    cpu: float = 0.0  # this process's CPU time over the round (all threads)
    held: list[float] = field(default_factory=list)  # rsvp: from SELECT ... FOR UPDATE to after COMMIT
    statements: list[int] = field(default_factory=list)  # rsvp: statements sent (BEGIN/COMMIT aside)

    @property
    def rate(self) -> float:
        return len(self.calls) / self.wall if self.wall else 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] if ordered else 0.0


def timed_rsvp(event: Any, person: Any) -> tuple[str, float, int]:
    """rsvp() on this thread's connection: the outcome, how long the event's row lock was
    held (from the end of SELECT ... FOR UPDATE to after COMMIT) and the statements sent."""
    from django.db import connection

    from groundswell.events.services import rsvp

    actor = member_actor(person)  # built as a signed-in member's request builds it, before the clock
    locked: list[float] = []
    sent = [0]

    def spot(execute, sql, params, many, context):
        sent[0] += 1
        result = execute(sql, params, many, context)
        if "FOR UPDATE" in sql:
            locked.append(time.perf_counter())
        return result

    with connection.execute_wrapper(spot):
        result = rsvp(actor=actor, event=event)
    done = time.perf_counter()
    outcome = "already" if result.already else str(result.attendance.status)
    return outcome, done - locked[0] if locked else 0.0, sent[0]


def run_round(kind: str, people: list[Any], event: Any, slots: threading.Semaphore) -> Round:
    from django.db import connection, connections

    out = Round(kind)
    lock = threading.Lock()
    start = threading.Barrier(len(people) + 1)

    def worker(person: Any) -> None:
        try:
            start.wait()
            asked = time.perf_counter()
            with slots:
                got_slot = time.perf_counter()
                try:
                    connection.ensure_connection()
                    connected = time.perf_counter()
                    held, sent = 0.0, 0
                    if kind == "rsvp":
                        outcome, held, sent = timed_rsvp(event, person)
                    else:
                        with connection.cursor() as cursor:
                            cursor.execute("INSERT INTO bench_baseline (person_id) VALUES (%s)", [person.pk])
                        outcome = "inserted"
                    done = time.perf_counter()
                finally:
                    connections.close_all()  # this thread's connection: closed before the slot is freed
            with lock:
                out.waits.append(got_slot - asked)
                out.connects.append(connected - got_slot)
                out.calls.append(done - connected)
                out.outcomes[outcome] += 1
                if kind == "rsvp":
                    out.held.append(held)
                    out.statements.append(sent)
        except Exception as error:  # counted and printed, not fatal
            with lock:
                out.errors.append(f"{kind} for person {person.pk}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    cpu = time.process_time()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    out.wall = time.perf_counter() - began
    out.cpu = time.process_time() - cpu
    return out


def describe(out: Round, label: str) -> str:
    ms = [s * 1000 for s in out.calls] or [0.0]
    return (
        f"{label:<18} {out.wall * 1000:7.0f} ms wall  {out.rate:7.1f} {out.kind}/s   call p50 "
        f"{percentile(ms, 50):6.1f} ms  p95 {percentile(ms, 95):6.1f} ms   connect mean "
        f"{statistics.fmean(out.connects or [0]) * 1000:5.1f} ms   CPU {out.cpu / max(1, len(out.calls)) * 1000:.2f}"
        f" ms per call   {dict(out.outcomes)}" + (f"   errors {len(out.errors)}" if out.errors else "")
    )


def member_actor(person: Any) -> Any:
    """The Actor of a member (what a request signed in as them carries), without a query."""
    from groundswell.accounts.actors import Actor
    from groundswell.accounts.models import Role

    return Actor(person=person, role=Role.MEMBER)


def make_event(host: Any, title: str, capacity: int) -> Any:
    """An event through the service hosts use: published at once, a week ahead, in New York."""
    from django.utils import timezone

    from groundswell.events.services import EventDetails, host_event

    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    return host_event(
        actor=member_actor(host),
        details=EventDetails(
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            time_zone="America/New_York",
            postal_code="10001",
            capacity=capacity,
        ),
    )


def check_event(
    label: str, event: Any, outcomes: Counter, errors: int, capacity: int, people: int
) -> list[tuple[bool, str]]:
    """What the RSVPs to `event` returned and left in the database, against what they should."""
    from django.db.models import Count, Max, Min

    from groundswell.activity.models import Activity, Verb
    from groundswell.events.models import Attendance

    waitlisted = people - capacity
    rows = Counter(
        dict(Attendance.objects.filter(event=event).values_list("status").annotate(n=Count("id")).order_by())
    )
    last_accepted = Attendance.objects.filter(event=event, status="accepted").aggregate(t=Max("created_at"))[
        "t"
    ]
    first_waiting = Attendance.objects.filter(event=event, status="waitlisted").aggregate(
        t=Min("created_at")
    )["t"]
    logged = Activity.objects.filter(verb=Verb.RSVPED, object_id=event.pk).count()
    return [
        (
            outcomes == Counter(accepted=capacity, waitlisted=waitlisted) and not errors,
            f"{label}: rsvp() returned {outcomes['accepted']} accepted, {outcomes['waitlisted']} waitlisted, "
            f"{errors} errors (expected {capacity}, {waitlisted}, 0)",
        ),
        (
            rows == Counter(accepted=capacity, waitlisted=waitlisted),
            f"{label}: in the database {rows['accepted']} accepted, {rows['waitlisted']} waitlisted, "
            f"{sum(rows.values())} in all",
        ),
        (
            last_accepted is not None and (first_waiting is None or last_accepted < first_waiting),
            f"{label}: every accepted RSVP was made before every waitlisted one",
        ),
        (logged == people, f"{label}: {logged} rsvped activities logged"),
    ]


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)
    postgres = args.postgres.rstrip("/")
    database_url = f"{postgres}/{args.database}"
    created_db = False
    try:
        env = setup_environment(database_url)
        admin_execute(postgres, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin_execute(postgres, f'CREATE DATABASE "{args.database}"')
        created_db = True
        manage(env, "migrate", "--no-input")
        connections_at_once = args.connections or max(1, min(args.threads, free_connections(postgres) - 20))
        print(
            f"rsvp concurrency benchmark: {args.threads} threads per round, capacity {args.capacity}, "
            f"{args.rounds} rounds, at most {connections_at_once} database connections at once, "
            f"{os.cpu_count()} CPUs, GIL switch interval {sys.getswitchinterval() * 1000:g} ms"
        )

        import django

        django.setup()
        from django.db import connection

        from groundswell.people.models import Person

        host = Person.objects.create(given_name="Bench", family_name="Host")
        Person.objects.bulk_create(
            Person(given_name="Bench", family_name=f"Attendee {i}") for i in range(args.threads)
        )
        people = list(Person.objects.exclude(pk=host.pk).order_by("pk"))
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, person_id bigint, "
                "created_at timestamptz DEFAULT now())"
            )
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
        print(f"database {args.database} ready: PostgreSQL {version}, synchronous_commit={sync}\n")

        # Reference: the same RSVPs one after another, on one thread and one open connection,
        # with nobody else waiting for the lock. This also warms up imports and caches.
        event = make_event(host, "Bench, one at a time", args.capacity)
        solo = Round("rsvp")
        cpu, began = time.process_time(), time.perf_counter()
        for person in people:
            called = time.perf_counter()
            outcome, held, sent = timed_rsvp(event, person)
            solo.calls.append(time.perf_counter() - called)
            solo.outcomes[outcome] += 1
            solo.held.append(held)
            solo.statements.append(sent)
        solo.wall, solo.cpu = time.perf_counter() - began, time.process_time() - cpu
        checks = check_event("one at a time", event, solo.outcomes, 0, args.capacity, args.threads)
        print(describe(solo, "one at a time"))
        connection.close()  # the main thread holds no connection while the threads run

        slots = threading.Semaphore(connections_at_once)
        results: dict[str, list[Round]] = {"baseline": [], "rsvp": []}
        for round_no in range(1, args.rounds + 1):
            for kind in ("baseline", "rsvp"):
                event = make_event(host, f"Bench rush {round_no}", args.capacity) if kind == "rsvp" else None
                connection.close()
                out = run_round(kind, people, event, slots)
                results[kind].append(out)
                print(describe(out, f"round {round_no} {kind}"))
                print_errors(out.errors)
                if kind == "rsvp":
                    label = f"round {round_no}"
                    checks += check_event(
                        label, event, out.outcomes, len(out.errors), args.capacity, args.threads
                    )
                    connection.close()

        best = {kind: max(outs, key=lambda o: o.rate) for kind, outs in results.items()}
        rush = best["rsvp"]
        print()
        print(describe(best["baseline"], "best baseline"))
        print(describe(rush, "best rsvp"))
        for label, out in (("one at a time", solo), ("best rush", rush)):
            print(
                f"{label + ':':<15} {out.wall * 1000 / len(out.calls):6.2f} ms of wall time per RSVP; the event's "
                f"row lock held {statistics.fmean(out.held) * 1000:6.2f} ms per RSVP (p95 "
                f"{percentile(out.held, 95) * 1000:.2f} ms; together {sum(out.held) / out.wall:.0%} of the wall "
                f"time), {statistics.fmean(out.statements):.1f} statements besides BEGIN and COMMIT"
            )
        print(
            "(RSVPs to one event take its row lock one at a time, from SELECT ... FOR UPDATE to COMMIT: "
            f"at most {1 / statistics.fmean(solo.held):.0f} RSVPs/s per event at the uncontended hold time. "
            "The hold is timed in Python, from the return of the SELECT to the return of rsvp(), so under "
            "the rush it includes waits for a CPU and the GIL, and the holds can add up to more than the wall "
            "time: the next RSVP gets the lock when PostgreSQL commits, before this thread runs again)"
        )
        ratio = rush.rate / best["baseline"].rate if best["baseline"].rate else 0.0
        print(f"throughput: rsvp {rush.rate:.1f} RSVPs/s, baseline {best['baseline'].rate:.1f} inserts/s")
        print(f"ratio rsvp/baseline (throughput): {ratio:.2f}")

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_baseline")
            inserted = cursor.fetchone()[0]
        expected = sum(len(o.calls) for o in results["baseline"])
        baseline_errors = sum(len(o.errors) for o in results["baseline"])
        checks.append(
            (
                inserted == expected == args.threads * args.rounds and not baseline_errors,
                f"bench_baseline rows {inserted} = successful inserts {expected} ({baseline_errors} errors)",
            )
        )
        print()
        for ok, text in checks:
            print(f"check: {text} {'✓' if ok else '✗ FAILED'}")
        return 0 if all(ok for ok, _ in checks) else 1
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        clean_up(postgres, args.database, drop=created_db and not args.keep_db)


if __name__ == "__main__":
    sys.exit(main())
