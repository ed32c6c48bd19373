"""Link sessions over HTTP: the frame's progress, resume, exit and status (link token), the lender's read (Basic)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from broker import webhooks
from broker.auth import (
    BEARER_SECURITY,
    bearer_token,
    check_widget_origin,
    current_client,
    current_company,
    lender_endpoint,
    widget_endpoint,
)
from broker.errors import RevokedToken, StatusAlreadyRead
from broker.lender import accounts
from broker.link.views import LINK_SCOPE
from broker.link_sessions import store
from broker.link_sessions.models import LinkSessionRecord
from broker.link_sessions.schemas import (
    LinkExitInputSchema,
    LinkExitSchema,
    LinkProgressInputSchema,
    LinkProgressSchema,
    LinkSessionSchema,
    SessionStatusSchema,
)
from broker.state import broker_state, db_session
from broker.storage.models import LinkToken
from common.dates import iso

widget_bp = Blueprint(
    "link_sessions_widget",
    __name__,
    url_prefix="/v1/link",
    description="Widget: where the session is, resuming an earlier one, leaving, and the status after success.",
)
lender_bp = Blueprint("link_sessions_lender", __name__, url_prefix="/v1", description="Lender: link sessions' outcome.")


def _record() -> LinkSessionRecord:
    claims, account = current_company()
    return store.record_for(db_session(), claims, account, broker_state().now())


@widget_bp.route("/progress", methods=["GET"])
@widget_endpoint(widget_bp, LINK_SCOPE, response=(200, LinkProgressSchema))
def progress() -> dict[str, Any]:
    """Where to open: this session's step and steps done, and whether an earlier session can be resumed."""
    return store.progress_view(db_session(), _record(), broker_state().now())


@widget_bp.route("/progress", methods=["PUT"])
@widget_endpoint(widget_bp, LINK_SCOPE, body=LinkProgressInputSchema, response=(200, LinkProgressSchema))
def save_progress(body: dict[str, Any]) -> dict[str, Any]:
    """Record the step the owner reached and the steps finished, so that a later token can resume here."""
    row, now = _record(), broker_state().now()
    store.save_progress(db_session(), row, body["step"], body["done"], now)
    return store.progress_view(db_session(), row, now)


@widget_bp.route("/resume", methods=["POST"])
@widget_endpoint(widget_bp, LINK_SCOPE, response=(200, LinkProgressSchema))
def resume() -> dict[str, Any]:
    """Take over the latest unfinished session of the same company; sends ``link.resumed`` (once)."""
    row, now = _record(), broker_state().now()
    resumed_now, earlier = store.resume(db_session(), row, now)
    view = store.progress_view(db_session(), row, now)
    if resumed_now:
        _claims, account = current_company()
        data = {
            "link_session_id": row.id,
            "resumed_from": earlier.id,
            "step": row.step,
            "steps_done": view["steps_done"],
        }
        webhooks.emit("link.resumed", account.client_id, account.account_key, data)
    return view


@widget_bp.route("/exit", methods=["POST"])
@widget_endpoint(widget_bp, LINK_SCOPE, body=LinkExitInputSchema, response=(200, LinkExitSchema))
def exit_session(body: dict[str, Any]) -> dict[str, Any]:
    """The owner leaves: record where, and say whether there is something to resume (``onExit``'s ``resumable``)."""
    return store.exit_session(db_session(), _record(), body["step"], broker_state().now())


@widget_bp.route("/status", methods=["GET"])
@widget_bp.doc(security=BEARER_SECURITY)
@widget_bp.response(200, SessionStatusSchema)
def status() -> dict[str, Any]:
    """This session's status; after success the token reads it once, then is refused (``link_session_status_read``)."""
    state = broker_state()
    claims = state.tokens.verify(bearer_token(), ignore_revocation=True)
    check_widget_origin(claims)
    db = db_session()
    row = store.record_by_jti(db, claims.jti)
    succeeded = row is not None and row.succeeded_at is not None
    if not succeeded:
        record = db.get(LinkToken, claims.jti)
        if state.tokens.revocations.is_revoked(claims.jti) or (record is not None and record.revoked_at is not None):
            raise RevokedToken("The link token has been revoked.")
    state.limits.client(claims.client_id)
    if row is None:
        account = accounts.account_for(db, claims.client_id, claims.account_key)
        row = store.record_for(db, claims, account, state.now())
    elif succeeded and not store.consume_status_read(db, row):
        raise StatusAlreadyRead()
    return {
        "link_session_id": row.id,
        "status": store.status_of(row),
        "steps_done": store.steps_done(row),
        "apps_connected": store.apps_connected(db, row),
        "succeeded_at": iso(row.succeeded_at) if row.succeeded_at is not None else None,
    }


@lender_bp.route("/link_sessions/<session_id>", methods=["GET"])
@lender_endpoint(lender_bp, response=(200, LinkSessionSchema))
def get_link_session(session_id: str) -> dict[str, Any]:
    """One of your link sessions: company, apps connected, steps done, coverage at success, timestamps."""
    return store.lender_session(db_session(), current_client().id, session_id)
