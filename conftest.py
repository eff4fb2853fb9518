"""Fixtures shared by every test: personas, factories, a real SMTP server, no outside network."""

import os
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message as EmailMessage

import pytest
from django.test import Client

from config.celery import app as celery_app

# Processes the tests start (a Celery worker, gunicorn, `groundswell` commands) run with DEBUG
# off and so refuse the development SECRET_KEY and an unset SITE_URL (config/safety.py): they
# inherit these test-only values unless the run sets its own. (The settings of this process
# are already loaded and do not refuse.)
os.environ.setdefault("SECRET_KEY", "groundswell-tests-only-not-a-secret")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop; Django refuses sync ORM calls while one
    # is running in the thread unless told this is deliberate (tests only).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process() -> Iterator[None]:
    """Tasks run at commit time inside the test, even when a broker is configured
    (the CI run against Redis); the worker test switches this off for itself."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


_real_connect = socket.socket.connect


def _local_only_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    local = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}  # noqa: S104
    if (
        isinstance(host, str)
        and self.family in (socket.AF_INET, socket.AF_INET6)
        and host not in local
        and not host.startswith("127.")
    ):
        raise OSError(f"tests may not reach the network (tried {host})")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_outside_network() -> Iterator[None]:
    socket.socket.connect = _local_only_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


# --- Personas -----------------------------------------------------------------------------


@pytest.fixture
def make_member(db: None):
    """A factory of members: a person with an email address and a sign-in account
    (`groundswell.accounts.tests.factories.MemberFactory`)."""
    from groundswell.accounts.models import Role
    from groundswell.accounts.tests.factories import MemberFactory

    def make(
        given_name: str = "Member",
        *,
        email: str | None = None,
        role: Role = Role.MEMBER,
        recruited_by=None,
        postal_code: str = "10001",
    ):
        extra = {"email": email} if email else {}
        return MemberFactory(
            given_name=given_name, role=role, recruited_by=recruited_by, postal_code=postal_code, **extra
        )

    return make


@pytest.fixture
def actor():
    """`actor(user)`: the Actor a signed-in user is; `actor(None)` an anonymous visitor."""
    from groundswell.accounts.actors import ANONYMOUS
    from groundswell.accounts.tests.factories import actor_of

    return lambda user: ANONYMOUS if user is None else actor_of(user)


@pytest.fixture
def member(make_member):
    return make_member("Maya")


@pytest.fixture
def organizer(make_member):
    from groundswell.accounts.models import Role

    return make_member("Olu", role=Role.ORGANIZER)


@pytest.fixture
def outsider(make_member):
    return make_member("Otto")


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# --- A real SMTP server -------------------------------------------------------------------


class SMTPSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SMTPSink, int]]:
    """A local SMTP server (aiosmtpd) on a free port; yields (sink, port)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache, the district index in the process: each test
    starts with neither."""
    from django.core.cache import cache

    from groundswell.advocacy import districts

    cache.clear()
    # The district index lives in the process, outside the database each test rolls back.
    districts.forget()
    yield
