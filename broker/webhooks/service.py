"""Lender webhooks: endpoints, events stored before sending, a claimed delivery log, redelivery, and ``emit``."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broker.errors import NotFound, field_errors
from broker.storage.db import Database
from broker.webhooks.models import WebhookDelivery, WebhookEndpoint
from common.dates import iso
from common.delivery import DeliveryPolicy, Dispatcher, SqlDeliveryStore, pending_delivery
from common.pagination import PAGE_SIZE

EXTENSION = "broker_webhooks"
EVENT_TYPES = (
    "link.connected",
    "link.succeeded",
    "mapping.saved",
    "reconciliation.completed",
    "connection.error",
    "connection.restored",
    "link.resumed",
    "consent.revoked",
)
LEASE_SECONDS = 60  # a claim older than this was abandoned by a crashed process and may be taken again
MAX_ENDPOINTS_PER_CLIENT = 10
SETTINGS: dict[str, Any] = {
    "WEBHOOK_DISPATCHER": True,  # run the sender thread in this process
    "WEBHOOK_TIMEOUT": 10.0,
    "WEBHOOK_MAX_ATTEMPTS": 8,
    "WEBHOOK_BACKOFF_BASE": 2.0,
    "WEBHOOK_BACKOFF_MAX": 600.0,
    "WEBHOOK_POLL_INTERVAL": 1.0,
    "WEBHOOK_TRANSPORT": None,  # tests inject an httpx transport
}


def webhook_settings(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the webhook settings: defaults, then ``BROKER_WEBHOOK_*`` variables, then the app's config."""
    env = os.environ if environ is None else environ
    result = dict(SETTINGS)
    for name, default in SETTINGS.items():
        raw = env.get(f"BROKER_{name}")
        if raw is not None and default is not None:
            result[name] = (
                raw.strip().lower() in {"1", "true", "yes", "on"} if isinstance(default, bool) else float(raw)
            )
        if name in config:
            result[name] = config[name]
    return result


def check_url(url: Any, *, production: bool) -> str:
    """Return a webhook URL fit to post to, or raise a 422 naming what is wrong."""
    problem = None
    parts = urlsplit(url) if isinstance(url, str) and len(url) <= 2048 else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        problem = "must be an absolute http(s) URL of at most 2048 characters"
    elif parts.username or parts.password or parts.fragment:
        problem = "must not carry credentials or a fragment"
    elif production and parts.scheme != "https":
        problem = "must use https"
    elif production and _is_private(parts.hostname):
        problem = "must not point at a private, loopback or link-local address"
    if problem:
        raise field_errors({"url": [problem]})
    return str(url)


def _is_private(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def _check_events(events: Iterable[str] | None) -> list[str]:
    wanted = list(EVENT_TYPES) if events is None else list(dict.fromkeys(events))
    if not wanted or any(e not in EVENT_TYPES for e in wanted):
        raise field_errors({"events": [f"must be a non-empty list from: {', '.join(EVENT_TYPES)}"]})
    return wanted


def endpoint_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the API shows it (never its secret)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": endpoint.event_list,
        "created_at": iso(endpoint.created_at),
    }


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    """A delivery log entry as the API shows it."""
    stamp = lambda moment: iso(moment) if moment else None  # noqa: E731 - a tiny local formatter
    return {
        "id": delivery.id,
        "endpoint_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": "pending" if delivery.status == "sending" else delivery.status,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": iso(delivery.created_at),
        "last_attempt_at": stamp(delivery.last_attempt_at),
        "next_attempt_at": stamp(delivery.next_attempt_at),
        "delivered_at": stamp(delivery.delivered_at),
    }


def register_endpoint(
    session: Session, client_id: str, url: str, events: Iterable[str] | None, *, now: datetime, production: bool
) -> dict[str, Any]:
    """Register an endpoint for some event types; the answer holds the signing secret, shown this once only."""
    url = check_url(url, production=production)
    wanted = _check_events(events)
    count = len(_live_endpoints(session, client_id))
    if count >= MAX_ENDPOINTS_PER_CLIENT:
        raise field_errors({"url": [f"a client may register at most {MAX_ENDPOINTS_PER_CLIENT} endpoints"]})
    endpoint = WebhookEndpoint(
        id="we_" + secrets.token_hex(12),
        client_id=client_id,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        events=" ".join(wanted),
        created_at=now,
    )
    session.add(endpoint)
    session.commit()
    return {**endpoint_view(endpoint), "secret": endpoint.secret}


def _live_endpoints(session: Session, client_id: str) -> list[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.client_id == client_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(session.scalars(query))


def list_endpoints(session: Session, client_id: str) -> list[dict[str, Any]]:
    """Return the client's endpoints, oldest first, without secrets."""
    return [endpoint_view(e) for e in _live_endpoints(session, client_id)]


def _endpoint_for(session: Session, client_id: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id) if 0 < len(endpoint_id) <= 40 else None
    if endpoint is None or endpoint.client_id != client_id or endpoint.deleted_at is not None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def delete_endpoint(session: Session, client_id: str, endpoint_id: str, *, now: datetime) -> None:
    """Stop sending to an endpoint; its pending deliveries fail with a reason, its log stays readable."""
    endpoint = _endpoint_for(session, client_id, endpoint_id)
    endpoint.deleted_at = now
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status.in_(("pending", "sending")))
        .values(status="failed", last_error="endpoint deleted", next_attempt_at=None)
    )
    session.commit()


