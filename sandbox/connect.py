"""Connecting an app to a company: the sandbox-only shortcut now, the browser flows of each app's kind later."""

from __future__ import annotations

from typing import Any

from sandbox import accounts, connections
from sandbox.errors import InvalidParameter
from sandbox.state import Sandbox


def _seed(state: Sandbox, account_key: str) -> str:
    company = accounts.get_company(state.db, account_key)
    # The subdomain (chosen by the tenant) rather than the random account key: same subdomain, same books.
    return f"{state.config['SEED']}:{company.subdomain}"


def render_source(state: Sandbox, account_key: str, integration: str, scale: float) -> connections.SyncSource:
    """Return a source that renders the company's business in the app's raw shape (no OAuth: sandbox shortcut)."""
    module = connections.app_module(integration)
    seed, end = _seed(state, account_key), state.config["DATA_END"]
    return connections.SyncSource(fetch_raw=lambda: module.render(connections.business_for(seed, end, scale)))


def connect_without_browser(
    state: Sandbox, account_key: str, integration: str, *, scale: float = 1.0
) -> dict[str, Any]:
    """Connect a simulated app and finish its first sync before answering (like Plaid's sandbox item creation)."""
    accounts.get_company(state.db, account_key)
    module = connections.app_module(integration)
    if getattr(module, "AUTH_TYPE", None) == "upload":
        raise InvalidParameter("Upload apps are connected by uploading files, not by sandbox_connect.")
    row, created = connections.upsert_connection(
        state.db, account_key, integration, credentials={"kind": "sandbox_connect"}, scale=scale
    )
    if created:
        state.emit("connection.created", account_key, {"integration": integration, "connection_id": row.id})
    connections.run_sync(state.db, row.id, render_source(state, account_key, integration, scale), state.emit)
    refreshed = connections.get_connection(state.db, account_key, integration)
    assert refreshed is not None
    return connections.connection_row(refreshed)
