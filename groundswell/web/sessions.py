"""Sessions in the database (SESSION_ENGINE), telling a database outage from a lost session.

Django's database sessions report any database error while saving an existing session as
"the session was deleted meanwhile", which SessionMiddleware answers with a bare 400 Bad
Request. When the database was merely unreachable (a restart, a dropped connection) the
error is raised as it is instead, so DatabaseUnavailableMiddleware (web/middleware.py)
answers with its 503 asking the person to try again.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    def _get_new_session_key(self) -> str:
        # Django asks the database whether a new random key is taken before using it. With
        # 32 characters from 36 that never happens in practice, and if it did, creating the
        # session would fail on the unique key and `create` would draw again: one statement
        # fewer on every first visit that stores something (a join, an RSVP).
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, OperationalError | InterfaceError):
                raise cause from None
            raise
