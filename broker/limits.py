"""Rate limits: Flask-Limiter per address on every route, plus per-client and per-company budgets in its storage."""

from __future__ import annotations

import hashlib
import time

from flask_limiter import Limiter
from limits import parse

from broker.errors import TooManyRequests
from broker.observability.observe import NULL_OBSERVER, Observer


class Limits:
    """Hit per-client and per-company budgets in the Limiter's storage (memory, or Redis shared by processes)."""

    def __init__(
        self,
        limiter: Limiter,
        *,
        per_client: str,
        per_company: str,
        prefix: str = "broker:",
        observer: Observer = NULL_OBSERVER,
    ) -> None:
        self.limiter = limiter
        self.observer = observer
        self._per_client = parse(per_client)
        self._per_company = parse(per_company)
        self._prefix = prefix

    def _hit(self, item: object, kind: str, key: str, message: str) -> None:
        strategy = self.limiter.limiter
        if not strategy.hit(item, self._prefix, kind, key):  # type: ignore[arg-type]
            reset_at, _remaining = strategy.get_window_stats(item, self._prefix, kind, key)  # type: ignore[arg-type]
            self.observer.rate_limited(kind)
            raise TooManyRequests(reset_at - time.time(), message)

    def client(self, client_id: str) -> None:
        """Count one request for this client, or raise ``TooManyRequests``."""
        self._hit(self._per_client, "client", client_id, "This client sends too many requests; slow down.")

    def company(self, account_key: str) -> None:
        """Count one data read for this company, or raise ``TooManyRequests``."""
        # Storage keys must not hold the account key itself (it is a secret): use a digest.
        digest = hashlib.sha256(account_key.encode()).hexdigest()[:24]
        self._hit(self._per_company, "company", digest, "Too many reads for this company; slow down.")
