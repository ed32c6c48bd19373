"""Suggest a standard-chart category for each source account, with a measured confidence and a readable reason."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from broker.mapping.calibration import confidence as measured_confidence
from broker.mapping.calibration import needs_review as below_trusted
from broker.mapping.evidence import Decision, Reading, ancestors, app_evidence, decide, read_name, settle_leaf
from broker.mapping.lexicon import SIDE_OF_SECTION
from broker.mapping.reasons import english_reason, signal_params
from broker.mapping.rules import normalize
from broker.mapping.schemes import Scheme, detect_scheme, digits_of
from broker.mapping.standard_chart import StandardChart
from broker.mapping.words import chart_language

# A lender's own confirmations are not measured here; they are trusted as the owner's word.
LEARNED = 0.98
LEARNED_AGAINST_CLASSIFICATION = 0.55
FIRST_ON_SIDE = 0.2
# The share of a chart's accounts with a balance before its signs count as the side of the ledger.
BALANCES_NEEDED = 0.8
# An account takes its code block's section when at least this many others vote, and more than this share agree.
NEIGHBOURS_NEEDED = 2
NEIGHBOURS_SHARE = 0.6
# Without codes, the cost of a change of section between two accounts listed one after the other.
ORDER_SWITCH = 8.0
# Neighbours share a side this much more often than in a shuffled list when accounts come in the chart's order.
BLOCKS_ABOVE_CHANCE = 0.25
# A name whose basis measured at least this right keeps its section whatever its code block or neighbours say.
ORDER_KEEPS = 0.9
_TERMED = ("current_assets", "non_current_assets", "current_liabilities", "non_current_liabilities")


@dataclass(frozen=True)
class Suggestion:
    """The suggested leaf for one account; ``needs_review`` flags it for the owner.

    ``confidence`` is the measured share of suggestions made on the same basis whose section was right (see
    ``broker.mapping.calibration``); ``needs_review`` is set below 0.97. ``reason`` is the English sentence of
    ``reason_code`` (see ``broker.mapping.reasons``) with ``reason_params``, which a client renders in its own
    language.
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


# What was found: the leaf (or None), the confidence, the reason code and its parameters.
_Found = tuple[str | None, float, str, dict[str, str]]


def learning_key(account: Mapping[str, Any]) -> str:
    """Return the key under which a confirmed mapping is remembered: the account's normalized name.

    ``"Loyer - Entrepôt"`` and ``"LOYER ENTREPOT"`` share a key, so one company's confirmation helps the next.
    """
    return normalize(account.get("name"))


def _balance_side(account: Mapping[str, Any]) -> str | None:
    balance = account.get("balance")
    if not isinstance(balance, int | float) or isinstance(balance, bool) or balance == 0:
        return None
    return "debit" if balance > 0 else "credit"


_NORMAL_SIDES = {"debit": ("asset", "expense"), "credit": ("liability", "equity", "income")}


class _Chart:
    """What the whole chart says: its language, its numbering scheme, whether its balances can be trusted."""

    def __init__(self, accounts: Sequence[Mapping[str, Any]]) -> None:
        self.language = chart_language(account.get("name") for account in accounts)
        self.readings = [read_name(account.get("name"), self.language) for account in accounts]
        self.parents = [[read_name(name, self.language) for name in ancestors(account)] for account in accounts]
        balances = [_balance_side(account) for account in accounts]
        self.balances = balances if sum(b is not None for b in balances) >= BALANCES_NEEDED * len(accounts) else []
        sides = []
        for account, reading in zip(accounts, self.readings, strict=True):
            side = app_evidence(account).side
            sides.append(frozenset({side}) if side else reading.sides)
        self.scheme: Scheme | None = detect_scheme([account.get("code") for account in accounts], sides)


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

    def on_side(self, leaf: str | None, side: str | None) -> bool:
        node = self.chart.find(leaf) if leaf else None
        return node is not None and node.is_leaf and (side is None or node.side == side)

    def suggest(self, account: Mapping[str, Any], decision: Decision, scheme: Scheme | None) -> _Found:
        app = decision.app
        params = _signal(account, app.source, app.value, decision, scheme)
        learned = self.confirmed.get(learning_key(account))
        if learned is not None:
            if app.side is None or self.on_side(learned, app.side):
                return learned, LEARNED, "learned", {"category": learned}
            return learned, LEARNED_AGAINST_CLASSIFICATION, "learned_disagrees", {"category": learned} | params
        if decision.leaf is None:
            return None, 0.0, "none", {}
        confidence = measured_confidence(decision.basis)
        if self.chart.find(decision.leaf) is None or not self.chart.is_leaf(decision.leaf):
            return self._custom(account, decision, params, confidence)
        if decision.parent_phrase and (decision.section_from == "parent" or decision.leaf_from == "parent"):
            return decision.leaf, confidence, "parent_name", {"phrase": decision.parent_phrase}
        if decision.leaf_from == "name" and decision.phrase:
            code = "keyword" if params else "keyword_only"
            return decision.leaf, confidence, code, params | {"phrase": decision.phrase}
        if not params and decision.phrase:
            return decision.leaf, confidence, "keyword_only", {"phrase": decision.phrase}
        if not params and decision.section_from == "order":
            return decision.leaf, confidence, "chart_order", {"side": str(decision.side)}
        if not params:
            return None, 0.0, "none", {}
        if params["signal"] == "code":
            return decision.leaf, confidence, "code_range", params
        return decision.leaf, confidence, params["signal"], params

    def _custom(self, account: Mapping[str, Any], d: Decision, params: dict[str, str], confidence: float) -> _Found:
        """A lender's own chart without the default codes: its category names, else its first leaf on the side."""
        name = normalize(account.get("name"))
        for text, leaf in self.leaf_names:
            if self.on_side(leaf, d.side) and f" {text} " in f" {name} ":
                return leaf, min(confidence, 0.7), "chart_name", {"phrase": text, "category": leaf}
        first = next((node for node in self.chart.leaves() if node.side == d.side), None)
        if first is None or not params:
            return None, 0.0, "none", {}
        return first.code, FIRST_ON_SIDE, "first_on_side", params | {"side": str(d.side)}


