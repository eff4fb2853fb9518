"""Join throughput under concurrency, against a bare one-INSERT Django view.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/signup.py [--requests 2000] [--concurrency 16] [--workers 4]

What it does, in one run:

1. drops and recreates a PostgreSQL database (groundswell_bench), runs
   `groundswell migrate` and `collectstatic` against it, and creates the
   `bench_baseline` table the baseline view inserts into;
2. starts gunicorn (config.wsgi:application) on a free port of 127.0.0.1, with
   GROUNDSWELL_BENCH_VIEWS=1 so /bench/insert (bench/baseline.py) sits beside the
   real /join, and CELERY_BROKER_URL pointing at a Redis database so the welcome
   email is enqueued to a real broker as in production;
3. warms every worker up, then runs baseline and join rounds in turn
   (baseline, join, baseline, join, ...) with --concurrency clients, each
   keeping its own HTTP connection and CSRF cookie, and reports the best round
   of each: requests/s, p50/p95 latency, the ratio join/baseline, and what each
   request cost the server (CPU of the gunicorn workers and PostgreSQL backends);
4. checks that the database holds exactly the people the successful joins made;
5. stops gunicorn, purges the Redis database and drops the benchmark database,
   whatever happens (errors, Ctrl-C).

Only the standard library plus psycopg and redis (both project dependencies).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import redis
from common import print_errors  # bench/ is on the path when run as a script

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
AIM = 0.5
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- Command line ---------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Join throughput under concurrency against a bare one-INSERT view.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per round and kind")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--worker-class",
        choices=["sync", "gthread"],
        default="sync",
        help="gunicorn worker class (see README for why sync is the default)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--rounds", type=int, default=2, help="baseline+join rounds; best of each")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="members already in the database before the run (accounts, share codes, contacts...)",
    )
    parser.add_argument("--warmup", type=int, default=0, help="warm-up joins (0: 20 per worker)")
    parser.add_argument("--referral-share", type=float, default=1 / 3, help="share of joins with ref=")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); env BENCH_POSTGRES_URL",
    )
    parser.add_argument("--database", default="groundswell_bench", help="dropped and recreated")
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15"),
        help="Celery broker (a Redis database of its own: it is flushed); env BENCH_BROKER_URL",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra setting for the server, to measure a change (e.g. SESSION_ENGINE=...); repeatable",
    )
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.workers < 1 or args.rounds < 1:
        parser.error("--requests, --concurrency, --workers and --rounds must be positive")
    for item in args.env:
        if "=" not in item:
            parser.error(f"--env takes NAME=VALUE, not {item!r}")
    if args.warmup <= 0:
        args.warmup = max(40, 20 * args.workers)
    return args


# --- HTTP clients ------------------------------------------------------------------------


class Client:
    """One visitor: its own connection (reopened when the server closes it) and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""
        self.retries = 0

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, response.headers, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed while idle: reconnect once.
                self.conn.close()
                if attempt:
                    raise
                self.retries += 1
        raise AssertionError("unreachable")

    def start_session(self) -> None:
        """GET /join once: the csrftoken cookie and the form's csrfmiddlewaretoken."""
        status, headers, body = self.request("GET", "/join")
        if status != 200:
            raise RuntimeError(f"GET /join answered {status}: {body[:300]!r}")
        cookie = SimpleCookie()
        for line in headers.get_all("Set-Cookie") or []:
            cookie.load(line)
        if "csrftoken" not in cookie:
            raise RuntimeError("GET /join set no csrftoken cookie")
        match = CSRF_INPUT.search(body.decode())
        if not match:
            raise RuntimeError("no csrfmiddlewaretoken in the join form")
        # Only the CSRF cookie is ever sent back: every join is an anonymous visitor.
        # The join signs nobody in, but starts a session (the emailed sign-in code and
        # the share link shown next) and a flash message cookie; those are dropped, as if
        # each join came from a new browser that had just loaded the form.
        self.cookies = {"csrftoken": cookie["csrftoken"].value}
        self.csrf_token = match.group(1)


