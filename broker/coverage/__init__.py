"""Coverage before success: a lender's minimums per client and the check of a company's data against them."""

from __future__ import annotations

from typing import Any

from broker.coverage import models as models  # registers the table with the metadata migrations compare


def init_app(app: Any, api: Any) -> None:
    """Register the lender's and the widget's coverage blueprints."""
    from broker.coverage import views

    api.register_blueprint(views.lender_bp)
    api.register_blueprint(views.widget_bp)
