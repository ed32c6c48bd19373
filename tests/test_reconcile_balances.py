"""Tests of bank against ledger balances per bank account and month."""

from __future__ import annotations

from datetime import date

import pytest

from broker.reconcile.balances import bank_vs_ledger_balances
from broker.reconcile.lines import LedgerLine

TRANSACTIONS = [
    {"id": "t2", "bank_account_id": "ba", "date": "2024-01-20", "amount": -300, "currency": "CAD",
     "running_balance": 10700},
    {"id": "t1", "bank_account_id": "ba", "date": "2024-01-10", "amount": 1000, "currency": "CAD",
     "running_balance": 11000},
    {"id": "t3", "bank_account_id": "ba", "date": "2024-02-02", "amount": -200, "currency": "CAD",
     "running_balance": 10500},
]  # fmt: skip
LEDGER = {
    "ba": [
        LedgerLine("o", date(2023, 12, 31), 10000, "CAD", "opening", "opening_balance"),
        LedgerLine("e1", date(2024, 1, 10), 1000, "CAD"),
        LedgerLine("e2", date(2024, 1, 21), -300, "CAD"),
        LedgerLine("e3", date(2024, 2, 28), -250, "CAD"),
    ]
}


def test_monthly_opening_closing_and_differences() -> None:
    january, february = bank_vs_ledger_balances(TRANSACTIONS, LEDGER, months=["2024-01", "2024-02"])
    assert (january.bank_opening, january.bank_closing) == (10000, 10700)
    assert (january.ledger_opening, january.ledger_closing) == (10000, 10700)
    assert january.closing_difference == 0 and january.bank_lines == 2 and january.ledger_lines == 2
    assert (february.bank_closing, february.ledger_closing, february.closing_difference) == (10500, 10450, 50)
    assert february.opening_difference == 0 and february.bank_balance_known and february.currency == "CAD"
    assert january.to_dict()["month"] == "2024-01"


def test_without_running_balance_the_bank_side_starts_at_zero_and_says_so() -> None:
    transactions = [{k: v for k, v in t.items() if k != "running_balance"} for t in TRANSACTIONS]
    (january,) = bank_vs_ledger_balances(transactions, {}, months=["2024-01"])
    assert january.bank_closing == 700 and not january.bank_balance_known
    assert january.ledger_closing == 0 and january.closing_difference == 700


def test_accounts_on_one_side_only_are_reported_and_empty_inputs_give_nothing() -> None:
    (row,) = bank_vs_ledger_balances([], LEDGER, months=["2024-03"])
    assert row.bank_account_id == "ba" and row.bank_closing == 0 and row.ledger_closing == 10450
    assert bank_vs_ledger_balances([], {}, months=["2024-01"]) == []


@pytest.mark.parametrize("month", ["2024-13", "2024-1", "January", ""])
def test_bad_months_are_refused(month: str) -> None:
    with pytest.raises(ValueError):
        bank_vs_ledger_balances(TRANSACTIONS, LEDGER, months=[month])
