"""HTTP views, one blueprint per resource; each view loads input, calls one function, dumps the result."""

from __future__ import annotations

from typing import Any

from flask import Response

from broker.upstream import UpstreamResponse

BASIC_SECURITY: list[dict[str, list[str]]] = [{"basicAuth": []}]
BEARER_SECURITY: list[dict[str, list[str]]] = [{"linkToken": []}]
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
    """Render a proxied upstream answer: its JSON body, relayed version headers, never cached."""
    response = Response(result.content, status=result.status, mimetype="application/json")
    response.headers.update(result.headers)
    response.headers["Cache-Control"] = "no-store"
    return response
