"""Upstream failures as broker errors: never echoing the upstream's body, always in the broker's one shape.

``UpstreamError`` (502, upstream_error)
├── UpstreamBadGateway (502): 5xx after retries, a redirect, a body that is not JSON, bad broker credentials
├── UpstreamUnavailable (503): connection refused or dropped, pool exhausted
├── UpstreamTimeout (504): the per-request deadline passed
└── UpstreamRejected (status of the upstream's 4xx the client can act on: 400, 403, 404, 409, 422, 429)
"""

from __future__ import annotations

import math
from typing import Any

from broker.errors import BrokerError


class UpstreamError(BrokerError):
    code, status, message = "upstream_error", 502, "The financial-data platform returned an unexpected answer."


class UpstreamBadGateway(UpstreamError):
    pass


class UpstreamUnavailable(UpstreamError):
    code, status, message = "upstream_unavailable", 503, "The financial-data platform cannot be reached; retry later."


class UpstreamTimeout(UpstreamError):
    code, status, message = "upstream_timeout", 504, "The financial-data platform did not answer in time."


_REJECTIONS: dict[int, tuple[str, str]] = {
    400: ("upstream_bad_request", "The financial-data platform rejected the request's parameters."),
    403: ("account_not_shared", "This company does not share its data with you (or is not connected)."),
    404: ("not_found", "No such object for this company."),
    409: ("conflict", "The financial-data platform refused: the resource already exists."),
    422: ("upstream_validation_failed", "The financial-data platform rejected the request's parameters."),
    429: ("upstream_rate_limited", "The financial-data platform asks us to slow down; retry after Retry-After."),
}


class UpstreamRejected(UpstreamError):
    """A 4xx from the upstream that is about the client's request, relayed with our own sentence."""

    def __init__(self, upstream_status: int, retry_after: float | None = None, **kwargs: Any) -> None:
        code, message = _REJECTIONS.get(upstream_status, ("upstream_rejected", "The platform refused the request."))
        status = upstream_status if upstream_status in _REJECTIONS else 502
        headers = {"Retry-After": str(max(1, math.ceil(retry_after or 1)))} if status == 429 else None
        super().__init__(message, code=code, status=status, headers=headers, **kwargs)
        self.upstream_status = upstream_status
