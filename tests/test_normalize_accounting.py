"""Tests that both accounting apps normalize one business to the same books, and that the bank truth carries over."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from sandbox.apps import ledgerly, northbank, xenon
from sandbox.fixtures.business import Business, generate_business
from sandbox.fixtures.business import chart as c
from sandbox.fixtures.model import CommonObject

END = date(2025, 5, 17)  # mid-month: the last month is partial
ACCOUNTING = {"ledgerly": ledgerly, "xenon": xenon}


@pytest.fixture(scope="module")
def business() -> Business:
    return generate_business("two-ledgers", end=END)


@pytest.fixture(scope="module")
def books(business: Business) -> dict[str, list[CommonObject]]:
    return {key: module.normalize(module.render(business)) for key, module in ACCOUNTING.items()}


def _of(objects: list[CommonObject], kind: str) -> list[CommonObject]:
    return [o for o in objects if o.object_type == kind]


def _balances_by_code(objects: list[CommonObject], until: str | None = None) -> dict[str, int]:
    codes = {o.id: o.fields["code"] for o in _of(objects, "accounts")}
    totals: Counter[str] = Counter()
    for entry in _of(objects, "journal_entries"):
        if until is None or entry.fields["date"] <= until:
            for line in entry.fields["lines"]:
                totals[codes[line["account_id"]]] += line["amount"]
    return {code: amount for code, amount in totals.items() if amount}


@pytest.mark.parametrize("key", ACCOUNTING)
def test_journal_entries_are_every_posting_and_balance(
    key: str, business: Business, books: dict[str, list[CommonObject]]
) -> None:
    entries = _of(books[key], "journal_entries")
    assert len(entries) == len(business.journal_entries)
    for entry in entries:
        assert entry.fields["lines"] and sum(line["amount"] for line in entry.fields["lines"]) == 0
    expected = Counter[str]()
    for e in business.journal_entries:
        for line in e.lines:
            expected[line.account_code] += line.amount
    assert _balances_by_code(books[key]) == {k: v for k, v in expected.items() if v}
    kinds = Counter(e.fields["source_type"] for e in entries)
    assert kinds == Counter(e.source_type for e in business.journal_entries)


@pytest.mark.parametrize("kind", ["invoices", "bills", "payments", "credit_notes"])
def test_both_apps_give_the_same_documents(kind: str, books: dict[str, list[CommonObject]]) -> None:
    def summary(objects: list[CommonObject]) -> list[tuple[Any, ...]]:
        keys = ("date", "total", "amount", "amount_due", "status", "tax", "number", "type")
        return sorted(tuple(o.fields.get(k) for k in keys) for o in _of(objects, kind))

    assert summary(books["ledgerly"]) == summary(books["xenon"])
    assert summary(books["ledgerly"])


def test_both_apps_give_the_same_chart(books: dict[str, list[CommonObject]]) -> None:
    def chart(objects: list[CommonObject]) -> list[tuple[Any, ...]]:
        keys = ("code", "name", "type", "classification", "bank_account_number_last4", "status")
        return sorted(tuple(o.fields[k] for k in keys) for o in _of(objects, "accounts"))

    assert chart(books["ledgerly"]) == chart(books["xenon"])


@pytest.mark.parametrize("key", ACCOUNTING)
def test_reported_trial_balances_match_the_postings(key: str, books: dict[str, list[CommonObject]]) -> None:
    balances = _of(books[key], "trial_balances")
    assert len(balances) == 12 and balances[0].fields["start"] == "2024-06-01"
    assert balances[-1].fields["end"] == END.isoformat() and balances[-1].fields["start"] == "2025-05-01"
    for tb in balances:
        lines = tb.fields["lines"]
        assert sum(line["balance"] for line in lines) == 0
        assert {line["code"]: line["balance"] for line in lines} == _balances_by_code(books[key], tb.fields["end"])


@pytest.mark.parametrize("key", ACCOUNTING)
def test_credit_notes_name_their_invoice(key: str, books: dict[str, list[CommonObject]]) -> None:
    invoices = {o.id for o in _of(books[key], "invoices")}
    notes = _of(books[key], "credit_notes")
    assert notes and all(n.fields["invoice_id"] in invoices for n in notes)


@pytest.mark.parametrize("key", ACCOUNTING)
def test_bank_truth_carries_over_to_common_ids(
    key: str, business: Business, books: dict[str, list[CommonObject]]
) -> None:
    entries = {o.id: o for o in _of(books[key], "journal_entries")}
    checking = next(o.id for o in _of(books[key], "accounts") if o.fields["code"] == c.CHECKING)
    entry_ids = ACCOUNTING[key].entry_ids(business)
    assert set(entry_ids.values()) == set(entries)
    line_ids = northbank.transaction_ids(business)
    bank = {o.id: o for o in northbank.normalize(northbank.render(business)) if o.object_type == "bank_transactions"}
    assert set(line_ids.values()) == set(bank)
    checked = 0
    for line in business.bank_lines:
        keys = business.bank_truth[line.key]
        if line.account_key != "checking" or not keys:
            continue
        matched = [entries[entry_ids[k]] for k in keys]
        amount = sum(x["amount"] for e in matched for x in e.fields["lines"] if x["account_id"] == checking)
        transaction = bank[line_ids[line.key]].fields
        assert transaction["amount"] == amount
        latest = max(date.fromisoformat(e.fields["date"]) for e in matched)
        assert timedelta(0) <= date.fromisoformat(transaction["date"]) - latest <= timedelta(days=3)
        checked += 1
    assert checked > 500
