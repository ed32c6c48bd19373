"""Connecting an app to a company: connect sessions, the OAuth and bank steps, outcomes, sync, disconnect."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from common.dates import utcnow
from sandbox import accounts
from sandbox.apps.server import storage
from sandbox.connect import breakage, connections
from sandbox.connect.connector import AccessDenied, Connector, ConnectorError
from sandbox.errors import InvalidParameter
from sandbox.models import Connection, ConnectSession
from sandbox.state import Sandbox

log = logging.getLogger(__name__)

MAX_STATE_LENGTH = 500
CONNECTOR_KINDS = ("oauth2", "bank")


class ConnectRefused(Exception):
    """The connect flow cannot go on; ``code`` goes back to the tenant as ``error=<code>``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def outcome_url(redirect: str, tenant_state: str, integration: str, status: str, error: str | None = None) -> str:
    """Return ``redirect`` with ``state``, ``status``, ``integration`` (and ``error``) added to its query."""
    parts = urlsplit(redirect)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in {"state", "status"}]
    query += [("state", tenant_state), ("status", status), ("integration", integration)]
    if error:
        query.append(("error", error))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def auth_type(integration: str) -> str:
    """Return how an app connects (``oauth2``, ``credentials``, ``upload``); raise ``ConnectRefused`` if unknown."""
    from sandbox.apps.catalog import catalogue_entry

    entry = catalogue_entry(integration)
    if entry is None:
        raise ConnectRefused("unknown_integration", "There is no app with that key in the catalogue.")
    return str(entry["auth_type"])


def open_session(state: Sandbox, *, integration: str, embed: str, tenant_state: str, redirect: str) -> ConnectSession:
    """Consume the embed token (single use, one hour, one company) and start a connect session."""
    grant = accounts.consume_embed_token(state.db, embed)
    if grant is None:
        raise ConnectRefused("invalid_embed_token", "The embed token is unknown, expired or already used.")
    if grant.account_key is None:
        raise ConnectRefused("embed_token_not_bound", "The embed token is not bound to a company account.")
    now = utcnow()
    row = ConnectSession(
        id="cs_" + secrets.token_urlsafe(24),
        account_key=grant.account_key,
        integration=integration,
        tenant_state=tenant_state,
        redirect=redirect,
        status="pending",
        created=now,
        expires=now + timedelta(seconds=state.config["CONNECT_SESSION_TTL_SECONDS"]),
    )
    with state.db.session() as session:
        session.add(row)
    return row


def pending_session(state: Sandbox, session_id: Any, integration: str) -> ConnectSession | None:
    """Return an open, unexpired connect session of that app, or None."""
    if not isinstance(session_id, str) or len(session_id) > 64:
        return None
    with state.db.session() as session:
        row = session.get(ConnectSession, session_id)
    if row is None or row.status != "pending" or row.integration != integration:
        return None
    expires = row.expires if row.expires.tzinfo else row.expires.replace(tzinfo=utcnow().tzinfo)
    return row if expires > utcnow() else None


def update_session(state: Sandbox, session_id: str, **values: Any) -> None:
    """Record a step of a connect session (OAuth secrets, the bank's challenge, the final status)."""
    with state.db.session() as session:
        row = session.get(ConnectSession, session_id)
        if row is not None:
            for key, value in values.items():
                setattr(row, key, value)


def close_session(state: Sandbox, row: ConnectSession, status: str, error: str | None = None) -> str:
    """End a connect session with an outcome and return the tenant URL to send the browser to."""
    update_session(state, row.id, status=status, oauth_state=None, code_verifier=None, challenge_id=None)
    return outcome_url(row.redirect, row.tenant_state, row.integration, status, error)


def _organisation(state: Sandbox, account_key: str) -> str:
    return accounts.get_company(state.db, account_key).subdomain


def start_oauth(state: Sandbox, connector: Connector, row: ConnectSession, public_base: str) -> str:
    """Prepare the app's authorization request (state + PKCE kept in the session) and return its URL."""
    start = connector.start_authorization(row.integration, public_base, _organisation(state, row.account_key))
    update_session(state, row.id, oauth_state=start.state, code_verifier=start.code_verifier)
    return start.url


