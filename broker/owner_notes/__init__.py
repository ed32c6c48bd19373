"""The owner's word on the books (issue 18): notes on unmatched lines and differences, and the attestation at sharing.

The lender's reconciliation answer adds ``for_reconciliation``; see README.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["init_app", "lender_additions"]


def init_app(app: Any, api: Any) -> None:
    """Register the widget blueprint."""
    from broker.owner_notes import views

    api.register_blueprint(views.bp)


def lender_additions(account: Any) -> dict[str, Any]:
    """``{"owner_notes": [...], "attestation": {...} | None}`` for the lender's reconciliation answer."""
    from broker.owner_notes import store
    from broker.state import db_session

    return store.for_reconciliation(db_session(), account)
