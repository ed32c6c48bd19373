"""Tests of bank-to-ledger matching: the passes, tie-breaking, the common-model adapter and invariants."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker.reconcile import (
    BankLine,
    LedgerLine,
    Match,
    lines_from_common,
    match_transactions,
    pair_bank_accounts,
)

DAY = date(2024, 3, 15)


def bank(id_: str, amount: int, days: int = 0, currency: str = "CAD", text: str = "") -> BankLine:
    return BankLine(id_, "acct", DAY + timedelta(days=days), amount, currency, text or "POS PURCHASE")


def ledger(id_: str, amount: int, days: int = 0, currency: str = "CAD", text: str = "", **extra: Any) -> LedgerLine:
    return LedgerLine(id_, DAY + timedelta(days=days), amount, currency, text or "Payment", **extra)


def pairs(matches: list[Match]) -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
    return [(m.bank_ids, m.ledger_ids, m.kind) for m in matches]


@pytest.mark.parametrize(
    ("bank_lines", "ledger_lines", "expected"),
    [
        pytest.param([bank("b1", -1000)], [ledger("l1", -1000)], [(("b1",), ("l1",), "exact")], id="same-day"),
        pytest.param([bank("b1", -1000)], [ledger("l1", -1000, 1)], [(("b1",), ("l1",), "exact")], id="next-day"),
        pytest.param([bank("b1", 500)], [ledger("l1", 500, -3)], [(("b1",), ("l1",), "date_window")], id="window"),
        pytest.param([bank("b1", 500)], [ledger("l1", 500, 6)], [], id="outside-window"),
        pytest.param([bank("b1", 500)], [ledger("l1", 500, currency="USD")], [], id="other-currency"),
        pytest.param([bank("b1", 500)], [ledger("l1", -500)], [], id="reversed-sign"),
        pytest.param([], [], [], id="empty-books"),
        pytest.param([bank("b1", 500)], [], [], id="empty-ledger"),
        pytest.param(
            [bank("b1", 700)], [ledger("l2", 700), ledger("l1", 700)], [], id="two-equal-candidates-abstain"
        ),
        pytest.param(
            [bank("b1", 700, text="E-TRANSFER FROM NINA LEE")],
            [ledger("l1", 700, text="Payment from Tom Roy"), ledger("l2", 700, 1, text="Payment from Nina Lee")],
            [(("b1",), ("l2",), "exact")], id="the-name-decides",
        ),
        pytest.param(
            [bank("b1", 700), bank("b2", 700, 6)], [ledger("l1", 700, 6), ledger("l2", 700, 0)],
            [(("b1",), ("l2",), "exact"), (("b2",), ("l1",), "exact")], id="dates-far-apart-decide",
        ),
        pytest.param(
            [bank("b1", -85000, 10, text="CHEQUE 3036")],
            [ledger("l1", -85000, -20, text="Cheque 3035 to Acme"), ledger("l2", -85000, -18, text="Cheque 3036 Acme")],
            [(("b1",), ("l2",), "exact")], id="cheque-number-decides-weeks-later",
        ),
        pytest.param(
            [bank("b1", -300, text="PAD ACME")],
            [ledger("l1", -100, 1, text="Acme bill 1"), ledger("l2", -200, -2, text="Acme bill 2"), ledger("l3", 50)],
            [(("b1",), ("l1", "l2"), "split")], id="split-payment-of-one-vendor",
        ),
        pytest.param(
            [bank("b1", -300)], [ledger("l1", -100, 1), ledger("l2", -200, -2)], [], id="coincidental-sum-refused"
        ),
        pytest.param(
            [bank("b1", 100, text="E-TRANSFER NINA LEE"), bank("b2", 50, 1, text="E-TRANSFER NINA LEE")],
            [ledger("l1", 150, text="Payment from Nina Lee")],
            [(("b1", "b2"), ("l1",), "many_to_one")], id="two-deposits-one-entry",
        ),
        pytest.param(
            [bank("b1", -7000)],
            [ledger(f"l{n}", -1000 - n * 500, source_type="payroll", group_key="run-7") for n in range(4)]
            + [ledger("l9", -1000, source_type="payroll", group_key="run-8")],
            [(("b1",), ("l0", "l1", "l2", "l3"), "grouped")], id="payroll-run-by-group-key",
        ),
        pytest.param(
            [bank("b1", -4000)], [ledger(f"p{n}", -800, 1, source_type="payroll") for n in range(5)],
            [(("b1",), ("p0", "p1", "p2", "p3", "p4"), "grouped")], id="payroll-run-by-pay-date",
        ),
        pytest.param(
            [bank("b1", 97000)],
            [ledger("g", 100000, group_key="payout:1"), ledger("f", -3000, group_key="payout:1")],
            [(("b1",), ("f", "g"), "grouped")], id="payout-net-of-fees",
        ),
    ],
)  # fmt: skip
def test_matching_cases(bank_lines: list[BankLine], ledger_lines: list[LedgerLine], expected: list[Any]) -> None:
    result = match_transactions(bank_lines, ledger_lines, window_days=5)
    assert sorted(pairs(result.matches)) == sorted(expected)
    matched_bank = {i for m in result.matches for i in m.bank_ids}
    assert {line.id for line in result.unmatched_bank} == {line.id for line in bank_lines} - matched_bank


def test_scores_fall_with_date_distance_and_reasons_name_the_evidence() -> None:
    result = match_transactions(
        [bank("b0", 1), bank("b1", 2), bank("b3", 3), bank("b4", -85000, 12, text="CHQ#3035")],
        [
            ledger("l0", 1),
            ledger("l1", 2, 1),
            ledger("l3", 3, 3),
            ledger("l4", -85000, 10, text="Cheque 3035 Nina Lee"),
        ],
    )
    scores = {m.bank_ids[0]: m.score for m in result.matches}
    assert scores["b0"] > scores["b1"] > scores["b3"] >= 0.5
    reasons = {m.bank_ids[0]: m.reason for m in result.matches}
    assert reasons["b0"] == "same day"
    assert reasons["b3"] == "3 days"
    assert reasons["b4"] == "cheque 3035 · 2 days"


def test_summary_gives_match_rates_by_count_and_by_amount() -> None:
    result = match_transactions([bank("b1", 1000), bank("b2", -3000)], [ledger("l1", 1000), ledger("l2", 5)])
    assert result.summary["bank"] | {} == {
        "lines": 2, "matched": 1, "count_rate": 0.5, "amount": 4000, "matched_amount": 1000, "amount_rate": 0.25,
    }  # fmt: skip
    assert result.summary["by_kind"] == {"exact": 1}
    assert (result.summary["exact"], result.summary["near"], result.summary["choices"]) == (1, 0, 0)
    empty = match_transactions([], [])
    assert empty.summary["bank"]["count_rate"] is None and empty.summary["bank"]["amount_rate"] is None
    assert result.to_dict()["unmatched_ledger"][0]["date"] == "2024-03-15"


def test_result_does_not_depend_on_input_order() -> None:
    rng = random.Random(3)
    bank_lines = [bank(f"b{n}", rng.choice([100, 200, 300, -50]), rng.randrange(10)) for n in range(60)]
    ledger_lines = [ledger(f"l{n}", rng.choice([100, 200, 300, -50, 150]), rng.randrange(10)) for n in range(60)]
    first = match_transactions(bank_lines, ledger_lines)
    rng.shuffle(bank_lines)
    rng.shuffle(ledger_lines)
    assert sorted(pairs(match_transactions(bank_lines, ledger_lines).matches)) == sorted(pairs(first.matches))


@pytest.mark.parametrize("options", [{"window_days": -1}, {"window_days": 61}])
def test_bad_options_are_refused(options: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        match_transactions([], [], **options)


lines_strategy = st.lists(
    st.tuples(st.sampled_from([-300, -200, -100, 100, 150, 250]), st.integers(0, 12), st.sampled_from(["CAD", "USD"])),
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(lines_strategy, lines_strategy, st.integers(0, 4))
def test_matching_invariants(bank_specs: list[Any], ledger_specs: list[Any], window: int) -> None:
    bank_lines = [bank(f"b{n}", a, d, c) for n, (a, d, c) in enumerate(bank_specs)]
    ledger_lines = [
        ledger(
            f"l{n}", a, d, c, source_type="payroll" if n % 3 == 0 else "manual", group_key="g" if n % 5 == 0 else None
        )
        for n, (a, d, c) in enumerate(ledger_specs)
    ]
    result = match_transactions(bank_lines, ledger_lines, window_days=window)
    by_id = {line.id: line for line in [*bank_lines, *ledger_lines]}
    used = [i for m in result.matches for i in (*m.bank_ids, *m.ledger_ids)]
    assert len(used) == len(set(used)), "a line is used twice"
    for match in result.matches:
        lines = [by_id[i] for i in (*match.bank_ids, *match.ledger_ids)]
        assert sum(by_id[i].amount for i in match.bank_ids) == sum(by_id[i].amount for i in match.ledger_ids)
        assert len({line.currency for line in lines}) == 1
        # Groups may reach a week further back than pairs (invoices paid before they are deposited).
        assert max(line.date for line in lines) - min(line.date for line in lines) <= timedelta(days=2 * window + 7)
        assert 0 < match.score <= 1 and match.reason
    assert len(result.unmatched_bank) + sum(len(m.bank_ids) for m in result.matches) == len(bank_lines)
    assert len(result.unmatched_ledger) + sum(len(m.ledger_ids) for m in result.matches) == len(ledger_lines)


def test_lines_from_common_sums_an_entry_on_the_bank_account_and_groups_payroll() -> None:
    transactions = [{"id": "t1", "bank_account_id": "ba", "date": "2024-01-05", "amount": -1500, "currency": "CAD",
                     "description": "PAYROLL"}]  # fmt: skip
    entries = [
        {"id": "e1", "date": "2024-01-05", "currency": "CAD", "memo": "pay", "source_type": "payroll",
         "lines": [{"account_id": "bank", "amount": -1000}, {"account_id": "wages", "amount": 1000}]},
        {"id": "e2", "date": "2024-01-05", "currency": "CAD", "memo": "pay", "source_type": "payroll",
         "lines": [{"account_id": "bank", "amount": -500}, {"account_id": "wages", "amount": 500}]},
        {"id": "e3", "date": "2024-01-06", "currency": "CAD", "source_type": "payout", "source_document_id": "po1",
         "lines": [{"account_id": "bank", "amount": 900}, {"account_id": "bank", "amount": -30},
                   {"account_id": "sales", "amount": -870}]},
        {"id": "e4", "date": "2024-01-07", "currency": "CAD", "source_type": "bill",
         "lines": [{"account_id": "ap", "amount": 10}, {"account_id": "cogs", "amount": -10}]},
    ]  # fmt: skip
    bank_lines, ledger_lines = lines_from_common(transactions, entries, "bank")
    assert bank_lines == [BankLine("t1", "ba", date(2024, 1, 5), -1500, "CAD", "PAYROLL")]
    assert [(line.id, line.amount, line.group_key) for line in ledger_lines] == [
        ("e1", -1000, "payroll:2024-01-05"), ("e2", -500, "payroll:2024-01-05"), ("e3", 870, "payout:po1")
    ]  # fmt: skip
    (match,) = match_transactions(bank_lines, ledger_lines).matches
    assert match.kind == "grouped" and match.ledger_ids == ("e1", "e2")


def test_pair_bank_accounts_by_last_four_digits() -> None:
    bank_accounts = [
        {"id": "b1", "account_number_last4": "1234", "currency": "CAD"},
        {"id": "b2", "account_number_last4": "9999", "currency": "USD"},
        {"id": "b3", "account_number_last4": "5555", "currency": "CAD"},
        {"id": "b4", "account_number_last4": None, "currency": "CAD"},
    ]
    ledger_accounts = [
        {"id": "l1", "bank_account_number_last4": "1234", "currency": "CAD"},
        {"id": "l2", "bank_account_number_last4": "9999", "currency": "CAD"},
        {"id": "l3", "bank_account_number_last4": "9999", "currency": "USD"},
        {"id": "l4", "bank_account_number_last4": "5555", "currency": "USD"},
        {"id": "l5", "bank_account_number_last4": "5555", "currency": "EUR"},
        {"id": "l6", "bank_account_number_last4": None, "currency": "CAD"},
    ]
    assert pair_bank_accounts(bank_accounts, ledger_accounts) == [("b1", "l1"), ("b2", "l3")]
