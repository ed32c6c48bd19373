"""Audit entries of proxied reads, written in batches by one background thread instead of inside each request.

A read queues its entry and answers; the writer inserts what is queued every ``interval`` seconds (or sooner when
``batch`` entries wait) in one transaction. ``close`` (clean shutdown: the app's close, gunicorn's ``worker_exit``,
interpreter exit) writes everything still queued. A worker killed outright loses at most the entries of its last
``interval`` seconds, never more than ``max_queued``; when the queue is full (the database is down or slow) a request
writes its own entry, as before, so nothing is dropped to make room.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from broker.storage import Database
from broker.storage.models import AuditEntry

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.2  # seconds: the most a crashed worker can lose
BATCH = 500
MAX_QUEUED = 10_000


@dataclass(frozen=True)
class PendingEntry:
    """One audit entry waiting to be written."""

    at: datetime
    actor: str
    action: str
    account_id: int | None
    target: str | None
    request_id: str | None

    def values(self) -> dict[str, Any]:
        """The ``audit_log`` row's columns (``dataclasses.asdict`` would deep-copy each value, datetimes included)."""
        return {name: getattr(self, name) for name in _COLUMNS}


_COLUMNS = tuple(f.name for f in fields(PendingEntry))


class AuditWriter:
    """Queue audit entries and write them from one thread; ``flush`` and ``close`` write what is queued now."""

    def __init__(
        self, db: Database, *, interval: float = FLUSH_INTERVAL, batch: int = BATCH, max_queued: int = MAX_QUEUED
    ) -> None:
        self._db = db
        self._interval = interval
        self._batch = batch
        self._max_queued = max_queued
        self._queue: deque[PendingEntry] = deque()
        self._wake = threading.Event()
        self._write_lock = threading.Lock()  # one writer at a time: the thread, flush() or close()
        self._start_lock = threading.Lock()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def add(self, entry: PendingEntry) -> None:
        """Queue ``entry``; write it at once (in the caller's thread) when the queue is full or the writer stopped."""
        if self._stopped or len(self._queue) >= self._max_queued:
            self._write([entry])
            return
        self._queue.append(entry)
        self._start()
        if len(self._queue) >= self._batch:
            self._wake.set()

    def _start(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._stopped:
                    self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self._interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                log.exception("could not write audit entries; they stay queued and are retried")

    def flush(self) -> int:
        """Write every queued entry now; return how many were written. Entries stay queued if the write fails."""
        written = 0
        with self._write_lock:
            while self._queue:
                batch = [self._queue[i] for i in range(min(self._batch, len(self._queue)))]
                self._write(batch)
                for _ in batch:
                    self._queue.popleft()
                written += len(batch)
        return written

    def _write(self, entries: list[PendingEntry]) -> None:
        # One multi-row INSERT in one transaction: the ORM's unit of work cost as much CPU per entry as a whole read.
        with self._db.engine.begin() as connection:
            connection.execute(insert(AuditEntry), [entry.values() for entry in entries])

    @property
    def queued(self) -> int:
        """How many entries wait to be written."""
        return len(self._queue)

    def close(self) -> None:
        """Stop the thread and write everything still queued (idempotent)."""
        self._stopped = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        try:
            self.flush()
        except Exception:
            # Say loudly how many are lost; the rest of the shutdown (pools, Redis) must still happen.
            log.exception("could not write %d audit entries at shutdown", len(self._queue))
