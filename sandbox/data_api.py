"""The Data API under ``/api/``: the common data model, read-only, paginated, scoped by ``X_ACCOUNT_KEY``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request

from common.dates import parse_bound, parse_day
from common.pagination import PAGE_SIZE, parse_page
from sandbox import accounts, datastore
from sandbox.auth import requested_account_key, require_data_credentials, well_formed_account_key
from sandbox.connect import connections
from sandbox.errors import AccountNotShared, InvalidParameter, ObjectNotFound, ReadOnly, UnknownObject
from sandbox.state import Sandbox, current_sandbox

bp = Blueprint("data_api", __name__, url_prefix="/api")

API_VERSION = "1.0"
READ_METHODS = ("GET", "HEAD")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
REPORTS = ("balance_sheet", "profit_and_loss")
PLATFORM = ("connections", "integrations", "source_records")
KNOWN = set(datastore.COLLECTIONS) | set(REPORTS) | set(PLATFORM)
PERIODS = ("month", "quarter", "year")


@bp.before_request
def _authenticate() -> None:
    config = current_sandbox().config
    require_data_credentials(config["API_USER"], config["API_KEY"])


@bp.after_request
def _version(response: Response) -> Response:
    response.headers["X-API-Version"] = API_VERSION
    return response


def _base_url(state: Sandbox) -> str:
    return str(state.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def _check_object(object_type: str) -> None:
    if object_type not in KNOWN:
        raise UnknownObject(f"{object_type[:60]!r} is not an object of the common data model.")
    if request.method not in READ_METHODS:
        raise ReadOnly(
            "The Data API is read-only: only GET and HEAD are allowed.",
            headers={"Allow": ", ".join(READ_METHODS)},
        )


def _shared_company(state: Sandbox) -> str:
    account_key = requested_account_key()
    assert account_key is not None
    if not well_formed_account_key(account_key) or not accounts.shares_data(state.db, account_key):
        raise AccountNotShared()
    return account_key


def _page() -> int:
    try:
        return parse_page(request.args.get("page"))
    except ValueError as error:
        raise InvalidParameter(f"page {error}.", code="invalid_page") from None


def _day_range() -> tuple[date | None, date | None]:
    first = last = None
    start, end = request.args.get("start"), request.args.get("end")
    try:
        if start is not None:
            moment = parse_bound(start, end=False)
            # An object dated D counts as D at 00:00:00Z, so a start later than midnight begins the next day.
            first = moment.date() if moment.time() == moment.time().min else moment.date() + timedelta(days=1)
        if end is not None:
            last = parse_bound(end, end=True).date()
    except ValueError as error:
        name = "start" if start is not None and first is None else "end"
        raise InvalidParameter(f"{name} {error}.", code="invalid_date") from None
    if first and last and first > last:
        raise InvalidParameter("start must not be after end.", code="invalid_date_range")
    return first, last


def _paged(rows: list[dict[str, Any]], page: int) -> list[dict[str, Any]]:
    return rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


@bp.route("/<object_type>", methods=ALL_METHODS)
def collection(object_type: str) -> Response:
    _check_object(object_type)
    state = current_sandbox()
    page = _page()
    if object_type == "integrations":
        from sandbox.apps.catalog import integrations

        requested_account_key(required=False)
        return jsonify(_paged(integrations(), page))
    account_key = _shared_company(state)
    if object_type in REPORTS:
        return jsonify(_report(state, account_key, object_type))
    if object_type == "connections":
        return jsonify(_paged(connections.list_connections(state.db, account_key), page))
    if object_type == "source_records":
        raise InvalidParameter(
            "source_records are read one at a time: GET /api/source_records/<id>.", code="id_required"
        )
    first, last = _day_range()
    objects = datastore.Collection(account_key, object_type, _base_url(state))
    page_text = datastore.read_page(state.db, objects, page=page, first_day=first, last_day=last)
    return Response(page_text, mimetype="application/json")


@bp.route("/<object_type>/<object_id>", methods=ALL_METHODS)
def one(object_type: str, object_id: str) -> Response:
    _check_object(object_type)
    state = current_sandbox()
    if object_type in REPORTS or object_type == "integrations":
        if object_type == "integrations":
            from sandbox.apps.catalog import integrations

            match = [row for row in integrations() if row["key"] == object_id]
            if match:
                return jsonify(match[0])
        raise ObjectNotFound()
    account_key = _shared_company(state)
    if len(object_id) > 64:
        raise ObjectNotFound()
    if object_type == "source_records":
        record = datastore.read_source_record(state.db, account_key=account_key, record_id=object_id)
    elif object_type == "connections":
        record = next((c for c in connections.list_connections(state.db, account_key) if c["id"] == object_id), None)
    else:
        objects = datastore.Collection(account_key, object_type, _base_url(state))
        record = datastore.read_one(state.db, objects, object_id)
    if record is None:
        raise ObjectNotFound(f"No {object_type} with id {object_id[:64]!r} for this company.")
    return jsonify(record)


def _report(state: Sandbox, account_key: str, name: str) -> dict[str, Any]:
    from sandbox import reports

    ledger = datastore.read_all(state.db, account_key=account_key, object_type="journal_entries")
    chart = datastore.read_all(state.db, account_key=account_key, object_type="accounts")
    data_end: date = state.config["DATA_END"]
    if name == "balance_sheet":
        as_of_text = request.args.get("as_of")
        try:
            as_of = parse_day(as_of_text) if as_of_text is not None else data_end
        except ValueError as error:
            raise InvalidParameter(f"as_of {error}.", code="invalid_date") from None
        return reports.balance_sheet(chart, ledger, as_of=as_of)
    period = request.args.get("period", "month")
    if period not in PERIODS:
        raise InvalidParameter("period must be month, quarter or year.", code="invalid_period")
    first, last = _day_range()
    last = last or data_end
    first = first or (last.replace(day=1) - timedelta(days=335)).replace(day=1)
    if (last - first).days > 366 * 10:
        raise InvalidParameter("A profit and loss report covers at most ten years.", code="invalid_date_range")
    return reports.profit_and_loss(chart, ledger, start=first, end=last, period=period)
