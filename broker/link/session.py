"""The widget's session and what it starts with: the company's connections and the app catalogue, in one call."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from broker.lender.accounts import audit
from broker.link.models import LinkSession
from broker.storage.models import Account, Client
from broker.tokens import LinkClaims
from broker.upstream import UpstreamClient
from common.dates import iso
from common.pagination import TooManyPages, iter_all

log = logging.getLogger(__name__)

MAX_CATALOGUE_PAGES = 20
_CONNECTION_FIELDS = ("integration", "name", "category", "status", "sync_progress", "created", "last_sync", "error")


def open_session(db: Session, claims: LinkClaims, account: Account, now: datetime) -> LinkSession:
    """Return the widget session of this token, recording it the first time it is seen."""
    row = db.get(LinkSession, claims.jti)
    if row is None:
        row = LinkSession(jti=claims.jti, account_id=account.id, opened_at=now)
        db.add(row)
        audit(db, actor=f"link:{claims.jti}", action="link.session_open", at=now, account_id=account.id)
        db.commit()
    return row


def connections(
    upstream: UpstreamClient, account: Account, health: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Return the company's connections as the widget shows them (no account key); ``health`` is the upstream's
    connection health when the caller already has it."""
    rows = upstream.connection_health(account.account_key) if health is None else health
    shown = []
    for row in rows:
        item = {name: row.get(name) for name in _CONNECTION_FIELDS}
        if not isinstance(item["sync_progress"], int):
            item["sync_progress"] = 100 if item["status"] == "healthy" else 0
        shown.append(item)
    return shown


def session_summary(
    db: Session,
    upstream: UpstreamClient,
    claims: LinkClaims,
    account: Account,
    now: datetime,
    health: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return what the frame needs to start: account key, scopes, origin, expiry, lender name, connections."""
    open_session(db, claims, account, now)
    client = db.get(Client, claims.client_id)
    return {
        "account_key": account.account_key,
        "scopes": list(claims.scopes),
        "origin": claims.origin,
        "expires_at": iso(datetime.fromtimestamp(claims.expires_at, now.tzinfo)),
        "client_name": client.name if client else None,
        "connections": connections(upstream, account, health),
    }


def integrations(upstream: UpstreamClient, account: Account) -> list[dict[str, Any]]:
    """Return the upstream's app catalogue rows (every page, up to ``MAX_CATALOGUE_PAGES``)."""

    def page(number: int) -> list[Any]:
        answer = json.loads(upstream.get_data(account.account_key, "integrations", [("page", str(number))]).content)
        return answer if isinstance(answer, list) else []

    rows: list[dict[str, Any]] = []
    try:
        rows.extend(
            r
            for r in iter_all(page, max_pages=MAX_CATALOGUE_PAGES)
            if isinstance(r, dict) and isinstance(r.get("key"), str)
        )
    except TooManyPages:  # a catalogue is shown, not summed: the first pages are still worth showing
        log.warning("the app catalogue runs past %d pages; the widget shows the first ones", MAX_CATALOGUE_PAGES)
    return rows


def catalogue(
    upstream: UpstreamClient, account: Account, health_rows: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Return the upstream's apps with ``connected`` and ``status`` for this company."""
    rows = upstream.connection_health(account.account_key) if health_rows is None else health_rows
    health = {c["integration"]: c for c in rows}
    apps = []
    for row in integrations(upstream, account):
        connection = health.get(row["key"])
        status = connection.get("status") if connection else None
        apps.append(
            {
                "key": row["key"],
                "name": str(row.get("name") or row["key"]),
                "category": row.get("category"),
                "auth_type": row.get("auth_type"),
                "description": row.get("description"),
                "connected": status is not None and status != "inactive",
                "status": status,
            }
        )
    return apps


def bootstrap(
    db: Session, upstream: UpstreamClient, claims: LinkClaims, account: Account, now: datetime
) -> dict[str, Any]:
    """Return the session and the catalogue together (the frame's one call to start), asking the upstream for the
    company's connection health once for both."""
    health = upstream.connection_health(account.account_key)
    return {
        "session": session_summary(db, upstream, claims, account, now, health),
        "integrations": catalogue(upstream, account, health),
    }
