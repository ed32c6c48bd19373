"""Mapped financial statements: profit and loss, balance sheets and ratios from the ledger through a mapping."""

from __future__ import annotations

import csv
import io
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from broker.mapping.standard_chart import BALANCE_SHEET, PROFIT_AND_LOSS, ChartNode, StandardChart

PERIODS = ("month", "quarter", "year")
MAX_DATES = 400
_PL_TYPES = {"revenue", "expense"}
_PL_CLASSIFICATIONS = {"revenue", "other_income", "cost_of_sales", "operating_expense", "other_expense"}
_PL_ROLES = (
    *("revenue", "other_income", "cost_of_sales", "operating_expenses"),
    *("depreciation", "interest_expense", "income_taxes", "other_expenses"),
)
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class StatementError(ValueError):
    """The statement request (dates, period) or the ledger it reads cannot make statements."""

    code = "invalid_statement_request"
    status = 422


def _day(value: date | str, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise StatementError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def _periods(start: date, end: date, period: str) -> list[tuple[date, date]]:
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    periods: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        index = cursor.year * 12 + cursor.month - 1
        index = index - index % months + months
        next_start = date(index // 12, index % 12 + 1, 1)
        periods.append((cursor, min(end, next_start - timedelta(days=1))))
        cursor = next_start
        if len(periods) > MAX_DATES:
            raise StatementError(f"at most {MAX_DATES} periods can be built at once; narrow start and end")
    return periods


def _fiscal_start(day: date, first_month: int) -> date:
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 4)


class _Ledger:
    """Cumulative balances per account at a fixed set of days, from one pass over the journal lines."""

    def __init__(self, entries: Iterable[Mapping[str, Any]], days: Sequence[date]) -> None:
        self.days = sorted(set(days))
        self.index = {day: i for i, day in enumerate(self.days)}
        keys = [day.isoformat() for day in self.days]
        buckets: dict[str, list[int]] = {}
        self.currencies: set[str] = set()
        self.touched: set[str] = set()  # accounts with an amount that counts in some statement
        self.posted: set[str] = set()  # accounts with an amount at any date
        self.entries: list[tuple[str, list[tuple[str, int]]]] = []
        for n, entry in enumerate(entries):
            when = str(entry.get("date", ""))[:10]
            if entry.get("currency"):
                self.currencies.add(str(entry["currency"]))
            slot = bisect_left(keys, when)
            lines = []
            for line in entry.get("lines") or []:
                amount, account = line.get("amount"), str(line.get("account_id"))
                if not isinstance(amount, int) or isinstance(amount, bool):
                    raise StatementError(f"journal entry {entry.get('id', n)!r}: amounts must be integer cents")
                lines.append((account, amount))
                if amount:
                    self.posted.add(account)
                if slot < len(keys) and amount:
                    buckets.setdefault(account, [0] * len(keys))[slot] += amount
                    self.touched.add(account)
            self.entries.append((when, lines))
        self.balances: dict[str, list[int]] = {}
        for account, bucket in buckets.items():
            running, cumulative = 0, []
            for amount in bucket:
                running += amount
                cumulative.append(running)
            self.balances[account] = cumulative

    def balance(self, account: str, day: date) -> int:
        """Return the account's debit-positive balance at the end of ``day`` (one of the prepared days)."""
        cumulative = self.balances.get(account)
        return cumulative[self.index[day]] if cumulative else 0


class _Builder:
    """Builds each statement from the prepared ledger, the mapping and the chart."""

    def __init__(self, accounts: Sequence[Mapping[str, Any]], mapping: Mapping[str, str], chart: StandardChart):
        self.chart = chart
        self.accounts = {str(account.get("id")): account for account in accounts}
        self.leaf_of: dict[str, str] = {}
        self.unmapped: dict[str, str] = {}
        for account_id in self.accounts:
            code = mapping.get(account_id)
            if code is not None and chart.is_leaf(code):
                self.leaf_of[account_id] = code
            elif code is None:
                self.unmapped[account_id] = "not mapped"
            elif chart.find(code) is None:
                self.unmapped[account_id] = f"mapped to unknown category {code!r}"
            else:
                self.unmapped[account_id] = f"mapped to {code!r}, which has subcategories; pick one of them"

    def add_unknown(self, account_ids: Iterable[str]) -> None:
        for account_id in sorted(set(account_ids) - set(self.accounts)):
            self.accounts[account_id] = {"id": account_id, "name": None}
            self.unmapped[account_id] = "posted to in the ledger but missing from the chart of accounts"

    def statement_of(self, account_id: str) -> str:
        leaf = self.leaf_of.get(account_id)
        if leaf is not None:
            node = self.chart.find(leaf)
            assert node is not None
            return node.statement
        account = self.accounts.get(account_id, {})
        is_pl = account.get("type") in _PL_TYPES or account.get("classification") in _PL_CLASSIFICATIONS
        return PROFIT_AND_LOSS if is_pl else BALANCE_SHEET

    def _lines(self, statement: str, leaf_amounts: dict[str, int]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Return the tree's lines with presented amounts (revenue, liabilities, equity positive)."""
        root = self.chart.root(statement)
        assert root is not None
        presented = {code: -amount if self._credit(code) else amount for code, amount in leaf_amounts.items()}
        lines, amounts = [], {}
        for node, depth in root.walk():
            amount = self._node_amount(node, presented)
            if amount is not None:
                amounts[node.code] = amount
            lines.append(
                {"code": node.code, "name": node.name, "name_fr": node.name_fr, "depth": depth}
                | {"leaf": node.is_leaf, "amount": amount}
            )
        return lines, presented

    def _credit(self, code: str) -> bool:
        node = self.chart.find(code)
        return node is not None and node.side in ("liability", "equity", "income")

    def _node_amount(self, node: ChartNode, presented: Mapping[str, int]) -> int | None:
        leaves = [leaf for leaf, _ in node.walk() if leaf.is_leaf]
        if node.side is not None:
            return sum(presented.get(leaf.code, 0) for leaf in leaves)
        if node.statement == PROFIT_AND_LOSS:
            return sum(presented.get(leaf.code, 0) * (1 if leaf.side == "income" else -1) for leaf in leaves)
        return None

    def _by_role(self, presented: Mapping[str, int], role: str) -> int:
        return sum(amount for code, amount in presented.items() if role in self.chart.roles(code))

    def _unmapped_lines(self, amounts: Mapping[str, int], sign: int) -> tuple[int, list[dict[str, Any]]]:
        lines: list[dict[str, Any]] = [
            {"account_id": account_id, "name": self.accounts[account_id].get("name"), "amount": sign * amount}
            for account_id, amount in sorted(amounts.items())
            if amount
        ]
        return sign * sum(amounts.values()), lines

    def profit_and_loss(self, ledger: _Ledger, start: date, end: date) -> dict[str, Any]:
        before = start - timedelta(days=1)
        leaf_amounts: dict[str, int] = {}
        unmapped: dict[str, int] = {}
        for account_id in self.accounts:
            if self.statement_of(account_id) != PROFIT_AND_LOSS:
                continue
            activity = ledger.balance(account_id, end) - ledger.balance(account_id, before)
            leaf = self.leaf_of.get(account_id)
            if leaf is None:
                unmapped[account_id] = activity
            else:
                leaf_amounts[leaf] = leaf_amounts.get(leaf, 0) + activity
        lines, presented = self._lines(PROFIT_AND_LOSS, leaf_amounts)
        unmapped_total, unmapped_lines = self._unmapped_lines(unmapped, -1)
        totals = {role: self._by_role(presented, role) for role in _PL_ROLES}
        totals["gross_profit"] = totals["revenue"] - totals["cost_of_sales"]
        totals["operating_income"] = totals["gross_profit"] - totals["operating_expenses"]
        income = sum(amount for code, amount in presented.items() if self._credit(code))
        expense = sum(amount for code, amount in presented.items() if not self._credit(code))
        totals |= {"total_income": income, "total_expenses": expense, "unmapped": unmapped_total}
        totals["net_income"] = income - expense + unmapped_total
        return {"start": start.isoformat(), "end": end.isoformat(), "lines": lines, "totals": totals} | {
            "unmapped": {"amount": unmapped_total, "lines": unmapped_lines, "sign": "increases net income"}
        }

    def balance_sheet(self, ledger: _Ledger, as_of: date, first_month: int) -> dict[str, Any]:
        fiscal_before = _fiscal_start(as_of, first_month) - timedelta(days=1)
        leaf_amounts: dict[str, int] = {}
        unmapped: dict[str, int] = {}
        current_year = prior_years = 0
        for account_id in self.accounts:
            balance = ledger.balance(account_id, as_of)
            if self.statement_of(account_id) == PROFIT_AND_LOSS:
                opening = ledger.balance(account_id, fiscal_before)
                current_year, prior_years = current_year - (balance - opening), prior_years - opening
            elif (leaf := self.leaf_of.get(account_id)) is None:
                unmapped[account_id] = balance
            else:
                leaf_amounts[leaf] = leaf_amounts.get(leaf, 0) + balance
        lines, presented = self._lines(BALANCE_SHEET, leaf_amounts)
        unmapped_total, unmapped_lines = self._unmapped_lines(unmapped, 1)
        sides = {side: 0 for side in ("asset", "liability", "equity")}
        for code, amount in presented.items():
            node = self.chart.find(code)
            sides[node.side if node and node.side else "asset"] += amount
        equity = sides["equity"] + current_year + prior_years
        totals = {"total_assets": sides["asset"], "total_liabilities": sides["liability"]}
        totals |= {"equity_accounts": sides["equity"], "current_year_earnings": current_year}
        totals |= {"prior_years_earnings": prior_years, "total_equity": equity, "unmapped": unmapped_total}
        totals["total_liabilities_and_equity"] = sides["liability"] + equity
        for role in ("current_assets", "current_liabilities", "debt"):
            totals[role] = self._by_role(presented, role)
        difference = sides["asset"] + unmapped_total - totals["total_liabilities_and_equity"]
        return {"as_of": as_of.isoformat(), "lines": lines, "totals": totals, "balanced": difference == 0} | {
            "difference": difference,
            "unmapped": {"amount": unmapped_total, "lines": unmapped_lines, "sign": "debit positive"},
        }

    def principal_repaid(self, ledger: _Ledger, periods: Sequence[tuple[date, date]]) -> list[int]:
        """Return, per period, the net debits to accounts mapped to debt: the principal repaid."""
        debt = {account for account, leaf in self.leaf_of.items() if "debt" in self.chart.roles(leaf)}
        ends = [end.isoformat() for _, end in periods]
        repaid = [0] * len(periods)
        for when, lines in ledger.entries:
            net = sum(amount for account, amount in lines if account in debt)
            slot = bisect_left(ends, when)
            if net > 0 and slot < len(periods) and when >= periods[slot][0].isoformat():
                repaid[slot] += net
        return repaid


def _ratios(pl: Mapping[str, Any], bs: Mapping[str, Any], principal: int) -> dict[str, Any]:
    p, b = pl["totals"], bs["totals"]
    service = p["interest_expense"] + principal
    ebitda = p["net_income"] + p["interest_expense"] + p["income_taxes"] + p["depreciation"]
    return {"start": pl["start"], "end": pl["end"]} | {
        "current_ratio": _ratio(b["current_assets"], b["current_liabilities"]),
        "debt_to_assets": _ratio(b["debt"], b["total_assets"]),
        "gross_margin": _ratio(p["gross_profit"], p["revenue"]),
        "operating_margin": _ratio(p["operating_income"], p["revenue"]),
        "dscr": _ratio(ebitda, service) if service > 0 else None,
        "debt_service": {"interest": p["interest_expense"], "principal": principal, "ebitda": ebitda},
    }


def build_statements(
    accounts: Sequence[Mapping[str, Any]],
    journal_entries: Iterable[Mapping[str, Any]],
    mapping: Mapping[str, str],
    chart: StandardChart,
    *,
    start: date | str,
    end: date | str,
    period: str = "month",
    as_of_dates: Sequence[date | str] | None = None,
    fiscal_year_start_month: int = 1,
) -> dict[str, Any]:
    """Build mapped statements from common-model accounts and journal entries through ``mapping``.

    Returns JSON-ready data: ``profit_and_loss`` per period (calendar months, quarters or years clipped to
    ``start``..``end``), ``balance_sheets`` as of each period end (or each of ``as_of_dates``), ``ratios`` per
    period and ``completeness``. Money is integer cents; revenue, liabilities and equity are positive. Accounts
    that are not mapped to a leaf are never dropped: they appear as ``unmapped`` lines that count in the totals,
    so net income ties to the ledger and assets + unmapped = liabilities + equity. Raises ``StatementError``.
    """
    first, last = _day(start, "start"), _day(end, "end")
    if period not in PERIODS:
        raise StatementError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if first > last:
        raise StatementError("start must not be after end")
    if not 1 <= fiscal_year_start_month <= 12:
        raise StatementError("fiscal_year_start_month must be between 1 and 12")
    periods = _periods(first, last, period)
    as_of = [_day(day, "as_of_dates") for day in as_of_dates] if as_of_dates else [e for _, e in periods]
    if len(as_of) > MAX_DATES:
        raise StatementError(f"at most {MAX_DATES} balance sheet dates can be built at once")
    days = {s - timedelta(days=1) for s, _ in periods} | {e for _, e in periods} | set(as_of)
    days |= {_fiscal_start(d, fiscal_year_start_month) - timedelta(days=1) for d in days | set(as_of)}
    ledger = _Ledger(journal_entries, sorted(days))
    builder = _Builder(accounts, mapping, chart)
    builder.add_unknown(ledger.posted)
    pls = [builder.profit_and_loss(ledger, s, e) for s, e in periods]
    sheet_days = sorted(set(as_of) | {e for _, e in periods})
    sheets = {day: builder.balance_sheet(ledger, day, fiscal_year_start_month) for day in sheet_days}
    principal = builder.principal_repaid(ledger, periods)
    ratios = [_ratios(pl, sheets[e], paid) for pl, (_, e), paid in zip(pls, periods, principal, strict=True)]
    unmapped = []
    for account_id, reason in sorted(builder.unmapped.items()):
        account = builder.accounts[account_id]
        pl_account = builder.statement_of(account_id) == PROFIT_AND_LOSS
        balance = ledger.balance(account_id, last)
        activity = balance - ledger.balance(account_id, first - timedelta(days=1))
        unmapped.append(
            {key: account.get(key) for key in ("code", "name", "type", "classification")}
            | {"account_id": account_id, "reason": reason}
            | {"statement": PROFIT_AND_LOSS if pl_account else BALANCE_SHEET}
            | {"balance": balance, "activity": activity, "affects_statements": account_id in ledger.touched}
        )
    currencies = sorted(ledger.currencies)
    complete = len(currencies) <= 1 and not any(item["affects_statements"] for item in unmapped)
    return {
        "currency": currencies[0] if len(currencies) == 1 else None,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "period": period,
        "profit_and_loss": pls,
        "balance_sheets": [sheets[d] for d in as_of],
        "ratios": ratios,
        "completeness": {
            "complete": complete,
            "mapped_accounts": len(builder.leaf_of),
            "unmapped_accounts": unmapped,
            "currencies": currencies,
        },
    }


def _cell(value: object) -> object:
    """Neutralize text a spreadsheet would run as a formula (names come from the source app)."""
    if isinstance(value, str) and value.startswith(_CSV_FORMULA_START):
        return "'" + value
    return value


def statements_to_csv(statements: Mapping[str, Any]) -> str:
    """Return the statements as CSV: one row per line, total, unmapped account and ratio.

    ``value`` is integer cents for amounts and a decimal for ratios (empty when a ratio is undefined).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["statement", "start", "end", "kind", "code", "name", "value"])
    for pl in statements.get("profit_and_loss", []):
        rows = [("line", line["code"], line["name"], line["amount"]) for line in pl["lines"]]
        rows += [("unmapped", line["account_id"], line["name"], line["amount"]) for line in pl["unmapped"]["lines"]]
        rows += [("total", key, key.replace("_", " "), value) for key, value in pl["totals"].items()]
        writer.writerows([PROFIT_AND_LOSS, pl["start"], pl["end"], *map(_cell, row)] for row in rows)
    for bs in statements.get("balance_sheets", []):
        rows = [("line", line["code"], line["name"], line["amount"]) for line in bs["lines"]]
        rows += [("unmapped", line["account_id"], line["name"], line["amount"]) for line in bs["unmapped"]["lines"]]
        rows += [("total", key, key.replace("_", " "), value) for key, value in bs["totals"].items()]
        writer.writerows([BALANCE_SHEET, "", bs["as_of"], *map(_cell, row)] for row in rows)
    for ratio in statements.get("ratios", []):
        for key in ("current_ratio", "debt_to_assets", "gross_margin", "operating_margin", "dscr"):
            value = "" if ratio[key] is None else ratio[key]
            writer.writerow(["ratios", ratio["start"], ratio["end"], "ratio", key, key.replace("_", " "), value])
    return out.getvalue()
