"""Suggest a standard-chart category for each source account, with a confidence and a readable reason."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from broker.mapping.reasons import english_reason, signal_params
from broker.mapping.rules import (
    BY_CLASSIFICATION,
    BY_COARSE,
    BY_SUBTYPE,
    COARSE_OF_CLASSIFICATION,
    COARSE_OF_TYPE,
    CODE_RANGES,
    SIDE_OF_COARSE,
    find_phrase,
    keyword_rules,
    normalize,
    squash,
)
from broker.mapping.standard_chart import StandardChart

REVIEW_BELOW = 0.6
LEARNED = 0.95
LEARNED_AGAINST_CLASSIFICATION = 0.55
KEYWORD_BY_SOURCE = {"classification": 0.9, "type": 0.85, "code": 0.7, None: 0.65}
CHART_NAME = 0.7
SUBTYPE = 0.8
CODE_RANGE = 0.3
FIRST_ON_SIDE = 0.2
_CODE = re.compile(r"^\s*(\d)\d{2,}")


@dataclass(frozen=True)
class Suggestion:
    """The suggested leaf for one account; ``needs_review`` flags it for the owner.

    ``reason`` is the English sentence of ``reason_code`` (see ``broker.mapping.reasons``) with ``reason_params``,
    which a client renders in its own language.
    """

    account_id: str
    category: str | None
    confidence: float
    reason: str
    needs_review: bool
    reason_code: str
    reason_params: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Return the suggestion as JSON-ready data."""
        return asdict(self)


# What a signal found: the leaf (or None), the confidence, the reason code and its parameters.
_Found = tuple[str | None, float, str, dict[str, str]]


@dataclass(frozen=True)
class _Group:
    fine: str | None
    coarse: str | None
    source: str | None
    params: dict[str, str]


def learning_key(account: Mapping[str, Any]) -> str:
    """Return the key under which a confirmed mapping is remembered: the account's normalized name.

    ``"Loyer - Entrepôt"`` and ``"LOYER ENTREPOT"`` share a key, so one company's confirmation helps the next.
    """
    return normalize(account.get("name"))


def _group(account: Mapping[str, Any]) -> _Group:
    classification = account.get("classification")
    if isinstance(classification, str) and classification in COARSE_OF_CLASSIFICATION:
        return _Group(
            classification,
            COARSE_OF_CLASSIFICATION[classification],
            "classification",
            signal_params("classification", classification),
        )
    kind = account.get("type")
    if isinstance(kind, str) and kind in COARSE_OF_TYPE:
        return _Group(None, COARSE_OF_TYPE[kind], "type", signal_params("type", kind))
    code = str(account.get("code") or "")
    match = _CODE.match(code)
    if match and match.group(1) in CODE_RANGES:
        coarse, fine, _ = CODE_RANGES[match.group(1)]
        return _Group(fine, coarse, "code", signal_params("code", code.strip(), match.group(1)))
    return _Group(None, None, None, {})


class _Suggester:
    """Holds the chart and the learned confirmations while suggesting for a batch of accounts."""

    def __init__(self, chart: StandardChart, confirmed: Mapping[str, str] | None) -> None:
        self.chart = chart
        self.confirmed = {
            key: value
            for key, value in (confirmed or {}).items()
            if isinstance(key, str) and isinstance(value, str) and chart.is_leaf(value)
        }
        self.leaf_names = sorted(
            (
                (normalize(text), leaf.code)
                for leaf in chart.leaves()
                for text in {leaf.name, leaf.name_fr, leaf.code.replace("_", " ")}
                if normalize(text)
            ),
            key=lambda item: (-len(item[0]), item),
        )

    def fits(self, leaf: str | None, group: _Group) -> bool:
        node = self.chart.find(leaf) if leaf else None
        if node is None or not node.is_leaf:
            return False
        return group.coarse is None or node.side == SIDE_OF_COARSE[group.coarse]

    def suggest(self, account: Mapping[str, Any]) -> _Found:
        group = _group(account)
        name = normalize(account.get("name"))
        learned = self.confirmed.get(learning_key(account))
        if learned is not None:
            if group.coarse is None or self.fits(learned, group):
                return learned, LEARNED, "learned", {"category": learned}
            return learned, LEARNED_AGAINST_CLASSIFICATION, "learned_disagrees", {"category": learned} | group.params
        for rule in keyword_rules():
            phrase = find_phrase(name, rule.phrases)
            if phrase is None:
                continue
            leaf = rule.target(group.fine, group.coarse)
            if self.fits(leaf, group):
                code = "keyword" if group.source else "keyword_only"
                return leaf, KEYWORD_BY_SOURCE[group.source], code, group.params | {"phrase": phrase}
        for text, leaf in self.leaf_names:
            if self.fits(leaf, group) and f" {text} " in f" {name} ":
                return leaf, CHART_NAME, "chart_name", {"phrase": text, "category": leaf}
        return self._structural(account, group)

    def _structural(self, account: Mapping[str, Any], group: _Group) -> _Found:
        subtype = account.get("subtype")
        leaf = BY_SUBTYPE.get(squash(subtype))
        if leaf == "long_term_debt" and group.fine == "current_liability":
            leaf = "short_term_debt"
        if leaf is not None and self.fits(leaf, group):
            return leaf, SUBTYPE, "subtype", signal_params("subtype", str(subtype))
        if group.fine is not None and group.source != "code":
            leaf, confidence = BY_CLASSIFICATION[group.fine]
            if self.fits(leaf, group):
                return leaf, confidence, "classification", group.params
        if group.coarse is not None and group.source == "type":
            leaf, confidence = BY_COARSE[group.coarse]
            if self.fits(leaf, group):
                return leaf, confidence, "type", group.params
        if group.source == "code" and group.coarse is not None:
            leaf, _ = BY_CLASSIFICATION[group.fine] if group.fine else BY_COARSE[group.coarse]
            if self.fits(leaf, group):
                return leaf, CODE_RANGE, "code_range", group.params
        if group.coarse is not None:
            side = SIDE_OF_COARSE[group.coarse]
            first = next((node for node in self.chart.leaves() if node.side == side), None)
            if first is not None:
                return first.code, FIRST_ON_SIDE, "first_on_side", group.params | {"side": side}
        return None, 0.0, "none", {}


def suggest_mappings(
    accounts: Sequence[Mapping[str, Any]],
    chart: StandardChart,
    *,
    confirmed: Mapping[str, str] | None = None,
) -> list[Suggestion]:
    """Suggest a leaf of ``chart`` for each common-model account, in the order given.

    Signals, strongest first: what the same lender's other companies confirmed for an account of the same name
    (``confirmed``, keyed by ``learning_key``), English and French name keywords checked against the account's
    classification (or type, or code range), the app's subtype, the classification, the type, then the account
    code's range. Names are compared without case or accents. The result only depends on the inputs.
    """
    suggester = _Suggester(chart, confirmed)
    suggestions = []
    for account in accounts:
        category, confidence, code, params = suggester.suggest(account)
        confidence = round(confidence, 2)
        suggestions.append(
            Suggestion(
                account_id=str(account.get("id", "")),
                category=category,
                confidence=confidence,
                reason=english_reason(code, params, chart),
                needs_review=category is None or confidence < REVIEW_BELOW,
                reason_code=code,
                reason_params=params,
            )
        )
    return suggestions
