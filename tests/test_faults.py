"""Faults, for real: Redis killed, PostgreSQL cut off, a worker killed mid-batch.

Nothing here stops the machine's own Redis or PostgreSQL (other runs use them). Redis faults
kill a throwaway `redis-server` of this test's own. PostgreSQL faults go through a TCP proxy
(a thread here) between the app and 127.0.0.1:5432 that can be cut: every open connection
dropped and new ones refused, as a restarting server does, then let through again. The
web tier is gunicorn and the worker is Celery, each its own process, as in production;
email goes to a real SMTP server. Each test stops a service, acts, starts it and counts.
"""

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from groundswell.messaging import services
from groundswell.messaging.models import Delivery, Message
from groundswell.people.models import EmailAddress, Person
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _require_redis_server() -> str:
    found = shutil.which("redis-server")
    if found is None:
        reason = "needs the redis-server program (apt-get install redis-server)"
        if os.environ.get("GROUNDSWELL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"required for this run: {reason}")
        pytest.skip(reason)
    return found


def _wait_for(condition, *, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


# --- The services this test owns -------------------------------------------------------------


class ThrowawayRedis:
    """A redis-server of our own on a free port, to kill and start again."""

    def __init__(self, program: str, workdir: Path) -> None:
        self.program, self.workdir = program, workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.program,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert _wait_for(self.answers, timeout=10), "redis-server did not start"

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    redis = ThrowawayRedis(_require_redis_server(), tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


class CuttableProxy:
    """A TCP proxy to PostgreSQL. `cut()` drops every connection through it and refuses new
    ones (its port closed), `restore()` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.dropped = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(512)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            doomed, self._open = list(self._open), set()
        if listener is not None:
            listener.close()
        self.dropped += len(doomed) // 2
        for sock in doomed:
            _close(sock)

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _close(client)
                continue
            client.setblocking(True)
            with self._lock:
                cut_meanwhile = self._listener is not listener
                if not cut_meanwhile:
                    self._open |= {client, upstream}
            if cut_meanwhile:  # this one never got through
                _close(client)
                _close(upstream)
                return
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with self._lock:
            self._open -= {source, sink}
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@pytest.fixture
def pg_proxy() -> Iterator[CuttableProxy]:
    require_postgres()
    db = connection.settings_dict
    proxy = CuttableProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        yield proxy
    finally:
        proxy.close()


def _database_url(port: int | None = None) -> str:
    """The test database (pytest-django's), directly or through the proxy on `port`."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def _base_env(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        # Every join here comes from 127.0.0.1: the limits are not what is under test.
        "RATE_LIMIT_JOIN": "",
        "RATE_LIMIT_RSVP": "",
        **overrides,
    }


# --- The web tier: gunicorn, and people joining through it over HTTP -------------------------


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--graceful-timeout",
                "2",
            ],
            env=env,
            stdout=out,
            stderr=out,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            started = _wait_for(lambda: _answers(base) or server.poll() is not None, timeout=30, every=0.1)
            assert started and server.poll() is None, log.read_text()
            yield base
        finally:
            server.terminate()
            server.wait(timeout=15)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/join/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Joiner:
    """One browser: its own cookies and the join form's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.unavailable = ""  # the last 503 page, with its Retry-After header
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
        status, page = self._open("/join/")
        assert status == 200, page[:500]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, "no CSRF token on the join form"
        self.token = found.group(1)

    def join(self, email: str) -> int:
        fields = {
            "given_name": "Faulty",
            "email": email,
            "postal_code": "10001",
            "email_consent": "on",
            "csrfmiddlewaretoken": self.token,
        }
        status, page = self._open("/join/", fields)
        if status == 503:
            self.unavailable = page
        return status

    def _open(self, path: str, fields: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(f"{self.base}{path}", data=body, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            page = error.read().decode(errors="replace")
            return error.code, f"Retry-After: {error.headers.get('Retry-After')}\n{page}"
        except OSError:
            return 599, ""  # no answer at all: as bad as a server error


def _joined(addresses: list[str]) -> set[str]:
    return set(EmailAddress.objects.filter(address__in=addresses).values_list("address", flat=True))


# --- The cache while Redis is down -------------------------------------------------------------


def test_the_cache_answers_a_miss_while_redis_is_down_and_comes_back_with_it(throwaway_redis):
    from groundswell.core.cache import ResilientRedisCache

    cache = ResilientRedisCache(throwaway_redis.url, {"KEY_PREFIX": uuid.uuid4().hex})
    cache.down_for = 0.5
    cache.set("page", "cached")
    assert cache.add("count", 1) is True
    assert cache.incr("count") == 2

    throwaway_redis.kill()
    started = time.monotonic()
    # What a rate limit does (add, then incr; a get of the last window): no error, and
    # the counts of a counter just started, so the act is let through.
    assert cache.get("page", "missing") == "missing"
    assert cache.add("count", 1) is True
    assert cache.incr("count") == 1
    assert cache.decr("count") == -1
    assert cache.get_many(["page", "count"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]
    cache.set("page", "lost")
    assert cache.delete("page") is False
    assert cache.has_key("count") is False
    assert time.monotonic() - started < 3, "a Redis outage must not hold requests up"

    throwaway_redis.start()
    time.sleep(cache.down_for)
    cache.set("page", "again")
    assert cache.get("page") == "again"
    with pytest.raises(ValueError):  # Django's contract when Redis is up: no such key
        cache.incr("never-set")


# --- (a) Redis down: every join still goes through ---------------------------------------------

REDIS_DOWN_JOINS = 40


@pytest.mark.postgres
def test_joins_go_through_while_redis_is_down_and_their_welcome_goes_after(throwaway_redis, tmp_path):
    require_postgres()
    env = _base_env(
        DATABASE_URL=_database_url(),
        # Cache (and rate limits), sessions as configured, and the broker: all on this Redis.
        REDIS_URL=throwaway_redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_TASK_DEFAULT_QUEUE=f"faults-{uuid.uuid4().hex[:8]}",
    )
    addresses = [f"redisless{i}@example.org" for i in range(REDIS_DOWN_JOINS)]
    statuses: dict[str, int] = {}
    with _gunicorn(env, tmp_path / "web.log") as base:
        throwaway_redis.kill()
        started = time.monotonic()

        def join_one(address: str) -> None:
            statuses[address] = Joiner(base).join(address)

        threads = [threading.Thread(target=join_one, args=(a,)) for a in addresses]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    log = (tmp_path / "web.log").read_text()
    failed = {a: s for a, s in statuses.items() if s >= 400}
    joined = _joined(addresses)
    summary = (
        f"Redis down, {REDIS_DOWN_JOINS} joins in {elapsed:.1f}s: {len(failed)} refused or failed, "
        f"{REDIS_DOWN_JOINS - len(joined)} not in the database"
    )
    print(summary)
    assert failed == {}, f"{summary}\n{log[-3000:]}"
    assert joined == set(addresses), summary
    # The welcome emails wait in the outbox (the broker was down too)...
    waiting = Delivery.objects.filter(person__email_addresses__address__in=addresses)
    assert waiting.filter(status=Delivery.Status.QUEUED).count() == REDIS_DOWN_JOINS
    # ...and go once Redis is back and the sweep runs (here in-process, to a local outbox).
    throwaway_redis.start()
    assert services.requeue_stale(older_than=timedelta(0)) >= REDIS_DOWN_JOINS
    assert waiting.filter(status=Delivery.Status.SENT).count() == REDIS_DOWN_JOINS
    assert {m.to[0] for m in mail.outbox} >= set(addresses)


# --- (b) PostgreSQL cut for a second during a burst of joins ------------------------------------

CLIENTS = 16
CUT_AT, CUT_FOR = 1.0, 1.0


@pytest.mark.postgres
def test_a_database_blip_during_a_burst_of_joins_gives_no_500_and_loses_nobody(pg_proxy, tmp_path):
    env = _base_env(DATABASE_URL=_database_url(pg_proxy.port))
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    with _gunicorn(env, tmp_path / "web.log") as base:
        joiners = [Joiner(base) for _ in range(CLIENTS)]
        # Warm up (the first join in a process loads the ZIP code table), so the burst is on.
        warm = [
            threading.Thread(target=j.join, args=(f"warm{n}@example.org",)) for n, j in enumerate(joiners)
        ]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        started = time.monotonic()
        until = started + CUT_AT + CUT_FOR + 1.5

        def keep_joining(n: int) -> None:
            i = 0
            while time.monotonic() < until:
                address = f"blip{n}-{i}@example.org"
                status = joiners[n].join(address)
                with lock:
                    statuses[address] = status
                i += 1

        threads = [threading.Thread(target=keep_joining, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(CUT_AT)
        pg_proxy.cut()
        time.sleep(CUT_FOR)
        pg_proxy.restore()
        for thread in threads:
            thread.join()
        # Back to normal: every join goes through.
        after = {f"after{n}@example.org": joiners[n].join(f"after{n}@example.org") for n in range(CLIENTS)}
    log = (tmp_path / "web.log").read_text()
    by_status = Counter(statuses.values())
    # A join is taken (a redirect) or the person is asked to try again (503); nothing else,
    # not a 500, nor the bare 400 Django gives when a session cannot be saved.
    errors = {a: s for a, s in statuses.items() if s >= 400 and s != 503}
    answered = [a for a, s in statuses.items() if s < 400]
    lost = set(answered) - _joined(answered)
    retried = log.count("retrying once")
    summary = (
        f"{len(statuses)} joins, database cut for {CUT_FOR}s ({pg_proxy.dropped} connections dropped): "
        f"statuses {dict(sorted(by_status.items()))}, {retried} retried, {len(lost)} answered but lost"
    )
    print(summary)
    assert errors == {}, f"{summary}\n{log[-3000:]}"
    assert lost == set(), summary
    # The cut did hit requests in flight (else this test proved nothing).
    assert by_status[503] + retried > 0, f"{summary}\n{log[-3000:]}"
    for page in (j.unavailable for j in joiners if j.unavailable):
        assert page.startswith("Retry-After: 10\n") and "try again" in page, page
    assert all(s < 400 for s in after.values()), after
    assert _joined(list(after)) == set(after)


# --- A real worker, and the mail it sends ----------------------------------------------------


def _people_with_deliveries(count: int, prefix: str) -> tuple[list[int], list[str]]:
    """`count` people with an address each and a queued delivery of one message: made in
    bulk, as the messaging core's `send` would leave them (not yet handed to the broker)."""
    people = Person.objects.bulk_create([Person(given_name=f"{prefix}{i}") for i in range(count)])
    addresses = [f"{prefix}{i}@example.org" for i in range(count)]
    EmailAddress.objects.bulk_create(
        [EmailAddress(person=p, address=a, primary=True) for p, a in zip(people, addresses, strict=True)]
    )
    message = Message.objects.create(
        subject="Hello {{ given_name }}", body_text="Dear {{ given_name }}", kind=Message.Kind.TRANSACTIONAL
    )
    deliveries = Delivery.objects.bulk_create([Delivery(message=message, person=p) for p in people])
    return [d.pk for d in deliveries], addresses


def _worker(env: dict[str, str], queue: str, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
            *extra,
        ],
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def _enqueue(env: dict[str, str], delivery_ids: list[int]) -> None:
    """Hand the deliveries to the broker from a process of its own, as the web tier does."""
    script = (
        "import django, sys; django.setup()\n"
        "from groundswell.messaging.services import enqueue\n"
        "enqueue([int(i) for i in sys.argv[1:]])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, delivery_ids)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def _received(sink) -> Counter:
    return Counter(str(m["To"]) for m in list(sink.messages))


def _worker_env(
    database_url: str, broker: str, queue: str, smtp_port: int, **overrides: str
) -> dict[str, str]:
    return _base_env(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        SITE_URL="http://groundswell.test",
        **overrides,
    )


SENDS = 300


@pytest.mark.worker
def test_a_database_blip_while_the_worker_sends_loses_no_mail_and_sends_none_twice(
    pg_proxy, throwaway_redis, smtp_server, tmp_path
):
    sink, smtp_port = smtp_server
    ids, addresses = _people_with_deliveries(SENDS, "blip")
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = _worker_env(_database_url(pg_proxy.port), throwaway_redis.url, queue, smtp_port)
    log = tmp_path / "worker.log"
    worker = _worker(env, queue, log)
    try:
        _enqueue(env, ids)
        # Cut the database off once the worker is well into the first batch.
        assert _wait_for(lambda: len(sink.messages) >= 40, timeout=30), log.read_text()[-3000:]
        pg_proxy.cut()
        cut_with = len(sink.messages)
        time.sleep(1.5)
        pg_proxy.restore()
        everyone = _wait_for(lambda: set(_received(sink)) >= set(addresses), timeout=45, every=0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    output = log.read_text()
    received = _received(sink)
    twice = sum(n - 1 for n in received.values())
    statuses = Counter(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True))
    summary = (
        f"{SENDS} emails, database cut after {cut_with}: {len(set(received) & set(addresses))} received, "
        f"{twice} twice, statuses {dict(statuses)}"
    )
    print(summary)
    assert everyone, f"{summary}\n{output[-4000:]}"
    assert twice <= 1, summary
    assert statuses == {Delivery.Status.SENT: SENDS}, f"{summary}\n{output[-4000:]}"
    assert "retrying what is left" in output, "the cut never reached the worker mid-batch"


class SlowSink:
    """An SMTP server taking a while over each message, so a batch is still going when the
    worker sending it is killed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope) -> str:
        import asyncio

        await asyncio.sleep(0.02)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def slow_smtp() -> Iterator[tuple[SlowSink, int]]:
    from aiosmtpd.controller import Controller

    port = _free_port()
    sink = SlowSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


KILLED_SENDS = 150


@pytest.mark.worker
def test_a_worker_killed_mid_batch_is_taken_over_within_the_time_limit(throwaway_redis, slow_smtp, tmp_path):
    require_postgres()
    sink, smtp_port = slow_smtp
    ids, addresses = _people_with_deliveries(KILLED_SENDS, "killed")
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    # Production waits 120 s for both (settings: CELERY_VISIBILITY_TIMEOUT, DELIVERY_STUCK_AFTER);
    # a test cannot, so the same mechanisms run on a shorter clock.
    env = _worker_env(
        _database_url(),
        throwaway_redis.url,
        queue,
        smtp_port,
        CELERY_VISIBILITY_TIMEOUT="4",
        DELIVERY_STUCK_AFTER="4",
        DELIVERY_SWEEP_EVERY="2",
    )
    log = tmp_path / "worker.log"
    first = _worker(env, queue, log)
    second = None
    try:
        _enqueue(env, ids)
        assert _wait_for(lambda: len(sink.messages) >= 30, timeout=30), log.read_text()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at, sent_by_first = time.monotonic(), len(sink.messages)
        assert sent_by_first < KILLED_SENDS, "the first worker finished before it was killed"
        # The next worker, with the scheduler (the sweep) beside it.
        second = _worker(env, queue, log, "--beat", "--schedule", str(tmp_path / "beat-schedule"))
        everyone = _wait_for(lambda: set(_received(sink)) >= set(addresses), timeout=50, every=0.2)
        taken_over_in = time.monotonic() - killed_at
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
    output = log.read_text()
    received = _received(sink)
    twice = sum(n - 1 for n in received.values())
    statuses = Counter(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True))
    summary = (
        f"{KILLED_SENDS} emails, worker killed after {sent_by_first}: the rest sent {taken_over_in:.1f}s "
        f"later, {len(set(received) & set(addresses))} received, {twice} twice, statuses {dict(statuses)}"
    )
    print(summary)
    assert everyone, f"{summary}\n{output[-4000:]}"
    assert twice <= 1, summary
    assert statuses == {Delivery.Status.SENT: KILLED_SENDS}, f"{summary}\n{output[-4000:]}"
