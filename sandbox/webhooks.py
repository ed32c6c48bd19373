"""Signed webhooks from the sandbox to the tenant: endpoints, events stored before sending, delivery with retries."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select

from common.dates import iso, utcnow
from common.delivery import DeliveryPolicy, Dispatcher, SqlDeliveryStore, pending_delivery
from common.pagination import PAGE_SIZE
from sandbox.db import Database
from sandbox.models import WebhookDelivery, WebhookEndpoint

POLICY = DeliveryPolicy(max_attempts=6, base_delay=1.0, max_delay=60.0)  # docs/sandbox.md states these numbers
LEASE_SECONDS = 60.0  # a claim older than this (or 4 x the attempt timeout, if longer) was left by a sender that died
EVENT_TYPES = (
    "account.created",
    "connection.created",
    "sync.completed",
    "connection.error",
    "connection.restored",
)


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


class WebhookService:
    """The sandbox's webhooks: ``emit`` stores an event per endpoint, a ``common.delivery.Dispatcher`` sends them."""

    def __init__(
        self,
        db: Database,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        poll_interval: float = 1.0,
        lease_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        # httpx's timeout is per phase, so an attempt can last a few times it; the lease must outlast any attempt.
        lease = lease_seconds if lease_seconds is not None else max(LEASE_SECONDS, 4 * timeout)
        self.dispatcher = Dispatcher(
            # While a delivery is sending, ``next_attempt`` holds its lease (no extra column: SQLite files made
            # before the lease existed keep working, and the ``status, next_attempt`` index serves both cases).
            SqlDeliveryStore(
                db.sessions,
                WebhookDelivery,
                WebhookEndpoint,
                lease_seconds=lease,
                not_before="next_attempt",
                lease="next_attempt",
            ),
            timeout=timeout,
            transport=transport,
            policy=POLICY,
            poll_interval=poll_interval,
            clock=clock,
            name="sandbox-webhooks",
        )

    def emit(self, event_type: str, account_key: str, data: dict[str, Any]) -> str:
        """Store one delivery per active endpoint for this event, then wake the sender; return the event id."""
        event_id = "evt_" + secrets.token_hex(10)
        now = self.clock()
        body = json.dumps(
            {"id": event_id, "type": event_type, "created": iso(now), "account_key": account_key, "data": data},
            separators=(",", ":"),
        )
        with self.db.session() as session:
            endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
            for endpoint in endpoints:
                delivery_id = "whd_" + secrets.token_hex(10)
                session.add(
                    pending_delivery(
                        WebhookDelivery,
                        delivery_id,
                        endpoint.id,
                        event_id,
                        event_type,
                        body,
                        now,
                        created="created",
                        not_before="next_attempt",
                    )
                )
        if endpoints:
            self.dispatcher.wake()
        return event_id

    def resume_pending(self) -> bool:
        """Start the sender at start-up when deliveries from before a restart still wait; return whether it did."""
        with self.db.session() as session:
            waiting = session.scalar(
                select(WebhookDelivery.id).where(WebhookDelivery.status.in_(("pending", "sending"))).limit(1)
            )
        if waiting is None:
            return False
        self.dispatcher.wake()
        return True


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
