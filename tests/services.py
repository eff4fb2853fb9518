"""Helpers for tests that need the machine's services (PostgreSQL, Redis, Chromium).

Locally a missing service skips the test with the reason; under .ci/run
(GROUNDSWELL_REQUIRE_SERVICES=1) it fails, so CI can never pass by skipping.
"""

import os
import shutil

import pytest
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _missing(reason: str) -> None:
    if os.environ.get("GROUNDSWELL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required for this run: {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    """PostgreSQL-only tests skip on SQLite, even in CI: CI's second pass runs them on
    PostgreSQL, and sets GROUNDSWELL_EXPECT_POSTGRES so they cannot skip there."""
    if connection.vendor != "postgresql":
        if os.environ.get("GROUNDSWELL_EXPECT_POSTGRES") == "1":
            pytest.fail("this pass was meant to run on PostgreSQL")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://…")


def require_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as error:  # any failure means "not here"
        _missing(f"needs Redis at {url} ({error})")


def require_chromium() -> str:
    if not os.path.exists(CHROMIUM):
        _missing("needs Debian's chromium (apt-get install chromium); .ci/run installs it")
    return CHROMIUM


AXE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node_modules", "axe-core", "axe.min.js"
)


def require_axe() -> str:
    """axe-core, from the npm registry (`make test` runs `npm ci` where npm is installed)."""
    if not os.path.exists(AXE):
        _missing("needs axe-core from npm (npm ci); make test installs it where npm is, .ci/run installs npm")
    return AXE
