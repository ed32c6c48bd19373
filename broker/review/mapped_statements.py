"""The lender's mapped statements: the company's books through its saved mapping and the lender's chart."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from broker.errors import MappingNotSaved, Unprocessable
from broker.review.books import Books
from broker.review.mapping_store import chart_for, saved_mapping
from broker.review.statements import StatementError, build_statements
from broker.storage.models import Account


def default_range(books: Books, today: date) -> tuple[date, date]:
    """Twelve full months ending with the last month that has ledger entries (or the last full month)."""
    days = [str(e.get("date", ""))[:10] for e in books.journal_entries]
    latest = max((d for d in days if len(d) == 10), default=None)
    last_day = date.fromisoformat(latest) if latest else today.replace(day=1) - timedelta(days=1)
    end = date(last_day.year + last_day.month // 12, last_day.month % 12 + 1, 1) - timedelta(days=1)
    start = date(end.year - 1, end.month, 1) + timedelta(days=31)
    return start.replace(day=1), end


def statements_for(
    session: Session,
    account: Account,
    books: Books,
    *,
    start: date | None,
    end: date | None,
    period: str,
    as_of: date | None,
    today: date,
) -> dict[str, Any]:
    """Build the statements for a company whose owner saved a mapping; 404 before that, 422 for a bad range."""
    mapping = saved_mapping(session, account)
    if not mapping:
        raise MappingNotSaved()
    chart, custom = chart_for(session, account.client_id)
    first, last = default_range(books, today)
    start, end = start or first, end or last
    try:
        result = build_statements(
            books.ledger_accounts,
            books.journal_entries,
            mapping,
            chart,
            start=start,
            end=end,
            period=period,
            as_of_dates=[as_of] if as_of else None,
        )
    except StatementError as error:
        raise Unprocessable(str(error), code=error.code) from None
    return {"account_key": account.account_key, "chart": "custom" if custom else "default", **result}
