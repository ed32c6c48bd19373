"""Map and reconcile over HTTP: the widget's steps (bearer link token) and the lender's reads (HTTP Basic)."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from broker import webhooks
from broker.auth import current_client, current_company, lender_endpoint, scoped_widget_endpoint
from broker.consents import guard_lender_read
from broker.invitations import widget_actor
from broker.lender import accounts
from broker.observability.logs import remember_secret
from broker.owner_notes import lender_additions
from broker.review import mapped_statements, mapping_store, reconcile_store
from broker.review.books import Books, BooksCache
from broker.review.schemas import (
    ChartInputSchema,
    ChartSchema,
    DecisionsSavedSchema,
    DecisionsSaveSchema,
    LenderMappingSchema,
    LenderReconciliationSchema,
    MappingSavedSchema,
    MappingSaveSchema,
    MappingViewSchema,
    ReconciliationQuerySchema,
    StatementsQuerySchema,
    StatementsSchema,
    WidgetReconciliationSchema,
)
from broker.review.statements import statements_to_csv
from broker.state import broker_state, db_session
from broker.storage.models import Account
from common.web import request_id

BOOKS = "broker_books"
MAP_SCOPE, RECONCILE_SCOPE = "map", "reconcile"

widget_bp = Blueprint(
    "review_widget", __name__, url_prefix="/v1/link", description="Widget: map accounts and reconcile bank to ledger."
)
lender_bp = Blueprint(
    "review_lender",
    __name__,
    url_prefix="/v1",
    description="Lender: chart, mapping, statements, reconciliation.",
)


def _books(account: Account) -> Books:
    cache: BooksCache = current_app.extensions[BOOKS]
    state = broker_state()
    state.limits.company(account.account_key)
    return cache.get(state.upstreams[account.region], account.account_key)


def _lender_account(account_key: str) -> Account:
    account = accounts.account_for(db_session(), current_client().id, account_key)
    remember_secret(account.account_key)
    guard_lender_read(account)  # issue 18: 403 access_expired / consent_revoked
    return account


def _audit(account: Account, actor: str, action: str) -> None:
    accounts.audit(
        db_session(),
        actor=actor,
        action=action,
        at=broker_state().now(),
        account_id=account.id,
        request_id=request_id(),
    )


def _widget_save(action: str) -> tuple[Account, str]:
    """The widget's company and who saves (an invited accountant is named, issue 18), the save audited."""
    claims, account = current_company()
    actor = widget_actor(claims)
    _audit(account, actor, action)
    return account, actor


@widget_bp.after_request
@lender_bp.after_request
def _never_cached(response: Response) -> Response:
    return response


