"""Webhook delivery shared by the sandbox and the broker: a SQL store of claims and the claim-attempt-record loop."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from common import signing
from common.backoff import backoff_ceiling
from common.dates import utcnow

log = logging.getLogger(__name__)
R = TypeVar("R")

MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class DeliveryPolicy:
    """How many attempts a delivery gets and how long to wait between them (exponential, capped, jittered)."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after ``attempts`` failed attempts: between half and all of the capped exponential step."""
        ceiling = backoff_ceiling(attempts, self.base_delay, self.max_delay)
        return (rng or random.SystemRandom()).uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class Task:
    """One claimed delivery: where to post, the key to sign with, the stored body and the attempts made so far."""

    delivery_id: str
    url: str
    secret: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """What one attempt did to a delivery, for the store to record."""

    status: str  # "delivered", "pending" (retry at next_attempt) or "failed" (no more attempts)
    attempts: int
    status_code: int | None
    error: str | None
    next_attempt: datetime | None
    finished_at: datetime


class DeliveryStore(Protocol):
    """Where deliveries live; every method opens and commits its own transaction."""

    def due(self, now: datetime, limit: int) -> list[str]:
        """Return ids of deliveries that may be claimed now (pending and due, or with an expired claim)."""
        ...

    def claim(self, delivery_id: str, now: datetime) -> Task | None:
        """Atomically take one delivery for this process (``None`` when another process took it first)."""
        ...

    def record(self, delivery_id: str, outcome: DeliveryOutcome) -> None:
        """Store the result of an attempt and release the claim."""
        ...


def pending_delivery(
    model: Callable[..., R],
    delivery_id: str,
    endpoint_id: str,
    event_id: str,
    event_type: str,
    body: str,
    now: datetime,
    *,
    created: str,
    not_before: str,
    **columns: Any,
) -> R:
    """Return a new row of ``model`` that ``SqlDeliveryStore`` will claim: pending, no attempt yet, due at ``now``.

    ``created`` and ``not_before`` name the app's columns of the creation time and of the next attempt's time;
    ``columns`` are the app's own extra columns.
    """
    due_now = {"status": "pending", "attempts": 0, created: now, not_before: now}
    return model(
        id=delivery_id,
        endpoint_id=endpoint_id,
        event_id=event_id,
        event_type=event_type,
        body=body,
        **due_now,
        **columns,
    )


def post_signed(client: httpx.Client, url: str, secret: str, body: bytes) -> tuple[int | None, str | None]:
    """POST ``body`` signed with ``secret``; return ``(status code or None, error sentence or None)``."""
    try:
        response = client.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", signing.HEADER: signing.sign(secret, body)},
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__} while posting"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"endpoint answered {response.status_code}"


def outcome_of(
    task: Task, status_code: int | None, error: str | None, policy: DeliveryPolicy, now: datetime
) -> DeliveryOutcome:
    """Decide what an attempt means: delivered, retry later with backoff, or failed for good."""
    attempts = task.attempts + 1
    if error is None:
        return DeliveryOutcome("delivered", attempts, status_code, None, None, now)
    error = error[:MAX_ERROR_LENGTH]
    if attempts >= policy.max_attempts:
        return DeliveryOutcome("failed", attempts, status_code, error, None, now)
    retry_at = now + timedelta(seconds=policy.delay(attempts))
    return DeliveryOutcome("pending", attempts, status_code, error, retry_at, now)


