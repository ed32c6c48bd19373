"""The upstream's account groups (classification, type) and the names suggestions are compared by."""

from __future__ import annotations

import re
import unicodedata

# Account groups, from the most precise (classification) to the coarsest (side of the ledger).
COARSE_OF_CLASSIFICATION = {
    "current_asset": "asset",
    "fixed_asset": "asset",
    "other_asset": "asset",
    "current_liability": "liability",
    "long_term_liability": "liability",
    "equity": "equity",
    "revenue": "income",
    "other_income": "income",
    "cost_of_sales": "expense",
    "operating_expense": "expense",
    "other_expense": "expense",
}
COARSE_OF_TYPE = {"asset": "asset", "liability": "liability", "equity": "equity", "revenue": "income"}
COARSE_OF_TYPE["expense"] = "expense"
# Chart sides each coarse group may be mapped to.
SIDE_OF_COARSE = {"asset": "asset", "liability": "liability", "equity": "equity", "income": "income"}
SIDE_OF_COARSE["expense"] = "expense"
# North-American account numbering, as reasons name its ranges: (first digit, coarse group, classification, label).
CODE_RANGES = {
    "1": ("asset", None, "assets"),
    "2": ("liability", None, "liabilities"),
    "3": ("equity", None, "equity"),
    "4": ("income", "revenue", "revenue"),
    "5": ("expense", "cost_of_sales", "cost of sales"),
    "6": ("expense", "operating_expense", "expenses"),
    "7": ("expense", "operating_expense", "expenses"),
    "8": ("expense", "other_expense", "other expenses"),
    "9": ("expense", "other_expense", "other expenses"),
}


def normalize(text: object) -> str:
    """Lowercase, drop accents and punctuation, squeeze spaces: ``"Intérêts/Prêt"`` to ``"interets pret"``."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())
