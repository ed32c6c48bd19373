"""Tests of the standard chart: the default tree and validation of a lender-supplied chart."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from broker.mapping.chart_input import MAX_NODES, load_chart
from broker.mapping.standard_chart import ChartError, default_chart

DOC_LEAVES = [
    "cash",
    "receivables",
    "inventory",
    "other_current_assets",
    "fixed_assets",
    "other_assets",
    "payables",
    "accrued_liabilities",
    "taxes_payable",
    "short_term_debt",
    "long_term_debt",
    "owner_equity",
    "retained_earnings",
    "revenue",
    "other_income",
    "cost_of_sales",
    "payroll_expense",
    "rent_occupancy",
    "marketing",
    "general_admin",
    "depreciation",
    "interest_expense",
    "income_taxes",
    "other_expenses",
]


def flat(*nodes: tuple[str, str | None, dict[str, Any]]) -> dict[str, Any]:
    return {"nodes": [{"code": code, "name": code.title(), "parent": parent, **extra} for code, parent, extra in nodes]}


VALID_FLAT = flat(
    ("bs", None, {"statement": "balance_sheet"}),
    ("assets", "bs", {"side": "asset"}),
    ("cash", "assets", {}),
    ("debts", "bs", {"side": "liability", "role": "debt"}),
    ("pl", None, {"statement": "profit_and_loss"}),
    ("sales", "pl", {"side": "income", "role": "revenue"}),
    ("costs", "pl", {"side": "expense"}),
)


def test_default_chart_has_exactly_the_documented_leaves_on_the_right_statements() -> None:
    chart = default_chart()
    assert [leaf.code for leaf in chart.leaves()] == DOC_LEAVES
    assert [leaf.code for leaf in chart.leaves("profit_and_loss")] == DOC_LEAVES[13:]
    assert all(leaf.side in {"asset", "liability", "equity"} for leaf in chart.leaves("balance_sheet"))
    assert chart.parent("cash") == "current_assets" and chart.parent("current_assets") == "assets"
    assert chart.find("rent_occupancy").name_fr == "Loyer et occupation"  # type: ignore[union-attr]
    assert {"debt", "current_liabilities"} <= chart.roles("short_term_debt")
    assert "debt" not in chart.roles("payables")


def test_to_dict_round_trips_through_load_chart() -> None:
    chart = default_chart()
    assert load_chart(chart.to_dict()) == chart


def test_flat_form_loads_with_inherited_statement_side_and_role() -> None:
    chart = load_chart(VALID_FLAT)
    cash = chart.find("cash")
    assert cash is not None and cash.statement == "balance_sheet" and cash.side == "asset"
    assert chart.roles("debts") == {"debt"}
    assert [leaf.code for leaf in chart.leaves()] == ["cash", "debts", "sales", "costs"]


def _with(base: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["nodes"][index].update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_with(VALID_FLAT, 0, parent="cash"), "cycle", id="cycle"),
        pytest.param(_with(VALID_FLAT, 3, code="cash"), "'cash' is already used at nodes[2]", id="duplicate"),
        pytest.param(_with(VALID_FLAT, 2, side="liability"), "belongs to exactly one side", id="both-sides"),
        pytest.param(_with(VALID_FLAT, 2, code="Cash-1"), "must match", id="bad-code"),
        pytest.param(_with(VALID_FLAT, 2, code="x" * 65), "must match", id="code-too-long"),
        pytest.param(_with(VALID_FLAT, 2, parent="nowhere"), "no node has code 'nowhere'", id="missing-parent"),
        pytest.param(_with(VALID_FLAT, 1, parent=None, statement="balance_sheet"), "single root", id="two-roots"),
        pytest.param(_with(VALID_FLAT, 5, side="asset"), "not a profit_and_loss side", id="side-of-other-stmt"),
        pytest.param(_with(VALID_FLAT, 6, side=None, parent="pl"), "has no side", id="leaf-without-side"),
        pytest.param(_with(VALID_FLAT, 3, role="revenue"), "belongs to profit_and_loss", id="role-wrong-stmt"),
        pytest.param(_with(VALID_FLAT, 2, name=""), "nodes[2].name", id="empty-name"),
        pytest.param({"nodes": VALID_FLAT["nodes"][:4]}, "no root for profit_and_loss", id="missing-statement"),
        pytest.param([1, 2], '"roots" list', id="not-an-object"),
        pytest.param({"nodes": [{"code": f"n{i}", "name": "N"} for i in range(MAX_NODES + 1)]}, "more than", id="big"),
    ],
)
def test_invalid_charts_are_refused_with_a_message_naming_the_problem(data: Any, message: str) -> None:
    with pytest.raises(ChartError) as caught:
        load_chart(data)
    assert any(message in error for error in caught.value.errors), caught.value.errors
    assert caught.value.code == "invalid_chart" and caught.value.status == 422


def test_too_deep_nested_chart_is_refused() -> None:
    node: dict[str, Any] = {"code": "leaf", "name": "Leaf", "side": "income"}
    for depth in range(8):
        node = {"code": f"level{depth}", "name": "Level", "children": [node]}
    node["statement"] = "profit_and_loss"
    with pytest.raises(ChartError) as caught:
        load_chart({"roots": [node]})
    assert any("deeper than 6 levels" in error for error in caught.value.errors)


def test_self_referencing_nested_data_does_not_loop_forever() -> None:
    node: dict[str, Any] = {"code": "loop", "name": "Loop", "statement": "profit_and_loss", "side": "income"}
    node["children"] = [node]
    with pytest.raises(ChartError):
        load_chart({"roots": [node]})


def test_every_problem_is_reported_at_once() -> None:
    data = _with(_with(VALID_FLAT, 2, code="BAD"), 3, code="assets")
    with pytest.raises(ChartError) as caught:
        load_chart(data)
    assert any("BAD" in error for error in caught.value.errors)
    assert any("'assets' is already used" in error for error in caught.value.errors)
