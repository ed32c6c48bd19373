"""Parsing of the API's date parameters: ISO 8601 instants or the YYYY-MM-DD shorthand, always UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

_SHORTHAND = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
MAX_LENGTH = 40


def parse_bound(value: str, *, end: bool) -> datetime:
    """Parse a ``start`` (``end=False``) or ``end`` (``end=True``) parameter into an aware UTC datetime.

    ``YYYY-MM-DD`` means ``T00:00:00Z`` for a start and ``T23:59:59Z`` for an end. Anything else must be a full ISO
    8601 instant with ``Z`` or an offset. Raises ``ValueError`` with a sentence fit for an API error otherwise.
    """
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise ValueError("must be a date YYYY-MM-DD or an ISO 8601 instant like 2021-05-13T05:03:23Z")
    text = value.strip()
    try:
        if _SHORTHAND.match(text):
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59) if end else time(0, 0, 0), tzinfo=UTC)
        if _INSTANT.match(text):
            return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    raise ValueError("must be a date YYYY-MM-DD or an ISO 8601 instant like 2021-05-13T05:03:23Z")


def parse_day(value: str) -> date:
    """Parse a strict ``YYYY-MM-DD`` day (e.g. ``as_of``); raises ``ValueError`` with a clear sentence."""
    if not isinstance(value, str) or not _SHORTHAND.match(value.strip()):
        raise ValueError("must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def iso(moment: datetime) -> str:
    """Format a datetime as the API does: ``2021-05-13T05:03:23Z`` (a naive one is taken to be UTC already)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (one place to freeze in tests)."""
    return datetime.now(UTC)
