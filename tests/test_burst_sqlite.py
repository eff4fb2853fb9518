"""A burst of signups on the laptop default (SQLite) is slower, never lost.

A real server process (`groundswell runserver`, what `make run` starts) serves a fresh
SQLite file; fifty people join and fifty RSVP as guests to one event at the same moment,
each from their own browser (cookie jar, CSRF token). Every one must get an answer that
is not a server error, and every one must be in the database afterwards.
"""

import http.cookiejar
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

JOINS = 50
RSVPS = 50

# Made in the server's own database, as a host would make it.
EVENT_SCRIPT = """
from datetime import timedelta
from django.utils import timezone
from groundswell.accounts.actors import actor_for_person
from groundswell.events.services import EventDetails, host_event
from groundswell.people.services import PersonDetails, upsert_person
host, _ = upsert_person(details=PersonDetails(email="host@example.org", given_name="Hana"))
starts = timezone.now() + timedelta(days=7)
event = host_event(
    actor=actor_for_person(host),
    details=EventDetails(
        title="Burst rally", starts_at=starts, ends_at=starts + timedelta(hours=2), postal_code="10001"
    ),
)
print(event.uuid)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A join answers with a redirect; following it would only add load and measure the
    # next page. The status of the POST itself is what counts.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
    )


def _status(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=120) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the form"
    return found.group(1)


@pytest.fixture
def live_sqlite_server(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """(base URL, database file, event uuid) of a fresh server on its own SQLite file."""
    database = tmp_path / "burst.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        # The laptop default: no broker (jobs run in-process at commit), no Redis.
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "dummymail://",
        # A hundred people on one address (127.0.0.1) in a second: not what is under test.
        "RATE_LIMIT_JOIN": "",
        "RATE_LIMIT_RSVP": "",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    cli = [sys.executable, "-m", "groundswell.cli"]
    subprocess.run([*cli, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120)
    made = subprocess.run(
        [*cli, "shell", "-c", EVENT_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    event_uuid = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("BURST_WORKERS", "4"),
            "--threads",
            os.environ.get("BURST_THREADS", "8"),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/join/", timeout=2):
                    break
            except (urllib.error.URLError, OSError):  # refused, reset, or a worker still starting
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield base, database, event_uuid
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_a_burst_of_joins_and_rsvps_on_sqlite_loses_no_one(live_sqlite_server):
    base, database, event_uuid = live_sqlite_server
    join_url, event_url = f"{base}/join/", f"{base}/events/{event_uuid}/"
    jobs = [("join", i) for i in range(JOINS)] + [("rsvp", i) for i in range(RSVPS)]
    # Each browser fetches its form first (its CSRF cookie and token), then all post at once.
    browsers = [_browser() for _ in jobs]
    tokens = [
        _csrf_token(_status(browser, join_url if kind == "join" else event_url)[1])
        for browser, (kind, _) in zip(browsers, jobs, strict=True)
    ]
    barrier = threading.Barrier(len(jobs))
    statuses: dict[tuple[str, int], int] = {}

    def post(n: int) -> None:
        kind, i = jobs[n]
        if kind == "join":
            url = join_url
            fields = {
                "given_name": f"Joiner{i}",
                "email": f"joiner{i}@example.org",
                "postal_code": "10001",
                "email_consent": "on",
            }
        else:
            url = f"{event_url}rsvp/"
            fields = {"given_name": f"Guest{i}", "email": f"guest{i}@example.org"}
        barrier.wait()
        try:
            statuses[jobs[n]] = _status(browsers[n], url, {**fields, "csrfmiddlewaretoken": tokens[n]})[0]
        except OSError:  # no answer at all (a reset connection) is as bad as a server error
            statuses[jobs[n]] = 599

    started = time.monotonic()
    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    errors = {job: status for job, status in statuses.items() if status >= 500}
    with sqlite3.connect(database) as db:
        joined = {
            row[0]
            for row in db.execute("SELECT address FROM people_emailaddress WHERE address LIKE 'joiner%'")
        }
        rsvped = {
            row[0]
            for row in db.execute(
                "SELECT e.address FROM events_attendance a"
                " JOIN events_event ev ON ev.id = a.event_id"
                " JOIN people_emailaddress e ON e.person_id = a.person_id"
                " WHERE ev.uuid = ?",
                (event_uuid.replace("-", ""),),
            )
        }
    summary = (
        f"in {elapsed:.1f}s: {len(errors)} of {len(jobs)} answered with a server error, "
        f"{JOINS - len(joined)} of {JOINS} joins and {RSVPS - len(rsvped)} of {RSVPS} RSVPs lost"
    )
    print(summary)
    assert errors == {}, f"{summary}: {sorted(errors.items())}"
    assert joined == {f"joiner{i}@example.org" for i in range(JOINS)}, summary
    assert rsvped == {f"guest{i}@example.org" for i in range(RSVPS)}, summary
