"""Tests of the mapping on real-world kinds of charts: app authority, app vocabularies, schemes, words, parents."""

from __future__ import annotations

from typing import Any

import pytest

from broker.mapping.standard_chart import default_chart
from broker.mapping.suggest import suggest_mappings

CHART = default_chart()
SECTION = {leaf.code: CHART.parent(leaf.code) for leaf in CHART.leaves()}


def one(name: str, **fields: Any) -> dict[str, Any]:
    return {"id": fields.pop("id", name), "name": name, **fields}


def section_of(accounts: list[dict[str, Any]], n: int = 0) -> str | None:
    return SECTION.get(suggest_mappings(accounts, CHART)[n].category or "")


@pytest.mark.parametrize(
    ("acct", "section"),
    [
        # A name keyword never moves an account out of the section its classification gives.
        (one("Mortgages Payable", type="liability", classification="long_term_liability"), "non_current_liabilities"),
        (one("Future income tax, long-term", type="liability", classification="long_term_liability"), None),
        (one("Intérêts courus sur emprunts", type="liability", classification="long_term_liability"), None),
        (one("Cash surrender value of life insurance", type="asset", classification="other_asset"), None),
        (one("Liste de clients - nette", type="asset", classification="other_asset"), None),
        (one("Current portion of long-term debt", type="liability", classification="current_liability"), None),
        (one("Impôts indirects", type="expense", classification="operating_expense"), "operating_expenses"),
        (one("Purchased materials and services", type="expense", classification="operating_expense"), None),
        # Contra accounts stay with what they offset.
        (one("Provision pour dépréciation des comptes clients", type="asset", classification="current_asset"), None),
        (one("Accumulated amortization - deferred charges", type="asset", classification="current_asset"), None),
    ],
)
def test_the_classification_settles_the_section_and_the_name_only_the_leaf(
    acct: dict[str, Any], section: str | None
) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    expected = (
        section
        or {
            "long_term_liability": "non_current_liabilities",
            "other_asset": "non_current_assets",
            "current_liability": "current_liabilities",
            "current_asset": "current_assets",
            "operating_expense": "operating_expenses",
        }[acct["classification"]]
    )
    assert SECTION[suggestion.category or ""] == expected, suggestion
    assert not suggestion.needs_review


@pytest.mark.parametrize(
    ("acct", "leaf"),
    [
        # Odoo account_type values
        (one("Prepaid rent", type="asset", classification="current_asset", subtype="asset_prepayments"), None),
        (one("Company Visa", type="liability", subtype="liability_credit_card"), "short_term_debt"),
        (one("Undistributed profits", type="equity", subtype="equity_unaffected"), "retained_earnings"),
        (one("Goods", type="expense", subtype="expense_direct_cost"), "cost_of_sales"),
        # ERPNext account_type values
        (one("Stores", type="asset", subtype="Stock"), "inventory"),
        (one("Duties", type="liability", subtype="Tax"), "taxes_payable"),
        (one("Less: wear", type="asset", subtype="Accumulated Depreciation"), "fixed_assets"),
        # QuickBooks Online and Xero
        (one("Payroll Account", type="asset", classification="current_asset", subtype="Checking"), "cash"),
        (one("Bills", type="liability", subtype="AccountsPayable"), "payables"),
        (one("Term loan", type="liability", subtype="TERMLIAB"), "long_term_debt"),
        (one("Machines", type="asset", subtype="FIXED"), "fixed_assets"),
        (one("Costs", type="expense", subtype="DIRECTCOSTS"), "cost_of_sales"),
    ],
)
def test_the_apps_published_account_types_settle_the_section(acct: dict[str, Any], leaf: str | None) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    if leaf is None:
        assert SECTION[suggestion.category or ""] == "current_assets"
    else:
        assert suggestion.category == leaf, suggestion
    assert not suggestion.needs_review


def test_a_generic_app_type_leaves_the_expense_section_to_the_chart_and_the_name() -> None:
    odoo = {"type": "expense", "classification": "operating_expense", "subtype": "expense"}
    accounts = [
        one("Rent", **odoo),
        one("Interest on bank loans", **odoo),
        one("Income taxes", **odoo),
    ]
    assert [s.category for s in suggest_mappings(accounts, CHART)] == [
        "rent_occupancy",
        "interest_expense",
        "income_taxes",
    ]