def _signal(
    account: Mapping[str, Any], source: str | None, value: str, d: Decision, scheme: Scheme | None
) -> dict[str, str]:
    """Name the structural signal the suggestion rests on, in the parameters the reason sentences use."""
    if source in ("classification", "type", "subtype") and d.side_from == "app":
        if source == "subtype" and d.leaf_from != "app" and account.get("classification"):
            return signal_params("classification", str(account.get("classification")))
        if source == "subtype" and d.leaf_from != "app" and account.get("type"):
            return signal_params("type", str(account.get("type")))
        return signal_params(source, value)
    if d.code is not None and scheme is not None and (d.side_from == "code" or d.section_from == "code"):
        code = str(account.get("code")).strip()
        params = signal_params("code", code, digits_of(code)[:1])
        if scheme.name != "north_american":
            params["scheme"] = scheme.name
        return params
    return {}


def _neighbours(accounts: Sequence[Mapping[str, Any]], decisions: list[Decision]) -> None:
    """Give an account the section its code block shares, where the app does not settle it.

    Charts number accounts in blocks (all current assets under one prefix, ...), so the section most accounts of
    the narrowest block around a code agree on outweighs what one name or default says.
    """
    voters = ("app", "code", "parent", "name")
    by_prefix: dict[tuple[str, str], Counter[str]] = {}
    codes = [digits_of(account.get("code")) for account in accounts]
    for digits, d in zip(codes, decisions, strict=True):
        if digits and d.section and d.side and d.section_from in voters and not d.open_term:
            for length in range(2, len(digits)):
                by_prefix.setdefault((d.side, digits[:length]), Counter())[d.section] += 1
    changes = []
    for n, (digits, d) in enumerate(zip(codes, decisions, strict=True)):
        if not digits or d.side is None or d.section_from not in ("name", "default", "prior") or d.rule == "term":
            continue
        if d.section_from == "name" and not d.open_term and measured_confidence(d.first_basis) >= ORDER_KEEPS:
            continue  # a name measured this reliable is not overruled by its code block
        for length in range(len(digits) - 1, 1, -1):
            votes = Counter(by_prefix.get((d.side, digits[:length]), Counter()))
            if d.section_from in voters and d.section and not d.open_term:
                votes[d.section] -= 1  # not its own vote
            votes = +votes
            if sum(votes.values()) < NEIGHBOURS_NEEDED:
                continue
            section, count = votes.most_common(1)[0]
            if count > NEIGHBOURS_SHARE * sum(votes.values()) and SIDE_OF_SECTION[section] == d.side:
                changes.append((n, section))
            break
    for n, section in changes:
        d = decisions[n]
        if section != d.section:
            d.leaf = None
        d.section, d.section_from = section, "neighbours"


