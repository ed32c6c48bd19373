"""A transport that retries another transport: backoff with full jitter, ``Retry-After``, attempt limit, deadline."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from common.backoff import backoff_ceiling

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
# Errors that prove the request never reached the upstream: safe to retry for any method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after the request may have been received: retried for idempotent methods only.
_MAYBE_SENT = (httpx.ReadError, httpx.ReadTimeout, httpx.WriteError, httpx.WriteTimeout, httpx.RemoteProtocolError)
# A request extension: make one attempt only (probes must not multiply what they send).
SINGLE_ATTEMPT = "broker.single_attempt"


class DeadlineExceeded(httpx.TimeoutException):
    """The overall deadline for one logical request passed (across all attempts)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts in all, backoff base and cap, the longest ``Retry-After`` honoured, and a deadline."""

    max_attempts: int = 4
    backoff_base: float = 0.2
    backoff_max: float = 2.0
    retry_after_cap: float = 5.0
    deadline: float = 15.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or ``None``."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(min(int(text), 86_400))
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


class RetryTransport(httpx.BaseTransport):
    """Wrap ``transport`` and retry 5xx, 429 and connection failures; never other 4xx; stop at the deadline."""

    def __init__(
        self,
        transport: httpx.BaseTransport,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self._transport = transport
        self._on_retry = on_retry or (lambda _reason: None)
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def _backoff(self, attempt: int) -> float:
        return self._rng.uniform(0, backoff_ceiling(attempt, self.policy.backoff_base, self.policy.backoff_max))

    def _with_timeout(self, request: httpx.Request, remaining: float) -> None:
        """Shrink every phase timeout of this attempt so that it cannot outlive the deadline."""
        current = dict(request.extensions.get("timeout") or {})
        for phase in ("connect", "read", "write", "pool"):
            configured = current.get(phase)
            current[phase] = remaining if configured is None else min(configured, remaining)
        request.extensions = {**request.extensions, "timeout": current}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = self._clock() + self.policy.deadline
        max_attempts = 1 if request.extensions.get(SINGLE_ATTEMPT) else self.policy.max_attempts
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise DeadlineExceeded("upstream deadline passed", request=request)
            self._with_timeout(request, remaining)
            try:
                response = self._transport.handle_request(request)
            except httpx.TransportError as error:
                retryable = isinstance(error, _NOT_SENT) or (
                    request.method in IDEMPOTENT and isinstance(error, _MAYBE_SENT)
                )
                delay = self._backoff(attempt)
                if not retryable or attempt >= max_attempts or self._clock() + delay >= deadline:
                    if isinstance(error, httpx.TimeoutException) and self._clock() >= deadline - 0.001:
                        raise DeadlineExceeded("upstream deadline passed", request=request) from error
                    raise
                log.info("upstream %s, retry %d in %.2fs", type(error).__name__, attempt, delay)
                self._on_retry("connection")
                self._sleep(delay)
                continue
            delay_or_none = self._retry_delay(request, response, attempt)
            if delay_or_none is None or attempt >= max_attempts:
                return response
            if self._clock() + delay_or_none >= deadline:
                return response
            response.close()
            log.info("upstream status %d, retry %d in %.2fs", response.status_code, attempt, delay_or_none)
            self._on_retry("429" if response.status_code == 429 else "5xx")
            self._sleep(delay_or_none)

    def _retry_delay(self, request: httpx.Request, response: httpx.Response, attempt: int) -> float | None:
        """Return how long to wait before retrying this response, or ``None`` when it must not be retried."""
        status = response.status_code
        if status == 429:
            asked = parse_retry_after(response.headers.get("Retry-After"), self._wall_clock())
            if asked is None:
                return self._backoff(attempt)
            if asked > self.policy.retry_after_cap:
                return None  # longer than we are willing to hold the caller: relay the 429
            return asked
        if status >= 500 and request.method in IDEMPOTENT:
            return self._backoff(attempt)
        return None

    def close(self) -> None:
        self._transport.close()
