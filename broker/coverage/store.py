"""Coverage without Flask: a lender's requirements in SQL, and the check computed from a company's real data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from broker.coverage.check import Facts, Requirements, balances_from_mapping_view, check, nothing_required
from broker.coverage.models import CoverageRequirements
from broker.review import mapping_store
from broker.review.books import Books
from broker.review.models import ReconciliationState
from broker.storage.models import Account
from common.dates import iso


def requirements_of(session: Session, client_id: str) -> Requirements:
    """Return the client's requirements (nothing required until it sets some)."""
    row = session.get(CoverageRequirements, client_id)
    if row is None:
        return Requirements()
    return Requirements(row.books_months, row.bank_months, row.mapped_percent, row.reliable_through_required)


def requirements_view(session: Session, client_id: str) -> dict[str, Any]:
    """Return the requirements as the lender API shows them, with when they were last set (null: never)."""
    row = session.get(CoverageRequirements, client_id)
    found = requirements_of(session, client_id)
    return {
        "books_months": found.books_months,
        "bank_months": found.bank_months,
        "mapped_percent": found.mapped_percent,
        "reliable_through_required": found.reliable_through_required,
        "updated_at": iso(row.updated_at) if row is not None else None,
    }


def replace_requirements(session: Session, client_id: str, body: Mapping[str, Any], *, now: datetime) -> dict[str, Any]:
    """Set every requirement of the client at once (a validated body) and return the new view."""
    row = session.get(CoverageRequirements, client_id)
    if row is None:
        row = CoverageRequirements(client_id=client_id)
        session.add(row)
    row.books_months = int(body["books_months"])
    row.bank_months = int(body["bank_months"])
    row.mapped_percent = float(body["mapped_percent"])
    row.reliable_through_required = bool(body["reliable_through_required"])
    row.updated_at = now
    session.commit()
    return requirements_view(session, client_id)


def coverage_for(
    session: Session, account: Account, read_books: Callable[[], Books], *, now: datetime, skip_when_free: bool = False
) -> dict[str, Any]:
    """Return the coverage check of one company against its lender's requirements.

    ``read_books`` reads the company's books through the upstream; with ``skip_when_free`` it is not called when
    the lender requires nothing (the success step of a lender without requirements costs no upstream read).
    """
    wanted = requirements_of(session, account.client_id)
    if skip_when_free and not wanted.any:
        return {**nothing_required(), "checked_at": iso(now)}
    books = read_books()
    state = session.get(ReconciliationState, account.id)
    view = mapping_store.mapping_view(session, account, books)
    facts = Facts(
        journal_dates=[entry.get("date") for entry in books.journal_entries],
        bank_dates=[txn.get("date") for txn in books.bank_transactions],
        balances=balances_from_mapping_view(view),
        reliable_through=state.reliable_through if state is not None else None,
    )
    return {**check(wanted, facts), "checked_at": iso(now)}