def list_deliveries(session: Session, client_id: str, endpoint_id: str, page: int) -> list[dict[str, Any]]:
    """Return one page (30) of an endpoint's delivery log, newest first."""
    endpoint = _endpoint_for(session, client_id, endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return [delivery_view(d) for d in session.scalars(query)]


def redeliver(session: Session, client_id: str, delivery_id: str, *, now: datetime) -> dict[str, Any]:
    """Queue the same event (same id and body) to the same endpoint again, as a new entry in the log."""
    original = session.get(WebhookDelivery, delivery_id) if 0 < len(delivery_id) <= 40 else None
    if original is None:
        raise NotFound("No such webhook delivery.")
    _endpoint_for(session, client_id, original.endpoint_id)
    copy = _new_delivery(
        original.endpoint_id, original.event_id, original.event_type, original.account_key, original.body, now
    )
    session.add(copy)
    session.commit()
    return delivery_view(copy)


def _new_delivery(
    endpoint_id: str, event_id: str, event_type: str, account_key: str | None, body: str, now: datetime
) -> WebhookDelivery:
    delivery_id = "wd_" + secrets.token_hex(12)
    return pending_delivery(
        WebhookDelivery,
        delivery_id,
        endpoint_id,
        event_id,
        event_type,
        body,
        now,
        created="created_at",
        not_before="next_attempt_at",
        account_key=account_key,
    )


def store_event(
    session: Session, event_type: str, client_id: str, account_key: str | None, data: Mapping[str, Any], now: datetime
) -> tuple[str, int]:
    """Store one delivery per subscribed endpoint of the client (committed); return ``(event id, deliveries)``."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    event_id = "evt_" + secrets.token_hex(12)
    body = json.dumps(
        {"id": event_id, "type": event_type, "created": iso(now), "account_key": account_key, "data": dict(data)},
        separators=(",", ":"),
    )
    endpoints = [e for e in _live_endpoints(session, client_id) if event_type in e.event_list]
    for endpoint in endpoints:
        session.add(_new_delivery(endpoint.id, event_id, event_type, account_key, body, now))
    session.commit()
    return event_id, len(endpoints)


def delivery_store(db: Database, lease_seconds: int = LEASE_SECONDS) -> SqlDeliveryStore:
    """The broker's deliveries as a ``common.delivery.SqlDeliveryStore`` (the claim's lease in ``lease_until``)."""
    return SqlDeliveryStore(
        db.sessions,
        WebhookDelivery,
        WebhookEndpoint,
        lease_seconds=lease_seconds,
        not_before="next_attempt_at",
        lease="lease_until",
        attempted="last_attempt_at",
    )


@dataclass
class WebhookService:
    """One broker app's webhook machinery: its database, clock and (lazily started) dispatcher."""

    db: Database
    dispatcher: Dispatcher
    now: Callable[[], datetime]
    run_dispatcher: bool = True

    @classmethod
    def build(
        cls, db: Database, settings: Mapping[str, Any], now: Callable[[], datetime], should_stop: Callable[[], bool]
    ) -> WebhookService:
        """Create the service from ``webhook_settings`` values."""
        transport: httpx.BaseTransport | None = settings["WEBHOOK_TRANSPORT"]
        dispatcher = Dispatcher(
            delivery_store(db),
            timeout=float(settings["WEBHOOK_TIMEOUT"]),
            transport=transport,
            policy=DeliveryPolicy(
                int(settings["WEBHOOK_MAX_ATTEMPTS"]),
                float(settings["WEBHOOK_BACKOFF_BASE"]),
                float(settings["WEBHOOK_BACKOFF_MAX"]),
            ),
            poll_interval=float(settings["WEBHOOK_POLL_INTERVAL"]),
            clock=now,
            should_stop=should_stop,
            name="broker-webhooks",
        )
        return cls(db, dispatcher, now, bool(settings["WEBHOOK_DISPATCHER"]))

    def emit(self, event_type: str, client_id: str, account_key: str | None, data: Mapping[str, Any]) -> str:
        """Store the event for each subscribed endpoint of the client, then wake the sender; return the event id."""
        with self.db.session() as session:
            event_id, count = store_event(session, event_type, client_id, account_key, data, self.now())
        if count:
            self.wake()
        return event_id

    def wake(self) -> None:
        """Make the sender look for due deliveries now (starting it if this process runs one)."""
        if self.run_dispatcher:
            self.dispatcher.wake()

    def resume_pending(self) -> None:
        """Start the sender at boot when deliveries stored before a restart are still waiting."""
        with self.db.session() as session:
            waiting = session.scalar(
                select(WebhookDelivery.id).where(WebhookDelivery.status.in_(("pending", "sending"))).limit(1)
            )
        if waiting is not None:
            self.wake()


def emit(event_type: str, client_id: str, account_key: str | None, data: Mapping[str, Any]) -> str:
    """Send a webhook event to the client's subscribed endpoints (stored now, sent in the background).

    Call it from broker code running inside a request or app context; returns the event id.
    """
    from flask import current_app  # the one place this module meets Flask: finding the current app's service

    service: WebhookService = current_app.extensions[EXTENSION]
    return service.emit(event_type, client_id, account_key, data)
