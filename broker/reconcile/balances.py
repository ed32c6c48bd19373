"""Bank against ledger balances per bank account and month: opening, closing and the difference on each side."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from broker.reconcile.lines import BankLine, LedgerLine, bank_lines_from_common

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 240


@dataclass(frozen=True)
class MonthBalance:
    """One bank account in one month, as the bank and as the ledger see it (cents, money in positive)."""

    bank_account_id: str
    month: str
    currency: str
    bank_opening: int
    bank_closing: int
    ledger_opening: int
    ledger_closing: int
    opening_difference: int
    closing_difference: int
    bank_lines: int
    ledger_lines: int
    bank_balance_known: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data."""
        return asdict(self)


def _month_bounds(month: str) -> tuple[date, date]:
    match = _MONTH.match(month) if isinstance(month, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"months must be YYYY-MM, not {month!r}")
    year, number = int(match.group(1)), int(match.group(2))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


class _Running:
    """Balances at any date from dated amounts and the balance before the first of them."""

    def __init__(self, items: Sequence[tuple[date, int]], anchor: int) -> None:
        ordered = sorted(items, key=lambda item: item[0])
        self.days = [day for day, _ in ordered]
        self.totals = list(accumulate((amount for _, amount in ordered), initial=anchor))

    def at_end_of(self, day: date) -> int:
        return self.totals[bisect_right(self.days, day)]

    def count(self, first: date, last: date) -> int:
        return bisect_right(self.days, last) - bisect_left(self.days, first)


def _bank_anchor(transactions: Sequence[Mapping[str, Any]], lines: Sequence[BankLine]) -> tuple[int, bool]:
    """Return the balance before the first transaction, from the bank's own running balance when it has one."""
    if not lines:
        return 0, False
    first = min(range(len(lines)), key=lambda n: (lines[n].date, n))
    running = transactions[first].get("running_balance")
    if isinstance(running, int) and not isinstance(running, bool):
        return running - lines[first].amount, True
    return 0, False


def bank_vs_ledger_balances(
    bank_transactions: Sequence[Mapping[str, Any]],
    ledger_lines: Mapping[str, Sequence[LedgerLine]],
    *,
    months: Sequence[str],
) -> list[MonthBalance]:
    """Compare bank and ledger balances per bank account and month (``"YYYY-MM"``).

    ``bank_transactions`` are common-model dicts (their ``running_balance`` anchors the bank balance);
    ``ledger_lines`` maps each bank account id to the ledger lines of its paired ledger account, from the first
    posting (opening balance included) so that the ledger balance is right. Differences are bank minus ledger.
    """
    if len(months) > MAX_MONTHS:
        raise ValueError(f"at most {MAX_MONTHS} months at once")
    bounds = [(month, *_month_bounds(month)) for month in months]
    by_account: dict[str, list[Mapping[str, Any]]] = {}
    for txn in bank_transactions:
        by_account.setdefault(str(txn.get("bank_account_id") or ""), []).append(txn)
    rows = []
    for account_id in sorted(set(by_account) | set(ledger_lines)):
        transactions = by_account.get(account_id, [])
        lines = bank_lines_from_common(transactions)
        anchor, known = _bank_anchor(transactions, lines)
        bank = _Running([(line.date, line.amount) for line in lines], anchor)
        ledger_side = ledger_lines.get(account_id, [])
        ledger = _Running([(line.date, line.amount) for line in ledger_side], 0)
        currencies = {line.currency for line in lines} | {line.currency for line in ledger_side}
        currency = currencies.pop() if len(currencies) == 1 else ""
        for month, first, last in bounds:
            before = first - timedelta(days=1)
            bank_open, bank_close = bank.at_end_of(before), bank.at_end_of(last)
            ledger_open, ledger_close = ledger.at_end_of(before), ledger.at_end_of(last)
            rows.append(
                MonthBalance(
                    bank_account_id=account_id,
                    month=month,
                    currency=currency,
                    bank_opening=bank_open,
                    bank_closing=bank_close,
                    ledger_opening=ledger_open,
                    ledger_closing=ledger_close,
                    opening_difference=bank_open - ledger_open,
                    closing_difference=bank_close - ledger_close,
                    bank_lines=bank.count(first, last),
                    ledger_lines=ledger.count(first, last),
                    bank_balance_known=known,
                )
            )
    return rows
