"""Page-number pagination, the upstream's and our APIs': 30 objects a page, ``page`` from 1 until an empty array."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from marshmallow import Schema, fields, validate

PAGE_SIZE = 30
MAX_PAGE = 1_000_000


def parse_page(value: str | None) -> int:
    """Parse the ``page`` parameter (default 1); raise ``ValueError`` with a clear sentence when it is not valid."""
    if value is None or value == "":
        return 1
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 7:
        raise ValueError(f"must be a whole number from 1 to {MAX_PAGE}")
    page = int(value)
    if not 1 <= page <= MAX_PAGE:
        raise ValueError(f"must be a whole number from 1 to {MAX_PAGE}")
    return page


def page_answer(items: list[Any], page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of a collection as an API answers it: ``data``, ``page``, and ``next_page`` (None when not full)."""
    return {"data": items, "page": page, "next_page": page + 1 if len(items) == size else None}


class PageQuerySchema(Schema):
    """The ``page`` query parameter of an API's collection."""

    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE), metadata={"description": "1-based"})


class PageSchema(Schema):
    """A page of a collection as ``page_answer`` makes it; a subclass says what ``data`` holds."""

    data = fields.List(fields.Raw(), required=True)
    page = fields.Integer(required=True)
    next_page = fields.Integer(allow_none=True)


class TooManyPages(ValueError):
    """A collection ran past the most pages its reader accepts: refused rather than silently cut short."""


def iter_all(fetch_page: Callable[[int], list[Any]], *, max_pages: int = MAX_PAGE) -> Iterator[Any]:
    """Yield every object of a collection by calling ``fetch_page(n)`` for n = 1, 2, ... until an empty page.

    Raises ``TooManyPages`` when page ``max_pages`` is still not empty, so a reader never takes part of a collection
    for all of it.
    """
    for page in range(1, max_pages + 1):
        items = fetch_page(page)
        if not items:
            return
        yield from items
    raise TooManyPages(f"more than {max_pages} pages")
