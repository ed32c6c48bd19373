"""HTTP views, one blueprint per resource; each view loads input, calls one function, dumps the result."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from broker.auth import count_read
from broker.consents import guard_proxy_read
from broker.data import proxy
from broker.errors import NotFound
from broker.observability.logs import remember_secret
from broker.state import broker_state, db_session
from broker.upstream import UpstreamResponse
from common.web import request_id

DATA_PARAMETERS = [
    {"in": "query", "name": name, "required": False, "schema": {"type": kind}, "description": text}
    for name, kind, text in (
        ("page", "integer", "Collections: 1-based page of 30 objects; read until an empty array."),
        ("start", "string", "Collections and profit_and_loss: YYYY-MM-DD or an ISO 8601 instant."),
        ("end", "string", "Collections and profit_and_loss: YYYY-MM-DD or an ISO 8601 instant."),
        ("as_of", "string", "balance_sheet only: YYYY-MM-DD."),
        ("period", "string", "profit_and_loss only: month, quarter or year."),
    )
]
DATA_RESPONSES: dict[int, Any] = {
    200: {
        "description": "The upstream's JSON as is: a bare array (collections) or one object.",
        "content": {"application/json": {"schema": {}}},
    }
}


def upstream_json(result: UpstreamResponse) -> Response:
    """Render a proxied upstream answer: its JSON body and relayed version headers (``no-store`` by the hardening)."""
    response = Response(result.content, status=result.status, mimetype="application/json")
    response.headers.update(result.headers)
    return response


def read_account_data(
    client_id: str, account_key: str, object_name: str, object_id: str | None, *, actor: str
) -> Response:
    """Proxy a read of the client's account (client and company rate-limited, its key kept out of logs), render it."""
    state = broker_state()
    try:
        account = state.accounts.get(db_session, client_id, account_key)
    except NotFound:
        state.limits.client(client_id)  # a miss counts against the client like any request
        raise
    remember_secret(account.account_key)
    guard_proxy_read(account, actor)  # 403 access_expired / consent_revoked
    count_read(client_id, account.account_key)  # the views are marked counts_client_itself
    result = proxy.read_for_account(
        state.audit,
        state.upstreams,
        account,
        object_name,
        object_id,
        request.args.items(multi=True),
        actor=actor,
        now=state.now(),
        request_id=request_id(),
    )
    return upstream_json(result)
