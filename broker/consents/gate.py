"""Each company's consent state remembered for at most a second per process, so that reads skip two queries.

A proxied read used to query the newest receipt and the lender's terms (and, for a link token, its scopes) before
every call upstream: two or three database round trips, a quarter of the broker's time per read. The gate keeps what
decides access (revoked or not, when access ends) per company for ``ttl`` seconds; the end of access is compared with
the broker's clock at every read, so expiry stays exact. A change made by this process (terms, a new receipt, a
revocation) is forgotten at once, after its commit; a change made by another process takes effect here within
``ttl`` seconds. A link token's scopes never change, so whether a token carries only ``read`` is remembered for good
(bounded). Nothing here knows Flask.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from broker.consents.store import LenderAccess, lender_access
from broker.storage.models import LinkToken

PROPAGATION_BOUND = 1.0  # seconds: the longest a change made by another process goes unseen here
MAX_ENTRIES = 10_000


class ConsentGate:
    """Answer "may the lender read this company now?" from a short-lived per-process memory of the database."""

    def __init__(self, ttl: float = PROPAGATION_BOUND, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._access: OrderedDict[int, tuple[LenderAccess, float]] = OrderedDict()
        self._read_only: OrderedDict[str, bool] = OrderedDict()
        self._generation = 0  # bumped by every ``forget``: a load that straddles one is not remembered
        self._lock = threading.Lock()

    def check(self, session: Callable[[], Session], account_id: int, now: datetime) -> None:
        """Raise ``ConsentRevoked`` or ``AccessExpired`` when the lender may no longer read the company at ``now``.

        ``session`` is called only when the database must be asked (no entry, or an entry older than ``ttl``).
        """
        entry = self._access.get(account_id)
        moment = self._monotonic()
        if entry is None or entry[1] <= moment:
            generation = self._generation
            access = lender_access(session(), account_id)
            with self._lock:
                if generation == self._generation:
                    self._access[account_id] = (access, moment + self._ttl)
                    self._access.move_to_end(account_id)
                    while len(self._access) > MAX_ENTRIES:
                        self._access.popitem(last=False)
            entry = (access, moment)
        entry[0].check(now)

    def forget(self, account_id: int) -> None:
        """Drop what is remembered of a company; call after committing a change to its terms or receipts."""
        with self._lock:
            self._generation += 1
            self._access.pop(account_id, None)

    def only_read(self, session: Callable[[], Session], jti: str) -> bool:
        """Whether the link token ``jti`` carries the ``read`` scope and nothing else (an unknown id: ``False``)."""
        known = self._read_only.get(jti)
        if known is not None:
            return known
        record = session().get(LinkToken, jti)
        if record is None:
            return False  # not remembered: a token recorded later is looked up again
        answer = record.scopes.split() == ["read"]
        with self._lock:
            self._read_only[jti] = answer
            while len(self._read_only) > MAX_ENTRIES:
                self._read_only.popitem(last=False)
        return answer
