"""Where one join spends its time: the SQL it sends and the Python it runs.

    .venv/bin/python bench/join_queries.py [--joins 200] [--sql] [--profile] [--seed N]

Runs in one process, against a throwaway PostgreSQL database (groundswell_bench_queries,
dropped and recreated, then dropped again; --seed N puts N members in it first, as
bench/signup.py does), with the same settings as bench/signup.py (DEBUG=0, the welcome
task enqueued to Redis db 15, flushed afterwards: do not run it while signup.py runs).
Requests go through Django's test client, hence through the whole middleware stack,
CSRF checks included, like a browser posting the form: only gunicorn and the socket
are missing. It prints:

1. for one direct join, one join through a share link and one baseline insert: the
   statements sent by kind, commits and savepoints (--sql: every statement, in order);
2. over --joins joins: CPU time, wall time and statements per step of the join
   (services.join and what it calls, the emailed sign-in code, session save, the Celery
   publish), and
   the statements by kind with their wall time, round trip included;
3. the CPU and wall time per join of --joins more joins, uninstrumented, and with
   --profile the functions they spend it in (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time
import uuid
import warnings
from collections import Counter
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
DATABASE = "groundswell_bench_queries"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup_environment() -> None:
    for name in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "SESSION_ENGINE", "DATABASE_CONN_MAX_AGE"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
            "GROUNDSWELL_BENCH_VIEWS": "1",
            "EMAIL_URL": "dummymail://",
            # Every join comes from one address here: limits that still cost what the real
            # ones do (two counters), but never refuse.
            "RATE_LIMIT_JOIN": "1000000/h/ip,1000000/d/ip",
            "CELERY_BROKER_URL": BROKER,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECRET_KEY": "bench",
            "SITE_URL": "http://127.0.0.1",
            # No collectstatic here: plain storage keeps {% static %} working without a manifest.
            "WHITENOISE_USE_FINDERS": "1",
        }
    )
    sys.path.insert(0, str(REPO))


def kind_of(sql: str) -> str:
    words = sql.lstrip().split(None, 3)
    first = words[0].upper() if words else "?"
    if first in ("SAVEPOINT", "RELEASE", "ROLLBACK") or first.startswith("SAVEPOINT"):
        return "SAVEPOINT/RELEASE"
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    return f"{first} {match.group(1) if match else ''}".strip()


def commits_in(queries: list[str]) -> int:
    """Transactions committed: explicit BEGIN…COMMIT blocks, plus each statement run in
    autocommit mode outside of one."""
    commits, in_block = 0, False
    for sql in queries:
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word == "BEGIN":
            in_block = True
        elif word in ("COMMIT", "ROLLBACK") and in_block:
            in_block = False
            commits += word == "COMMIT"
        elif not in_block:
            commits += 1
    return commits


_patched: list[tuple[object, str, object]] = []
_wrappers: list[tuple[object, object]] = []
# Statement kind -> [count, wall seconds], over the instrumented joins.
statements: dict[str, list] = {}


def uninstrument() -> None:
    while _wrappers:
        connection, wrapper = _wrappers.pop()
        connection.execute_wrappers.remove(wrapper)
    while _patched:
        owner, name, original = _patched.pop()
        setattr(owner, name, original)


def instrument(connection) -> dict[str, list]:
    """Wrap the steps of a join to add up CPU time, wall time and queries per step."""
    import django.contrib.messages
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    import groundswell.messaging.services as messaging
    import groundswell.network.services as network
    import groundswell.network.views as views
    from groundswell.network.forms import JoinForm

    sections: dict[str, list] = {}
    sent = [0]

    def count_queries(execute, sql, params, many, context):
        sent[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements.setdefault(kind_of(sql), [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    connection.execute_wrappers.append(count_queries)
    _wrappers.append((connection, count_queries))

    def wrap(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:  # renamed since this script was written: skip the step
            print(f"(no {name} in {getattr(owner, '__name__', owner)}: step not timed)")
            return
        sections[label] = [0.0, 0.0, 0, 0]

        def timed(*a, **kw):
            cpu, wall, queries = time.process_time(), time.perf_counter(), sent[0]
            try:
                return original(*a, **kw)
            finally:
                entry = sections[label]
                entry[0] += time.process_time() - cpu
                entry[1] += time.perf_counter() - wall
                entry[2] += sent[0] - queries
                entry[3] += 1

        _patched.append((owner, name, original))
        setattr(owner, name, timed)

    wrap(Client, "post", "request (test client)")
    wrap(JoinForm, "is_valid", "view: JoinForm.is_valid")
    wrap(network, "join", "view: services.join")
    for name in (
        "place_postcode",
        "resolve_share_code",
        "arrive",
        "upsert_person",
        "record",
        "make_share_code",
        "share_code_for",
        "_record_ties",
        "send_welcome",
    ):
        wrap(network, name, f"  join: {name}")
    wrap(messaging, "enqueue", "on commit: enqueue (Celery publish)")
    wrap(network, "share_link_before_proof", "view: services.share_link_before_proof")
    # Joining signs nobody in: the view emails a sign-in code instead.
    wrap(views, "start_sign_in_by_code", "view: start_sign_in_by_code (the emailed code)")
    wrap(django.contrib.messages, "success", "view: messages.success")
    wrap(SessionStore, "save", "middleware: SessionStore.save (incl. the code's state)")
    return sections


def by_library(profiler: cProfile.Profile) -> list[tuple[str, float]]:
    """Own time (tottime) summed by the library the function lives in: where the CPU goes."""
    totals: Counter[str] = Counter()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        if "site-packages/" in filename:
            parts = filename.split("site-packages/", 1)[1].split("/")
            library = "/".join(parts[:3]) if parts[0] == "django" else parts[0]
            library = library.removesuffix(".py")
        elif "/groundswell/" in filename:
            library = "groundswell/" + filename.split("/groundswell/", 1)[1].split("/")[0]
        elif filename == "~":
            library = f"builtins ({function.split(' ')[-1].rstrip('>')[:40]})"
        else:
            library = "stdlib and other"
        totals[library] += tottime
    return totals.most_common(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--joins", type=int, default=200)
    parser.add_argument("--sql", action="store_true", help="print every query of one join")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed joins")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="members there beforehand (as signup.py)"
    )
    args = parser.parse_args()

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    setup_environment()
    import redis

    # WhiteNoise warns that STATIC_ROOT does not exist: files are served by the finders here.
    warnings.filterwarnings("ignore", message="No directory at")

    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    try:
        import django

        django.setup()
        # Django's own test runner would swap settings; here we only tweak storage.
        from django.conf import settings

        settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.seed:
            from bench.signup import seed

            seed(f"{POSTGRES}/{DATABASE}", args.seed)
            print(f"seeded {args.seed} members")
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, email text, "
                "created_at timestamptz DEFAULT now())"
            )

        run = uuid.uuid4().hex[:8]
        client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (bench)")
        page = client.get("/join")
        token = CSRF_INPUT.search(page.content.decode()).group(1)
        csrf_cookie = client.cookies["csrftoken"].value

        def post_join(i: int, ref: str = "") -> None:
            client.cookies.clear()
            client.cookies["csrftoken"] = csrf_cookie
            response = client.post(
                "/join",
                {
                    "csrfmiddlewaretoken": token,
                    "given_name": "Bench",
                    "family_name": f"Joiner {i}",
                    "email": f"q-{i}-{run}@example.org",
                    "postal_code": "10001",
                    "email_consent": "on",
                    "website": "",
                    "ref": ref,
                    "via": "whatsapp" if ref else "",
                },
            )
            assert response.status_code == 302, (response.status_code, response.content[:300])

        # Warm: first join loads the ZIP table and the templates, makes the welcome Message.
        for i in range(3):
            post_join(-1 - i)
        with connection.cursor() as cursor:
            cursor.execute("SELECT code FROM network_sharecode ORDER BY id LIMIT 1")
            code = cursor.fetchone()[0]

        def show(label: str, captured: CaptureQueriesContext) -> None:
            queries = [q["sql"] for q in captured.captured_queries]
            kinds = Counter(kind_of(sql) for sql in queries)
            savepoints = sum(1 for sql in queries if sql.startswith("SAVEPOINT"))
            print(
                f"\n== {label}: {len(queries)} statements sent, {commits_in(queries)} commits, "
                f"{savepoints} savepoints"
            )
            for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"  {n:3d}  {kind}")
            if args.sql:
                for n, q in enumerate(captured.captured_queries, 1):
                    print(f"  {n:3d} {q['time']:>6}s  {q['sql'][:240]}")

        for label, action in (
            ("join (direct)", lambda: post_join(1)),
            ("join (ref=…&via=whatsapp)", lambda: post_join(2, code)),
            ("baseline insert", lambda: client.post("/bench/insert", {"email": f"b-{run}@example.org"})),
        ):
            with CaptureQueriesContext(connection) as captured:
                action()
            show(label, captured)

        # Where the time goes, section by section (inclusive times; nested sections overlap).
        sections = instrument(connection)
        for i in range(args.joins):
            post_join(500 + i, code if i % 3 == 0 else "")
        total = sections.pop("request (test client)")
        print(f"\n== {args.joins} joins, per join (inclusive; CPU of this process, wall, queries)")
        for name, (cpu, wall, queries, calls) in [("request (test client)", total), *sections.items()]:
            n = args.joins
            print(
                f"  {name:<44} {cpu / n * 1000:6.2f} ms CPU {wall / n * 1000:6.2f} ms wall {queries / n:5.1f} queries  ({calls / n:.1f} calls)"
            )
        print(f"\n== statements of those {args.joins} joins by wall time (round trip included), per join")
        for kind, (n, seconds) in sorted(statements.items(), key=lambda kv: -kv[1][1]):
            print(f"  {seconds / args.joins * 1000:6.2f} ms  {n / args.joins:4.1f} x  {kind}")
        print("  (COMMITs are not statements Django sends through cursors: not listed; see the SQL above)")
        uninstrument()

        profiler = cProfile.Profile() if args.profile else None
        started_cpu, started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(args.joins):
            post_join(1000 + i, code if i % 3 == 0 else "")
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - started_cpu) / args.joins * 1000
        wall = (time.perf_counter() - started) / args.joins * 1000
        print(
            f"\n{args.joins} joins in a row: {cpu:.1f} ms CPU (this process) and {wall:.1f} ms wall per join"
        )
        if profiler:
            print("\n== profile, own time by library, per join ==")
            for library, seconds in by_library(profiler):
                print(f"  {seconds / args.joins * 1000:6.2f} ms  {library}")
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(35)
                print(f"\n== profile, by {sort} ==")
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:9000])
        connection.close()
        return 0
    finally:
        broker.flushdb()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