def finish_oauth(state: Sandbox, connector: Connector, row: ConnectSession, public_base: str, callback: str) -> str:
    """Check the app's redirect, exchange the code, connect, and return the tenant URL with the outcome."""
    try:
        token = connector.finish_authorization(
            row.integration,
            public_base,
            callback,
            state=row.oauth_state or "",
            code_verifier=row.code_verifier or "",
            organisation=_organisation(state, row.account_key),
        )
    except AccessDenied:
        return close_session(state, row, "denied")
    except ConnectorError as error:
        log.info("connect: %s for %s", error.code, row.integration)
        return close_session(state, row, "error", error.code)
    complete_connection(state, connector, row, {"kind": "oauth2", "token": token})
    return close_session(state, row, "connected")


def submit_credentials(
    state: Sandbox, connector: Connector, row: ConnectSession, username: str, password: str
) -> dict[str, Any]:
    """Send a username and password to the bank (once; never stored) and return its answer."""
    body = {"username": username[:200], "password": password[:200]}
    answer = connector.bank_call(
        row.integration, "login", {**body, "organisation": _organisation(state, row.account_key)}
    )
    if answer.get("status") == "mfa_required":
        update_session(state, row.id, challenge_id=answer.get("challenge_id"))
    return answer


def submit_code(state: Sandbox, connector: Connector, row: ConnectSession, code: str) -> dict[str, Any]:
    """Send the one-time code; when right, store the bank's token and connect."""
    if not row.challenge_id:
        return {"status": "unknown_challenge", "message": "Sign in first; there is no code to check."}
    answer = connector.bank_call(row.integration, "mfa", {"challenge_id": row.challenge_id, "code": code[:20]})
    token = answer.pop("token", None)
    if answer.get("status") == "connected" and isinstance(token, dict):
        answer["connection"] = complete_connection(state, connector, row, {"kind": "bank", "token": token})
    return answer


def resend_code(state: Sandbox, connector: Connector, row: ConnectSession) -> dict[str, Any]:
    """Ask the bank for a new one-time code."""
    if not row.challenge_id:
        return {"status": "unknown_challenge", "message": "Sign in first; there is no code to resend."}
    return connector.bank_call(row.integration, "mfa/resend", {"challenge_id": row.challenge_id})


def complete_connection(
    state: Sandbox, connector: Connector, row: ConnectSession, credentials: dict[str, Any]
) -> dict[str, Any]:
    """Create (or reuse) the connection with the app's tokens, announce it, and start the first sync."""
    broken = breakage.was_broken(state, row.account_key, row.integration)
    connection, created = connections.upsert_connection(
        state.db, row.account_key, row.integration, credentials=credentials
    )
    if created:
        state.emit(
            "connection.created", row.account_key, {"integration": row.integration, "connection_id": connection.id}
        )
    start_connector_sync(
        state,
        connector,
        connection.id,
        row.integration,
        background=state.config["SYNC_IN_BACKGROUND"],
        after=lambda: breakage.announce_if_restored(state, row.account_key, row.integration, broken),
    )
    refreshed = connections.get_connection(state.db, row.account_key, row.integration)
    assert refreshed is not None
    return connections.connection_row(refreshed)


def _stored_token(state: Sandbox, connection_id: str) -> dict[str, Any]:
    with state.db.session() as session:
        row = session.get(Connection, connection_id)
        credentials = dict(row.credentials or {}) if row is not None else {}
    if credentials.get("kind") not in CONNECTOR_KINDS or not isinstance(credentials.get("token"), dict):
        raise ConnectorError("The connection holds no app token; connect the app again.", "not_connected")
    return dict(credentials["token"])


def _save_token(state: Sandbox, connection_id: str, token: dict[str, Any]) -> None:
    with state.db.session() as session:
        row = session.get(Connection, connection_id)
        if row is not None and row.credentials:
            row.credentials = {**row.credentials, "token": token}  # a new dict, so the JSON column is written


ERROR_TEXT = {
    "access_revoked": "The app no longer accepts this connection's tokens (revoked or expired); connect it again.",
    "app_unavailable": "The app kept failing during the sync; it will be retried.",
    "not_connected": "The connection holds no app token; connect the app again.",
}


