"""The credit team's view of one company, read only through the broker: health, statements, reconciliation, data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from flask import Blueprint, abort, render_template, request

from common.pagination import PAGE_SIZE
from example_host_app import present
from example_host_app.broker_client import BrokerError
from example_host_app.views import broker, store

bp = Blueprint("credit", __name__)
T = TypeVar("T")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PERIODS = ("month", "quarter", "year")


@dataclass
class Section:
    """One part of a page: its data, or the sentence saying why it is missing."""

    data: Any = None
    error: str | None = None


def fetch(call: Callable[..., T], *args: Any) -> Section:
    """Run one broker call; a failure becomes a sentence for that section instead of a broken page."""
    try:
        return Section(call(*args))
    except BrokerError as error:
        return Section(None, error.message)


def _day(name: str, default: date) -> str:
    value = request.args.get(name, "")
    if _DAY.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    return default.isoformat()


def _app_names(account_key: str) -> dict[str, str]:
    """The apps' names by key (the upstream's catalogue, through the broker); empty when it cannot be read."""
    return present.app_names(fetch(broker().data, account_key, "integrations", {"page": "1"}).data)


def _account(account_key: str) -> dict[str, Any]:
    try:
        return broker().get_account(account_key)
    except BrokerError as error:
        if error.status == 404:
            abort(404, "The broker knows no company with that key for this lender.")
        abort(502, f"The broker could not be read: {error.message}")


@bp.get("/companies/<account_key>")
def company(account_key: str) -> str:
    """Connections and health, mapped statements with ratios and a chart, and the reconciliation summary."""
    account = _account(account_key)
    first_of_month = date.today().replace(day=1)
    end = _day("end", first_of_month - timedelta(days=1))
    start = _day("start", (first_of_month - timedelta(days=365)).replace(day=1))
    period = request.args.get("period") if request.args.get("period") in PERIODS else "month"
    statements = fetch(broker().statements, account_key, {"start": start, "end": end, "period": period})
    reconciliation = fetch(broker().reconciliation, account_key)
    mapping = fetch(broker().mapping, account_key)
    chart = None
    if statements.data:
        chart = present.pl_chart(statements.data.get("profit_and_loss") or [], statements.data.get("currency"))
    return render_template(
        "company.html",
        account=account,
        local=store().company(account_key),
        query={"start": start, "end": end, "period": period},
        periods=PERIODS,
        statements=statements,
        chart=chart,
        ratios=present.RATIOS,
        reconciliation=reconciliation,
        recon=present.reconciliation_view(reconciliation.data) if reconciliation.data else None,
        mapping=mapping,
        events=store().events(account_key, limit=10),
        names=_app_names(account_key),
        reconnects=store().latest_reconnects(account_key),
    )


@bp.get("/companies/<account_key>/data")
def explorer(account_key: str) -> str:
    """Any common-model collection, 30 a page, filtered by date when the object has one."""
    account = _account(account_key)
    object_name = request.args.get("object", "invoices")
    if object_name not in present.EXPLORER_OBJECTS:
        abort(404, "That is not an object of the common data model.")
    date_field, columns = present.EXPLORER_OBJECTS[object_name]
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) <= 100_000 else 1
    params = {"page": str(page_number)}
    filters = {}
    for name in ("start", "end"):
        value = request.args.get(name, "")
        if date_field and _DAY.match(value):
            params[name] = filters[name] = value
    rows = fetch(broker().data, account_key, object_name, params)
    items = rows.data if isinstance(rows.data, list) else []
    return render_template(
        "explorer.html",
        account=account,
        objects=present.EXPLORER_OBJECTS,
        object_name=object_name,
        date_field=date_field,
        columns=columns,
        rows=rows,
        items=items,
        cell=present.cell,
        page=page_number,
        has_next=len(items) == PAGE_SIZE,
        filters=filters,
        names=_app_names(account_key),
    )


@bp.get("/companies/<account_key>/data/<object_name>/<object_id>")
def record(account_key: str, object_name: str, object_id: str) -> str:
    """One object as the common model shows it, beside the raw record of the app it came from."""
    account = _account(account_key)
    if object_name not in present.EXPLORER_OBJECTS:
        abort(404, "That is not an object of the common data model.")
    found = fetch(broker().data_object, account_key, object_name, object_id)
    if found.error is None and found.data is None:
        abort(404, "The broker has no such object for this company.")
    raw = Section()
    source_id = present.source_record_id(found.data) if found.data else None
    if source_id:
        raw = fetch(broker().data_object, account_key, "source_records", source_id)
    return render_template(
        "record.html",
        account=account,
        object_name=object_name,
        object_id=object_id,
        found=found,
        normalized=json.dumps(found.data, indent=2, sort_keys=True) if found.data else None,
        raw=raw,
        raw_json=json.dumps(raw.data, indent=2, sort_keys=True) if raw.data else None,
        source_id=source_id,
        names=_app_names(account_key),
    )
