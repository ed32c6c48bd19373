"""Readiness of one upstream region: a documented, authenticated call at most every ``interval`` seconds, remembered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from broker.upstream.client import UpstreamClient

CHECK_INTERVAL = 30.0  # seconds: probes arrive every few seconds from every load balancer; the upstream sees this rate


class UpstreamReadiness:
    """Answer "is this region usable?" from the last check, making a new one only when it is ``interval`` old.

    One check runs at a time; probes that arrive meanwhile answer from the previous result (or wait for the first).
    """

    def __init__(
        self, upstream: UpstreamClient, *, interval: float = CHECK_INTERVAL, clock: Callable[[], float] = time.time
    ) -> None:
        self._upstream = upstream
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._result: bool | None = None
        self._checked_at = 0.0

    def ready(self) -> bool:
        """Return the remembered result, refreshing it first when it is missing or too old."""
        if self._result is not None and self._clock() - self._checked_at < self._interval:
            return self._result
        if not self._lock.acquire(blocking=self._result is None):
            return bool(self._result)  # another thread is checking: the previous answer stands until it is done
        try:
            if self._result is None or self._clock() - self._checked_at >= self._interval:
                self._result = self._upstream.check_credentials()
                self._checked_at = self._clock()
            return self._result
        finally:
            self._lock.release()
