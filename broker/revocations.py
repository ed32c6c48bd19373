"""Where revoked link-token ids live: in memory (one process), or in Redis with a local copy fed by pub/sub.

With Redis, every process keeps the set of revoked ids in memory, loaded when it subscribes and kept current by
the messages that ``revoke`` publishes, so that a verification costs no network round trip. The local copy is
trusted only while it is provably current: the listener pings Redis on the subscription connection every
``PING_EVERY`` seconds, and a pong proves that every revocation published before its ping has been applied (Redis
answers a connection in order). A check trusts the copy while the last answered ping was sent less than
``PROPAGATION_BOUND`` seconds ago, and asks Redis directly otherwise (listener stalled, connection lost, starting up).
So a revocation takes effect on every instance within ``PROPAGATION_BOUND`` seconds, usually within milliseconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Clock = Callable[[], float]
PROPAGATION_BOUND = 1.0  # seconds: the longest a revocation can take to reach another instance
PING_EVERY = 0.2  # seconds between pings on the subscription connection
RECONNECT_PAUSE = 0.5


class MemoryRevocations:
    """In-process revocations (one broker process); entries drop out when the token's lifetime has passed."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def revoke(self, jti: str, ttl_seconds: int) -> None:
        with self._lock:
            now = self._clock()
            self._until = {k: v for k, v in self._until.items() if v > now}
            self._until[jti] = now + max(1, ttl_seconds)

    def is_revoked(self, jti: str) -> bool:
        until = self._until.get(jti)
        return until is not None and until > self._clock()

    def close(self) -> None:
        return None


class RedisRevocations:
    """Revocations shared by every broker process through Redis (keys expire with their tokens), read locally."""

    def __init__(
        self,
        redis: Any,
        prefix: str = "broker:",
        *,
        bound: float = PROPAGATION_BOUND,
        monotonic: Clock = time.monotonic,
        clock: Clock = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}revoked:"
        self._channel = f"{prefix}revocations"
        self._bound = bound
        self._monotonic = monotonic
        self._clock = clock
        self._local: dict[str, float] = {}  # jti -> wall-clock second after which the token is dead anyway
        self._fresh_as_of = float("-inf")  # monotonic moment up to which every published revocation is applied
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._pubsub: Any = None

    # -- the shared store -------------------------------------------------------------------------------------
    def revoke(self, jti: str, ttl_seconds: int) -> None:
        ttl = max(1, int(ttl_seconds))
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self._prefix + jti, b"1", ex=ttl)
        pipe.publish(self._channel, f"{ttl} {jti}")
        pipe.execute()
        self._local[jti] = self._clock() + ttl

    def is_revoked(self, jti: str) -> bool:
        self._start()
        if self._monotonic() - self._fresh_as_of <= self._bound:
            until = self._local.get(jti)
            return until is not None and until > self._clock()
        return bool(self._redis.exists(self._prefix + jti))

    @property
    def in_sync(self) -> bool:
        """Whether checks are answered from the local copy right now (instead of asking Redis)."""
        return self._monotonic() - self._fresh_as_of <= self._bound

    def close(self) -> None:
        """Stop the listener (idempotent)."""
        self._stopped.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)

    # -- the listener -----------------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is None and not self._stopped.is_set():
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._listen, name="revocations", daemon=True)
                    self._thread.start()

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                self._follow()
            except Exception as error:  # the connection dropped: checks ask Redis until we are back in sync
                self._fresh_as_of = float("-inf")
                log.warning(
                    "revocation listener lost Redis (%s); checking Redis directly meanwhile", type(error).__name__
                )
                self._stopped.wait(RECONNECT_PAUSE)

    def _follow(self) -> None:
        pubsub = self._redis.pubsub()
        try:
            pubsub.subscribe(self._channel)
            loaded = False
            ping_sent: float | None = None
            while not self._stopped.is_set():
                if ping_sent is None and loaded:
                    ping_sent = self._monotonic()
                    pubsub.ping()
                message = pubsub.get_message(timeout=PING_EVERY)
                if message is None:
                    continue
                kind = message.get("type")
                if kind == "subscribe":
                    self._load()  # after subscribing: nothing published from now on can be missed
                    loaded = True
                elif kind == "message":
                    self._apply(message.get("data"))
                elif kind == "pong" and ping_sent is not None:
                    self._fresh_as_of = ping_sent
                    self._stopped.wait(max(0.0, PING_EVERY - (self._monotonic() - ping_sent)))
                    ping_sent = None
        finally:
            pubsub.close()

    def _load(self) -> None:
        """Copy every revocation Redis holds (those published before the subscription)."""
        keys = list(self._redis.scan_iter(match=f"{self._prefix}*", count=1000))
        if not keys:
            return
        pipe = self._redis.pipeline(transaction=False)
        for key in keys:
            pipe.ttl(key)
        now = self._clock()
        for key, ttl in zip(keys, pipe.execute(), strict=True):
            if isinstance(ttl, int) and ttl > 0:
                name = key.decode() if isinstance(key, bytes) else str(key)
                self._local[name[len(self._prefix) :]] = now + ttl

    def _apply(self, data: Any) -> None:
        text = data.decode() if isinstance(data, bytes) else str(data)
        ttl, _, jti = text.partition(" ")
        if not jti or not ttl.isdigit():
            return
        now = self._clock()
        if len(self._local) > 1000:
            self._local = {k: v for k, v in self._local.items() if v > now}
        self._local[jti] = now + int(ttl)
