"""Widget endpoints of the owner's word (scope ``reconcile``): notes on lines and differences, and the attestation."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from broker.auth import current_company, scoped_widget_endpoint
from broker.invitations import actor_for, require_owner
from broker.owner_notes import store
from broker.owner_notes.schemas import (
    AttestationInputSchema,
    AttestationSchema,
    NotesSavedSchema,
    NotesSaveSchema,
    OwnerWordSchema,
)
from broker.state import broker_state, db_session

SCOPE = "reconcile"
bp = Blueprint("owner_notes", __name__, url_prefix="/v1/link", description="Widget: the owner's notes and attestation.")


@bp.route("/notes")
class Notes(MethodView):
    @scoped_widget_endpoint(bp, SCOPE, response=(200, OwnerWordSchema))
    def get(self) -> dict[str, Any]:
        """The notes saved on this company's lines and differences (with history) and the attestation in force."""
        _claims, account = current_company()
        return store.for_reconciliation(db_session(), account)

    @scoped_widget_endpoint(bp, SCOPE, body=NotesSaveSchema, response=(200, NotesSavedSchema))
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Explain unmatched lines or differences with a reason from a closed list (other needs text); history kept."""
        claims, account = current_company()
        session = db_session()
        return store.save_notes(
            session, account, body["notes"], actor=actor_for(session, claims), now=broker_state().now()
        )


@bp.route("/attestation", methods=["POST"])
@scoped_widget_endpoint(bp, SCOPE, body=AttestationInputSchema, response=(201, AttestationSchema))
def attest(body: dict[str, Any]) -> dict[str, Any]:
    """The owner's attestation at sharing: "To the best of my knowledge these books are complete through <date>"."""
    claims, account = current_company()
    session = db_session()
    require_owner(session, claims)
    return store.attest(
        session,
        account,
        name=body["name"],
        complete_through=body["complete_through"],
        language=body["language"],
        actor=f"link:{claims.jti}",
        now=broker_state().now(),
    )
