"""The current request's id as a context variable, so code that knows nothing of Flask can log and forward it."""

from __future__ import annotations

from contextvars import ContextVar

_REQUEST_ID: ContextVar[str | None] = ContextVar("ledgerlink_request_id", default=None)


def current_request_id() -> str | None:
    """Return the id of the request this thread is serving, or ``None`` outside a request."""
    return _REQUEST_ID.get()


def set_request_id(value: str | None) -> None:
    """Make ``value`` the current request id (``None`` when the request is over)."""
    _REQUEST_ID.set(value)
