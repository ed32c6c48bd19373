"""Signed webhooks from the sandbox to the tenant: endpoints, events stored before sending, delivery with retries."""

from __future__ import annotations

import json
import logging
import random
import secrets
import threading
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update

from common import signing
from common.dates import iso, utcnow
from common.pagination import PAGE_SIZE
from sandbox.db import Database
from sandbox.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0
EVENT_TYPES = ("account.created", "connection.created", "sync.completed", "connection.error")


def register_endpoint(db: Database, url: str) -> dict[str, Any]:
    """Register a URL for every event type; the signing secret is returned once, here."""
    endpoint = WebhookEndpoint(
        id="whe_" + secrets.token_hex(8),
        url=url,
        secret="whsec_" + secrets.token_hex(24),
        created=utcnow(),
        active=True,
    )
    with db.session() as session:
        session.add(endpoint)
    return {"id": endpoint.id, "url": url, "secret": endpoint.secret, "events": list(EVENT_TYPES)}


def list_endpoints(db: Database) -> list[dict[str, Any]]:
    """Return registered endpoints without their secrets."""
    with db.session() as session:
        rows = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created)).all()
    return [{"id": e.id, "url": e.url, "active": e.active, "created": iso(e.created)} for e in rows]


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential with full jitter, capped."""
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * (2 ** max(attempt - 1, 0)))
    return (rng or random.SystemRandom()).uniform(ceiling / 2, ceiling)


class Dispatcher:
    """Sends due deliveries from a background thread; several processes may run one, a claim prevents doubles."""

    def __init__(self, db: Database, *, timeout: float, transport: httpx.BaseTransport | None = None) -> None:
        self.db = db
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def emit(self, event_type: str, account_key: str, data: dict[str, Any]) -> str:
        """Store one delivery per active endpoint for this event, then wake the sender; return the event id."""
        event_id = "evt_" + secrets.token_hex(10)
        body = json.dumps(
            {
                "id": event_id,
                "type": event_type,
                "created": iso(utcnow()),
                "account_key": account_key,
                "data": data,
            },
            separators=(",", ":"),
        )
        with self.db.session() as session:
            endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
            for endpoint in endpoints:
                session.add(
                    WebhookDelivery(
                        id="whd_" + secrets.token_hex(10),
                        endpoint_id=endpoint.id,
                        event_id=event_id,
                        event_type=event_type,
                        body=body,
                        status="pending",
                        attempts=0,
                        created=utcnow(),
                        next_attempt=utcnow(),
                    )
                )
        if endpoints:
            self.start()
            self._wake.set()
        return event_id

    def start(self) -> None:
        """Start the sender thread once."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, daemon=True, name="sandbox-webhooks")
                self._thread.start()

    def _loop(self) -> None:
        while True:
            sent_any = self.send_due()
            if not sent_any:
                self._wake.wait(timeout=1.0)
                self._wake.clear()

    def send_due(self, now: datetime | None = None) -> int:
        """Send every delivery that is due; return how many were attempted."""
        moment = now or utcnow()
        with self.db.session() as session:
            due = session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == "pending",
                    or_(WebhookDelivery.next_attempt.is_(None), WebhookDelivery.next_attempt <= moment),
                )
                .limit(50)
            ).all()
        attempted = 0
        for delivery_id in due:
            if self._claim(delivery_id):
                self._attempt(delivery_id)
                attempted += 1
        return attempted

    def _claim(self, delivery_id: str) -> bool:
        with self.db.session() as session:
            result = session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending")
                .values(status="sending")
            )
            return bool(getattr(result, "rowcount", 0))

    def _attempt(self, delivery_id: str) -> None:
        with self.db.session() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            assert endpoint is not None
            url, secret, body = endpoint.url, endpoint.secret, delivery.body.encode()
        status_code: int | None = None
        error: str | None = None
        try:
            response = self._client.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", signing.HEADER: signing.sign(secret, body)},
            )
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"endpoint answered {status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__} while posting"
        with self.db.session() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = status_code, error
            if error is None:
                delivery.status, delivery.delivered_at, delivery.next_attempt = "delivered", utcnow(), None
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt = "failed", None
            else:
                delivery.status = "pending"
                delivery.next_attempt = utcnow() + timedelta(seconds=backoff_delay(delivery.attempts))


def list_deliveries(db: Database, page: int) -> list[dict[str, Any]]:
    """Return one page of the delivery log, newest first."""
    with db.session() as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .order_by(WebhookDelivery.created.desc(), WebhookDelivery.id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
    return [
        {
            "id": d.id,
            "endpoint_id": d.endpoint_id,
            "event_id": d.event_id,
            "event_type": d.event_type,
            "status": d.status,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "created": iso(d.created),
            "delivered_at": iso(d.delivered_at) if d.delivered_at else None,
            "next_attempt": iso(d.next_attempt) if d.next_attempt else None,
        }
        for d in rows
    ]
