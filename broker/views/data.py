"""The lender's read-only proxy: ``/v1/accounts/<account_key>/data/<object>[/<id>]`` for its own accounts."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint

from broker import accounts, proxy
from broker.auth import current_client, require_client
from broker.logs import remember_secret
from broker.state import broker_state, db_session
from broker.views import BASIC_SECURITY, DATA_PARAMETERS, DATA_RESPONSES, upstream_json
from common.web import request_id

bp = Blueprint("data", __name__, url_prefix="/v1/accounts", description="Lender: read-only company data.")


def _read(account_key: str, object_name: str, object_id: str | None) -> Response:
    state = broker_state()
    client = current_client()
    session = db_session()
    account = accounts.account_for(session, client.id, account_key)
    remember_secret(account.account_key)
    state.limits.company(account.account_key)
    result = proxy.read_for_account(
        session,
        state.upstreams,
        account,
        object_name,
        object_id,
        request.args.items(multi=True),
        actor=f"client:{client.id}",
        now=state.now(),
        request_id=request_id(),
    )
    return upstream_json(result)


@bp.route("/<account_key>/data/<object_name>", methods=["GET"])
@require_client
@bp.doc(security=BASIC_SECURITY, parameters=DATA_PARAMETERS, responses=DATA_RESPONSES)
def read_collection(account_key: str, object_name: str) -> Response:
    """A page of a data-model collection, or a report (balance_sheet, profit_and_loss)."""
    return _read(account_key, object_name, None)


@bp.route("/<account_key>/data/<object_name>/<object_id>", methods=["GET"])
@require_client
@bp.doc(security=BASIC_SECURITY, responses=DATA_RESPONSES)
def read_object(account_key: str, object_name: str, object_id: str) -> Response:
    """One object of a data-model collection by id."""
    return _read(account_key, object_name, object_id)
