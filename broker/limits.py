"""Rate limits: Flask-Limiter per address on every route, plus per-client and per-company budgets in its storage."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage

from broker.errors import TooManyRequests
from broker.observability.observe import NULL_OBSERVER, Observer

ADDRESS_MESSAGE = "Too many requests from this address; retry after Retry-After."
CLIENT_MESSAGE = "This client sends too many requests; slow down."
COMPANY_MESSAGE = "Too many reads for this company; slow down."
MEMORY_URI = "broker-memory://"  # the storage below, for a broker without Redis
_SWEEP_EVERY = 1.0  # seconds between sweeps of expired windows
MAX_REFUSED = 10_000  # addresses remembered as over budget (forgotten all at once beyond, like a cache)


class LazyExpiryMemoryStorage(MemoryStorage):
    """limits' memory storage, expiring windows as it goes instead of on a timer thread.

    The stock storage starts a new ``threading.Timer`` whenever the last one has run (every 10 ms under load); starting
    a thread cost about half a millisecond of every proxied read in the profile. Fixed windows need only ``incr``,
    ``get`` and ``get_expiry``, all served here under one lock, with expired keys dropped once a second.
    """

    STORAGE_SCHEME = ["broker-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def _drop_expired(self, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + _SWEEP_EVERY
            for key in [k for k, at in self.expirations.items() if at <= now]:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        with self._lock:
            now = time.time()
            self._drop_expired(now)
            if self.expirations.get(key, 0) <= now:
                self.storage[key] = 0
                self.expirations[key] = now + expiry
            self.storage[key] += amount
            return int(self.storage[key])

    def get(self, key: str) -> int:
        with self._lock:
            if self.expirations.get(key, 0) <= time.time():
                return 0
            return int(self.storage.get(key, 0))


class Limits:
    """Hit per-client and per-company budgets in the Limiter's storage (memory, or Redis shared by processes).

    Flask-Limiter counts every request per address before the view, one storage round trip of its own. The proxied
    reads are exempt from that check (``broker.auth.counts_client_itself``): they count the address in the same round
    trip as the client and the company (``reads``), and a read stopped before that (bad credentials, unknown company)
    counts it alone (``address``). An address found over its budget is refused in this process, before any other
    work (a password hash, a query), until its window ends.
    """

    def __init__(
        self,
        limiter: Limiter,
        *,
        per_client: str,
        per_company: str,
        per_address: str = "600 per minute",
        prefix: str = "broker:",
        observer: Observer = NULL_OBSERVER,
    ) -> None:
        self.limiter = limiter
        self.observer = observer
        self._per_client = parse(per_client)
        self._per_company = parse(per_company)
        self._per_address = parse(per_address)
        self._prefix = prefix
        self._refused_until: dict[str, float] = {}  # address counter's key -> end of its spent window
        self._refused_lock = threading.Lock()

    def _hit(self, item: RateLimitItem, kind: str, key: str, message: str) -> None:
        if not self.limiter.limiter.hit(item, self._prefix, kind, key):
            self._refuse(item, kind, key, message)

    def _refuse(self, item: RateLimitItem, kind: str, key: str, message: str) -> None:
        reset_at, _remaining = self.limiter.limiter.get_window_stats(item, self._prefix, kind, key)
        self.observer.rate_limited(kind)
        if kind == "address":
            with self._refused_lock:
                if len(self._refused_until) > MAX_REFUSED:
                    self._refused_until.clear()
                self._refused_until[key] = reset_at
        raise TooManyRequests(reset_at - time.time(), message)

    def refuse_spent_address(self, address: str, endpoint: str) -> None:
        """Raise ``TooManyRequests`` while this process knows the address has spent its budget for the endpoint."""
        key = _address_key(address, endpoint)
        until = self._refused_until.get(key)
        if until is not None:
            remaining = until - time.time()
            if remaining > 0:
                self.observer.rate_limited("address")
                raise TooManyRequests(remaining, ADDRESS_MESSAGE)
            self._refused_until.pop(key, None)

    def address(self, address: str, endpoint: str) -> None:
        """Count one request from this address to this endpoint (the key Flask-Limiter's own check uses), or raise."""
        self._hit(self._per_address, "address", _address_key(address, endpoint), ADDRESS_MESSAGE)

    def client(self, client_id: str) -> None:
        """Count one request for this client, or raise ``TooManyRequests``."""
        self._hit(self._per_client, "client", client_id, CLIENT_MESSAGE)

    def company(self, account_key: str) -> None:
        """Count one data read for this company, or raise ``TooManyRequests``."""
        self._hit(self._per_company, "company", _company_key(account_key), COMPANY_MESSAGE)

    def reads(self, client_id: str, account_key: str, address: str, endpoint: str) -> None:
        """Count one data read for the address, the client and the company, in one storage round trip; raise when
        any is spent (the address first).

        The same counters as ``address``, ``client`` and ``company``, so the budgets stay one (and global with
        Redis); only the number of round trips changes.
        """
        hits = (
            (self._per_address, "address", _address_key(address, endpoint), ADDRESS_MESSAGE),
            (self._per_client, "client", client_id, CLIENT_MESSAGE),
            (self._per_company, "company", _company_key(account_key), COMPANY_MESSAGE),
        )
        counts = self._incr_together([(item, kind, key) for item, kind, key, _message in hits])
        for (item, kind, key, message), count in zip(hits, counts, strict=True):
            if count > item.amount:
                self._refuse(item, kind, key, message)

    def _incr_together(self, hits: list[tuple[RateLimitItem, str, str]]) -> list[int]:
        """Increment several fixed windows; with Redis, in one pipeline of the script limits itself uses."""
        storage = self.limiter.limiter.storage
        keys = [item.key_for(self._prefix, kind, key) for item, kind, key in hits]
        results: list[Any] = [None] * len(hits)
        if isinstance(storage, RedisStorage):
            connection: Any = storage.get_connection()
            pipe = connection.pipeline(transaction=False)
            sha = storage.lua_incr_expire.sha
            for (item, _kind, _key), key in zip(hits, keys, strict=True):
                pipe.evalsha(sha, 1, storage.prefixed_key(key), item.get_expiry(), 1)
            results = pipe.execute(raise_on_error=False)
        # Not Redis, or the script is not loaded on this server yet (flushed, first use): limits' own call loads it.
        return [
            int(result) if isinstance(result, int) else storage.incr(key, item.get_expiry())
            for (item, _kind, _key), key, result in zip(hits, keys, results, strict=True)
        ]


def _address_key(address: str, endpoint: str) -> str:
    return f"{address}|{endpoint}"


def _company_key(account_key: str) -> str:
    """The per-company counter's name: storage keys must not hold the account key itself (a secret)."""
    return hashlib.sha256(account_key.encode()).hexdigest()[:24]
