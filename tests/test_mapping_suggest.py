"""Tests of auto-suggestion: English and French names, structure signals, learning and determinism."""

from __future__ import annotations

from typing import Any

import pytest

from broker.mapping.standard_chart import default_chart, load_chart
from broker.mapping.suggest import learning_key, suggest_mappings

CHART = default_chart()


def account(name: str, classification: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": "a1", "code": extra.pop("code", None), "name": name, "classification": classification, **extra}


@pytest.mark.parametrize(
    ("acct", "category", "in_reason"),
    [
        (account("Rent", "operating_expense"), "rent_occupancy", "'rent'"),
        (account("Loyer - entrepôt", "operating_expense"), "rent_occupancy", "'loyer'"),
        (account("Wages and salaries", "operating_expense"), "payroll_expense", "'wages'"),
        (account("Salaires", "operating_expense"), "payroll_expense", "'salaires'"),
        (account("Direct labour wages", "cost_of_sales"), "cost_of_sales", "cost_of_sales"),
        (account("Interest on bank loan", "other_expense"), "interest_expense", "'interest'"),
        (account("INTÉRÊTS ET FRAIS BANCAIRES", "other_expense"), "interest_expense", "'interets'"),
        (account("Interest income", "other_income"), "other_income", "'interest'"),
        (account("Depreciation", "operating_expense"), "depreciation", "'depreciation'"),
        (account("Amortissement du matériel", "operating_expense"), "depreciation", "'amortissement'"),
        (account("Accumulated depreciation - equipment", "fixed_asset"), "fixed_assets", "accumulated"),
        (account("Business Chequing", "current_asset"), "cash", "'chequing'"),
        (account("Banque Nationale", "current_asset"), "cash", "'banque'"),
        (account("Accounts Receivable", "current_asset"), "receivables", "receivable"),
        (account("Comptes clients", "current_asset"), "receivables", "'comptes clients'"),
        (account("Accounts Payable", "current_liability"), "payables", "payable"),
        (account("Fournisseurs", "current_liability"), "payables", "'fournisseurs'"),
        (account("TPS à payer", "current_liability"), "taxes_payable", "'tps'"),
        (account("GST/HST Payable", "current_liability"), "taxes_payable", "'gst'"),
        (account("TVQ à recevoir", "current_asset"), "other_current_assets", "'tvq'"),
        (account("Emprunt bancaire", "long_term_liability"), "long_term_debt", "'emprunt'"),
        (account("Emprunt bancaire", "current_liability"), "short_term_debt", "'emprunt'"),
        (account("Bank loan", "long_term_liability"), "long_term_debt", "'loan'"),
        (account("Loan to shareholder", "other_asset"), "other_assets", "'loan'"),
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
    assert suggestion.confidence >= 0.85 and not suggestion.needs_review


@pytest.mark.parametrize(
    ("acct", "category", "low", "high"),
    [
        (account("Operating account", subtype="Bank", type="asset"), "cash", 0.8, 0.8),
        (account("Widgets", "fixed_asset"), "fixed_assets", 0.7, 0.8),
        (account("Misc stuff", "operating_expense"), "general_admin", 0.4, 0.59),
        (account("Misc stuff", type="expense"), "general_admin", 0.3, 0.59),
        (account("Misc stuff", code="5100"), "cost_of_sales", 0.3, 0.3),
        (account("Misc stuff", code="1200"), "other_current_assets", 0.3, 0.3),
        (account("Misc stuff"), None, 0.0, 0.0),
        (account("Loyer"), "rent_occupancy", 0.6, 0.7),
    ],
)
def test_weaker_signals_give_lower_confidence(
    acct: dict[str, Any], category: str | None, low: float, high: float
) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    assert suggestion.category == category
    assert low <= suggestion.confidence <= high
    assert suggestion.needs_review == (category is None or suggestion.confidence < 0.6)


def test_keyword_on_the_wrong_side_of_the_ledger_is_ignored() -> None:
    # "Bank" names an asset; an expense called "Bank charges" must not become cash.
    (suggestion,) = suggest_mappings([account("Bank charges", "operating_expense")], CHART)
    assert suggestion.category == "general_admin"


def test_confirmed_mappings_of_the_lender_win_and_are_found_across_accents_and_case() -> None:
    confirmed = {learning_key({"name": "Frais de déplacement - équipe"}): "marketing"}
    (suggestion,) = suggest_mappings(
        [account("FRAIS DE DEPLACEMENT — ÉQUIPE", "operating_expense")], CHART, confirmed=confirmed
    )
    assert suggestion.category == "marketing" and suggestion.confidence == 0.95
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
