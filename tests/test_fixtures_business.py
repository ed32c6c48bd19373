"""Tests of the simulated business: determinism, volumes, balanced books, and the bank feed's truth."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

import pytest

from broker.mapping.standard_chart import default_chart
from sandbox.fixtures.business import Business, generate_business
from sandbox.fixtures.business import chart as c

END = date(2025, 6, 30)
# The sandbox's truth uses the default standard chart's categories (tests/test_mapping_chart.py pins that list).
LEAVES = {leaf.code for leaf in default_chart().leaves()}


@pytest.fixture(scope="module")
def business() -> Business:
    return generate_business("acme-foods", end=END)


def _balances(business: Business, until: date) -> Counter[str]:
    totals: Counter[str] = Counter()
    for entry in business.journal_entries:
        if entry.date <= until:
            for line in entry.lines:
                totals[line.account_code] += line.amount
    return totals


def test_same_seed_gives_the_same_business(business: Business) -> None:
    assert generate_business("acme-foods", end=END) == business


@pytest.mark.parametrize("seed", ["acme-foods-2", "other", ""])
def test_another_seed_gives_another_business(business: Business, seed: str) -> None:
    other = generate_business(seed, end=END)
    assert [i.total for i in other.invoices] != [i.total for i in business.invoices]


@pytest.mark.parametrize(
    ("attribute", "minimum"),
    [
        ("accounts", 40),
        ("customers", 20),
        ("vendors", 15),
        ("invoices", 300),
        ("bills", 200),
        ("payments", 500),
        ("credit_notes", 3),
        ("orders", 300),
        ("payouts", 80),
        ("pay_runs", 25),
        ("bank_lines", 800),
        ("products", 10),
    ],
)
def test_volumes_at_scale_one(business: Business, attribute: str, minimum: int) -> None:
    assert len(getattr(business, attribute)) >= minimum


def test_twelve_months_of_activity(business: Business) -> None:
    assert business.start == date(2024, 7, 1)
    months = {(i.date.year, i.date.month) for i in business.invoices}
    assert len(months) == 12
    assert all(business.start <= e.date <= END for e in business.journal_entries)


@pytest.mark.parametrize(("months", "start"), [(1, date(2025, 6, 1)), (3, date(2025, 4, 1)), (18, date(2024, 1, 1))])
def test_months_set_the_start(months: int, start: date) -> None:
    assert generate_business("m", end=END, months=months).start == start


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"months": 0}, "months"), ({"scale": 0}, "scale"), ({"months": 61}, "months"), ({"scale": 1000}, "scale")],
)
def test_bad_arguments_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_business("x", end=END, **kwargs)  # type: ignore[arg-type]


def test_scale_twenty_gives_ten_thousand_invoices_quickly() -> None:
    started = time.perf_counter()
    big = generate_business("big", end=END, scale=20)
    assert len(big.invoices) >= 10_000
    assert time.perf_counter() - started < 20
    assert sum(line.amount for entry in big.journal_entries for line in entry.lines) == 0


def test_every_entry_balances_and_uses_the_chart(business: Business) -> None:
    codes = {a.code for a in business.accounts}
    for entry in business.journal_entries:
        assert entry.lines and sum(line.amount for line in entry.lines) == 0, entry.key
        assert {line.account_code for line in entry.lines} <= codes
    assert len({e.key for e in business.journal_entries}) == len(business.journal_entries)


@pytest.mark.parametrize("month", range(1, 13))
def test_trial_balance_sums_to_zero_every_month(business: Business, month: int) -> None:
    first = date(2024 + (6 + month - 1) // 12, (6 + month - 1) % 12 + 1, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    balances = _balances(business, last)
    assert sum(balances.values()) == 0
    assert balances[c.CHECKING] > 0  # the business never overdraws in a month-end


@pytest.mark.parametrize(
    ("source_type"), ["invoice", "bill", "payment", "payout", "payroll", "manual", "credit_note", "opening_balance"]
)
def test_every_kind_of_posting_exists(business: Business, source_type: str) -> None:
    assert any(e.source_type == source_type for e in business.journal_entries)


def test_documents_settle_consistently_with_the_ledger(business: Business) -> None:
    payments = Counter[str]()
    for p in business.payments:
        payments[p.document_key] += p.amount
    credits = Counter[str]()
    for n in business.credit_notes:
        credits[n.invoice_key or ""] += n.total
    for doc in (*business.invoices, *business.bills):
        if not doc.void:
            assert doc.amount_due == doc.total - payments[doc.key] - credits[doc.key] >= 0
    balances = _balances(business, END)
    assert balances[c.AR] == sum(i.amount_due for i in business.invoices)
    assert -balances[c.AP] == sum(b.amount_due for b in business.bills)


@pytest.mark.parametrize(
    ("description", "predicate"),
    [
        ("paid in two parts", lambda b: any(len(i.payment_keys) == 2 for i in b.invoices)),
        ("open invoices", lambda b: sum(i.status == "open" for i in b.invoices) >= 10),
        ("paid invoices", lambda b: sum(i.status == "paid" for i in b.invoices) >= 200),
        ("credit notes tied to invoices", lambda b: all(n.invoice_key for n in b.credit_notes)),
        ("taxed invoices", lambda b: any(i.tax for i in b.invoices)),
        ("refunded orders", lambda b: any(o.status == "refunded" for o in b.orders)),
        ("cancelled orders", lambda b: any(o.status == "cancelled" for o in b.orders)),
        ("monthly rent", lambda b: sum(x.lines[0].account_code == c.RENT for x in b.bills) == 12),
        ("french account names", lambda b: {"Loyer", "Frais bancaires"} <= {a.name for a in b.accounts}),
        ("a credit card and a loan", lambda b: {"CreditCard", "NotesPayable"} <= {a.subtype for a in b.accounts}),
        ("currency", lambda b: b.currency == "USD"),
    ],
)
def test_the_business_is_realistic(business: Business, description: str, predicate) -> None:
    assert predicate(business), description


def test_payroll_adds_up(business: Business) -> None:
    assert 8 <= len(business.employees) <= 12
    for previous, run in zip(business.pay_runs, business.pay_runs[1:], strict=False):
        assert (run.pay_date - previous.pay_date).days == 14
    for run in business.pay_runs:
        for stub in run.stubs:
            assert stub.gross > stub.net > 0 and stub.employer_tax_total > 0
            assert stub.gross - stub.employee_taxes - stub.deduction_total == stub.net


def test_payouts_are_net_of_fees_and_refunds(business: Business) -> None:
    by_key = {t.key: t for t in business.commerce_transactions}
    for payout in business.payouts:
        assert payout.amount == payout.gross - payout.fees - payout.refunds > 0
        assert payout.amount == sum(by_key[k].net for k in payout.transaction_keys)


def test_truth_mapping_covers_the_chart_with_standard_leaves(business: Business) -> None:
    assert set(business.truth_mapping) == {a.code for a in business.accounts}
    assert set(business.truth_mapping.values()) <= LEAVES
    checking = next(b for b in business.bank_accounts if b.key == "checking")
    assert business.account(c.CHECKING).bank_last4 == checking.number[-4:]
    assert checking.number[-4:] in business.account(c.CHECKING).name


def _bank_movements(business: Business) -> dict[str, dict[str, int]]:
    codes = {b.ledger_code: b.key for b in business.bank_accounts}
    moves: dict[str, dict[str, int]] = {}
    for entry in business.journal_entries:
        if entry.source_type == "opening_balance":
            continue
        for line in entry.lines:
            if line.account_code in codes:
                moves.setdefault(entry.key, {})[codes[line.account_code]] = line.amount
    return moves


def test_bank_feed_truth_is_mostly_but_not_fully_matched(business: Business) -> None:
    lines = business.bank_lines
    matched = [line for line in lines if business.bank_truth[line.key]]
    assert 0.8 <= len(matched) / len(lines) < 1.0
    assert business.ledger_only


def test_bank_lines_equal_their_entries(business: Business) -> None:
    moves = _bank_movements(business)
    dates = {e.key: e.date for e in business.journal_entries}
    delays = Counter[int]()
    for line in business.bank_lines:
        keys = business.bank_truth[line.key]
        if keys:
            assert line.amount == sum(moves[k][line.account_key] for k in keys)
            delays[(line.date - max(dates[k] for k in keys)).days] += 1
    assert set(delays) <= {0, 1, 2, 3}
    assert sum(delays[d] for d in (1, 2, 3)) >= 50
    assert delays[0] > sum(delays.values()) / 2


@pytest.mark.parametrize(
    ("case", "predicate"),
    [
        ("split deposits", lambda b: any(len(k) == 2 for k in b.bank_truth.values())),
        ("bank-only lines", lambda b: sum(not k for k in b.bank_truth.values()) >= 4),
        ("an ATM withdrawal", lambda b: any("ATM" in line.description for line in b.bank_lines)),
        ("payroll once per run", lambda b: sum(line.category == "payroll" for line in b.bank_lines) == len(b.pay_runs)),
    ],
)
def test_bank_feed_cases(business: Business, case: str, predicate) -> None:
    assert predicate(business), case


def test_every_cash_movement_is_in_the_feed_or_known_missing(business: Business) -> None:
    moves = _bank_movements(business)
    in_feed = {k for keys in business.bank_truth.values() for k in keys}
    assert set(moves) == in_feed | set(business.ledger_only)
    assert not in_feed & set(business.ledger_only)


def test_payouts_land_in_the_bank_with_their_reference(business: Business) -> None:
    landed = [p for p in business.payouts if p.arrival_date <= END]
    lines = {line.reference: line for line in business.bank_lines if line.category == "payout"}
    found = [p for p in landed if p.bank_reference in lines]
    assert len(found) >= len(landed) - 3
    for payout in found:
        line = lines[payout.bank_reference]
        assert line.amount == payout.amount and payout.bank_reference in line.description
