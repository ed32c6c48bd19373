"""The broker's webhooks: a receiver that verifies signatures and ignores replays, and a page listing events."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, render_template, request

from common import signing
from example_host_app.views import store

bp = Blueprint("hooks", __name__)
MAX_BODY = 64 * 1024


@bp.post("/webhooks/ledgerlink")
def receive() -> tuple[dict[str, Any], int]:
    """Accept a signed event from the broker; 401 on a bad or old signature, 200 (ignored) on a replayed id."""
    secret = current_app.config.get("WEBHOOK_SECRET")
    if not secret:
        return {"error": {"code": "not_configured", "message": "HOST_WEBHOOK_SECRET is not set."}}, 503
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY:
        return {"error": {"code": "payload_too_large", "message": "The event is too large."}}, 413
    try:
        signing.verify(secret, body, request.headers.get(signing.HEADER))
    except signing.SignatureError as error:
        return {"error": {"code": error.code, "message": str(error)}}, 401
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        return {"error": {"code": "invalid_event", "message": "Expected an event with id and type."}}, 400
    new = store().add_event(event)
    if new and event["type"] == "link.succeeded" and isinstance(event.get("account_key"), str):
        store().mark_linked(event["account_key"])
    return {"received": True, "duplicate": not new}, 200


@bp.get("/events")
def events() -> str:
    """Every webhook event received, newest first, with its payload."""
    account_key = request.args.get("company") or None
    company = store().company(account_key) if account_key else None
    return render_template("events.html", events=store().events(account_key), company=company)
