"""The widget's session and what it starts with: the company's connections and the app catalogue, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from broker.lender.accounts import audit
from broker.link.catalogue import CatalogueCache, read_catalogue
from broker.link.models import LinkSession
from broker.storage.models import Account, Client
from broker.tokens import LinkClaims
from broker.upstream import UpstreamClient
from common.dates import iso

_CONNECTION_FIELDS = ("integration", "name", "category", "status", "sync_progress", "created", "last_sync", "error")


@dataclass(frozen=True)
class LinkVisit:
    """What one widget call works with: the database session, the company's upstream, the token's claims, the
    company, and the time of the call."""

    db: Session
    upstream: UpstreamClient
    claims: LinkClaims
    account: Account
    now: datetime


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


def session_summary(visit: LinkVisit, health: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return what the frame needs to start: account key, scopes, origin, expiry, lender name, connections."""
    claims = visit.claims
    open_session(visit.db, claims, visit.account, visit.now)
    client = visit.db.get(Client, claims.client_id)
    return {
        "account_key": visit.account.account_key,
        "scopes": list(claims.scopes),
        "origin": claims.origin,
        "expires_at": iso(datetime.fromtimestamp(claims.expires_at, visit.now.tzinfo)),
        "client_name": client.name if client else None,
        "connections": connections(visit.upstream, visit.account, health),
    }


def integrations(
    upstream: UpstreamClient, account: Account, cache: CatalogueCache | None = None
) -> list[dict[str, Any]]:
    """Return the upstream's app catalogue rows, from ``cache`` when given (it remembers each region's briefly)."""
    return cache.get(upstream, account.account_key) if cache else read_catalogue(upstream, account.account_key)


def catalogue(
    upstream: UpstreamClient,
    account: Account,
    health_rows: list[dict[str, Any]] | None = None,
    cache: CatalogueCache | None = None,
) -> list[dict[str, Any]]:
    """Return the upstream's apps with ``connected`` and ``status`` for this company."""
    rows = upstream.connection_health(account.account_key) if health_rows is None else health_rows
    health = {c["integration"]: c for c in rows}
    apps = []
    for row in integrations(upstream, account, cache):
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


def bootstrap(visit: LinkVisit, cache: CatalogueCache | None = None) -> dict[str, Any]:
    """Return the session and the catalogue together (the frame's one call to start), asking the upstream for the
    company's connection health once for both; with ``cache``, the catalogue usually needs no upstream call."""
    health = visit.upstream.connection_health(visit.account.account_key)
    return {
        "session": session_summary(visit, health),
        "integrations": catalogue(visit.upstream, visit.account, health, cache),
    }