@dataclass
class Outcome:
    kind: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ok: int = 0
    ok_referred: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server: dict[str, float] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000


class Load:
    """Runs `count` requests of one kind over the clients, one thread per client."""

    def __init__(self, clients: list[Client], run_id: str, codes: list[str], referral_share: float):
        self.clients = clients
        self.run_id = run_id
        self.codes = codes
        self.referral_every = round(1 / referral_share) if referral_share > 0 else 0

    def join_form(self, client: Client, label: str, i: int) -> tuple[dict[str, str], bool]:
        form = {
            "csrfmiddlewaretoken": client.csrf_token,
            "given_name": "Bench",
            "family_name": f"Joiner {i}",
            "email": f"{label}-{i}-{self.run_id}@example.org",
            "postal_code": "10001",
            "email_consent": "on",
            "website": "",
            "ref": "",
            "via": "",
        }
        referred = bool(self.codes) and self.referral_every > 0 and i % self.referral_every == 0
        if referred:
            form["ref"] = self.codes[(i // self.referral_every) % len(self.codes)]
            form["via"] = "whatsapp"
        return form, referred

    def one(self, client: Client, kind: str, label: str, i: int, out: Outcome, lock: threading.Lock) -> None:
        referred = False
        started = time.perf_counter()
        try:
            if kind == "join":
                form, referred = self.join_form(client, label, i)
                status, headers, body = client.request("POST", "/join", form)
                # Joined: on to "check your email for the code" (nobody is signed in by joining).
                good = status == 302 and (headers.get("Location") or "").endswith("/join/welcome/")
            else:
                form = {"email": f"{label}-{i}-{self.run_id}@example.org"}
                status, headers, body = client.request("POST", "/bench/insert", form)
                good = status == 200
            problem = "" if good else f"{kind} #{i}: {status} {headers.get('Location', '')} {body[:200]!r}"
        except Exception as error:  # a failed request is counted, not fatal
            client.conn.close()
            problem = f"{kind} #{i}: {type(error).__name__}: {error}"
            good = False
        took = time.perf_counter() - started
        with lock:
            out.latencies.append(took)
            if good:
                out.ok += 1
                out.ok_referred += referred
            else:
                out.errors.append(problem)

    def run(self, kind: str, label: str, count: int) -> Outcome:
        out = Outcome(kind)
        lock = threading.Lock()
        counter = itertools.count()
        start = threading.Barrier(len(self.clients) + 1)

        def worker(client: Client) -> None:
            start.wait()
            while (i := next(counter)) < count:
                self.one(client, kind, label, i, out, lock)

        threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in self.clients]
        for thread in threads:
            thread.start()
        cpu = time.process_time()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        out.elapsed = time.perf_counter() - began
        out.client_cpu = (time.process_time() - cpu) / out.elapsed if out.elapsed else 0.0
        return out


# --- Server, database, broker ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def admin_connect(postgres_url: str) -> psycopg.Connection:
    return psycopg.connect(f"{postgres_url.rstrip('/')}/postgres", autocommit=True)


def recreate_database(postgres_url: str, name: str) -> None:
    with admin_connect(postgres_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(postgres_url: str, name: str) -> None:
    with admin_connect(postgres_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED_SQL = [
    # A fresh database: ids run from 1, so each table below can key on the person id.
    """INSERT INTO people_person (created_at, modified_at, uuid, given_name, family_name,
        additional_name, custom_fields, source_channel, source_detail)
       SELECT now() - make_interval(mins => g), now(), gen_random_uuid(), 'Seed', 'Member ' || g,
        '', '{}', 0, 'bench seed' FROM generate_series(1, %(n)s) AS g""",
    """INSERT INTO people_emailaddress (person_id, address, "primary", address_type, status, created_at)
       SELECT id, 'seed-' || id || '@example.org', true, 'personal', 'subscribed', created_at FROM people_person""",
    """INSERT INTO people_postaladdress (person_id, "primary", address_lines, locality, region,
        postal_code, country, latitude, longitude, created_at)
       SELECT id, true, '[]', 'New York', 'NY', '10001', 'US', 40.75, -73.99, created_at FROM people_person""",
    """INSERT INTO accounts_user (password, is_superuser, is_staff, is_active, date_joined, email, role, person_id)
       SELECT '!', false, false, true, created_at, 'seed-' || id || '@example.org', 'member', id FROM people_person""",
    """INSERT INTO account_emailaddress (user_id, email, verified, "primary")
       SELECT id, email, false, true FROM accounts_user""",
    """INSERT INTO network_sharecode (person_id, code, created_at)
       SELECT id, 's' || to_hex(id), created_at FROM people_person""",
    """INSERT INTO activity_activity (person_id, verb, occurred_at, channel, initiator)
       SELECT id, 1, created_at, 0, 0 FROM people_person""",
    # Every other member listed someone who has not joined (yet).
    """INSERT INTO network_contact (owner_id, name, email, phone, created_at)
       SELECT id, 'Friend', 'friend-' || id || '@example.org', '', created_at FROM people_person
       WHERE id % 2 = 0""",
    "ANALYZE",
]


def seed(database_url: str, members: int) -> None:
    """Members already there, written in bulk with SQL (seconds for 10^5 members)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in SEED_SQL:
            conn.execute(statement, {"n": members} if "%(n)s" in statement else None)


def server_env(database_url: str, broker: str, static_root: Path, extra: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    # Settings that would change what is measured are set here, whatever the shell has.
    for name in (
        "REDIS_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "SESSION_ENGINE",
        "DATABASE_CONN_MAX_AGE",
        "LOG_LEVEL",
        "BEHIND_TLS_PROXY",
        "SECURE_COOKIES",
    ):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "GROUNDSWELL_BENCH_VIEWS": "1",
            "EMAIL_URL": "dummymail://",
            # All the load comes from one address: limits that cost what the real ones do
            # (two counters) but never refuse (--env RATE_LIMIT_JOIN=... to measure them).
            "RATE_LIMIT_JOIN": "1000000/h/ip,1000000/d/ip",
            "CELERY_BROKER_URL": broker,
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "SECRET_KEY": "bench",
            "SITE_URL": f"http://{HOST}",
            "STATIC_ROOT": str(static_root),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(item.split("=", 1) for item in extra)
    return env


def manage(env: dict[str, str], *command: str) -> None:
    script = Path(sys.executable).parent / "groundswell"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "groundswell.cli"]
    result = subprocess.run([*argv, *command], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"groundswell {' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--backlog",
        "2048",
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    # A session of its own: Ctrl-C in the terminal reaches this script, which stops the server.
    return subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)


def wait_ready(server: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{tail(log)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/join", headers={"User-Agent": USER_AGENT})
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
            raise RuntimeError(f"GET /join answered {status}:\n{tail(log)}")
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {timeout}s:\n{tail(log)}")


def stop_gunicorn(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its own workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- Server-side cost: CPU of gunicorn workers and PostgreSQL, commits and rows ----------


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            kids += [int(p) for p in (task / "children").read_text().split()]
    return kids


class Meter:
    """What the server side spent while requests ran: CPU time of the gunicorn workers
    and of the PostgreSQL backends serving the benchmark database, read from /proc.

    A sampler thread reads them every 0.2 s during a phase, so that a process that
    exits mid-phase (Django closes a database connection after CONN_MAX_AGE, and its
    backend exits) is counted up to its last sample: figures can only err slightly low.
    """

    def __init__(self, server_pid: int, database_url: str, database: str) -> None:
        self.server_pid = server_pid
        self.database = database
        self.conn = psycopg.connect(database_url, autocommit=True)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.start_cpu: dict[tuple[str, int], float] = {}
        self.last_cpu: dict[tuple[str, int], float] = {}

    def close(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=2)
        self.conn.close()

    def _sample(self) -> dict[tuple[str, int], float]:
        backends = [
            row[0]
            for row in self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
        ]
        sample = {}
        for key, pids in (("gunicorn", _children(self.server_pid)), ("postgres", backends)):
            for pid in pids:
                with contextlib.suppress(OSError):
                    sample[(key, pid)] = _cpu_seconds(pid)
        return sample

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            self.last_cpu.update(self._sample())

    def begin(self) -> None:
        self.start_cpu = self._sample()
        self.last_cpu = dict(self.start_cpu)
        self.stop.clear()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def end(self, requests: int) -> dict[str, float]:
        self.stop.set()
        if self.thread:
            self.thread.join()
        self.last_cpu.update(self._sample())
        cost = {"gunicorn_cpu_ms": 0.0, "postgres_cpu_ms": 0.0}
        for (key, pid), seconds in self.last_cpu.items():
            # A process new since the start (a new connection's backend) spent all its CPU in the phase.
            cost[f"{key}_cpu_ms"] += (seconds - self.start_cpu.get((key, pid), 0.0)) * 1000
        return {name: ms / requests for name, ms in cost.items()} if requests else {}


# --- The run ------------------------------------------------------------------------------------


def describe(out: Outcome, label: str) -> str:
    s = out.server
    line = (
        f"{label:<18} {out.rps:8.1f} req/s   p50 {out.percentile(50):6.1f} ms   "
        f"p95 {out.percentile(95):6.1f} ms   ok {out.ok}   errors {len(out.errors)}"
    )
    if s:
        line += (
            f"\n{'':<18} server cost per request: gunicorn workers {s['gunicorn_cpu_ms']:.2f} ms CPU, "
            f"postgres backends {s['postgres_cpu_ms']:.2f} ms CPU; "
            f"load generator {out.client_cpu:.0%} of a core"
        )
    return line


def main() -> int:
    args = parse_args()
    # Clean up on Ctrl-C and on kill alike, even when started with SIGINT ignored (`cmd &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    postgres = args.postgres.rstrip("/")
    if urlsplit(postgres).path not in ("", "/"):
        raise SystemExit("--postgres is the server URL without a database name")
    database_url = f"{postgres}/{args.database}"
    broker = redis.Redis.from_url(args.broker)
    workdir = Path(tempfile.mkdtemp(prefix="groundswell-bench-"))
    server: subprocess.Popen | None = None
    meter: Meter | None = None
    created_db = False
    failed = False
    try:
        print(
            f"signup benchmark: {args.requests} requests per round, {args.rounds} rounds, "
            f"concurrency {args.concurrency}, gunicorn {args.workers} {args.worker_class} workers"
            + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
            + f", {os.cpu_count()} CPUs"
            + "".join(f"\n  with {item}" for item in args.env)
        )
        broker.ping()
        broker.flushdb()
        env = server_env(database_url, args.broker, workdir / "static", args.env)
        recreate_database(postgres, args.database)
        created_db = True
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, email text, "
                "created_at timestamptz DEFAULT now())"
            )
            print(f"database {args.database} ready: {conn.execute('SHOW server_version').fetchone()[0]}")
        if args.seed:
            started = time.monotonic()
            seed(database_url, args.seed)
            print(f"seeded {args.seed} members in {time.monotonic() - started:.0f} s")

        port = free_port()
        log = workdir / "gunicorn.log"
        server = start_gunicorn(args, env, port, log)
        wait_ready(server, port, log)
        print(f"gunicorn pid {server.pid} listening on {HOST}:{port}")

        run_id = uuid.uuid4().hex[:8]
        clients = [Client(port) for _ in range(args.concurrency)]
        for client in clients:
            client.start_session()

        # Warm-up: every worker imports its code paths, opens its database connection,
        # loads the ZIP table and compiles templates before anything is timed.
        load = Load(clients, run_id, [], 0)
        warm_base = load.run("baseline", "warm", args.warmup)
        warm_join = load.run("join", "warm", args.warmup)
        print(f"warm-up: {warm_base.ok} baseline inserts, {warm_join.ok} joins")
        if warm_join.errors or warm_base.errors:
            print_errors(warm_base.errors)
            print_errors(warm_join.errors)
            raise RuntimeError("warm-up requests failed; see above and the gunicorn log:\n" + tail(log))

        with psycopg.connect(database_url) as conn:
            # The newest codes: those of warm-up joiners.
            codes = [
                row[0] for row in conn.execute("SELECT code FROM network_sharecode ORDER BY id DESC LIMIT 50")
            ]
        load = Load(clients, run_id, codes, args.referral_share)
        print(
            f"{len(codes)} share codes of warm-up joiners used as ref= for ~{args.referral_share:.0%} of joins\n"
        )
        meter = Meter(server.pid, database_url, args.database)

        results: dict[str, list[Outcome]] = {"baseline": [], "join": []}
        for round_no in range(1, args.rounds + 1):
            for kind in ("baseline", "join"):
                meter.begin()
                out = load.run(kind, f"r{round_no}", args.requests)
                out.server = meter.end(len(out.latencies))
                results[kind].append(out)
                print(describe(out, f"round {round_no} {kind}"))
                print_errors(out.errors)

        best = {kind: max(outs, key=lambda o: o.rps) for kind, outs in results.items()}
        ratio = best["join"].rps / best["baseline"].rps if best["baseline"].rps else 0.0
        print()
        print(describe(best["baseline"], "best baseline"))
        print(describe(best["join"], "best join"))
        print(f"ratio join/baseline: {ratio:.2f} (aim ≥ {AIM})")
        cost = {k: min(sum(o.server.values()) for o in outs if o.server) for k, outs in results.items()}
        if all(cost.values()):
            print(
                f"server CPU per request (gunicorn + postgres, least of the rounds): baseline "
                f"{cost['baseline']:.2f} ms, join {cost['join']:.2f} ms; cost ratio "
                f"{cost['baseline'] / cost['join']:.2f} (where the ratio tends when the CPUs are the "
                "limit; steadier than req/s when other work shares the machine)"
            )

        # Checks: the database holds what the successful requests made, no more, no less.
        joins = warm_join.ok + sum(o.ok for o in results["join"])
        referred = sum(o.ok_referred for o in results["join"])
        inserts = warm_base.ok + sum(o.ok for o in results["baseline"])
        with psycopg.connect(database_url) as conn:
            people = conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
            recruited = conn.execute(
                "SELECT count(*) FROM people_person WHERE recruited_by_id IS NOT NULL"
            ).fetchone()[0]
            rows = conn.execute("SELECT count(*) FROM bench_baseline").fetchone()[0]
        queued = broker.llen(env.get("CELERY_TASK_DEFAULT_QUEUE", "groundswell"))
        checks = [
            (
                people == joins + args.seed,
                f"people in DB {people} = successful joins {joins - warm_join.ok} + warm-up {warm_join.ok}"
                + (f" + seeded {args.seed}" if args.seed else ""),
            ),
            (
                recruited == referred,
                f"people credited to a recruiter {recruited} = successful joins with ref= {referred}",
            ),
            (rows == inserts, f"bench_baseline rows {rows} = successful baseline inserts {inserts}"),
            (queued == joins, f"welcome tasks waiting on the broker {queued} = joins {joins}"),
        ]
        print()
        for ok, text in checks:
            print(f"check: {text} {'✓' if ok else '✗ MISMATCH'}")
        total_errors = sum(len(o.errors) for outs in results.values() for o in outs)
        retries = sum(c.retries for c in clients)
        if total_errors or retries:
            print(f"errors: {total_errors} failed requests, {retries} reconnects after idle close")
        failed = total_errors > 0 or not all(ok for ok, _ in checks)
        server_log = tail(log, 10)
        if server_log.strip():
            print(f"\ngunicorn log (tail):\n{server_log}")
        return 1 if failed else 0
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        if meter is not None:
            meter.close()
        stop_gunicorn(server)
        try:
            broker.flushdb()
        except redis.RedisError as error:
            print(f"could not purge the broker database: {error}", file=sys.stderr)
        if created_db and not args.keep_db:
            try:
                drop_database(postgres, args.database)
            except psycopg.Error as error:
                print(f"could not drop {args.database}: {error}", file=sys.stderr)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
