"""Financial statements from common-model accounts and journal entries: trial balance, balance sheet, P&L."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

PERIODS = ("month", "quarter", "year")
INCOME = ("revenue", "other_income")
COSTS = ("cost_of_sales", "operating_expense", "other_expense")
_SECTIONS = {"asset": "assets", "liability": "liabilities", "equity": "equity"}

Obj = Mapping[str, Any]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _currency(accounts: Sequence[Obj], journal_entries: Sequence[Obj]) -> str:
    for item in (*accounts[:1], *journal_entries[:1]):
        if item.get("currency"):
            return str(item["currency"])
    return "USD"


def _balances(journal_entries: Iterable[Obj], *, since: str | None = None, until: str | None = None) -> dict[str, int]:
    """Sum of signed lines per account id over entries dated in [since, until] (ISO strings compare as dates)."""
    totals: dict[str, int] = {}
    for entry in journal_entries:
        day = entry["date"]
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        for line in entry["lines"]:
            totals[line["account_id"]] = totals.get(line["account_id"], 0) + int(line["amount"])
    return totals


def _is_income_statement(account: Obj) -> bool:
    return account.get("type") in ("revenue", "expense")


def _pnl_class(account: Obj) -> str:
    classification = account.get("classification")
    if classification in (*INCOME, *COSTS):
        return str(classification)
    return "revenue" if account.get("type") == "revenue" else "operating_expense"


def _line(account_id: str, account: Obj | None, amount: int, *, with_class: bool = True) -> dict[str, Any]:
    line: dict[str, Any] = {
        "account_id": account_id,
        "code": account.get("code") if account else None,
        "name": account.get("name") if account else "Unknown account",
    }
    if with_class:
        line["classification"] = account.get("classification") if account else None
    line["amount" if with_class else "balance"] = amount
    return line


def _sort_key(line: Mapping[str, Any]) -> tuple[str, str]:
    return (str(line.get("code") or "~"), str(line.get("name") or ""))


def trial_balance(
    accounts: Sequence[Obj], journal_entries: Sequence[Obj], *, start: date | str, end: date | str
) -> dict[str, Any]:
    """Return the trial balance at ``end``: each account's cumulative signed balance (debit positive), summing to 0.

    ``start`` only names the period the balance closes; balances include everything posted up to ``end``.
    """
    first, last = _day(start), _day(end)
    if first > last:
        raise ValueError("start must be on or before end")
    by_id = {a["id"]: a for a in accounts}
    balances = _balances(journal_entries, until=last.isoformat())
    lines = [
        _line(account_id, by_id.get(account_id), amount, with_class=False)
        for account_id, amount in balances.items()
        if amount
    ]
    return {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "currency": _currency(accounts, journal_entries),
        "lines": sorted(lines, key=_sort_key),
    }


def fiscal_year_start(as_of: date, first_month: int = 1) -> date:
    """First day of the fiscal year that contains ``as_of``."""
    year = as_of.year if as_of.month >= first_month else as_of.year - 1
    return date(year, first_month, 1)


def balance_sheet(
    accounts: Sequence[Obj], journal_entries: Sequence[Obj], *, as_of: date | str, fiscal_year_start_month: int = 1
) -> dict[str, Any]:
    """Return the balance sheet at ``as_of``; equity includes this fiscal year's earnings so that it balances.

    Amounts are positive in each section's natural sign. Income and expense accounts are never closed in the ledger,
    so their balances from before the fiscal year show as prior years' earnings and those since as current ones.
    """
    day = _day(as_of)
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError("fiscal_year_start_month must be from 1 to 12")
    by_id = {a["id"]: a for a in accounts}
    year_start = fiscal_year_start(day, fiscal_year_start_month)
    balances = _balances(journal_entries, until=day.isoformat())
    this_year = _balances(journal_entries, since=year_start.isoformat(), until=day.isoformat())
    sections: dict[str, list[dict[str, Any]]] = {"assets": [], "liabilities": [], "equity": []}
    earnings = prior = 0
    for account_id, balance in balances.items():
        account = by_id.get(account_id)
        if account is None or _is_income_statement(account):
            earnings -= this_year.get(account_id, 0)
            prior -= balance - this_year.get(account_id, 0)
            continue
        section = _SECTIONS.get(str(account.get("type")), "assets")
        amount = balance if section == "assets" else -balance
        if amount:
            sections[section].append(_line(account_id, account, amount))
    for lines in sections.values():
        lines.sort(key=_sort_key)
    if prior:
        sections["equity"].append(
            {
                "account_id": None,
                "code": None,
                "name": "Prior years' earnings",
                "classification": "equity",
                "amount": prior,
            }
        )
    sections["equity"].append(
        {
            "account_id": None,
            "code": None,
            "name": "Current year earnings",
            "classification": "equity",
            "amount": earnings,
        }
    )
    result: dict[str, Any] = {"as_of": day.isoformat(), "currency": _currency(accounts, journal_entries)}
    for name, lines in sections.items():
        result[name] = {"total": sum(line["amount"] for line in lines), "lines": lines}
    result["equity"]["current_year_earnings"] = earnings
    return result


def periods(start: date, end: date, period: str) -> list[tuple[date, date]]:
    """Split [start, end] into calendar months, quarters or years, clipped to the range."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if start > end:
        raise ValueError("start must be on or before end")
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    result = []
    first = start
    while first <= end:
        index = first.year * 12 + first.month - 1
        boundary = index - (index % 12 if months == 12 else (first.month - 1) % months) + months
        next_first = date(boundary // 12, boundary % 12 + 1, 1)
        result.append((first, min(end, next_first - timedelta(days=1))))
        first = next_first
    return result


def profit_and_loss(
    accounts: Sequence[Obj],
    journal_entries: Sequence[Obj],
    *,
    start: date | str,
    end: date | str,
    period: str = "month",
) -> dict[str, Any]:
    """Return the profit and loss from ``start`` to ``end`` by ``period`` (month, quarter or year, clipped).

    Raises ``ValueError`` for an unknown period or a start after the end.
    """
    spans = periods(_day(start), _day(end), period)
    by_id = {a["id"]: a for a in accounts}
    firsts = [first.isoformat() for first, _ in spans]
    last = spans[-1][1].isoformat()
    activity: list[dict[str, int]] = [{} for _ in spans]
    for entry in journal_entries:
        day = entry["date"]
        if day < firsts[0] or day > last:
            continue
        bucket = activity[bisect.bisect_right(firsts, day) - 1]
        for line in entry["lines"]:
            account = by_id.get(line["account_id"])
            if account is not None and _is_income_statement(account):
                bucket[line["account_id"]] = bucket.get(line["account_id"], 0) + int(line["amount"])
    result = []
    for (first, final), totals in zip(spans, activity, strict=True):
        sums = dict.fromkeys((*INCOME, *COSTS), 0)
        lines = []
        for account_id, balance in totals.items():
            classification = _pnl_class(by_id[account_id])
            amount = -balance if classification in INCOME else balance
            sums[classification] += amount
            if amount:
                lines.append({**_line(account_id, by_id[account_id], amount), "classification": classification})
        gross = sums["revenue"] - sums["cost_of_sales"]
        result.append(
            {
                "start": first.isoformat(),
                "end": final.isoformat(),
                "revenue": sums["revenue"],
                "other_income": sums["other_income"],
                "cost_of_sales": sums["cost_of_sales"],
                "gross_profit": gross,
                "operating_expenses": sums["operating_expense"],
                "other_expenses": sums["other_expense"],
                "net_income": gross + sums["other_income"] - sums["operating_expense"] - sums["other_expense"],
                "lines": sorted(lines, key=_sort_key),
            }
        )
    return {
        "start": spans[0][0].isoformat(),
        "end": spans[-1][1].isoformat(),
        "currency": _currency(accounts, journal_entries),
        "period": period,
        "periods": result,
    }
