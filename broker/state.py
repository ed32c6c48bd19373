"""Per-app broker state (database, tokens, upstream clients, limits) and the per-request accessors views use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g
from sqlalchemy.orm import Session

from broker.lender.account_cache import AccountCache
from broker.lender.clients import ClientAuthenticator
from broker.limits import Limits
from broker.storage import Database
from broker.storage.audit_writer import AuditWriter
from broker.tokens import LinkTokens
from broker.upstream import UpstreamClient
from broker.upstream.readiness import UpstreamReadiness

EXTENSION = "broker"


@dataclass
class BrokerState:
    """Everything one broker app holds for its lifetime; ``close`` releases pools and connections."""

    db: Database
    tokens: LinkTokens
    upstreams: dict[str, UpstreamClient]
    authenticator: ClientAuthenticator
    limits: Limits
    clock: Callable[[], float]
    audit: AuditWriter
    accounts: AccountCache
    redis: Any = None
    readiness: dict[str, UpstreamReadiness] = field(default_factory=dict)
    closed: bool = field(default=False)

    def now(self) -> datetime:
        """Return the broker's current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def close(self) -> None:
        """Close upstream clients, the database pool and Redis (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.audit.close()  # before the pool goes: queued audit entries are written on every clean shutdown
        for upstream in self.upstreams.values():
            upstream.close()
        self.db.dispose()
        self.tokens.revocations.close()
        if self.redis is not None:
            self.redis.close()


def broker_state() -> BrokerState:
    """Return the current app's broker state."""
    state: BrokerState = current_app.extensions[EXTENSION]
    return state


def db_session() -> Session:
    """Return this request's database session (closed when the app context ends)."""
    if "db_session" not in g:
        g.db_session = broker_state().db.session()
    session: Session = g.db_session
    return session


def close_db_session(_error: BaseException | None = None) -> None:
    """Close the request's session, if one was opened."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
