"""When the database is briefly out of reach, a request is retried once or answered with a 503.

A PostgreSQL restart of about a second cost 53 to 77 of 200 joins as 500s: the connection a
request held was closed under it, or a new one was refused. Those requests are now:

* retried once, after a short pause, when nothing they wrote had been committed: every write
  of a failed transaction was rolled back with it, so running the view again cannot apply
  anything twice. A write committed before the failure (an autocommit statement, a finished
  atomic block) makes the request unsafe to run again, and it is not retried;
* otherwise, or when the retry fails too, answered with "503 Service Unavailable", a
  Retry-After header and a page asking the person to try again in a moment. The page is
  rendered without a request context: the usual base template asks the database who is
  signed in.

SQLite's "database is locked" is not retried: it is raised only after the busy timeout
(20 s, config/settings.py) ran out, and waiting longer would only hold the request. It is
answered with the 503 too.

The middleware sits outside the session, authentication and allauth middleware, so a failure
in any of them (a session saved after the view) is caught as well as one in the view: Django
turns those into a 500 response before they reach us, and `got_request_exception` tells us
which error it was. (Django's database sessions would disguise an unreachable database as a
deleted session, a bare 400; web/sessions.py lets the real error through.)
"""

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

# Long enough for a restarting PostgreSQL to listen again, short enough that a person waits.
RETRY_PAUSE = 1.0
RETRY_AFTER_SECONDS = 10
_FAULT = "_groundswell_db_fault"


def is_database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


def _is_sqlite_lock(error: BaseException) -> bool:
    return "database is locked" in str(error)


# Statements that change data. WITH may (a data-modifying CTE), so it counts.
_WRITES = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "MERGE",
    "WITH",
    "CREATE",
    "ALTER",
    "DROP",
    "TRUNCATE",
    "COPY",
)


class _CommittedWrites:
    """An execute wrapper noting whether any write of this request has been committed: at
    once for a statement in autocommit mode, when the transaction commits for one inside an
    atomic block (a rolled-back one never counts)."""

    def __init__(self) -> None:
        self.committed = False

    def _mark(self) -> None:
        self.committed = True

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        result = execute(sql, params, many, context)
        if not self.committed and sql.lstrip()[:8].upper().startswith(_WRITES):
            connection = context["connection"]
            if connection.in_atomic_block:
                # robust: another hook raising after the commit must not hide that it happened
                connection.on_commit(self._mark, robust=True)
            else:
                self._mark()
        return result


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = _CommittedWrites()
        response = self._attempt(request, writes)
        fault = getattr(request, _FAULT, None)
        if fault is None:
            return response
        if writes.committed or _is_sqlite_lock(fault):
            log.warning("database unavailable for %s %s: %s", request.method, request.path, fault)
            return unavailable_response(request)
        log.warning("database unavailable for %s %s, retrying once: %s", request.method, request.path, fault)
        _reset(request)
        time.sleep(RETRY_PAUSE)
        response = self._attempt(request, _CommittedWrites())
        fault = getattr(request, _FAULT, None)
        if fault is None:
            return response
        log.warning("database still unavailable for %s %s: %s", request.method, request.path, fault)
        return unavailable_response(request)

    def _attempt(self, request: HttpRequest, writes: _CommittedWrites) -> HttpResponse:
        setattr(request, _FAULT, None)
        # connections.all() makes this thread's connection objects without connecting.
        for connection in connections.all():
            connection.execute_wrappers.append(writes)
        try:
            return self.get_response(request)
        finally:
            for connection in connections.all():
                if writes in connection.execute_wrappers:
                    connection.execute_wrappers.remove(writes)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A view's error: answered here, so Django does not log it as a server error; the
        # caller above decides between the retry and the 503.
        if is_database_unavailable(exception) and hasattr(request, _FAULT):
            setattr(request, _FAULT, exception)
            return unavailable_response(request)
        return None


def _note_fault(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """An error in a middleware inside ours (the session saved after the view), which Django
    has already turned into a 500: remember it, so that the 500 becomes the retry or a 503."""
    error = sys.exc_info()[1]
    if request is not None and hasattr(request, _FAULT) and is_database_unavailable(error):
        setattr(request, _FAULT, error)


got_request_exception.connect(_note_fault, dispatch_uid="groundswell.web.middleware.note_fault")


def _reset(request: HttpRequest) -> None:
    """Forget what the failed attempt left behind: the broken connections (reopened on the next
    query) and the user it loaded (loaded again from the new session)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
    for attribute in ("_cached_user", "_acached_user"):
        if hasattr(request, attribute):
            delattr(request, attribute)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    # Whoever reads request.user after us (the security headers ask whether the visitor is
    # signed in) must not go to the database for it: this page is the same for everyone.
    request.user = AnonymousUser()
    response = HttpResponse(render_to_string("503.html", {"site_name": settings.SITE_NAME}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
