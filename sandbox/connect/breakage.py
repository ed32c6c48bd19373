"""Breaking a connection on demand (sandbox only) and announcing its restoration when it is connected again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox.apps.server import storage
from sandbox.connect import connections
from sandbox.errors import NotConnected, SandboxError
from sandbox.models import Company, Connection
from sandbox.state import Sandbox

# What the owner did at the app, and the sentence connection_health shows for it.
REASONS = {
    "token_revoked": "The app revoked the token of this connection; the owner must connect it again.",
    "password_changed": "The password changed at the app; the owner must sign in again.",
    "consent_withdrawn": "The owner withdrew consent at the app; the owner must connect it again.",
}
_BY_TEXT = {text: code for code, text in REASONS.items()}


class SandboxOnly(SandboxError):
    code, status, message = "sandbox_only", 403, "This action exists only in the sandbox, not in production."


def reason_of(error: str | None) -> str | None:
    """Return the break reason code behind a connection's error text, if it was broken on demand."""
    return _BY_TEXT.get(error or "")


def break_connection(state: Sandbox, account_key: str, integration: str, reason: str) -> dict[str, Any]:
    """Put an active connection in error as the app would (its data is kept) and send ``connection.error``."""
    if state.config["ENV"] == "production":
        raise SandboxOnly()
    with state.db.session() as session:
        row = session.scalar(
            select(Connection).where(Connection.account_key == account_key, Connection.integration == integration)
        )
        if row is None or row.status == "inactive":
            raise NotConnected()
        row.status, row.sync_progress, row.error = "error", 0, REASONS[reason]
        connection_id = row.id
        company = session.get(Company, account_key)
        organisation = company.subdomain if company is not None else None
    if reason != "password_changed" and organisation:
        # The app itself stops honouring its tokens, so a resync cannot quietly heal the connection.
        storage.revoke_organisation(state.db, integration, organisation)
    state.emit(
        "connection.error",
        account_key,
        {"integration": integration, "connection_id": connection_id, "reason": reason},
    )
    refreshed = connections.get_connection(state.db, account_key, integration)
    assert refreshed is not None
    return connections.connection_row(refreshed)


def was_broken(state: Sandbox, account_key: str, integration: str) -> bool:
    """Whether the company's connection to that app is in error (so connecting it again restores it)."""
    row = connections.get_connection(state.db, account_key, integration)
    return row is not None and row.status == "error"


def announce_if_restored(state: Sandbox, account_key: str, integration: str, broken_before: bool) -> None:
    """Send ``connection.restored`` when a connection that was in error is healthy again after a reconnect."""
    row = connections.get_connection(state.db, account_key, integration)
    if broken_before and row is not None and row.status == "healthy":
        state.emit("connection.restored", account_key, {"integration": integration, "connection_id": row.id})