# A small French chart numbered on the plan comptable général (classes 1 to 7), read with codes and names only.
PCG = [
    one("Capital social", code="101000"),
    one("Emprunts auprès des établissements de crédit", code="164000"),
    one("Matériel de bureau", code="218300"),
    one("Stocks de marchandises", code="370000"),
    one("Fournisseurs", code="401000"),
    one("Clients", code="411000"),
    one("TVA déductible sur biens et services", code="445660"),
    one("TVA collectée", code="445710"),
    one("Banque", code="512000"),
    one("Achats de marchandises", code="607000"),
    one("Loyers", code="613200"),
    one("Intérêts des emprunts", code="661100"),
    one("Impôts sur les bénéfices", code="695000"),
    one("Ventes de marchandises", code="707000"),
    one("Produits exceptionnels", code="771000"),
]
PCG_SECTIONS = [
    "equity",
    "non_current_liabilities",
    "non_current_assets",
    "current_assets",
    "current_liabilities",
    "current_assets",
    "current_assets",
    "current_liabilities",
    "current_assets",
    "direct_costs",
    "operating_expenses",
    "non_operating",
    "non_operating",
    "income",
    "income",
]
# The same kinds of accounts numbered in North-American thousands, then on the UK (Sage) scheme.
NORTH_AMERICA = [
    one("Chequing", code="1010"),
    one("Accounts receivable", code="1200"),
    one("Equipment", code="1500"),
    one("Accounts payable", code="2000"),
    one("Bank loan", code="2700"),
    one("Owner's capital", code="3000"),
    one("Sales", code="4000"),
    one("Materials", code="5000"),
    one("Rent", code="6100"),
]
UK = [
    one("Software", code="0010"),
    one("Software Depreciation", code="0011"),
    one("Motor vehicles", code="0050"),
    one("Debtors Control Account", code="1100"),
    one("Bank Current Account", code="1200"),
    one("Creditors Control Account", code="2100"),
    one("VAT Liability", code="2202"),
    one("PAYE", code="2210"),
    one("Ordinary Shares", code="3000"),
    one("Sales Type A", code="4000"),
]


def test_a_french_chart_is_read_on_the_plan_comptable_general() -> None:
    got = [SECTION.get(s.category or "") for s in suggest_mappings(PCG, CHART)]
    assert got == PCG_SECTIONS


def test_north_american_codes_are_not_read_as_french_classes_and_the_other_way_round() -> None:
    got = [SECTION.get(s.category or "") for s in suggest_mappings(NORTH_AMERICA, CHART)]
    assert got[:7] == [
        "current_assets",
        "current_assets",
        "non_current_assets",
        "current_liabilities",
        "non_current_liabilities",
        "equity",
        "income",
    ]
    # "Capital social" at 101000 is equity in the French chart, never an asset of the 1xxx range.
    assert suggest_mappings(PCG, CHART)[0].category == "owner_equity"


def test_uk_fixed_assets_at_00xx_and_their_depreciation_stay_fixed_assets() -> None:
    suggestions = suggest_mappings(UK, CHART)
    assert [s.category for s in suggestions[:3]] == ["fixed_assets"] * 3
    assert [SECTION[s.category or ""] for s in suggestions[3:]] == [
        "current_assets",
        "current_assets",
        "current_liabilities",
        "current_liabilities",
        "current_liabilities",
        "equity",
        "income",
    ]
    assert suggestions[6].category == "taxes_payable" and suggestions[5].category == "payables"


# A Belgian chart (plan comptable minimum normalisé): customers at 40 and suppliers at 44, unlike the French plan.
PCMN = [
    one("Capital souscrit", code="100000"),
    one("Emprunts subordonnés", code="170000"),
    one("Matériel de bureau", code="240000"),
    one("Stocks de marchandises", code="340000"),
    one("Clients", code="400000"),
    one("Fournisseurs", code="440000"),
    one("TVA à payer", code="451000"),
    one("Banque", code="550000"),
    one("Achats de marchandises", code="604000"),
    one("Charges d'intérêts", code="650000"),
    one("Ventes", code="700000"),
]


def test_a_belgian_chart_is_not_read_on_the_french_plan() -> None:
    got = [s.category for s in suggest_mappings(PCMN, CHART)]
    assert got == [
        "owner_equity",
        "long_term_debt",
        "fixed_assets",
        "inventory",
        "receivables",
        "payables",
        "taxes_payable",
        "cash",
        "cost_of_sales",
        "interest_expense",
        "revenue",
    ]


def test_a_code_whose_side_the_name_never_means_is_flagged() -> None:
    # "Clients" at 2010 reads as a liability in North-American thousands: the name disagrees, so the owner checks.
    accounts = [*NORTH_AMERICA, one("Clients", code="2010")]
    suggestion = suggest_mappings(accounts, CHART)[-1]
    assert suggestion.needs_review


def test_a_single_coded_account_does_not_make_a_numbering_scheme() -> None:
    (suggestion,) = suggest_mappings([one("Zorblax", code="4100")], CHART)
    assert suggestion.category is None