def start_connector_sync(
    state: Sandbox,
    connector: Connector,
    connection_id: str,
    integration: str,
    *,
    background: bool,
    after: Callable[[], None] | None = None,
) -> None:
    """Sync a connection through the connector (now, or in a thread); a refused token turns its health to error."""
    failures: list[ConnectorError] = []

    def fetch() -> dict[str, list[dict[str, Any]]]:
        try:
            token = _stored_token(state, connection_id)
            return connector.fetch_raw(integration, token, lambda new: _save_token(state, connection_id, new))
        except ConnectorError as error:
            failures.append(error)
            raise

    def run() -> None:
        connections.run_sync(state.db, connection_id, connections.SyncSource(fetch_raw=fetch), state.emit)
        if failures:
            text = ERROR_TEXT.get(failures[0].code, str(failures[0]))
            connections.set_progress(state.db, connection_id, 0, status="error", error=text)
        if after is not None:
            after()

    state.run(run, f"sync-{connection_id}", background=background)


def render_source(state: Sandbox, account_key: str, integration: str, scale: float) -> connections.SyncSource:
    """Return a source that renders the company's business in the app's raw shape (no OAuth: sandbox shortcut)."""
    module = connections.app_module(integration)
    seed = f"{state.config['SEED']}:{_organisation(state, account_key)}"
    # The subdomain (chosen by the tenant) rather than the random account key: same subdomain, same books.
    end = state.config["DATA_END"]
    return connections.SyncSource(fetch_raw=lambda: module.render(connections.business_for(seed, end, scale)))


def connect_without_browser(
    state: Sandbox, account_key: str, integration: str, *, scale: float = 1.0
) -> dict[str, Any]:
    """Connect a simulated app and finish its first sync before answering (like Plaid's sandbox item creation)."""
    accounts.get_company(state.db, account_key)
    module = connections.app_module(integration)
    if getattr(module, "AUTH_TYPE", None) == "upload":
        raise InvalidParameter("Upload apps are connected by uploading files, not by sandbox_connect.")
    broken = breakage.was_broken(state, account_key, integration)
    row, created = connections.upsert_connection(
        state.db, account_key, integration, credentials={"kind": "sandbox_connect"}, scale=scale
    )
    if created:
        state.emit("connection.created", account_key, {"integration": integration, "connection_id": row.id})
    connections.run_sync(state.db, row.id, render_source(state, account_key, integration, scale), state.emit)
    breakage.announce_if_restored(state, account_key, integration, broken)
    refreshed = connections.get_connection(state.db, account_key, integration)
    assert refreshed is not None
    return connections.connection_row(refreshed)


def resync(state: Sandbox, connector: Connector, account_key: str, integration: str) -> dict[str, Any] | None:
    """Run a connection's sync again with what it was connected with; None when there is no such connection."""
    from sandbox.apps import upload

    connection = connections.get_connection(state.db, account_key, integration)
    if connection is None or connection.status == "inactive":
        return None
    kind = (connection.credentials or {}).get("kind")
    background = state.config["SYNC_IN_BACKGROUND"]
    if kind in CONNECTOR_KINDS:
        connections.set_progress(state.db, connection.id, 0, status="syncing")
        start_connector_sync(state, connector, connection.id, integration, background=background)
    elif kind == "upload":
        upload.sync_upload(state, connection.id)
    else:
        source = render_source(state, account_key, integration, connection.scale)
        connections.set_progress(state.db, connection.id, 0, status="syncing")
        connection_id = connection.id
        state.run(
            lambda: connections.run_sync(state.db, connection_id, source, state.emit),
            f"sync-{connection_id}",
            background=background,
        )
    refreshed = connections.get_connection(state.db, account_key, integration)
    return connections.connection_row(refreshed) if refreshed else None


def disconnect(state: Sandbox, connector: Connector, account_key: str, integration: str) -> dict[str, Any] | None:
    """Revoke the app's tokens at the app, then end the connection and hide its data."""
    connection = connections.get_connection(state.db, account_key, integration)
    if connection is not None and (connection.credentials or {}).get("kind") in CONNECTOR_KINDS:
        connector.revoke(integration, dict((connection.credentials or {}).get("token") or {}))
    return connections.disconnect(state.db, account_key, integration, state.emit)


def revoke_at_app(state: Sandbox, account_key: str, integration: str) -> int:
    """Simulate the owner removing the connection inside the app: every token it gave for the company stops working."""
    return storage.revoke_organisation(state.db, integration, _organisation(state, account_key))
