"""Invitation endpoints: the owner's session creates one (``/v1/link/invitations``); the accountant accepts it."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from broker.auth import current_company, public_endpoint, scoped_widget_endpoint
from broker.consents.views import public_origin
from broker.invitations import store
from broker.invitations.schemas import (
    AccountantSessionSchema,
    InvitationAcceptSchema,
    InvitationCreateSchema,
    InvitationSchema,
)
from broker.state import broker_state, db_session
from common.dates import iso

EXTENSION = "broker_invitations"

widget_bp = Blueprint(
    "invitations_widget", __name__, url_prefix="/v1/link", description="Widget: invite an accountant."
)
public_bp = Blueprint(
    "invitations_public", __name__, url_prefix="/v1/invitations", description="Accountant: open an invitation."
)


def links() -> store.InvitationLinks:
    found: store.InvitationLinks = current_app.extensions[EXTENSION]
    return found


@widget_bp.route("/invitations", methods=["POST"])
@scoped_widget_endpoint(
    widget_bp,
    ("map", "reconcile"),
    body=InvitationCreateSchema,
    response=(201, InvitationSchema),
)
def create_invitation(body: dict[str, Any]) -> dict[str, Any]:
    """Invite an accountant into this company's map and reconcile steps: a single-use, short-lived link to send."""
    claims, account = current_company()
    session = db_session()
    lifetime = body["expires_in"] or int(current_app.config.get("INVITATION_DEFAULT_SECONDS", 86400))
    row, token = store.create(
        session, links(), claims, account, name=body["name"], lifetime=lifetime, now=broker_state().now()
    )
    return {
        "id": row.id,
        "name": row.name,
        "url": f"{public_origin()}/widget/v1/accountant#{token}",
        "expires_at": iso(row.expires_at.astimezone(UTC)),
    }


@public_bp.route("/accept", methods=["POST"])
@public_endpoint(public_bp, body=InvitationAcceptSchema, response=(200, AccountantSessionSchema))
def accept_invitation(body: dict[str, Any]) -> dict[str, Any]:
    """Use an invitation (once): a link token with the scopes map and reconcile only, for the broker's own page."""
    state = broker_state()
    return store.accept(
        db_session(),
        links(),
        state.tokens,
        body["token"],
        origin=public_origin(),
        lifetime=int(current_app.config["LINK_TOKEN_DEFAULT_SECONDS"]),
        now=state.now(),
    )
