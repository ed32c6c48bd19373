"""The widget's read-only proxy: ``/v1/link/data/<object>[/<id>]`` with a bearer link token, its account only."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from broker.auth import counts_client_itself, current_claims, widget_endpoint
from broker.web import DATA_PARAMETERS, DATA_RESPONSES, read_account_data

bp = Blueprint("link", __name__, url_prefix="/v1/link", description="Widget: read-only data for its account.")
READ_SCOPES = ("read", "map", "reconcile")


def _read(object_name: str, object_id: str | None) -> Response:
    claims = current_claims()
    return read_account_data(claims.client_id, claims.account_key, object_name, object_id, actor=f"link:{claims.jti}")


@bp.route("/data/<object_name>", methods=["GET"])
@widget_endpoint(bp, READ_SCOPES, parameters=DATA_PARAMETERS, responses=DATA_RESPONSES)
@counts_client_itself
def read_collection(object_name: str) -> Response:
    """A page of a collection or a report, for the token's account."""
    return _read(object_name, None)


@bp.route("/data/<object_name>/<object_id>", methods=["GET"])
@widget_endpoint(bp, READ_SCOPES, responses=DATA_RESPONSES)
@counts_client_itself
def read_object(object_name: str, object_id: str) -> Response:
    """One object by id, for the token's account."""
    return _read(object_name, object_id)
