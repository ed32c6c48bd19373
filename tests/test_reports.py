"""Tests of the statements computed from common-model accounts and journal entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from sandbox import reports
from sandbox.apps import ledgerly, xenon
from sandbox.fixtures.business import generate_business

END = date(2025, 6, 30)
MONTH_ENDS = [(date(2024 + (7 + m) // 12, (7 + m) % 12 + 1, 1) - timedelta(days=1)) for m in range(12)]


@pytest.fixture(scope="module", params=["ledgerly", "xenon"])
def ledger(request: pytest.FixtureRequest) -> dict[str, list[dict[str, Any]]]:
    module = {"ledgerly": ledgerly, "xenon": xenon}[request.param]
    objects = module.normalize(module.render(generate_business("reports", end=END)))
    data: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        data.setdefault(obj.object_type, []).append({"id": obj.id, **obj.fields})
    return data


def _earnings(sheet: dict[str, Any]) -> int:
    return sum(line["amount"] for line in sheet["equity"]["lines"] if line["account_id"] is None)


@pytest.mark.parametrize("month_end", MONTH_ENDS)
def test_trial_balance_sums_to_zero_and_matches_the_app(ledger: dict[str, Any], month_end: date) -> None:
    tb = reports.trial_balance(
        ledger["accounts"], ledger["journal_entries"], start=month_end.replace(day=1), end=month_end
    )
    assert tb["lines"] and sum(line["balance"] for line in tb["lines"]) == 0
    reported = next(t for t in ledger["trial_balances"] if t["end"] == month_end.isoformat())
    assert {x["account_id"]: x["balance"] for x in tb["lines"]} == {
        x["account_id"]: x["balance"] for x in reported["lines"]
    }


@pytest.mark.parametrize("as_of", [*MONTH_ENDS, date(2025, 1, 1), date(2024, 7, 1)])
def test_balance_sheet_balances(ledger: dict[str, Any], as_of: date) -> None:
    sheet = reports.balance_sheet(ledger["accounts"], ledger["journal_entries"], as_of=as_of)
    assert sheet["as_of"] == as_of.isoformat() and sheet["currency"] == "USD"
    assert sheet["assets"]["total"] > 0
    assert sheet["assets"]["total"] == sheet["liabilities"]["total"] + sheet["equity"]["total"]
    for section in ("assets", "liabilities", "equity"):
        assert sheet[section]["total"] == sum(line["amount"] for line in sheet[section]["lines"])
    assert any(line["name"] == "Current year earnings" for line in sheet["equity"]["lines"])


def test_balance_sheet_sections_use_natural_signs(ledger: dict[str, Any]) -> None:
    sheet = reports.balance_sheet(ledger["accounts"], ledger["journal_entries"], as_of=END)
    by_code = {line["code"]: line["amount"] for s in ("assets", "liabilities", "equity") for line in sheet[s]["lines"]}
    assert by_code["1100"] > 0 and by_code["2000"] > 0 and by_code["2600"] > 0 and by_code["1590"] < 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 7, 1), END),
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2024, 10, 1), date(2025, 2, 28)),
        (date(2025, 6, 1), END),
    ],
)
def test_net_income_equals_the_change_in_earnings(ledger: dict[str, Any], start: date, end: date) -> None:
    accounts, entries = ledger["accounts"], ledger["journal_entries"]
    pnl = reports.profit_and_loss(accounts, entries, start=start, end=end, period="month")
    net = sum(p["net_income"] for p in pnl["periods"])
    before = reports.balance_sheet(accounts, entries, as_of=start - timedelta(days=1))
    after = reports.balance_sheet(accounts, entries, as_of=end)
    assert net == _earnings(after) - _earnings(before)
    assert net != 0


def test_year_to_date_net_income_is_current_year_earnings(ledger: dict[str, Any]) -> None:
    accounts, entries = ledger["accounts"], ledger["journal_entries"]
    pnl = reports.profit_and_loss(accounts, entries, start=date(2025, 1, 1), end=END, period="year")
    sheet = reports.balance_sheet(accounts, entries, as_of=END)
    assert pnl["periods"][0]["net_income"] == sheet["equity"]["current_year_earnings"]


@pytest.mark.parametrize("period", reports.PERIODS)
def test_profit_and_loss_adds_up(ledger: dict[str, Any], period: str) -> None:
    pnl = reports.profit_and_loss(
        ledger["accounts"], ledger["journal_entries"], start=date(2024, 7, 1), end=END, period=period
    )
    for p in pnl["periods"]:
        assert p["gross_profit"] == p["revenue"] - p["cost_of_sales"]
        assert p["net_income"] == (
            p["gross_profit"] + p["other_income"] - p["operating_expenses"] - p["other_expenses"]
        )
        assert p["revenue"] == sum(x["amount"] for x in p["lines"] if x["classification"] == "revenue")
        assert p["revenue"] > 0 and p["cost_of_sales"] > 0 and p["operating_expenses"] > 0
    yearly = reports.profit_and_loss(
        ledger["accounts"], ledger["journal_entries"], start=date(2024, 7, 1), end=END, period="year"
    )
    assert sum(p["net_income"] for p in pnl["periods"]) == sum(p["net_income"] for p in yearly["periods"])


@pytest.mark.parametrize(
    ("start", "end", "period", "expected"),
    [
        (
            "2024-07-15",
            "2024-09-10",
            "month",
            [("2024-07-15", "2024-07-31"), ("2024-08-01", "2024-08-31"), ("2024-09-01", "2024-09-10")],
        ),
        (
            "2024-08-15",
            "2025-01-10",
            "quarter",
            [("2024-08-15", "2024-09-30"), ("2024-10-01", "2024-12-31"), ("2025-01-01", "2025-01-10")],
        ),
        ("2024-07-01", "2025-06-30", "year", [("2024-07-01", "2024-12-31"), ("2025-01-01", "2025-06-30")]),
        ("2025-02-03", "2025-02-03", "month", [("2025-02-03", "2025-02-03")]),
        ("2024-12-01", "2024-12-31", "quarter", [("2024-12-01", "2024-12-31")]),
    ],
)
def test_periods_are_calendar_and_clipped(start: str, end: str, period: str, expected: list[tuple[str, str]]) -> None:
    pnl = reports.profit_and_loss([], [], start=start, end=end, period=period)
    assert [(p["start"], p["end"]) for p in pnl["periods"]] == expected
    assert (pnl["start"], pnl["end"]) == (start, end)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "week"}, "period must be one of month, quarter, year"),
        ({"period": ""}, "period must be one of"),
        ({"start": date(2025, 2, 1), "end": date(2025, 1, 1)}, "start must be on or before end"),
    ],
)
def test_bad_report_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"start": date(2025, 1, 1), "end": date(2025, 3, 31), "period": "month", **kwargs}
    with pytest.raises(ValueError, match=message):
        reports.profit_and_loss([], [], **arguments)


ACCOUNTS = [
    {"id": "bank", "code": "1010", "name": "Bank", "type": "asset", "classification": "current_asset"},
    {"id": "sales", "code": "4000", "name": "Sales", "type": "revenue", "classification": "revenue"},
    {"id": "cogs", "code": "5000", "name": "COGS", "type": "expense", "classification": "cost_of_sales"},
    {"id": "rent", "code": "6100", "name": "Loyer", "type": "expense", "classification": "operating_expense"},
    {"id": "interest", "code": "7000", "name": "Interest", "type": "expense", "classification": "other_expense"},
    {"id": "capital", "code": "3000", "name": "Capital", "type": "equity", "classification": "equity"},
]


def _entry(day: str, *lines: tuple[str, int]) -> dict[str, Any]:
    return {"id": day, "date": day, "lines": [{"account_id": a, "amount": n, "description": ""} for a, n in lines]}


ENTRIES = [
    _entry("2024-12-01", ("bank", 100_000), ("capital", -100_000)),
    _entry("2024-12-15", ("bank", 5_000), ("sales", -5_000)),
    _entry("2025-01-10", ("bank", 20_000), ("sales", -20_000)),
    _entry("2025-01-20", ("cogs", 8_000), ("rent", 3_000), ("interest", 500), ("bank", -11_500)),
]


@pytest.mark.parametrize(
    ("as_of", "assets", "earnings", "prior"),
    [("2024-11-30", 0, 0, None), ("2024-12-31", 105_000, 5_000, None), ("2025-01-31", 113_500, 8_500, 5_000)],
)
def test_balance_sheet_by_hand(as_of: str, assets: int, earnings: int, prior: int | None) -> None:
    sheet = reports.balance_sheet(ACCOUNTS, ENTRIES, as_of=as_of)
    assert sheet["assets"]["total"] == assets == sheet["liabilities"]["total"] + sheet["equity"]["total"]
    assert sheet["equity"]["current_year_earnings"] == earnings
    prior_lines = [x["amount"] for x in sheet["equity"]["lines"] if x["name"] == "Prior years' earnings"]
    assert prior_lines == ([] if prior is None else [prior])


def test_profit_and_loss_by_hand() -> None:
    pnl = reports.profit_and_loss(ACCOUNTS, ENTRIES, start="2024-12-01", end="2025-01-31", period="month")
    december, january = pnl["periods"]
    assert (december["revenue"], december["net_income"]) == (5_000, 5_000)
    assert (january["revenue"], january["cost_of_sales"], january["gross_profit"]) == (20_000, 8_000, 12_000)
    assert (january["operating_expenses"], january["other_expenses"], january["net_income"]) == (3_000, 500, 8_500)
    assert [x["code"] for x in january["lines"]] == ["4000", "5000", "6100", "7000"]
    tb = reports.trial_balance(ACCOUNTS, ENTRIES, start="2025-01-01", end="2025-01-31")
    assert {x["code"]: x["balance"] for x in tb["lines"]} == {
        "1010": 113_500,
        "3000": -100_000,
        "4000": -25_000,
        "5000": 8_000,
        "6100": 3_000,
        "7000": 500,
    }
