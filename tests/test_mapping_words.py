"""Tests of the mapping's building blocks: word forms, name heads, numbering schemes, vocabularies, calibration."""

from __future__ import annotations

import pytest

from broker.mapping.calibration import TRUSTED, confidence, needs_review
from broker.mapping.evidence import ancestors, app_evidence, read_name
from broker.mapping.schemes import BY_NAME, detect_scheme, digits_of
from broker.mapping.vocab import subtype_meaning
from broker.mapping.words import language_of, stem, tokens


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("loans", "loan"),
        ("liabilities", "liability"),
        ("taxes", "tax"),
        ("losses", "loss"),
        ("business", "business"),
        ("generaux", "general"),
        ("prets", "pret"),
        ("frais", "frais"),
        ("tax", "tax"),
    ],
)
def test_plural_and_singular_share_a_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_names_lose_accents_case_punctuation_and_elided_articles() -> None:
    assert tokens("Avances d'associés") == tokens("AVANCES ASSOCIES") == tokens("avance associes")
    assert tokens("Intérêts/Prêts") == ("interet", "pret")


@pytest.mark.parametrize(
    ("name", "language"),
    [("Intérêts courus sur emprunts", "fr"), ("Interest on bank loans", "en"), ("Zorblax", None)],
)
def test_the_language_of_a_name(name: str, language: str | None) -> None:
    assert language_of(name) == language


@pytest.mark.parametrize(
    ("name", "language", "head"),
    [
        ("Interest on loans", "en", "interest"),
        ("Loan interest", "en", "interest"),
        ("Bank loans", "en", "loans"),
        ("Intérêts courus sur emprunts", "fr", "interets courus"),
        ("Emprunts bancaires", "fr", "emprunts"),
        ("Cost of goods sold", "en", "cost of goods sold"),
    ],
)
def test_the_head_of_a_name_is_last_in_english_and_first_in_french(name: str, language: str, head: str) -> None:
    reading = read_name(name, language)
    assert reading.written(reading.matches[0]) == head


@pytest.mark.parametrize(
    ("code", "digits"), [("1-1100", "11100"), (" 6100 ", "6100"), ("AR-01", ""), (None, ""), (4000, "4000")]
)
def test_codes_are_read_as_their_digits(code: object, digits: str) -> None:
    assert digits_of(code) == digits


def test_a_scheme_is_kept_only_when_the_chart_agrees_with_it() -> None:
    codes = ["101000", "164000", "401000", "411000", "512000", "607000", "706000"]
    sides = [frozenset({s}) for s in ("equity", "liability", "liability", "asset", "asset", "expense", "income")]
    scheme = detect_scheme(codes, sides)
    assert scheme is not None and scheme.name == "pcg"
    north_american = ["1000", "1200", "2000", "3000", "4000", "5000", "6000"]
    na_sides = [frozenset({s}) for s in ("asset", "asset", "liability", "equity", "income", "expense", "expense")]
    detected = detect_scheme(north_american, na_sides)
    assert detected is not None and detected.name == "north_american"
    assert detect_scheme(["101000"], [frozenset({"equity"})]) is None
    mixed = [frozenset({s}) for s in ("income", "expense", "equity", "asset", "liability", "asset", "liability")]
    assert detect_scheme(north_american, mixed) is None


def test_each_scheme_reads_its_own_ranges() -> None:
    assert BY_NAME["pcg"].read("445660").section == "current_assets"  # type: ignore[union-attr]
    assert BY_NAME["pcg"].read("445710").section == "current_liabilities"  # type: ignore[union-attr]
    assert BY_NAME["gifi"].read("1599").section == "current_assets"  # type: ignore[union-attr]
    assert BY_NAME["gifi"].read("3140").section == "non_current_liabilities"  # type: ignore[union-attr]
    assert BY_NAME["uk"].read("0030").section == "non_current_assets"  # type: ignore[union-attr]
    assert BY_NAME["gifi"].read("123456") is None


@pytest.mark.parametrize(
    ("subtype", "side", "section", "leaf"),
    [
        ("asset_prepayments", "asset", "current_assets", "other_current_assets"),
        ("AccountsReceivable", None, "current_assets", "receivables"),
        ("Accounts Receivable", None, "current_assets", "receivables"),
        ("Tax", "liability", "current_liabilities", "taxes_payable"),
        ("Tax", "asset", "current_assets", "other_current_assets"),
        ("DEPRECIATN", None, "operating_expenses", "depreciation"),
        ("expense", None, None, None),
    ],
)
def test_app_vocabularies(subtype: str, side: str | None, section: str | None, leaf: str | None) -> None:
    meaning = subtype_meaning(subtype, side)
    assert meaning is not None
    assert (meaning.section, meaning.leaf) == (section, leaf)


def test_a_generic_app_type_makes_the_classification_only_a_prior() -> None:
    app = app_evidence({"type": "expense", "classification": "operating_expense", "subtype": "expense"})
    assert (app.side, app.section, app.prior) == ("expense", None, "operating_expenses")
    typed = app_evidence({"type": "expense", "classification": "operating_expense"})
    assert typed.section == "operating_expenses"


@pytest.mark.parametrize(
    ("account", "parents"),
    [
        ({"id": "Assets/Current Assets/Cash", "name": "Cash"}, ["Current Assets", "Assets"]),
        ({"id": "x", "name": "Loan", "fully_qualified_name": "Liabilities:Loan"}, ["Liabilities"]),
        ({"id": "x", "name": "Loan", "parent_name": "Long-term debt"}, ["Long-term debt"]),
        ({"id": "12/34", "name": "Loan"}, []),
    ],
)
def test_parents_are_read_from_the_data_that_has_them(account: dict[str, str], parents: list[str]) -> None:
    assert ancestors(account) == parents


def test_confidence_is_the_measured_share_and_leans_on_the_coarser_basis_when_thin() -> None:
    counts = {"name+name": (60, 100), "name+name:rent": (200, 200), "name+name:loan": (1, 2)}
    assert confidence("name+name:rent", counts) >= TRUSTED
    assert confidence("name+name:loan", counts) == round((1 + 8 * confidence("name+name", counts)) / 10, 2)
    assert confidence("never seen", counts) == 0.5
    assert needs_review(0.96) and not needs_review(0.97)
