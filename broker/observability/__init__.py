"""Request logging and metrics for the broker: one log line and one counted sample per request, and ``/metrics``."""

from __future__ import annotations

import hmac
import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, request

from broker.errors import NotFound
from broker.observability.metrics import CONTENT_TYPE, BrokerMetrics
from common.web import error_response, request_id

ACCESS_LOGGER = "broker.access"
METRICS_PATH = "/metrics"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_AUTHORIZATION_LENGTH = 4096

access_log = logging.getLogger(ACCESS_LOGGER)
bp = Blueprint("metrics", __name__)


def init_app(app: Flask, metrics: BrokerMetrics) -> Blueprint:
    """Time, count and log every request of ``app``, and serve ``/metrics``; return the blueprint (for exemptions)."""
    app.extensions["broker_metrics"] = metrics
    # First of all before-request functions, so that requests a limiter refuses are timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
    app.after_request(_record)
    app.register_blueprint(bp)
    return bp


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _client_id() -> str | None:
    client = g.get("broker_client")
    if client is not None:
        return str(client.id)
    claims = g.get("link_claims")
    return str(claims.client_id) if claims is not None else None


def _record(response: Response) -> Response:
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    # The URL rule, never the path: paths carry account keys, and a label per path would be unbounded.
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in _METHODS else "OTHER"
    metrics: BrokerMetrics = current_app.extensions["broker_metrics"]
    metrics.request(method, route, response.status_code, seconds)
    access_log.log(
        logging.ERROR if response.status_code >= 500 else logging.INFO,
        "%s %s %d",
        method,
        route,
        response.status_code,
        extra={
            "method": method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "client_id": _client_id(),
            "request_id": request_id(),
        },
    )
    return response


@bp.route(METRICS_PATH, methods=["GET"])
def metrics_view() -> Response:
    """Prometheus text exposition, for a scraper holding ``BROKER_METRICS_TOKEN`` as a bearer token."""
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        raise NotFound("Metrics are not enabled on this broker (set BROKER_METRICS_TOKEN).")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if (
        len(header) > MAX_AUTHORIZATION_LENGTH
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(given.strip().encode(), str(expected).encode())
    ):
        return error_response(
            401,
            "unauthorized",
            "Metrics need the bearer token configured in BROKER_METRICS_TOKEN.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    metrics: BrokerMetrics = current_app.extensions["broker_metrics"]
    return Response(metrics.render(), content_type=CONTENT_TYPE)