def _in_order(decisions: list[Decision], balances: Sequence[str | None]) -> None:
    """Without codes, read the chart's own order: accounts come in blocks, one section after another.

    Finds the sequence of sections that best explains what each account says (an app's or parent's section
    almost surely, a name's as often as that name's basis was measured right, a bare side or nothing barely),
    paying ``ORDER_SWITCH`` for each change of section from one account to the next (Viterbi). An account whose
    own evidence is outweighed by its block takes the block's section.
    """
    sections = list(SIDE_OF_SECTION)
    if len(decisions) < 3 or not _listed_in_blocks(decisions):
        return
    costs = [_emission(d, sections) for d in decisions]
    for cost, balance in zip(costs, balances, strict=False):
        for k, section in enumerate(sections):
            if balance and SIDE_OF_SECTION[section] not in _NORMAL_SIDES[balance]:
                cost[k] += ORDER_SWITCH * 4  # a trial balance's sign is not overruled by the order
    best = list(costs[0])
    back: list[list[int]] = []
    for cost in costs[1:]:
        low = min(range(len(sections)), key=lambda k: best[k])
        step, row = [], []
        for k in range(len(sections)):
            stay, switch = best[k], best[low] + ORDER_SWITCH
            row.append(k if stay <= switch else low)
            step.append(min(stay, switch) + cost[k])
        back.append(row)
        best = step
    k = min(range(len(sections)), key=lambda j: best[j])
    path = [k]
    for row in reversed(back):
        k = row[k]
        path.append(k)
    path.reverse()
    for d, k in zip(decisions, path, strict=True):
        section = sections[k]
        if section == d.section or d.section_from in ("app", "parent", "code") or d.side_from == "app":
            continue
        if d.section_from == "name" and not d.open_term and measured_confidence(d.first_basis) >= ORDER_KEEPS:
            continue  # a name measured this reliable is not overruled by its neighbours
        d.side, d.section, d.leaf = SIDE_OF_SECTION[section], section, None
        d.section_from = "order"
        if d.side_from == "none":
            d.side_from = "order"


def _listed_in_blocks(decisions: list[Decision]) -> bool:
    """Whether the accounts come in the chart's order: neighbours share a side far more often than by chance."""
    sides = [d.side for d in decisions if d.side and d.side_from != "none"]
    if len(sides) < 3:
        return False
    same = sum(a == b for a, b in pairwise(sides)) / (len(sides) - 1)
    chance = sum((sides.count(side) / len(sides)) ** 2 for side in set(sides))
    return same >= chance + BLOCKS_ABOVE_CHANCE


def _emission(d: Decision, sections: list[str]) -> list[float]:
    """Return, per section, the cost (minus log probability) of what this account's own evidence says."""
    probability = dict.fromkeys(sections, 0.0)
    if d.section is not None and d.section_from in ("app", "parent", "code") and not d.open_term:
        probability[d.section] = 0.97
    elif d.section is not None and d.section_from == "name":
        trust = min(max(measured_confidence(d.first_basis), 0.3), 0.95)
        if d.open_term:
            both = [s for s in sections if SIDE_OF_SECTION[s] == d.side and s in _TERMED]
            for section in both:
                probability[section] = trust / len(both)
        else:
            probability[d.section] = trust
    elif d.side is not None:
        on_side = [s for s in sections if SIDE_OF_SECTION[s] == d.side]
        for section in on_side:
            probability[section] = 0.6 / len(on_side)
    spare = (1.0 - sum(probability.values())) / len(sections)
    return [-math.log(probability[s] + spare) for s in sections]


def decide_all(accounts: Sequence[Mapping[str, Any]], context: _Chart | None = None) -> list[Decision]:
    """Decide side, section and leaf of every account of one chart (each with its ``basis``), before learning."""
    context = context or _Chart(accounts)
    decisions = []
    for n, account in enumerate(accounts):
        balance = context.balances[n] if context.balances else None
        reading: Reading = context.readings[n]
        sides = _NORMAL_SIDES[balance] if balance else ()
        decision = decide(account, reading, context.parents[n], context.scheme, sides)
        decision.first_basis, decision.first_section = f"own|{decision.basis}", decision.section
        decisions.append(decision)
    if context.scheme is None:
        _in_order(decisions, context.balances)
    else:
        _neighbours(accounts, decisions)
    for d, reading, parents in zip(decisions, context.readings, context.parents, strict=True):
        if d.leaf is None and d.side is not None:
            settle_leaf(d, d.side, reading, parents)
    return decisions


def suggest_mappings(
    accounts: Sequence[Mapping[str, Any]],
    chart: StandardChart,
    *,
    confirmed: Mapping[str, str] | None = None,
) -> list[Suggestion]:
    """Suggest a leaf of ``chart`` for each common-model account, in the order given.

    Signals, strongest first: what the same lender's other companies confirmed for an account of the same name
    (``confirmed``, keyed by ``learning_key``); the app's subtype, classification or type, which settle the
    section; the chart's numbering scheme (detected over the whole chart), the parent accounts' names and the
    account's own name (English or French, word forms and the name's head) for what the app leaves open; the
    trial balance's debit or credit side when names are all there is. The name picks the leaf inside the
    section. The result only depends on the inputs.
    """
    context = _Chart(accounts)
    decisions = decide_all(accounts, context)
    suggester = _Suggester(chart, confirmed)
    suggestions = []
    for account, decision in zip(accounts, decisions, strict=True):
        category, confidence, code, params = suggester.suggest(account, decision, context.scheme)
        suggestions.append(
            Suggestion(
                account_id=str(account.get("id", "")),
                category=category,
                confidence=round(confidence, 2),
                reason=english_reason(code, params, chart),
                needs_review=category is None or below_trusted(confidence),
                reason_code=code,
                reason_params=params,
            )
        )
    return suggestions
