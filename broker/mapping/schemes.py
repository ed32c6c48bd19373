"""Account numbering schemes, and which one a whole chart follows (if any), so that codes are read its way.

A code only counts once the chart's scheme is known: the North-American thousands (1 assets ... 5 cost of sales,
6+ expenses), the French plan comptable général (classes 1 to 7) and the Belgian PCMN built like it, Canada's GIFI
(1000-3849 balance sheet, 8000-9999 income statement) or the UK/Sage numbering (fixed assets at 00xx). The scheme
is the one whose reading of the codes agrees with what the names and app types say about the side of the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeMeaning:
    """What a code says in a scheme: side (None: either), section or term (current/non-current), a leaf hint."""

    side: str | None
    section: str | None = None
    term: str | None = None
    leaf: str | None = None


@dataclass(frozen=True)
class Scheme:
    """A numbering scheme: its name, a label per first digit, and meanings by code prefix (longest wins)."""

    name: str
    prefixes: dict[str, CodeMeaning]
    lengths: tuple[int, ...]
    labels: dict[str, str]

    def read(self, code: object) -> CodeMeaning | None:
        """Return what ``code`` means in this scheme, or None when it is not one of its codes."""
        digits = digits_of(code)
        if not digits or (self.lengths and len(digits) not in self.lengths):
            return None
        for length in range(len(digits), 0, -1):
            meaning = self.prefixes.get(digits[:length])
            if meaning is not None:
                return meaning
        return None


def digits_of(code: object) -> str:
    """Return the digits of an account code ("1-1100" is "11100"), or "" when it is not numeric."""
    text = str(code or "").strip()
    if not text or not re.fullmatch(r"[0-9][0-9 .\-]*", text):
        return ""
    return re.sub(r"\D", "", text)


def _table(text: str) -> dict[str, CodeMeaning]:
    table: dict[str, CodeMeaning] = {}
    for line in text.strip().splitlines():
        prefixes, _, spec = line.partition(":")
        side, section, term, leaf = ([None if cell == "-" else cell for cell in spec.split()] + [None] * 4)[:4]
        for prefix in prefixes.split():
            table[prefix] = CodeMeaning(side, section, term, leaf)
    return table


# prefix ...: side section term leaf ("-" for none)
_NORTH_AMERICA = """
1: asset - - -
2: liability - - -
3: equity equity - -
4: income income - -
5: expense - - cost_of_sales
6: expense - - general_admin
7 8 9: - - - -
"""
# Plan comptable général (France, and French-speaking charts built on it): the published class structure.
_PCG = """
10 11 12 13 14: equity equity - -
15: liability non_current_liabilities - long_term_debt
16 17: liability non_current_liabilities - long_term_debt
519: liability current_liabilities - short_term_debt
2: asset non_current_assets - fixed_assets
26 27: asset non_current_assets - other_assets
3: asset current_assets - inventory
40: liability current_liabilities - payables
409: asset current_assets - other_current_assets
41: asset current_assets - receivables
419: liability current_liabilities - accrued_liabilities
42 43: liability current_liabilities - accrued_liabilities
425: asset current_assets - other_current_assets
44: - - current -
444 4455 4457: liability current_liabilities - taxes_payable
4456: asset current_assets - other_current_assets
45 46 47 48: - - current -
486: asset current_assets - other_current_assets
487: liability current_liabilities - accrued_liabilities
49: asset current_assets - receivables
5: asset current_assets - cash
50 59: asset current_assets - other_current_assets
6: expense - - -
603 607 6097: expense direct_costs - cost_of_sales
61 62: expense operating_expenses - general_admin
63: expense operating_expenses - general_admin
64: expense operating_expenses - payroll_expense
65: expense operating_expenses - general_admin
66: expense non_operating - other_expenses
661: expense non_operating - interest_expense
67: expense non_operating - other_expenses
681: expense operating_expenses - general_admin
6811: expense operating_expenses - depreciation
686 687: expense non_operating - other_expenses
695 696 697 698 699: expense non_operating - income_taxes
7: income income - -
70: income income - revenue
76 77 78 79: income income - other_income
"""
# Plan comptable minimum normalisé (Belgium): like the French classes, but customers at 40 and suppliers at 44.
_PCMN = """
10 11 12 13 14 15: equity equity - -
16: liability non_current_liabilities - long_term_debt
17: liability non_current_liabilities - long_term_debt
2: asset non_current_assets - fixed_assets
20 21: asset non_current_assets - other_assets
28 29: asset non_current_assets - other_assets
3: asset current_assets - inventory
40 41: asset current_assets - receivables
42 43: liability current_liabilities - short_term_debt
44: liability current_liabilities - payables
45: liability current_liabilities - accrued_liabilities
450 451 452 453: liability current_liabilities - taxes_payable
46 47 48: liability current_liabilities - accrued_liabilities
49: - - current -
5: asset current_assets - cash
50 51 52 53: asset current_assets - other_current_assets
6: expense - - -
60: expense direct_costs - cost_of_sales
61: expense operating_expenses - general_admin
62: expense operating_expenses - payroll_expense
63: expense operating_expenses - depreciation
64: expense operating_expenses - general_admin
65: expense non_operating - other_expenses
650: expense non_operating - interest_expense
66: expense non_operating - other_expenses
67: expense non_operating - income_taxes
7: income income - -
70: income income - revenue
75 76: income income - other_income
"""
# Canada's General Index of Financial Information (CRA), four-digit codes.
_GIFI = """
10 11 12 13 14 15: asset current_assets - -
16 17 18 19 20 21 22 23 24 25: asset non_current_assets - -
26 27 28 29 30 310 311 312 313: liability current_liabilities - -
314 315 316 317 318 319 32 33 34: liability non_current_liabilities - -
35 36 37 380 381 382 383 384: equity equity - -
80: income income - revenue
809 81 82: income income - other_income
83 84 850 851: expense direct_costs - cost_of_sales
852 853 854 855 856 857 858 859 86 87 88 89 90 91 92 930 931 932 933 934 935 936: expense operating_expenses - -
9990 9995: expense non_operating - income_taxes
"""
# UK numbering of Sage 50 and the charts built like it: fixed assets at 00xx, current assets 1xxx, ...
_UK = """
0: asset non_current_assets - fixed_assets
1: asset current_assets - -
11: asset current_assets - receivables
12: asset current_assets - cash
2: liability - - -
21 22: liability current_liabilities - -
3: equity equity - -
4: income income - -
5 6: expense direct_costs - cost_of_sales
7 8: expense operating_expenses - -
9: - - - -
"""
SCHEMES: tuple[Scheme, ...] = (
    Scheme(
        "north_american",
        _table(_NORTH_AMERICA),
        (),
        {"1": "assets", "2": "liabilities", "3": "equity", "4": "revenue", "5": "cost of sales", "6": "expenses"},
    ),
    Scheme(
        "pcg",
        _table(_PCG),
        (),
        {"1": "capital and long-term debt", "2": "fixed assets", "3": "inventory", "4": "third parties"}
        | {"5": "financial accounts", "6": "expenses", "7": "income"},
    ),
    Scheme(
        "pcmn",
        _table(_PCMN),
        (),
        {"1": "capital and long-term debt", "2": "fixed assets", "3": "inventory", "4": "receivables and payables"}
        | {"5": "cash and investments", "6": "expenses", "7": "income"},
    ),
    Scheme("gifi", _table(_GIFI), (4,), {"1": "assets", "2": "assets or liabilities", "3": "liabilities or equity"}),
    Scheme("uk", _table(_UK), (4,), {"0": "fixed assets", "1": "current assets", "2": "liabilities", "3": "equity"}),
)
BY_NAME = {scheme.name: scheme for scheme in SCHEMES}
AGREEMENT_NEEDED = 0.7


def detect_scheme(codes: Sequence[object], sides: Sequence[frozenset[str]]) -> Scheme | None:
    """Return the scheme the chart's codes follow, judged by how well its sides agree with ``sides``.

    ``sides`` holds, per account, the sides that other evidence (app type, name) allows (empty: unknown). A
    scheme is kept only when it reads most codes and agrees with most of the accounts it can check (names are
    noisy evidence: the right scheme agrees with about four in five, a wrong one with about half).
    """
    numeric = [digits_of(code) for code in codes]
    if sum(bool(digits) for digits in numeric) < 3:
        return None
    best: tuple[float, Scheme] | None = None
    for scheme in SCHEMES:
        if scheme.name == "uk" and not any(digits.startswith("0") for digits in numeric):
            continue
        read = [scheme.read(digits) if digits else None for digits in numeric]
        coverage = sum(meaning is not None for meaning in read) / max(1, sum(bool(d) for d in numeric))
        agree = disagree = 0
        for meaning, side in zip(read, sides, strict=True):
            if meaning is None or meaning.side is None or not side:
                continue
            agree += meaning.side in side
            disagree += meaning.side not in side
        if coverage < 0.9 or agree < 3:
            continue
        rate = agree / (agree + disagree)
        if rate >= AGREEMENT_NEEDED and (best is None or rate > best[0]):
            best = (rate, scheme)
    return best[1] if best else None
