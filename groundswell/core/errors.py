"""Errors that services raise and adapters (views, API, commands) translate.

A service never returns half a result: it raises one of these, with a message
fit to show the person who asked, and its transaction rolls back.
"""


class GroundswellError(Exception):
    """Base for errors a person can be told about."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(GroundswellError):
    """The input is wrong; `field` names the part to fix when there is one."""


class NotFound(GroundswellError):
    """The object does not exist, or the actor may not know that it does."""


class PermissionDenied(GroundswellError):
    """The actor may see the object but not do this to it."""


class RateLimited(GroundswellError):
    """The same person or address has done this too often lately; they may try again later.
    `retry_after` is the number of seconds to wait, for a Retry-After header."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
