"""Read a company's books from the upstream: every page of a collection, kept briefly so one review reads once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from broker.upstream import UpstreamClient
from broker.upstream.errors import UpstreamBadGateway
from common.pagination import TooManyPages, iter_all

MAX_PAGES = 2000  # 60,000 objects: more than a small business's year; past that we refuse rather than truncate
CACHE_SECONDS = 30.0
CACHE_COMPANIES = 64


def read_all(
    upstream: UpstreamClient, account_key: str, object_name: str, max_pages: int = MAX_PAGES
) -> list[dict[str, Any]]:
    """Read pages 1, 2, ... of one collection until an empty page; refuse a collection longer than ``max_pages``."""

    def fetch(page: int) -> list[Any]:
        answer = json.loads(upstream.get_data(account_key, object_name, [("page", str(page))]).content)
        if not isinstance(answer, list):
            raise UpstreamBadGateway("The upstream answered a collection with something that is not a list.")
        return answer

    try:
        return [item for item in iter_all(fetch, max_pages=max_pages) if isinstance(item, dict)]
    except TooManyPages:
        raise UpstreamBadGateway(
            f"The company's {object_name} run past {max_pages} pages; the broker will not guess."
        ) from None


@dataclass(frozen=True)
class Books:
    """The collections map and reconcile read, for one company at one moment."""

    accounts: list[dict[str, Any]]
    journal_entries: list[dict[str, Any]]
    bank_accounts: list[dict[str, Any]]
    bank_transactions: list[dict[str, Any]]

    @property
    def ledger_accounts(self) -> list[dict[str, Any]]:
        """The chart of accounts without archived accounts that nothing was posted to."""
        posted = {str(line.get("account_id")) for e in self.journal_entries for line in e.get("lines") or []}
        return [a for a in self.accounts if a.get("status") != "archived" or str(a.get("id")) in posted]


class BooksCache:
    """Books per account key for ``ttl`` seconds (in this process only), so a save right after a read reads nothing."""

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Books]] = {}

    def get(self, upstream: UpstreamClient, account_key: str, *, fresh: bool = False) -> Books:
        """Return the company's books, read from the upstream when not cached, too old, or ``fresh`` is asked."""
        now = self.clock()
        with self._lock:
            cached = self._items.get(account_key)
        if cached is not None and not fresh and now - cached[0] < self.ttl:
            return cached[1]
        books = Books(
            accounts=read_all(upstream, account_key, "accounts"),
            journal_entries=read_all(upstream, account_key, "journal_entries"),
            bank_accounts=read_all(upstream, account_key, "bank_accounts"),
            bank_transactions=read_all(upstream, account_key, "bank_transactions"),
        )
        with self._lock:
            if len(self._items) >= CACHE_COMPANIES:
                oldest = min(self._items, key=lambda key: self._items[key][0])
                del self._items[oldest]
            self._items[account_key] = (now, books)
        return books

    def forget(self, account_key: str) -> None:
        """Drop a company's books (an app was just connected: the next read must see its data)."""
        with self._lock:
            self._items.pop(account_key, None)