# -- widget --------------------------------------------------------------------------------------------------------
@widget_bp.route("/mapping")
class WidgetMapping(MethodView):
    @scoped_widget_endpoint(widget_bp, MAP_SCOPE, response=(200, MappingViewSchema))
    def get(self) -> dict[str, Any]:
        """Accounts with balances, a suggested category (confidence, reason), flags, the chart and progress."""
        _claims, account = current_company()
        return mapping_store.mapping_view(db_session(), account, _books(account))

    @scoped_widget_endpoint(widget_bp, MAP_SCOPE, body=MappingSaveSchema, response=(200, MappingSavedSchema))
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Save categories for some or all accounts (bulk); idempotent; history kept; ``mapping.saved`` webhook."""
        account, actor = _widget_save("mapping.saved")
        saved = mapping_store.save_mapping(
            db_session(), account, _books(account), body["mappings"], actor=actor, now=broker_state().now()
        )
        webhooks.emit(
            "mapping.saved",
            account.client_id,
            account.account_key,
            {"changed": saved["changed"], **saved["progress"], "saved_at": saved["saved_at"]},
        )
        return saved


@widget_bp.route("/reconciliation")
class WidgetReconciliation(MethodView):
    @scoped_widget_endpoint(
        widget_bp,
        RECONCILE_SCOPE,
        query=ReconciliationQuerySchema,
        unknown=RAISE,
        response=(200, WidgetReconciliationSchema),
    )
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Per bank account for one month: both sides' balances, suggested matches, unmatched lines."""
        _claims, account = current_company()
        return reconcile_store.widget_view(db_session(), account, _books(account), query["month"])

    @scoped_widget_endpoint(widget_bp, RECONCILE_SCOPE, body=DecisionsSaveSchema, response=(200, DecisionsSavedSchema))
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Confirm or reject suggested matches (idempotent); ``reliable_through`` completes the reconciliation."""
        account, actor = _widget_save("reconciliation.saved")
        saved = reconcile_store.save_decisions(
            db_session(),
            account,
            _books(account),
            body["decisions"],
            body["reliable_through"],
            actor=actor,
            now=broker_state().now(),
        )
        if saved["completed"]:
            summary = saved["summary"]
            webhooks.emit(
                "reconciliation.completed",
                account.client_id,
                account.account_key,
                {"reliable_through": saved["reliable_through"], "match_rate": summary["match_rate"]}
                | {key: summary[key] for key in ("matches", "confirmed", "rejected", "pending")},
            )
        return saved


@widget_bp.route("/statements", methods=["GET"])
@scoped_widget_endpoint(widget_bp, MAP_SCOPE, response=(200, StatementsSchema))
def widget_statements() -> dict[str, Any]:
    """The lender's mapped statements of the last 12 months (month by month, ratios), for the owner's preview."""
    _claims, account = current_company()
    return mapped_statements.statements_for(
        db_session(),
        account,
        _books(account),
        start=None,
        end=None,
        period="month",
        as_of=None,
        today=broker_state().now().date(),
    )


# -- lender --------------------------------------------------------------------------------------------------------
@lender_bp.route("/standard_chart")
class StandardChartView(MethodView):
    @lender_endpoint(lender_bp, response=(200, ChartSchema))
    def get(self) -> dict[str, Any]:
        """Your standard chart (the default until you replace it)."""
        return mapping_store.get_chart(db_session(), current_client().id)

    @lender_endpoint(lender_bp, body=ChartInputSchema, response=(200, ChartSchema))
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Replace your standard chart for all your companies: a tree, unique codes, every leaf on one side."""
        return mapping_store.replace_chart(db_session(), current_client().id, body, now=broker_state().now())


@lender_bp.route("/accounts/<account_key>/mapping", methods=["GET"])
@lender_endpoint(lender_bp, response=(200, LenderMappingSchema))
def lender_mapping(account_key: str) -> dict[str, Any]:
    """The owner's saved mapping with its recent history; 404 ``mapping_not_saved`` before the first save."""
    return mapping_store.lender_mapping(db_session(), _lender_account(account_key))


@lender_bp.route("/accounts/<account_key>/statements", methods=["GET"])
@lender_endpoint(
    lender_bp,
    query=StatementsQuerySchema,
    unknown=RAISE,
    response=(200, StatementsSchema),
    responses={200: {"description": "JSON, or CSV with format=csv or Accept: text/csv", "content": {"text/csv": {}}}},
)
def lender_statements(query: dict[str, Any], account_key: str) -> Any:
    """Mapped profit and loss per period, balance sheets, ratios and completeness, as JSON or CSV."""
    account = _lender_account(account_key)
    state = broker_state()
    result = mapped_statements.statements_for(
        db_session(),
        account,
        _books(account),
        start=query["start"],
        end=query["end"],
        period=query["period"],
        as_of=query["as_of"],
        today=state.now().date(),
    )
    _audit(account, f"client:{current_client().id}", "statements.read")
    db_session().commit()
    wants_csv = query["format"] == "csv" or request.accept_mimetypes.best_match(["application/json", "text/csv"]) == (
        "text/csv"
    )
    if wants_csv:
        response = Response(statements_to_csv(result), mimetype="text/csv")
        name = f"statements-{result['start']}-{result['end']}.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return result


@lender_bp.route("/accounts/<account_key>/reconciliation", methods=["GET"])
@lender_endpoint(lender_bp, response=(200, LenderReconciliationSchema))
def lender_reconciliation(account_key: str) -> dict[str, Any]:
    """Match rates, unexplained differences, the reliable-through date and the owner's decisions."""
    account = _lender_account(account_key)
    result = reconcile_store.lender_view(db_session(), account, _books(account))
    return {**result, **lender_additions(account)}  # the owner's notes and attestation
