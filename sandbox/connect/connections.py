"""Connections of apps to companies: connect, run the sync that fills the Data API, health, disconnect."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from common.dates import iso, utcnow
from sandbox import datastore
from sandbox.db import Database
from sandbox.errors import UnknownIntegration
from sandbox.fixtures.model import CommonObject, RawRecord
from sandbox.models import Connection

log = logging.getLogger(__name__)

EmitEvent = Callable[[str, str, dict[str, Any]], None]


@dataclass(frozen=True)
class SyncSource:
    """Where a sync reads the app's raw records from: a callable giving ``{resource: [raw dicts]}``."""

    fetch_raw: Callable[[], dict[str, list[dict[str, Any]]]]


@lru_cache(maxsize=8)
def business_for(seed: str, end: date, scale: float) -> Any:
    """Return the simulated business of a company (deterministic, cached: several apps render the same one)."""
    from sandbox.fixtures.business import generate_business

    return generate_business(seed, end=end, scale=scale)


def app_module(integration: str) -> Any:
    """Return the simulated app's module, or raise ``UnknownIntegration``."""
    from sandbox.apps.catalog import APPS

    module = APPS.get(integration)
    if module is None:
        raise UnknownIntegration(f"No app {integration!r} in the catalogue.")
    return module


def connection_row(connection: Connection) -> dict[str, Any]:
    """Render a connection as ``connections`` and ``connection_health`` show it."""
    from sandbox.apps.catalog import catalogue_entry

    entry = catalogue_entry(connection.integration) or {}
    return {
        "id": connection.id,
        "account_key": connection.account_key,
        "integration": connection.integration,
        "name": entry.get("name", connection.integration),
        "category": entry.get("category"),
        "status": connection.status,
        "sync_progress": connection.sync_progress,
        "created": iso(connection.created),
        "last_sync": iso(connection.last_sync) if connection.last_sync else None,
        "last_full_sync": iso(connection.last_full_sync) if connection.last_full_sync else None,
        "error": connection.error,
        "reason": _break_reason(connection.error),
    }


def _break_reason(error: str | None) -> str | None:
    from sandbox.connect.breakage import reason_of

    return reason_of(error)


def upsert_connection(
    db: Database,
    account_key: str,
    integration: str,
    *,
    credentials: dict[str, Any] | None,
    scale: float = 1.0,
) -> tuple[Connection, bool]:
    """Create the connection or reuse the existing one (reconnecting never duplicates); return (row, created)."""
    with db.session() as session:
        row = session.scalar(
            select(Connection).where(Connection.account_key == account_key, Connection.integration == integration)
        )
        created = row is None
        if row is None:
            row = Connection(
                id="conn_" + secrets.token_hex(8),
                account_key=account_key,
                integration=integration,
                created=utcnow(),
            )
            session.add(row)
        row.status, row.sync_progress, row.error = "syncing", 0, None
        row.credentials = credentials
        row.scale = scale
        session.flush()
        return row, created


def set_progress(
    db: Database,
    connection_id: str,
    progress: int,
    *,
    status: str | None = None,
    error: str | None = None,
    synced: bool = False,
) -> None:
    """Record a sync's progress (0-100) and, at the end, its outcome."""
    with db.session() as session:
        row = session.get(Connection, connection_id)
        if row is None:
            return
        row.sync_progress = progress
        if status:
            row.status = status
        row.error = error
        if synced:
            row.last_sync = row.last_full_sync = utcnow()


def run_sync(db: Database, connection_id: str, source: SyncSource, emit: EmitEvent) -> dict[str, int]:
    """Pull the app's raw records, normalize them and replace the connection's data; progress is visible meanwhile."""
    with db.session() as session:
        row = session.get(Connection, connection_id)
        if row is None:
            return {}
        account_key, integration = row.account_key, row.integration
    module = app_module(integration)
    try:
        set_progress(db, connection_id, 10)
        raw = source.fetch_raw()
        set_progress(db, connection_id, 50)
        records = module.raw_records(raw)
        objects = module.normalize(raw)
        set_progress(db, connection_id, 75)
        counts = store_sync(db, account_key, connection_id, integration, records, objects)
    except Exception as error:  # a sync failure must show in health, not vanish in a thread
        log.exception("sync failed for connection %s", connection_id)
        set_progress(db, connection_id, 0, status="error", error=f"sync failed: {type(error).__name__}")
        emit(
            "connection.error",
            account_key,
            {"integration": integration, "connection_id": connection_id, "reason": "sync_failed"},
        )
        return {}
    return sync_completed(db, emit, account_key, connection_id, integration, counts)


def store_sync(
    db: Database,
    account_key: str,
    connection_id: str,
    integration: str,
    records: Iterable[RawRecord],
    objects: Iterable[CommonObject],
) -> dict[str, int]:
    """Replace the connection's data with one sync's raw records and objects, retrieved now; return the counts."""
    return datastore.replace_connection_data(
        db,
        account_key=account_key,
        connection_id=connection_id,
        integration=integration,
        raw_records=records,
        objects=objects,
        retrieved=utcnow(),
    )


def sync_completed(
    db: Database, emit: EmitEvent, account_key: str, connection_id: str, integration: str, counts: dict[str, int]
) -> dict[str, int]:
    """Mark the connection healthy and fully synced, send ``sync.completed`` with the counts; return them."""
    set_progress(db, connection_id, 100, status="healthy", synced=True)
    emit("sync.completed", account_key, {"integration": integration, "connection_id": connection_id, "objects": counts})
    return counts


def list_connections(db: Database, account_key: str | None) -> list[dict[str, Any]]:
    """Return the connections of one company (or of all), oldest first."""
    query = select(Connection).order_by(Connection.created, Connection.id)
    if account_key is not None:
        query = query.where(Connection.account_key == account_key)
    with db.session() as session:
        return [connection_row(c) for c in session.scalars(query).all()]


def get_connection(db: Database, account_key: str, integration: str) -> Connection | None:
    """Return the connection of that app to that company, if any."""
    with db.session() as session:
        return session.scalar(
            select(Connection).where(Connection.account_key == account_key, Connection.integration == integration)
        )


def disconnect(db: Database, account_key: str, integration: str, emit: EmitEvent) -> dict[str, Any] | None:
    """End a connection: forget the app's tokens, hide its data, mark it inactive. None when there was none."""
    with db.session() as session:
        row = session.scalar(
            select(Connection).where(Connection.account_key == account_key, Connection.integration == integration)
        )
        if row is None:
            return None
        row.status, row.sync_progress, row.credentials, row.error = "inactive", 0, None, None
        connection_id = row.id
    datastore.remove_connection_data(db, account_key=account_key, connection_id=connection_id)
    with db.session() as session:
        refreshed = session.get(Connection, connection_id)
        assert refreshed is not None
        return connection_row(refreshed)
