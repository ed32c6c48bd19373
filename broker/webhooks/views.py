"""Lender webhook endpoints (HTTP Basic) and the receiver of the upstream platform's signed webhooks."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from broker.auth import current_client, lender_endpoint
from broker.state import broker_state, db_session
from broker.webhooks import service as webhooks
from broker.webhooks import upstream as upstream_webhooks
from broker.webhooks.schemas import (
    UpstreamReceiptSchema,
    WebhookCreateSchema,
    WebhookDeliveryListSchema,
    WebhookDeliverySchema,
    WebhookEndpointCreatedSchema,
    WebhookEndpointListSchema,
)
from common.pagination import PageQuerySchema, page_answer
from common.signing import HEADER

bp = Blueprint("webhooks", __name__, url_prefix="/v1", description="Lender: webhook endpoints and their deliveries.")
upstream_bp = Blueprint("upstream_webhooks", __name__, url_prefix="/v1/upstream", description="Upstream platform.")


def service() -> webhooks.WebhookService:
    """Return the current app's webhook service."""
    found: webhooks.WebhookService = current_app.extensions[webhooks.EXTENSION]
    return found


@bp.route("/webhooks")
class Endpoints(MethodView):
    @lender_endpoint(bp, response=(200, WebhookEndpointListSchema))
    def get(self) -> dict[str, Any]:
        """List your webhook endpoints (without secrets)."""
        return {"data": webhooks.list_endpoints(db_session(), current_client().id)}

    @lender_endpoint(bp, body=WebhookCreateSchema, response=(201, WebhookEndpointCreatedSchema))
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Register an endpoint; the answer carries its signing secret, shown this once only."""
        return webhooks.register_endpoint(
            db_session(),
            current_client().id,
            body["url"],
            body["events"],
            now=broker_state().now(),
            production=current_app.config["ENV"] == "production",
        )


@bp.route("/webhooks/<endpoint_id>", methods=["DELETE"])
@lender_endpoint(bp, response=204)
def delete_endpoint(endpoint_id: str) -> None:
    """Delete an endpoint: nothing more is sent to it; its pending deliveries fail, its log stays readable."""
    webhooks.delete_endpoint(db_session(), current_client().id, endpoint_id, now=broker_state().now())


@bp.route("/webhooks/<endpoint_id>/deliveries", methods=["GET"])
@lender_endpoint(bp, query=PageQuerySchema, response=(200, WebhookDeliveryListSchema))
def list_deliveries(query: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
    """The endpoint's delivery log, newest first, 30 a page: status, attempts, last error, timestamps."""
    page = query["page"]
    rows = webhooks.list_deliveries(db_session(), current_client().id, endpoint_id, page)
    return page_answer(rows, page)


@bp.route("/webhook_deliveries/<delivery_id>/redeliver", methods=["POST"])
@lender_endpoint(bp, response=(202, WebhookDeliverySchema))
def redeliver(delivery_id: str) -> dict[str, Any]:
    """Send a delivery's event again (same event id and body), as a new entry in the log."""
    queued = webhooks.redeliver(db_session(), current_client().id, delivery_id, now=broker_state().now())
    service().wake()
    return queued


@upstream_bp.route("/webhooks", methods=["POST"])
@upstream_bp.response(200, UpstreamReceiptSchema)
def receive_upstream() -> dict[str, Any]:
    """Receive a signed webhook from the upstream platform (X-Signature); replays of a seen id are ignored."""
    received = upstream_webhooks.receive(
        db_session(),
        service(),
        request.get_data(cache=False),
        request.headers.get(HEADER),
        configured_secrets=current_app.config.get("UPSTREAM_WEBHOOK_SECRETS") or (),
        now=broker_state().now(),
    )
    return {"received": True, "duplicate": received.duplicate}