class Dispatcher:
    """Sends due deliveries from a background thread; several processes may run one, claims prevent doubles."""

    def __init__(
        self,
        store: DeliveryStore,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        policy: DeliveryPolicy | None = None,
        poll_interval: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        should_stop: Callable[[], bool] = lambda: False,
        name: str = "webhooks",
    ) -> None:
        self.store = store
        self.policy = policy or DeliveryPolicy()
        self.poll_interval = poll_interval
        self.clock = clock
        self._should_stop = should_stop
        self._name = name
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the sender thread once (idempotent)."""
        with self._lock:
            if self._stopped.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, daemon=True, name=self._name)
                self._thread.start()

    def wake(self) -> None:
        """Start the thread if needed and make it look for due deliveries now."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (after its current attempt) and close the HTTP client."""
        self._stopped.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout)
        self._client.close()

    @property
    def running(self) -> bool:
        """Whether the sender thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not (self._stopped.is_set() or self._should_stop()):
            try:
                attempted = self.send_due()
            except Exception:  # the loop must outlive a database hiccup; the next round retries
                log.exception("%s: sending due deliveries failed", self._name)
                attempted = 0
            if not attempted:
                self._wake.wait(timeout=self.poll_interval)
                self._wake.clear()
        self._client.close()

    def send_due(self, limit: int = 50) -> int:
        """Claim and attempt every delivery that is due now; return how many were attempted."""
        attempted = 0
        for delivery_id in self.store.due(self.clock(), limit):
            if self._stopped.is_set():
                break
            task = self.store.claim(delivery_id, self.clock())
            if task is None:
                continue
            self.attempt(task)
            attempted += 1
        return attempted

    def attempt(self, task: Task) -> DeliveryOutcome:
        """Post one claimed delivery and record the outcome."""
        status_code, error = post_signed(self._client, task.url, task.secret, task.body)
        outcome = outcome_of(task, status_code, error, self.policy, self.clock())
        self.store.record(task.delivery_id, outcome)
        return outcome


class SqlDeliveryStore:
    """Deliveries in a SQL table as a ``DeliveryStore``: a claim is a conditional update that sets a lease.

    ``delivery`` and ``endpoint`` are the app's ORM classes; the delivery class has ``id``, ``endpoint_id``, ``body``,
    ``status``, ``attempts``, ``last_status_code``, ``last_error`` and ``delivered_at``, and the endpoint class ``url``
    and ``secret``. ``not_before`` names the column of the next attempt's time and ``lease`` the column that holds a
    claim's expiry (it may be the same column: the sandbox keeps the lease in ``next_attempt``). When a lease runs out
    without an outcome the sender is taken to have died and any sender may claim the delivery again; the one that
    held the stale lease then records nothing, so a late answer never overwrites the newer attempt.
    """

    def __init__(
        self,
        sessions: Callable[[], Session],
        delivery: Any,
        endpoint: Any,
        *,
        lease_seconds: float,
        not_before: str,
        lease: str,
        attempted: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._delivery = delivery
        self._endpoint = endpoint
        self._lease_span = timedelta(seconds=lease_seconds)
        self._not_before = not_before
        self._lease = lease
        self._attempted = attempted
        self._leases: dict[str, datetime] = {}  # the lease this store set per claim

    def _claimable(self, now: datetime) -> Any:
        row = self._delivery
        not_before = getattr(row, self._not_before)
        pending = (row.status == "pending") & or_(not_before.is_(None), not_before <= now)
        abandoned = (row.status == "sending") & (getattr(row, self._lease) <= now)
        return or_(pending, abandoned)

    def due(self, now: datetime, limit: int) -> list[str]:
        """Return ids of pending deliveries that are due and of claims whose lease ran out, oldest first."""
        row = self._delivery
        query = select(row.id).where(self._claimable(now)).order_by(getattr(row, self._not_before), row.id).limit(limit)
        with self._sessions() as session:
            return list(session.scalars(query))

    def claim(self, delivery_id: str, now: datetime) -> Task | None:
        """Take one delivery until its lease runs out (``None`` when another sender holds it or it is done)."""
        row = self._delivery
        lease_until = now + self._lease_span
        with self._sessions() as session:
            result = session.execute(
                update(row)
                .where(row.id == delivery_id, self._claimable(now))
                .values({"status": "sending", self._lease: lease_until})
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if not getattr(result, "rowcount", 0):
                return None
            delivery = session.get(row, delivery_id)
            endpoint = session.get(self._endpoint, delivery.endpoint_id) if delivery else None
            if delivery is None or endpoint is None:
                return None
            task = Task(delivery.id, endpoint.url, endpoint.secret, delivery.body.encode(), delivery.attempts)
        self._leases[delivery_id] = lease_until
        return task

    def record(self, delivery_id: str, outcome: DeliveryOutcome) -> None:
        """Store an attempt's outcome, unless this store's lease ran out and another sender claimed it since."""
        row = self._delivery
        condition = (row.id == delivery_id) & (row.status == "sending")
        lease_until = self._leases.pop(delivery_id, None)
        if lease_until is not None:
            condition = condition & (getattr(row, self._lease) == lease_until)
        values: dict[str, Any] = {
            "status": outcome.status,
            "attempts": outcome.attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "delivered_at": outcome.finished_at if outcome.status == "delivered" else None,
            self._lease: None,
            self._not_before: outcome.next_attempt,  # after the lease: the two may be one column
        }
        if self._attempted:
            values[self._attempted] = outcome.finished_at
        with self._sessions() as session:
            session.execute(update(row).where(condition).values(values).execution_options(synchronize_session=False))
            session.commit()
