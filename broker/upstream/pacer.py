"""Per-company pacing so that the broker stays below the upstream's 100 requests per second per company."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_COMPANIES = 10_000


class PacingTimeout(Exception):
    """Waiting for a free slot would pass the caller's deadline."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"pacing would wait {wait:.3f}s")
        self.wait = wait


class CompanyPacer:
    """A sliding one-second window per company: at most ``rate`` calls start in any second (in this process)."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate = max(1, int(rate))
        self._clock = clock
        self._sleep = sleep
        self._windows: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _reserve(self, company: str, max_wait: float) -> float:
        """Book the next free slot for ``company``; return how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            window = self._windows.pop(company, None) or deque()
            self._windows[company] = window
            while len(self._windows) > MAX_COMPANIES:
                self._windows.popitem(last=False)
            while window and window[0] <= now - 1.0:
                window.popleft()
            start = now if len(window) < self._rate else window[-self._rate] + 1.0
            if start - now > max_wait:
                raise PacingTimeout(start - now)
            window.append(start)
            return max(0.0, start - now)

    def acquire(self, company: str, max_wait: float) -> None:
        """Wait until ``company`` may send one more request, or raise ``PacingTimeout`` beyond ``max_wait``."""
        wait = self._reserve(company, max_wait)
        if wait > 0:
            self._sleep(wait)
