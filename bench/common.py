"""What the in-process benchmarks share: production-like settings and running `groundswell`."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parent.parent


def setup_environment(database_url: str) -> dict[str, str]:
    """Settings as bench/join_queries.py: production defaults, DEBUG off (no query log)."""
    for name in ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "SESSION_ENGINE", "DATABASE_CONN_MAX_AGE"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "EMAIL_URL": "dummymail://",
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "SITE_URL": "http://127.0.0.1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    sys.path.insert(0, str(REPO))
    return dict(os.environ)


def manage(env: dict[str, str], *command: str) -> None:
    script = Path(sys.executable).parent / "groundswell"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "groundswell.cli"]
    result = subprocess.run([*argv, *command], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"groundswell {' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def admin_execute(postgres: str, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement on the server's `postgres` database (create, drop, look up)."""
    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def throwaway_database(name: str) -> tuple[str, str | None, Path | None]:
    """A fresh database `name` on the PostgreSQL server DATABASE_URL names (dropped and made
    again), or an SQLite file in a temporary directory: (the URL to use, the PostgreSQL
    server to drop it from, the temporary directory)."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(given)
        server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_execute(server, f'CREATE DATABASE "{name}"')
        return f"{server}/{name}", server, None
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    return f"sqlite:///{folder / 'bench.sqlite3'}", None, folder


def clean_up(postgres: str, database: str, *, drop: bool) -> None:
    """Close Django's connections and drop the throwaway database, whatever happened."""
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    if drop:
        try:
            admin_execute(postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"could not drop {database}: {error}", file=sys.stderr)


def print_errors(errors: list[str], limit: int = 5) -> None:
    """The first few errors of a run, and how many more there were."""
    for problem in errors[:limit]:
        print(f"    ! {problem}")
    if len(errors) > limit:
        print(f"    ! ... and {len(errors) - limit} more")