@pytest.mark.parametrize(
    ("name", "leaf"),
    [
        ("Prepaid expenses", "other_current_assets"),
        ("Interest receivable", "other_current_assets"),
        ("GST/TPS receivable", "other_current_assets"),
        ("TVH à recevoir", "other_current_assets"),
        ("Loans receivable", "other_current_assets"),
        ("Mortgages", "long_term_debt"),
        ("Emprunts", "long_term_debt"),
        ("Current portion of long-term debt", "short_term_debt"),
        ("Partie à court terme de la dette à long terme", "short_term_debt"),
        ("Dépréciation des comptes clients", "receivables"),
        ("Dotations aux dépréciations des stocks", "general_admin"),
        ("Impôts et taxes", "general_admin"),
        ("Impôts sur les bénéfices", "income_taxes"),
        ("Escomptes de caisse accordés", "other_expenses"),
        ("Avances de clients", "accrued_liabilities"),
        ("Salaires à payer", "accrued_liabilities"),
        ("Sundry debtors", "receivables"),
        ("Trade creditors", "payables"),
        ("PAYE and NIC payable", "accrued_liabilities"),
        ("Superannuation payable", "accrued_liabilities"),
        ("Goods for sale inventory", "inventory"),
    ],
)
def test_english_and_french_word_forms_heads_and_false_friends(name: str, leaf: str) -> None:
    (suggestion,) = suggest_mappings([one(name)], CHART)
    assert suggestion.category == leaf, suggestion


def test_without_type_or_code_the_names_never_claim_more_than_they_measured() -> None:
    # Each of these names is ambiguous on its own; none may come back as a trusted suggestion.
    for names in (["Interest", "Software Depreciation", "Loans", "Investments", "Deposits"], ["Intérêts", "Prêts"]):
        for suggestion in suggest_mappings([one(name) for name in names], CHART):
            assert suggestion.needs_review, suggestion


@pytest.mark.parametrize(
    ("acct", "leaf", "reason_code"),
    [
        ({"id": "Expenses/Interest expense/Bank loans", "name": "Bank loans"}, "interest_expense", "parent_name"),
        (
            {"id": "Passif/Passif à long terme/Liens sur machinerie", "name": "Liens sur machinerie"},
            "long_term_debt",
            None,
        ),
        (
            {"id": "7", "name": "Equipment loan", "fully_qualified_name": "Long-term liabilities:Equipment loan"},
            "long_term_debt",
            None,
        ),
        ({"id": "9", "name": "Placement", "parent_name": "Autres actifs"}, "other_assets", None),
    ],
)
def test_the_parent_accounts_name_is_read_where_the_data_has_it(
    acct: dict[str, Any], leaf: str, reason_code: str | None
) -> None:
    (suggestion,) = suggest_mappings([acct], CHART)
    assert suggestion.category == leaf, suggestion
    if reason_code:
        assert suggestion.reason_code == reason_code


def test_an_id_that_is_not_the_accounts_path_is_not_read_as_parents() -> None:
    (suggestion,) = suggest_mappings([{"id": "Interest expense/42", "name": "Bank loans"}], CHART)
    assert suggestion.category == "long_term_debt"


def test_a_trial_balances_normal_side_decides_what_a_name_leaves_open() -> None:
    def chart(interest_balance: int) -> list[dict[str, Any]]:
        return [
            one("Chequing", balance=120_00),
            one("Accounts payable", balance=-80_00),
            one("Sales", balance=-900_00),
            one("Interest", balance=interest_balance),
            one("Rent", balance=300_00),
        ]

    side = {leaf.code: leaf.side for leaf in CHART.leaves()}
    assert suggest_mappings(chart(-15_00), CHART)[3].category == "other_income"
    assert side[suggest_mappings(chart(15_00), CHART)[3].category or ""] == "expense"
    # Without balances on most accounts, the signs are not read at all.
    bare = [{key: value for key, value in account.items() if key != "balance"} for account in chart(-15_00)]
    few = [dict(account) for account in bare]
    few[3]["balance"] = -15_00
    assert suggest_mappings(few, CHART) == suggest_mappings(bare, CHART)


def test_a_shuffled_list_is_not_read_as_the_charts_order() -> None:
    accounts = [
        one("Sales"),
        one("Petty cash"),
        one("Rent"),
        one("Xyzzy holdings"),
        one("Accounts payable"),
        one("Inventory"),
        one("Owner's capital"),
    ]
    assert suggest_mappings(accounts, CHART)[3].category is None


def test_without_codes_an_account_the_names_cannot_place_takes_its_block_in_the_charts_order() -> None:
    accounts = [
        one("Petty cash"),
        one("Accounts receivable"),
        one("Xyzzy holdings"),
        one("Inventory"),
        one("Prepaid insurance"),
        one("Accounts payable"),
        one("Sales tax payable"),
        one("Accrued liabilities"),
    ]
    suggestion = suggest_mappings(accounts, CHART)[2]
    assert SECTION[suggestion.category or ""] == "current_assets"
    assert suggestion.reason_code == "chart_order" and suggestion.needs_review
