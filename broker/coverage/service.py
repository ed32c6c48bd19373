"""Coverage inside a request: read the company's books through the upstream and run the check (Flask-aware)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from broker.coverage import store
from broker.review.books import Books, BooksCache
from broker.state import broker_state, db_session
from broker.storage.models import Account

BOOKS = "broker_books"  # the map-and-reconcile books cache (broker.views.review), shared so one review reads once


def read_books(account: Account) -> Books:
    """Read the company's books through the upstream (rate-limited per company, briefly cached)."""
    cache = current_app.extensions.get(BOOKS)
    if cache is None:
        cache = current_app.extensions[BOOKS] = BooksCache()
    state = broker_state()
    state.limits.company(account.account_key)
    books: Books = cache.get(state.upstreams[account.region], account.account_key)
    return books


def coverage_of(account: Account, *, skip_when_free: bool = False) -> dict[str, Any]:
    """Return the coverage check of a company (the same computation for the lender, the widget and success)."""
    return store.coverage_for(
        db_session(), account, lambda: read_books(account), now=broker_state().now(), skip_when_free=skip_when_free
    )
