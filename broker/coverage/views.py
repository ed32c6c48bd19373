"""Coverage over HTTP: the lender's requirements and check (HTTP Basic), and the widget's check (link token)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from broker.auth import current_client, current_company, lender_endpoint, widget_endpoint
from broker.coverage import store
from broker.coverage.schemas import CoverageSchema, RequirementsInputSchema, RequirementsSchema
from broker.coverage.service import coverage_of
from broker.lender import accounts
from broker.link.views import LINK_SCOPE
from broker.observability.logs import remember_secret
from broker.state import broker_state, db_session

lender_bp = Blueprint(
    "coverage_lender", __name__, url_prefix="/v1", description="Lender: coverage requirements and checks."
)
widget_bp = Blueprint(
    "coverage_widget", __name__, url_prefix="/v1/link", description="Widget: the coverage check before success."
)


@lender_bp.route("/requirements")
class RequirementsView(MethodView):
    @lender_endpoint(lender_bp, response=(200, RequirementsSchema))
    def get(self) -> dict[str, Any]:
        """Your minimums for every company (all zero until you set them)."""
        return store.requirements_view(db_session(), current_client().id)

    @lender_endpoint(lender_bp, body=RequirementsInputSchema, response=(200, RequirementsSchema))
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Set your minimums (all four at once): months of books and bank data, share mapped, reliable-through."""
        return store.replace_requirements(db_session(), current_client().id, body, now=broker_state().now())


@lender_bp.route("/accounts/<account_key>/coverage")
@lender_endpoint(lender_bp, response=(200, CoverageSchema))
def account_coverage(account_key: str) -> dict[str, Any]:
    """One company's data against your minimums: each requirement needed, have, met and how to fix it."""
    account = accounts.account_for(db_session(), current_client().id, account_key)
    remember_secret(account.account_key)
    return coverage_of(account)


@widget_bp.route("/coverage")
@widget_endpoint(widget_bp, LINK_SCOPE, response=(200, CoverageSchema))
def widget_coverage() -> dict[str, Any]:
    """The token's company against its lender's minimums, with plain-words fixes the widget shows."""
    _claims, account = current_company()
    return coverage_of(account)
