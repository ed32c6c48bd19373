"""Tests of auto-suggestion: English and French names, structure signals, learning, reason codes, determinism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from broker.mapping.chart_input import load_chart
from broker.mapping.reasons import REASON_CODES, SIGNAL_SENTENCES
from broker.mapping.rules import COARSE_OF_CLASSIFICATION, COARSE_OF_TYPE, CODE_RANGES, SIDE_OF_COARSE
from broker.mapping.standard_chart import StandardChart, default_chart
from broker.mapping.suggest import learning_key, suggest_mappings

CHART = default_chart()
WIDGET_I18N = Path(__file__).resolve().parent.parent / "widget" / "src" / "i18n"


def account(name: str, classification: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": "a1", "code": extra.pop("code", None), "name": name, "classification": classification, **extra}


@pytest.mark.parametrize(
    ("acct", "category", "in_reason"),
    [
        (account("Rent", "operating_expense"), "rent_occupancy", "'rent'"),
        (account("Loyer - entrepôt", "operating_expense"), "rent_occupancy", "'loyer'"),
        (account("Wages and salaries", "operating_expense"), "payroll_expense", "'wages and salaries'"),
        (account("Salaires", "operating_expense"), "payroll_expense", "'salaires'"),
        (account("Direct labour wages", "cost_of_sales"), "cost_of_sales", "cost_of_sales"),
        (account("Interest on bank loan", "other_expense"), "interest_expense", "'interest'"),
        (account("INTÉRÊTS ET FRAIS BANCAIRES", "other_expense"), "interest_expense", "'interets'"),
        (account("Interest income", "other_income"), "other_income", "'interest income'"),
        (account("Depreciation", "operating_expense"), "depreciation", "'depreciation'"),
        (account("Amortissement du matériel", "operating_expense"), "depreciation", "'amortissement'"),
        (account("Accumulated depreciation - equipment", "fixed_asset"), "fixed_assets", "fixed_asset"),
        (account("Business Chequing", "current_asset"), "cash", "'chequing'"),
        (account("Banque Nationale", "current_asset"), "cash", "'banque'"),
        (account("Accounts Receivable", "current_asset"), "receivables", "receivable"),
        (account("Comptes clients", "current_asset"), "receivables", "'comptes clients'"),
        (account("Accounts Payable", "current_liability"), "payables", "payable"),
        (account("Fournisseurs", "current_liability"), "payables", "'fournisseurs'"),
        (account("TPS à payer", "current_liability"), "taxes_payable", "'tps'"),
        (account("GST/HST Payable", "current_liability"), "taxes_payable", "'hst payable'"),
        (account("TVQ à recevoir", "current_asset"), "other_current_assets", "'tvq a recevoir'"),
        (account("Emprunt bancaire", "long_term_liability"), "long_term_debt", "'emprunt'"),
        (account("Emprunt bancaire", "current_liability"), "short_term_debt", "'emprunt'"),
        (account("Bank loan", "long_term_liability"), "long_term_debt", "'loan'"),
        (account("Loan to shareholder", "other_asset"), "other_assets", "'loan to'"),
        (account("COGS", "cost_of_sales"), "cost_of_sales", "classification cost_of_sales and name contains 'cogs'"),
        (account("Coût des marchandises vendues", "cost_of_sales"), "cost_of_sales", "'cout des"),
        (account("Sales", "revenue"), "revenue", "'sales'"),
        (account("Ventes", "revenue"), "revenue", "'ventes'"),
        (account("Advertising", "operating_expense"), "marketing", "'advertising'"),
        (account("Publicité", "operating_expense"), "marketing", "'publicite'"),
        (account("Retained earnings", "equity"), "retained_earnings", "retained"),
        (account("Bénéfices non répartis", "equity"), "retained_earnings", "'benefices non repartis'"),
        (account("Capital-actions", "equity"), "owner_equity", "'capital"),
        (account("Inventaire", "current_asset"), "inventory", "'inventaire'"),
        (account("Income tax expense", "other_expense"), "income_taxes", "'income tax'"),
        (account("Visa", "current_liability"), "short_term_debt", "'visa'"),
    ],
)
def test_names_in_english_and_french_are_recognized(acct: dict[str, Any], category: str, in_reason: str) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    assert suggestion.category == category, suggestion
    assert in_reason in suggestion.reason
    assert suggestion.confidence >= 0.97 and not suggestion.needs_review


@pytest.mark.parametrize(
    ("acct", "category", "review"),
    [
        (account("Operating account", subtype="Bank", type="asset"), "cash", False),
        (account("Widgets", "fixed_asset"), "fixed_assets", False),
        # The classification settles the section, so the section is as sure as the app; the leaf is a default.
        (account("Zorblax", "operating_expense"), "general_admin", False),
        (account("Zorblax", type="expense"), "general_admin", True),
        (account("Zorblax"), None, True),
        (account("Intérêts"), "interest_expense", True),
    ],
)
def test_a_suggestion_is_trusted_only_where_its_basis_measured_right_at_97_percent(
    acct: dict[str, Any], category: str | None, review: bool
) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    assert suggestion.category == category
    assert suggestion.needs_review == review
    assert suggestion.needs_review == (category is None or suggestion.confidence < 0.97)


def test_keyword_on_the_wrong_side_of_the_ledger_is_ignored() -> None:
    # "Bank" names an asset; an expense called "Bank charges" must not become cash.
    (suggestion,) = suggest_mappings([account("Bank charges", "operating_expense")], CHART)
    assert suggestion.category == "general_admin"


def test_confirmed_mappings_of_the_lender_win_and_are_found_across_accents_and_case() -> None:
    confirmed = {learning_key({"name": "Frais de déplacement - équipe"}): "marketing"}
    (suggestion,) = suggest_mappings(
        [account("FRAIS DE DEPLACEMENT — ÉQUIPE", "operating_expense")], CHART, confirmed=confirmed
    )
    assert suggestion.category == "marketing" and suggestion.confidence == 0.98 and not suggestion.needs_review
    assert "confirmed" in suggestion.reason


def test_confirmation_against_the_classification_is_flagged_for_review() -> None:
    confirmed = {"petty cash": "marketing"}
    (suggestion,) = suggest_mappings([account("Petty cash", "current_asset")], CHART, confirmed=confirmed)
    assert suggestion.category == "marketing" and suggestion.needs_review


def test_confirmation_to_a_category_missing_from_the_chart_is_ignored() -> None:
    (suggestion,) = suggest_mappings([account("Rent", "operating_expense")], CHART, confirmed={"rent": "gone"})
    assert suggestion.category == "rent_occupancy"


def test_custom_chart_without_default_codes_uses_its_own_names_or_sides() -> None:
    chart = load_chart(
        {
            "nodes": [
                {"code": "bs", "name": "BS", "statement": "balance_sheet", "parent": None},
                {"code": "money", "name": "Treasury", "side": "asset", "parent": "bs"},
                {"code": "pl", "name": "PL", "statement": "profit_and_loss", "parent": None},
                {"code": "travel", "name": "Travel", "side": "expense", "parent": "pl"},
                {"code": "other", "name": "Everything else", "side": "expense", "parent": "pl"},
            ]
        }
    )
    travel, cash = suggest_mappings(
        [account("Travel - sales team", "operating_expense"), account("Chequing", "current_asset")], chart
    )
    assert travel.category == "travel" and "category name" in travel.reason
    assert cash.category == "money" and cash.needs_review


def test_suggestions_are_deterministic_and_in_input_order() -> None:
    accounts = [
        dict(account(name, "operating_expense"), id=str(n)) for n, name in enumerate(["Rent", "Payroll", "Ads"])
    ]
    first = suggest_mappings(accounts, CHART)
    assert first == suggest_mappings(accounts, CHART)
    assert [s.account_id for s in first] == ["0", "1", "2"]
    assert [s.category for s in first] == ["rent_occupancy", "payroll_expense", "marketing"]


CUSTOM = load_chart(
    {
        "nodes": [
            {"code": "bs", "name": "BS", "statement": "balance_sheet", "parent": None},
            {"code": "money", "name": "Treasury", "side": "asset", "parent": "bs"},
            {"code": "pl", "name": "PL", "statement": "profit_and_loss", "parent": None},
            {"code": "travel", "name": "Travel", "side": "expense", "parent": "pl"},
        ]
    }
)


# A chart's codes count once the chart shows its numbering: these read as the North-American thousands.
CODED_NEIGHBOURS = [
    account("Business chequing", code="1010"),
    account("Accounts payable", code="2000"),
    account("Owner's capital", code="3000"),
    account("Sales", code="4000"),
]
# One case per reason code: the account (first of its chart), the lender's confirmations, the chart, then what the
# suggestion says.
REASON_CASES: list[
    tuple[dict[str, Any] | list[dict[str, Any]], dict[str, str] | None, StandardChart, str, dict[str, str], str]
] = [
    (
        account("Frais de déplacement", "operating_expense"),
        {"frais de deplacement": "marketing"},
        CHART,
        "learned",
        {"category": "marketing"},
        "confirmed as 'Marketing' for another company of this lender",
    ),
    (
        account("Petty cash", "current_asset"),
        {"petty cash": "marketing"},
        CHART,
        "learned_disagrees",
        {"category": "marketing", "signal": "classification", "value": "current_asset"},
        "confirmed as 'Marketing' for another company of this lender, but its classification current_asset disagrees",
    ),
    (
        account("Sales", "revenue"),
        None,
        CHART,
        "keyword",
        {"signal": "classification", "value": "revenue", "phrase": "sales"},
        "classification revenue and name contains 'sales'",
    ),
    (
        account("Loyer", type="expense"),
        None,
        CHART,
        "keyword",
        {"signal": "type", "value": "expense", "phrase": "loyer"},
        "type expense and name contains 'loyer'",
    ),
    (
        [account("Loyer", code=" 6100 "), *CODED_NEIGHBOURS],
        None,
        CHART,
        "keyword",
        {"signal": "code", "value": "6100", "range": "6", "phrase": "loyer"},
        "code 6100 in the 6xxx range (expenses) and name contains 'loyer'",
    ),
    (
        account("Loyer"),
        None,
        CHART,
        "keyword_only",
        {"phrase": "loyer"},
        "name contains 'loyer' (no type or classification)",
    ),
    (
        account("Travel - sales team", "operating_expense"),
        None,
        CUSTOM,
        "chart_name",
        {"phrase": "travel", "category": "travel"},
        "name contains the category name 'travel'",
    ),
    (
        {"id": "Expenses/Interest expense/Bank loans", "name": "Bank loans"},
        None,
        CHART,
        "parent_name",
        {"phrase": "interest"},
        "its parent account's name contains 'interest'",
    ),
    (
        [
            account("Zorblax"),
            account("Accounts receivable"),
            account("Business chequing"),
            account("Inventory"),
            account("Accounts payable"),
            account("Sales tax payable"),
            account("Accrued liabilities"),
            account("Sales"),
            account("Service revenue"),
        ],
        None,
        CHART,
        "chart_order",
        {"side": "asset"},
        "the accounts listed around it are asset accounts",
    ),
    (
        account("Operating account", subtype="Bank", type="asset"),
        None,
        CHART,
        "subtype",
        {"signal": "subtype", "value": "Bank"},
        "subtype 'Bank'",
    ),
    (
        account("Widgets", "fixed_asset"),
        None,
        CHART,
        "classification",
        {"signal": "classification", "value": "fixed_asset"},
        "classification fixed_asset",
    ),
    (
        account("Zorblax", type="expense"),
        None,
        CHART,
        "type",
        {"signal": "type", "value": "expense"},
        "type expense",
    ),
    (
        [account("Zorblax", code="5100"), *CODED_NEIGHBOURS],
        None,
        CHART,
        "code_range",
        {"signal": "code", "value": "5100", "range": "5"},
        "code 5100 in the 5xxx range (cost of sales)",
    ),
    (
        account("Chequing", "current_asset"),
        None,
        CUSTOM,
        "first_on_side",
        {"signal": "classification", "value": "current_asset", "side": "asset"},
        "classification current_asset; first asset category of the chart",
    ),
    (
        account("Zorblax"),
        None,
        CHART,
        "none",
        {},
        "no usable signal in the name, subtype, type, classification or code",
    ),
]


@pytest.mark.parametrize(("acct", "confirmed", "chart", "code", "params", "reason"), REASON_CASES)
def test_each_reason_has_a_stable_code_plain_params_and_its_english_sentence(
    acct: dict[str, Any] | list[dict[str, Any]],
    confirmed: dict[str, str] | None,
    chart: StandardChart,
    code: str,
    params: dict[str, str],
    reason: str,
) -> None:
    suggestion = suggest_mappings(acct if isinstance(acct, list) else [acct], chart, confirmed=confirmed)[0]
    assert (suggestion.reason_code, suggestion.reason_params, suggestion.reason) == (code, params, reason)
    assert suggestion.reason_code in REASON_CODES
    assert suggestion.to_dict()["reason_params"] == params


def test_every_reason_code_has_a_case_in_the_table_above() -> None:
    assert {case[3] for case in REASON_CASES} == set(REASON_CODES)


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_widget_catalogues_translate_every_reason_signal_value_range_and_side(locale: str) -> None:
    catalogue = json.loads((WIDGET_I18N / f"{locale}.json").read_text(encoding="utf-8"))
    wanted = (
        {f"map.reason.{code}" for code in REASON_CODES}
        | {f"map.signal.{signal}" for signal in [*SIGNAL_SENTENCES, "subtype"]}
        | {f"map.value.{value}" for value in [*COARSE_OF_CLASSIFICATION, *COARSE_OF_TYPE]}
        | {f"map.range.{digit}" for digit in CODE_RANGES}
        | {f"map.side.{side}" for side in SIDE_OF_COARSE.values()}
    )
    assert sorted(wanted - set(catalogue)) == []
