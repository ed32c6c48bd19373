"""Upstream webhooks: registering the broker's URL, verifying signatures, ignoring replays, forwarding."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.errors import InvalidEvent, InvalidJson, PayloadTooLarge, SignatureRejected, SignatureUnverifiable
from broker.storage.models import Account
from broker.upstream import UpstreamClient
from broker.upstream.errors import UpstreamBadGateway
from broker.webhooks.models import UpstreamEvent, UpstreamWebhookSecret
from broker.webhooks.service import WebhookService
from common import signing

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
FORWARDED = {  # upstream type -> lender event type
    "connection.error": "connection.error",
    "connection.restored": "connection.restored",
}
FORWARDED_FIELDS = ("integration", "connection_id", "reason")


@dataclass(frozen=True)
class Received:
    """What the broker did with one upstream event."""

    event_id: str
    type: str
    duplicate: bool
    forwarded_event_id: str | None


def known_secrets(session: Session, configured: Iterable[str] = ()) -> list[str]:
    """Return every secret an upstream webhook may be signed with: configured ones, then registered ones."""
    stored = session.scalars(select(UpstreamWebhookSecret.secret).order_by(UpstreamWebhookSecret.id.desc()))
    return [s for s in (*configured, *stored) if s]


def verify(body: bytes, header: str | None, secrets_: Iterable[str], now: float) -> None:
    """Accept the body when one of the secrets signed it recently; else raise ``SignatureRejected`` with why."""
    last: signing.SignatureError | None = None
    for secret in secrets_:
        try:
            signing.verify(secret, body, header, now=now)
            return
        except signing.SignatureError as error:
            last = error
            if error.code != "signature_invalid":
                break  # missing, malformed or expired: no other secret can help
    if last is None:
        raise SignatureUnverifiable()
    raise SignatureRejected(str(last), code=last.code)


def parse_event(body: bytes) -> dict[str, Any]:
    """Return the event object, or raise a 400 when it is not ``{"id", "type", "account_key", "data"}``."""
    try:
        event = json.loads(body)
    except ValueError:
        raise InvalidJson("The webhook body is not JSON.") from None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not 0 < len(event["id"]) <= 64
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("data", {}), dict)
    ):
        raise InvalidEvent()
    return event


def receive(
    session: Session,
    service: WebhookService,
    body: bytes,
    header: str | None,
    *,
    configured_secrets: Iterable[str],
    now: datetime,
) -> Received:
    """Verify, de-duplicate and record one upstream event, forwarding the ones lenders subscribe to."""
    if len(body) > MAX_BODY:
        raise PayloadTooLarge("The webhook body is too large.")
    verify(body, header, known_secrets(session, configured_secrets), now.timestamp())
    event = parse_event(body)
    account_key = event.get("account_key") if isinstance(event.get("account_key"), str) else None
    session.add(UpstreamEvent(id=event["id"], type=event["type"][:64], account_key=account_key, received_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return Received(event["id"], event["type"], True, None)
    forwarded = None
    lender_type = FORWARDED.get(event["type"])
    if lender_type and account_key:
        account = session.scalars(select(Account).where(Account.account_key == account_key)).first()
        if account is not None:
            data = {k: event["data"][k] for k in FORWARDED_FIELDS if k in event["data"]}
            forwarded = service.emit(lender_type, account.client_id, account_key, data)
    return Received(event["id"], event["type"], False, forwarded)


def register_at_upstream(
    session: Session, upstream: UpstreamClient, region: str, url: str, *, now: datetime
) -> tuple[str, bool]:
    """Register ``url`` for the upstream's webhooks (idempotent) and keep its secret; return ``(endpoint id, new)``."""
    # The upstream client has no public webhook method yet; its admin call carries auth, retries and error mapping.
    listed = upstream._admin("GET", params={"action": "webhooks"})
    endpoints = listed.get("endpoints", []) if isinstance(listed, dict) else []
    known = {
        row.endpoint_id
        for row in session.scalars(
            select(UpstreamWebhookSecret).where(
                UpstreamWebhookSecret.region == region, UpstreamWebhookSecret.url == url
            )
        )
    }
    for endpoint in endpoints:
        if isinstance(endpoint, dict) and endpoint.get("url") == url and endpoint.get("id") in known:
            return str(endpoint["id"]), False
    created = upstream._admin("POST", body={"action": "register_webhook", "url": url})
    if not isinstance(created, dict) or not created.get("secret") or not created.get("id"):
        raise UpstreamBadGateway("The upstream did not return a webhook secret.")
    session.add(
        UpstreamWebhookSecret(
            region=region, endpoint_id=str(created["id"]), url=url, secret=str(created["secret"]), created_at=now
        )
    )
    session.commit()
    return str(created["id"]), True
