"""Tests of mapped statements: figures on a hand-checked ledger, completeness, ratios, CSV, and tie-out properties."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker.mapping.standard_chart import default_chart
from broker.review.statements import StatementError, build_statements, statements_to_csv

CHART = default_chart()
ACCOUNTS = [
    {"id": "bank", "name": "Chequing", "type": "asset", "classification": "current_asset"},
    {"id": "ar", "name": "Receivables", "type": "asset", "classification": "current_asset"},
    {"id": "accdep", "name": "Accumulated depreciation", "type": "asset", "classification": "fixed_asset"},
    {"id": "loan", "name": "Bank loan", "type": "liability", "classification": "long_term_liability"},
    {"id": "capital", "name": "Capital", "type": "equity", "classification": "equity"},
    {"id": "sales", "name": "Sales", "type": "revenue", "classification": "revenue"},
    {"id": "cogs", "name": "COGS", "type": "expense", "classification": "cost_of_sales"},
    {"id": "rent", "name": "Rent", "type": "expense", "classification": "operating_expense"},
    {"id": "interest", "name": "Interest", "type": "expense", "classification": "other_expense"},
    {"id": "dep", "name": "Depreciation", "type": "expense", "classification": "operating_expense"},
    {"id": "misc", "name": "=cmd|' /C calc'!A0", "type": "expense", "classification": "operating_expense"},
]
MAPPING = {
    "bank": "cash",
    "ar": "receivables",
    "accdep": "fixed_assets",
    "loan": "long_term_debt",
    "capital": "owner_equity",
    "sales": "revenue",
    "cogs": "cost_of_sales",
    "rent": "rent_occupancy",
    "interest": "interest_expense",
    "dep": "depreciation",
}


def entry(day: str, *lines: tuple[str, int]) -> dict[str, Any]:
    return {"id": f"je-{day}-{lines[0][0]}", "date": day, "currency": "CAD", "lines": [
        {"account_id": account, "amount": amount} for account, amount in lines
    ]}  # fmt: skip


ENTRIES = [
    entry("2023-06-01", ("bank", 5000), ("sales", -5000)),
    entry("2023-12-31", ("bank", 100000), ("capital", -100000)),
    entry("2024-01-10", ("ar", 50000), ("sales", -50000)),
    entry("2024-01-15", ("cogs", 20000), ("bank", -20000)),
    entry("2024-01-31", ("rent", 10000), ("bank", -10000)),
    entry("2024-02-05", ("bank", 50000), ("ar", -50000)),
    entry("2024-02-10", ("bank", 60000), ("loan", -60000)),
    entry("2024-02-20", ("misc", 3000), ("bank", -3000)),
    entry("2024-03-10", ("loan", 5000), ("interest", 1000), ("bank", -6000)),
    entry("2024-03-31", ("dep", 2000), ("accdep", -2000)),
    entry("2024-04-02", ("rent", 99999), ("bank", -99999)),
]


def build(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"start": "2024-01-01", "end": "2024-03-31", "period": "quarter"} | overrides
    return build_statements(ACCOUNTS, ENTRIES, MAPPING, CHART, **options)


def line(statement: dict[str, Any], code: str) -> int | None:
    return next(item["amount"] for item in statement["lines"] if item["code"] == code)


def test_quarter_profit_and_loss_has_the_hand_checked_figures() -> None:
    (pl,) = build()["profit_and_loss"]
    assert (pl["start"], pl["end"]) == ("2024-01-01", "2024-03-31")
    totals = pl["totals"]
    assert totals["revenue"] == 50000 and totals["cost_of_sales"] == 20000 and totals["gross_profit"] == 30000
    assert totals["operating_expenses"] == 12000 and totals["operating_income"] == 18000
    assert totals["interest_expense"] == 1000 and totals["unmapped"] == -3000 and totals["net_income"] == 14000
    assert line(pl, "revenue") == 50000 and line(pl, "operating_expenses") == 12000 and line(pl, "income") == 50000
    assert line(pl, "profit_and_loss") == 17000  # mapped lines only; the unmapped line is shown apart
    assert pl["unmapped"]["lines"] == [{"account_id": "misc", "name": ACCOUNTS[-1]["name"], "amount": -3000}]


def test_balance_sheet_balances_with_current_and_prior_year_earnings_in_equity() -> None:
    (bs,) = build()["balance_sheets"]
    totals = bs["totals"]
    assert bs["as_of"] == "2024-03-31" and bs["balanced"] and bs["difference"] == 0
    assert line(bs, "cash") == 176000 and line(bs, "fixed_assets") == -2000 and totals["total_assets"] == 174000
    assert line(bs, "long_term_debt") == 55000 and totals["debt"] == 55000
    assert totals["current_year_earnings"] == 14000 and totals["prior_years_earnings"] == 5000
    assert totals["total_equity"] == 119000 and totals["total_liabilities_and_equity"] == 174000


def test_monthly_periods_sum_to_the_quarter() -> None:
    monthly = build(period="month")
    assert [p["totals"]["net_income"] for p in monthly["profit_and_loss"]] == [20000, -3000, -3000]
    assert [b["as_of"] for b in monthly["balance_sheets"]] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert all(b["balanced"] for b in monthly["balance_sheets"])


def test_ratios_follow_the_totals_and_dscr_uses_interest_and_principal() -> None:
    (ratios,) = build()["ratios"]
    assert ratios["current_ratio"] is None  # no current liabilities: no ratio rather than a division by zero
    assert ratios["debt_to_assets"] == round(55000 / 174000, 4)
    assert ratios["gross_margin"] == 0.6 and ratios["operating_margin"] == 0.36
    assert ratios["debt_service"] == {"interest": 1000, "principal": 5000, "ebitda": 17000}
    assert ratios["dscr"] == round(17000 / 6000, 4)


def test_dscr_is_null_without_debt_service() -> None:
    ratios = build(period="month")["ratios"]
    assert ratios[0]["dscr"] is None and ratios[2]["dscr"] is not None


def test_unmapped_accounts_are_listed_and_make_the_statements_incomplete() -> None:
    completeness = build()["completeness"]
    assert not completeness["complete"]
    (misc,) = completeness["unmapped_accounts"]
    assert misc["account_id"] == "misc" and misc["activity"] == 3000 and misc["reason"] == "not mapped"
    full = build_statements(ACCOUNTS, ENTRIES, MAPPING | {"misc": "general_admin"}, CHART, start="2024-01-01",
                            end="2024-03-31", period="quarter")  # fmt: skip
    assert full["completeness"]["complete"] and full["completeness"]["unmapped_accounts"] == []
    assert full["profit_and_loss"][0]["totals"]["net_income"] == 14000


@pytest.mark.parametrize(
    ("mapping", "reason"),
    [
        (MAPPING | {"misc": "operating_expenses"}, "which has subcategories"),
        (MAPPING | {"misc": "no_such_code"}, "unknown category 'no_such_code'"),
    ],
)
def test_mapping_to_a_parent_or_unknown_code_counts_as_unmapped(mapping: dict[str, str], reason: str) -> None:
    result = build_statements(ACCOUNTS, ENTRIES, mapping, CHART, start="2024-01-01", end="2024-03-31", period="year")
    (misc,) = result["completeness"]["unmapped_accounts"]
    assert reason in misc["reason"]
    assert result["profit_and_loss"][0]["totals"]["net_income"] == 14000


def test_lines_on_an_account_missing_from_the_chart_of_accounts_are_kept() -> None:
    entries = [*ENTRIES, entry("2024-03-15", ("ghost", 700), ("bank", -700))]
    result = build_statements(ACCOUNTS, entries, MAPPING, CHART, start="2024-01-01", end="2024-03-31", period="year")
    ghost = next(a for a in result["completeness"]["unmapped_accounts"] if a["account_id"] == "ghost")
    assert "missing from the chart of accounts" in ghost["reason"]
    (bs,) = result["balance_sheets"]
    assert bs["unmapped"]["amount"] == 700 and bs["balanced"]


def test_custom_as_of_dates_and_empty_books() -> None:
    result = build(as_of_dates=["2023-12-31"])
    (bs,) = result["balance_sheets"]
    assert bs["totals"]["total_assets"] == 105000 and bs["totals"]["current_year_earnings"] == 5000
    empty = build_statements([], [], {}, CHART, start="2024-01-01", end="2024-12-31", period="year")
    assert empty["completeness"]["complete"] and empty["profit_and_loss"][0]["totals"]["net_income"] == 0
    assert empty["ratios"][0]["gross_margin"] is None and empty["balance_sheets"][0]["balanced"]


@pytest.mark.parametrize(
    "overrides",
    [{"period": "week"}, {"start": "2024-02-01", "end": "2024-01-01"}, {"start": "soon"}, {"end": "2024-13-01"},
     {"start": "1900-01-01", "end": "2100-01-01", "period": "month"}],
)  # fmt: skip
def test_bad_requests_raise_statement_error(overrides: dict[str, Any]) -> None:
    with pytest.raises(StatementError):
        build(**overrides)


def test_csv_has_one_row_per_line_total_and_ratio_and_neutralizes_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(statements_to_csv(build()))))
    revenue = next(
        r for r in rows if r["statement"] == "profit_and_loss" and r["code"] == "revenue" and r["kind"] == "line"
    )
    assert revenue["value"] == "50000" and revenue["start"] == "2024-01-01"
    unmapped = next(r for r in rows if r["kind"] == "unmapped")
    assert unmapped["name"].startswith("'=")
    assert next(r for r in rows if r["code"] == "current_ratio")["value"] == ""
    assert {r["statement"] for r in rows} == {"profit_and_loss", "balance_sheet", "ratios"}


P_AND_L_TYPES = {"revenue", "expense"}
LEAVES = [leaf.code for leaf in CHART.leaves()]


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    count = draw(st.integers(1, 8))
    types = ["asset", "liability", "equity", "revenue", "expense", None]
    accounts = [{"id": f"a{n}", "name": f"A{n}", "type": draw(st.sampled_from(types))} for n in range(count)]
    mapping = {}
    for account in accounts:
        choice = draw(st.sampled_from([*LEAVES, None, "assets"]))
        if choice is not None:
            mapping[account["id"]] = choice
    entries = []
    for n in range(draw(st.integers(0, 12))):
        day = date(2023, 10, 1) + timedelta(days=draw(st.integers(0, 500)))
        amounts = draw(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=4))
        ids = [f"a{draw(st.integers(0, count))}" for _ in amounts]  # a{count} is unknown to the chart of accounts
        lines = [{"account_id": i, "amount": a} for i, a in zip(ids, amounts, strict=True)]
        lines.append({"account_id": "a0", "amount": -sum(amounts)})
        entries.append({"id": f"e{n}", "date": day.isoformat(), "currency": "CAD", "lines": lines})
    return accounts, entries, mapping


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.sampled_from(["month", "quarter", "year"]))
def test_statements_always_tie_to_the_ledger(data: Any, period: str) -> None:
    accounts, entries, mapping = data
    result = build_statements(accounts, entries, mapping, CHART, start="2024-01-01", end="2024-12-31", period=period)
    types = {a["id"]: a["type"] for a in accounts}

    def on_pl(account_id: str) -> bool:
        node = CHART.find(mapping.get(account_id, ""))
        if node is not None and node.is_leaf:
            return node.statement == "profit_and_loss"
        return types.get(account_id) in P_AND_L_TYPES

    def ledger_sum(first: str, last: str, pl: bool) -> int:
        return sum(
            item["amount"] for e in entries if first <= e["date"] <= last for item in e["lines"]
            if on_pl(item["account_id"]) == pl
        )  # fmt: skip

    def signed(code: str, amount: int) -> int:
        node = CHART.find(code)
        return -amount if node is not None and node.side in ("liability", "equity", "income") else amount

    for pl in result["profit_and_loss"]:
        leaves = sum(signed(i["code"], i["amount"]) for i in pl["lines"] if i["leaf"])
        assert leaves - pl["unmapped"]["amount"] == ledger_sum(pl["start"], pl["end"], True)
        assert pl["totals"]["net_income"] == -ledger_sum(pl["start"], pl["end"], True)
    for bs in result["balance_sheets"]:
        assert bs["balanced"] and bs["difference"] == 0
        leaves = sum(signed(i["code"], i["amount"]) for i in bs["lines"] if i["leaf"])
        assert leaves + bs["unmapped"]["amount"] == ledger_sum("0000", bs["as_of"], False)
    listed = {item["account_id"] for item in result["completeness"]["unmapped_accounts"]}
    touched = {i["account_id"] for e in entries for i in e["lines"] if i["amount"]}
    expected = {a for a in touched | set(types) if not CHART.is_leaf(mapping.get(a, ""))}
    assert listed == expected
