"""Production settings: every process refuses the development key and an unset SITE_URL with
DEBUG off; behind the TLS proxy the settings make the site HTTPS only (the headers themselves
are tested in groundswell/web/tests/test_security.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.safety import DEVELOPMENT_KEY, production_problems

REPO = Path(__file__).resolve().parents[3]


def environment(**values: str) -> dict[str, str]:
    """This process's environment without the settings under test, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "SITE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return {**env, **values}


def run(argv: list[str], **values: str) -> subprocess.CompletedProcess[str]:
    # A refusing process ends in seconds; one that starts (a worker waiting for its broker)
    # would not, and times out.
    return subprocess.run(
        [sys.executable, *argv],
        env=environment(**values),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


GOOD = {"SECRET_KEY": "a-real-secret-" + "x" * 40, "SITE_URL": "https://groundswell.example"}


# --- Refusing to start -----------------------------------------------------------------


def test_the_rules():
    assert production_problems(debug=True, secret_key=DEVELOPMENT_KEY, site_url_set=False) == []
    assert production_problems(debug=False, secret_key="s3cret", site_url_set=True) == []
    key, site = production_problems(debug=False, secret_key=DEVELOPMENT_KEY, site_url_set=False)
    assert "SECRET_KEY" in key and "SITE_URL" in site
    assert len(production_problems(debug=False, secret_key="s3cret", site_url_set=False)) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "groundswell.cli", "check"],  # every `groundswell` command
        ["-c", "import config.wsgi"],  # gunicorn
        ["-c", "import config.asgi"],
        ["-m", "celery", "-A", "config", "worker", "--pool", "solo"],
        ["-m", "celery", "-A", "config", "beat"],
    ],
    ids=["command", "wsgi", "asgi", "worker", "beat"],
)
def test_every_process_refuses_the_development_key_and_a_missing_site_url(argv):
    no_key = run(argv, SITE_URL=GOOD["SITE_URL"])
    assert no_key.returncode != 0 and "SECRET_KEY is the public development key" in no_key.stderr
    no_site = run(argv, SECRET_KEY=GOOD["SECRET_KEY"])
    assert no_site.returncode != 0 and "SITE_URL is not set" in no_site.stderr
    assert "SECRET_KEY is the public development key" not in no_site.stderr


@pytest.mark.parametrize("values", [GOOD, {"DEBUG": "1"}], ids=["production", "laptop"])
def test_a_command_starts_with_a_key_and_a_site_or_on_a_laptop(values):
    result = run(["-m", "groundswell.cli", "check"], **values)
    assert result.returncode == 0, result.stderr
    assert run(["-c", "import config.wsgi"], **values).returncode == 0


SETTINGS_SCRIPT = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in [
    "SITE_URL", "SITE_URL_SET", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "ALLAUTH_TRUSTED_PROXY_COUNT",
]}))
"""


def settings_with(**values: str) -> dict[str, object]:
    result = run(["-c", SETTINGS_SCRIPT], **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_behind_the_tls_proxy_the_site_is_https_only():
    behind = settings_with(BEHIND_TLS_PROXY="1", **GOOD)
    assert behind["SECURE_SSL_REDIRECT"] is True
    assert behind["SECURE_HSTS_SECONDS"] == 365 * 86400
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["SESSION_COOKIE_SECURE"] is behind["CSRF_COOKIE_SECURE"] is True
    assert behind["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1
    laptop = settings_with(DEBUG="1")
    assert laptop["SECURE_SSL_REDIRECT"] is False and laptop["SECURE_HSTS_SECONDS"] == 0
    assert laptop["SECURE_PROXY_SSL_HEADER"] is None and laptop["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0


def test_settings_tell_an_unset_site_url_from_the_laptop_default():
    unset = settings_with(DEBUG="1")
    assert unset["SITE_URL"] == "http://127.0.0.1:8000" and unset["SITE_URL_SET"] is False
    given = settings_with(DEBUG="1", SITE_URL="http://127.0.0.1:8000/")
    assert given["SITE_URL"] == "http://127.0.0.1:8000" and given["SITE_URL_SET"] is True
