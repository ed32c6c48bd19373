"""The upstream's app catalogue, remembered per region for a minute (opening the widget then waits on one call).

With it remembered, the frame's bootstrap call asks the upstream only for the company's connections, not three times.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from broker.upstream import UpstreamClient
from common.pagination import TooManyPages, iter_all

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
MAX_CATALOGUE_PAGES = 20
# One entry per region: a broker has a handful (US, Canada, custom roots); the bound only guards against misuse.
MAX_REGIONS = 32


def read_catalogue(upstream: UpstreamClient, account_key: str) -> list[dict[str, Any]]:
    """Return the upstream's app catalogue rows (every page, up to ``MAX_CATALOGUE_PAGES``), read as one company."""

    def page(number: int) -> list[Any]:
        answer = json.loads(upstream.get_data(account_key, "integrations", [("page", str(number))]).content)
        return answer if isinstance(answer, list) else []

    rows: list[dict[str, Any]] = []
    try:
        rows.extend(
            r
            for r in iter_all(page, max_pages=MAX_CATALOGUE_PAGES)
            if isinstance(r, dict) and isinstance(r.get("key"), str)
        )
    except TooManyPages:  # a catalogue is shown, not summed: the first pages are still worth showing
        log.warning("the app catalogue runs past %d pages; the widget shows the first ones", MAX_CATALOGUE_PAGES)
    return rows


class CatalogueCache:
    """The catalogue of each region for ``ttl`` seconds, in this process (``ttl`` 0: always read).

    The catalogue is the tenant's list of apps, the same for every company of a region; it changes when the platform
    adds or retires an app, so a new app shows in the widget at most ``ttl`` seconds late. A failed read is not
    remembered, nor an empty catalogue (the next opening asks again).
    """

    def __init__(self, ttl: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, tuple[dict[str, Any], ...]]] = {}

    def get(self, upstream: UpstreamClient, account_key: str) -> list[dict[str, Any]]:
        """Return the catalogue of ``upstream``'s region, read as the company ``account_key`` when not remembered."""
        region, now = upstream.region.name, self.clock()
        with self._lock:
            cached = self._items.get(region)
        if cached is not None and now - cached[0] < self.ttl:
            return [dict(row) for row in cached[1]]
        rows = read_catalogue(upstream, account_key)
        if rows and self.ttl > 0:
            with self._lock:
                if region not in self._items and len(self._items) >= MAX_REGIONS:
                    del self._items[min(self._items, key=lambda name: self._items[name][0])]
                self._items[region] = (now, tuple(dict(row) for row in rows))
        return rows
