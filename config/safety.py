"""A production server must not start with the development secret key: it signs
sessions, sign-in state and unsubscribe links, and anyone can read the default."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY = "groundswell-insecure-development-key-change-me"


def refuse_insecure_production() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == DEVELOPMENT_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is the public development key. Set SECRET_KEY to a long random value "
            "(or DEBUG=1 on a laptop)."
        )
