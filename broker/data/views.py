"""The lender's read-only proxy: ``/v1/accounts/<account_key>/data/<object>[/<id>]`` for its own accounts."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from broker.auth import counts_client_itself, current_client, lender_endpoint
from broker.web import DATA_PARAMETERS, DATA_RESPONSES, read_account_data

bp = Blueprint("data", __name__, url_prefix="/v1/accounts", description="Lender: read-only company data.")


def _read(account_key: str, object_name: str, object_id: str | None) -> Response:
    client = current_client()
    return read_account_data(client.id, account_key, object_name, object_id, actor=f"client:{client.id}")


@bp.route("/<account_key>/data/<object_name>", methods=["GET"])
@lender_endpoint(bp, parameters=DATA_PARAMETERS, responses=DATA_RESPONSES)
@counts_client_itself
def read_collection(account_key: str, object_name: str) -> Response:
    """A page of a data-model collection, or a report (balance_sheet, profit_and_loss)."""
    return _read(account_key, object_name, None)


@bp.route("/<account_key>/data/<object_name>/<object_id>", methods=["GET"])
@lender_endpoint(bp, responses=DATA_RESPONSES)
@counts_client_itself
def read_object(account_key: str, object_name: str, object_id: str) -> Response:
    """One object of a data-model collection by id."""
    return _read(account_key, object_name, object_id)
