"""A short-lived, in-process memory of which account key belongs to which client (one database read less per read)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from broker.lender.accounts import account_for

MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class AccountRef:
    """What the proxy needs of an account; none of it changes once the account exists."""

    id: int
    account_key: str
    client_id: str
    region: str


class AccountCache:
    """Remember found accounts for ``ttl`` seconds; a missing or foreign account is never remembered.

    Accounts are never deleted nor moved to another client, so an entry cannot become wrong; the time limit only keeps
    memory fresh. Misses always go to the database, so a new account is usable at once.
    """

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[AccountRef, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Callable[[], Session], client_id: str, account_key: str) -> AccountRef:
        """Return the client's account with this key or raise ``NotFound`` (as ``accounts.account_for`` does).

        ``session`` is called only on a miss: a read served from memory opens no database session at all.
        """
        now = self._clock()
        entry = self._entries.get((client_id, account_key))
        if entry is not None and entry[1] > now:
            return entry[0]
        account = account_for(session(), client_id, account_key)
        ref = AccountRef(account.id, account.account_key, account.client_id, account.region)
        with self._lock:
            self._entries[(client_id, account_key)] = (ref, now + self._ttl)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return ref
