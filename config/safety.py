"""A production process must not start with the development secret key, nor without SITE_URL.

The key signs sessions, sign-in state, cancel and unsubscribe links, and anyone can read the
default. SITE_URL is the address in every email and share link; unset, it is the laptop's
127.0.0.1, and a worker would mail out links that lead nowhere.

Every entry point calls `refuse_insecure_production` before doing anything: the web
(config/wsgi.py, config/asgi.py), Celery's worker and beat (config/celery.py) and the
`groundswell` commands (groundswell/cli.py). Settings themselves do not refuse, so tools
that only read them (pytest, mypy's Django plugin) work on a laptop without a key; the
processes the tests start inherit a test key and SITE_URL from conftest.py.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "groundswell-insecure-development-key-change-me"


def production_problems(*, debug: bool, secret_key: str, site_url_set: bool) -> list[str]:
    """What stops a process with these settings from starting; nothing when DEBUG is on."""
    if debug:
        return []
    problems = []
    if secret_key == DEVELOPMENT_KEY:
        problems.append("SECRET_KEY is the public development key: set SECRET_KEY to a long random value.")
    if not site_url_set:
        problems.append("SITE_URL is not set: set it to the site's public address, e.g. https://example.org.")
    return problems


def refuse_insecure_production() -> None:
    problems = production_problems(
        debug=settings.DEBUG,
        secret_key=settings.SECRET_KEY,
        site_url_set=getattr(settings, "SITE_URL_SET", True),
    )
    if problems:
        raise ImproperlyConfigured(" ".join([*problems, "(On a laptop, DEBUG=1 allows both.)"]))
