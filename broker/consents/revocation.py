"""The owner's revocation end to end: revoke the consent, disconnect the company's apps upstream, tell the lender."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from broker.consents import store
from broker.consents.models import ConsentReceipt
from broker.storage.models import Account
from broker.upstream import UpstreamClient, UpstreamError
from common.dates import iso

log = logging.getLogger(__name__)
EVENT = "consent.revoked"
Emit = Callable[[str, str, str | None, Mapping[str, Any]], str]


def revoke_consent(
    session: Session,
    upstreams: Mapping[str, UpstreamClient],
    row: ConsentReceipt,
    *,
    now: datetime,
    emit: Emit,
    revoked: Callable[[int], None] = lambda _account_id: None,
) -> dict[str, Any]:
    """Revoke (once: a second call raises ``ConsentAlreadyRevoked``), disconnect every upstream connection through
    the Administration API, then send ``consent.revoked``; return what the receipt page shows.

    ``revoked`` is told the company's account id as soon as the revocation is committed (the consent gate forgets
    it, so this process refuses the next read at once).
    """
    store.revoke(session, row, now=now, actor="owner:receipt_link")
    revoked(row.account_id)
    account = session.get(Account, row.account_id)
    done: list[str] = []
    failed: list[str] = []
    if account is not None:
        upstream = upstreams[account.region]
        try:
            connections = upstream.connection_health(account.account_key)
        except UpstreamError as error:
            log.warning("revocation could not list connections: %s", error.code)
            connections, failed = [], ["*"]
        for connection in connections:
            integration = connection.get("integration")
            if not isinstance(integration, str) or connection.get("status") == "disconnected":
                continue
            try:
                upstream.disconnect(account.account_key, integration)
                done.append(integration)
            except UpstreamError as error:
                log.warning("revocation could not disconnect %s: %s", integration, error.code)
                failed.append(integration)
        store.record_disconnections(session, row, done, failed)
        emit(
            EVENT,
            account.client_id,
            account.account_key,
            {"consent_id": row.id, "revoked_at": iso(now), "disconnected": done, "disconnect_failed": failed},
        )
    return {**store.page_content(session, row, now), "disconnected": done, "disconnect_failed": failed}
