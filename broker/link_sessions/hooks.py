"""What the existing link-token and link-flow views call: update-mode checks and the guarded success (Flask-aware).

Kept apart from ``views`` so that ``broker.views.link_flow`` can import it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from broker.errors import (
    CoverageNotMet,
    IntegrationNotAllowed,
    IntegrationNotConnected,
    InvalidToken,
    LinkSessionSucceeded,
    SessionAlreadySucceeded,
    field_errors,
)
from broker.lender import accounts
from broker.lender.clients import AuthenticatedClient
from broker.link_sessions import store
from broker.state import broker_state, db_session
from broker.storage.db import Database
from broker.storage.models import Account
from broker.tokens import LinkClaims
from broker.upstream import UpstreamClient

LIVE = ("healthy", "syncing", "error")  # a connection that exists (an inactive one was disconnected)


def update_target(
    session: Session, upstreams: Mapping[str, UpstreamClient], client: AuthenticatedClient, body: Mapping[str, Any]
) -> tuple[str, str | None]:
    """Check a token request's ``mode`` and ``integration``; update mode needs an existing connection to that app."""
    mode, integration = body.get("mode") or "create", body.get("integration")
    if mode == "create":
        if integration is not None:
            raise field_errors({"integration": ["is only for mode update"]})
        return mode, None
    if not integration:
        raise field_errors({"integration": ["is required in mode update"]})
    account = accounts.account_for(session, client.id, body["account_key"])
    rows = upstreams[account.region].connection_health(account.account_key)
    if not any(row.get("integration") == integration and row.get("status") in LIVE for row in rows):
        raise IntegrationNotConnected()
    return mode, str(integration)


def progress(claims: LinkClaims, account: Account) -> dict[str, Any]:
    """Where the frame opens (as ``GET /v1/link/progress``): the bootstrap answer carries it, saving a request."""
    db, now = db_session(), broker_state().now()
    return store.progress_view(db, store.record_for(db, claims, account, now), now)


def guard_attempt(claims: LinkClaims, integration: Any) -> None:
    """In update mode only the token's app may be connected (again)."""
    if claims.mode == "update" and integration != claims.integration:
        raise IntegrationNotAllowed()


def succeed(claims: LinkClaims, account: Account, complete: Callable[[list[str]], dict[str, Any]]) -> dict[str, Any]:
    """Run ``complete`` once the coverage is met and the session had not succeeded; add ``link_session_id``.

    ``complete`` receives the apps connected in the earlier sessions this one resumed, to share them too.
    """
    from broker.coverage.service import coverage_of

    db, now = db_session(), broker_state().now()
    row = store.record_for(db, claims, account, now)
    if row.succeeded_at is not None:
        raise SessionAlreadySucceeded()
    coverage = coverage_of(account, skip_when_free=True)
    if not coverage["met"]:
        raise CoverageNotMet(details={"coverage": coverage})
    if not store.claim_success(db, row, now):
        raise SessionAlreadySucceeded()
    try:
        result = complete(store.carried_apps(row))
    except BaseException:
        store.release_success(db, row)
        raise
    store.record_success(db, row, coverage, now)
    return {**result, "link_session_id": row.id}


def explain_revocation(db: Database) -> Callable[[LinkClaims], InvalidToken | None]:
    """Return the hook that tells a succeeded session's token apart from a revoked one (a clear code)."""

    def explain(claims: LinkClaims) -> InvalidToken | None:
        try:
            with db.session() as session:
                row = store.record_by_jti(session, claims.jti)
                return LinkSessionSucceeded() if row is not None and row.succeeded_at is not None else None
        except Exception:  # the plain "revoked" answer is still right
            return None

    return explain
