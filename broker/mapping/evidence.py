"""What one account's app type, code, parent accounts and name say, and the leaf they settle on together.

The app's classification or type is authoritative for the section; the chart's numbering scheme, then the parent
account's name, then the account's own name decide what the app leaves open; the name only picks the leaf inside
the section. Each decision records its ``basis`` (which signal gave the side and the section), which is what the
confidence is measured on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from broker.mapping.lexicon import DEFAULT_LEAF, SECTION_OF_LEAF, SIDE_OF_SECTION, Meaning, lexicon, terms
from broker.mapping.schemes import CodeMeaning, Scheme
from broker.mapping.vocab import CLASSIFICATIONS, TYPES, subtype_meaning
from broker.mapping.words import PhraseMatch, find_matches, head_order, language_of, surface, tokens

_PATH_SEPARATORS = ("/", ":", "\\", ">")
_TERM_SECTION = {
    ("asset", "current"): "current_assets",
    ("asset", "non_current"): "non_current_assets",
    ("liability", "current"): "current_liabilities",
    ("liability", "non_current"): "non_current_liabilities",
}


@dataclass
class App:
    """What the app's own fields say: side, section (None: open), a leaf, and the field that said it."""

    side: str | None = None
    section: str | None = None
    leaf: str | None = None
    firm: bool = False
    source: str | None = None  # "subtype", "classification" or "type"
    value: str = ""
    prior: str | None = None  # the classification's section when the app's own type leaves the section open


@dataclass
class Decision:
    """The leaf chosen for one account and how: which signal gave its side, section and leaf, and the phrase."""

    side: str | None = None
    section: str | None = None
    leaf: str | None = None
    side_from: str = "none"
    section_from: str = "none"
    leaf_from: str = "none"
    phrase: str | None = None
    rule: str | None = None
    open_term: bool = False  # the section came from a name that leaves current or non-current open
    parent_phrase: str | None = None  # what in a parent's name gave the section
    disagrees: bool = False  # the code's side is one the name's phrases never mean
    first_basis: str = ""  # the basis and section of the account's own evidence, before its neighbours are read
    first_section: str | None = None
    app: App = field(default_factory=App)
    code: CodeMeaning | None = None

    @property
    def basis(self) -> str:
        """The signals the section rests on, e.g. ``app``, ``code``, ``name:loan``: what confidence is measured on."""
        if self.section_from == "app":
            return "app"
        label = f"{self.side_from}+{self.section_from}"
        if self.disagrees:
            label += ":name disagrees"
        elif self.section_from in ("name", "parent") and self.rule:
            label += f":{self.rule}"
        return label


def app_evidence(account: Mapping[str, Any]) -> App:
    """Read the account's ``type``, ``classification`` and ``subtype`` against the apps' vocabularies."""
    kind = account.get("type")
    classification = CLASSIFICATIONS.get(str(account.get("classification") or ""))
    side = classification.side if classification else TYPES.get(str(kind or "").lower())
    subtype = account.get("subtype")
    own = subtype_meaning(subtype, side)
    if own is not None and own.section is not None:
        return App(own.side, own.section, own.leaf, own.firm, "subtype", str(subtype))
    if classification is not None:
        value = str(account.get("classification"))
        if own is not None:  # the app's own type is generic: the classification only a prior
            return App(side, None, None, False, "classification", value, classification.section)
        return App(side, classification.section, classification.leaf, classification.firm, "classification", value)
    if side is not None:
        return App(side, None, None, False, "type", str(kind))
    if own is not None:
        return App(own.side, None, None, False, "subtype", str(subtype))
    return App()


def ancestors(account: Mapping[str, Any]) -> list[str]:
    """Return the names of the account's parents, nearest first, where the data has them.

    From ``parent_name``, a ``fully_qualified_name`` such as QuickBooks' ``"Parent:Child"``, or an id that spells
    the account's path (``".../Parent/Name"``, its last part being the account's name).
    """
    name = " ".join(str(account.get("name") or "").split())
    for key in ("fully_qualified_name", "path", "id"):
        value = account.get(key)
        if not isinstance(value, str):
            continue
        for separator in _PATH_SEPARATORS:
            parts = [" ".join(part.split()) for part in value.split(separator)]
            if len(parts) > 1 and parts[-1] == name and all(parts[:-1]):
                return list(reversed(parts[:-1]))
    parent = account.get("parent_name")
    return [parent] if isinstance(parent, str) and parent.strip() else []


@dataclass
class Reading:
    """An account's name read once: its words, language and phrase matches from the head outwards."""

    matches: list[PhraseMatch]
    term: str | None
    language: str
    words: tuple[str, ...] = ()

    def written(self, match: PhraseMatch) -> str:
        """Return a matched phrase as the name writes it (folded)."""
        return " ".join(self.words[match.start : match.end]) or match.phrase

    @property
    def side(self) -> str | None:
        """The side the name's head phrase means on its own, or the one a direction word gives it.

        "à recevoir", "receivable", "payable", "à payer" turn a tax or an interest into an asset or a liability
        wherever they stand in the name ("TVH à recevoir", "GST receivable").
        """
        meaning = self.first_meaning()
        if meaning is None:
            return None
        direction = next((m.payload.side for m in self.matches if m.payload.weak), None)  # type: ignore[attr-defined]
        if direction and meaning.leaves(direction) is not None:
            return direction
        return meaning.side

    @property
    def sides(self) -> frozenset[str]:
        """The sides the name's head phrase may be on."""
        meaning = self.first_meaning()
        return frozenset(meaning.targets) if meaning else frozenset()

    def first_meaning(self) -> Meaning | None:
        """Return the meaning of the head phrase."""
        return self.matches[0].payload if self.matches else None  # type: ignore[return-value]


def read_name(text: object, chart_language: str) -> Reading:
    """Read one name: its phrases (from the head outwards) and the term it names, if any."""
    words = tokens(text)
    language = language_of(text) or chart_language
    matches = head_order(find_matches(words, lexicon()), words, language)  # type: ignore[arg-type]
    found_terms = find_matches(words, terms())  # type: ignore[arg-type]
    term = str(found_terms[0].payload) if found_terms else None
    return Reading(matches, term, language, surface(text))


def _leaf_on(reading: Reading, side: str, section: str | None) -> tuple[str, PhraseMatch] | None:
    ordered = [m for m in reading.matches if not m.payload.weak] + [m for m in reading.matches if m.payload.weak]  # type: ignore[attr-defined]
    for match in ordered:
        meaning: Meaning = match.payload  # type: ignore[assignment]
        leaves = meaning.leaves(side)
        if not leaves:
            continue
        for leaf in leaves:
            if section is None or SECTION_OF_LEAF[leaf] == section:
                return leaf, match
    return None


def _section_of_term(side: str, term: str | None) -> str | None:
    return _TERM_SECTION.get((side, term or ""))


def decide(
    account: Mapping[str, Any],
    reading: Reading,
    parents: Sequence[Reading],
    scheme: Scheme | None,
    balance_sides: tuple[str, ...] = (),
) -> Decision:
    """Decide the side, the section and the leaf of one account from everything known about it."""
    app = app_evidence(account)
    d = Decision(app=app)
    code = scheme.read(account.get("code")) if scheme else None
    if code is not None and app.side is not None and code.side not in (None, app.side):
        code = None  # the code does not read as the app says: not this scheme's meaning for it
    d.code = code
    parent_side = next((p.side for p in parents if p.side), None)
    # Side: the app, the code, the parents, the name (the trial balance's side breaking a name's tie).
    if app.side:
        d.side, d.side_from = app.side, "app"
    elif code is not None and code.side:
        d.side, d.side_from = code.side, "code"
        meanings = [cast(Meaning, m.payload) for m in reading.matches]
        meanings = [meaning for meaning in meanings if not meaning.weak]
        d.disagrees = bool(meanings) and all(m.leaves(code.side) is None for m in meanings)
    elif parent_side:
        d.side, d.side_from = parent_side, "parent"
    elif reading.matches:
        meaning = reading.first_meaning()
        assert meaning is not None
        side = reading.side or meaning.side
        if balance_sides and side not in balance_sides:
            side = next((s for s in meaning.targets if s in balance_sides), side)
        d.side, d.side_from = side, "name"
        d.phrase = reading.written(reading.matches[0])
        if not meaning.leaves(side):
            found = _leaf_on(reading, side, None)
            if found is None:
                d.side, d.side_from = None, "none"
    if d.side is None:
        return d
    side = d.side
    _settle_section(d, side, app, code, reading, parents)
    settle_leaf(d, side, reading, parents)
    return d


def _settle_section(
    d: Decision, side: str, app: App, code: CodeMeaning | None, reading: Reading, parents: Sequence[Reading]
) -> None:
    if app.section:
        d.section, d.section_from = app.section, "app"
        return
    if code is not None and code.section and SIDE_OF_SECTION[code.section] == side:
        d.section, d.section_from = code.section, "code"
        return
    if code is not None and _section_of_term(side, code.term):
        d.section, d.section_from = _section_of_term(side, code.term), "code"
        return
    for parent in parents:
        found = _leaf_on(parent, side, None)
        by_term = _section_of_term(side, parent.term)
        if by_term:
            d.section, d.section_from, d.rule = by_term, "parent", "term"
            d.parent_phrase = " ".join(parent.words)
            return
        if found is not None:
            leaf, match = found
            d.section, d.section_from, d.rule = SECTION_OF_LEAF[leaf], "parent", match.payload.rule  # type: ignore[attr-defined]
            d.parent_phrase = parent.written(match)
            return
    by_term = _section_of_term(side, reading.term)
    found = _leaf_on(reading, side, None)
    if by_term:
        d.section, d.section_from, d.rule = by_term, "name", "term"
    elif found is not None:
        leaf, match = found
        d.section, d.section_from, d.rule = SECTION_OF_LEAF[leaf], "name", match.payload.rule  # type: ignore[attr-defined]
        d.open_term = match.payload.open and side in ("asset", "liability")  # type: ignore[attr-defined]
    elif app.prior and SIDE_OF_SECTION[app.prior] == side:
        d.section, d.section_from = app.prior, "prior"
    elif code is not None and code.leaf and SIDE_OF_SECTION[SECTION_OF_LEAF[code.leaf]] == side:
        d.section, d.section_from = SECTION_OF_LEAF[code.leaf], "code"
    else:
        d.section = next(section for section, of in SIDE_OF_SECTION.items() if of == side)
        if side == "expense":
            d.section = "operating_expenses"
        d.section_from = "default"


def settle_leaf(d: Decision, side: str, reading: Reading, parents: Sequence[Reading]) -> None:
    """Pick the leaf inside the decided section: the app's own, the name's, the parents', a hint, the default."""
    app, code, section = d.app, d.code, d.section
    found = _leaf_on(reading, side, section)
    if app.firm and app.leaf and SECTION_OF_LEAF[app.leaf] == section:
        d.leaf, d.leaf_from = app.leaf, "app"
        if found is not None and found[0] == app.leaf:  # the name says the same: say so
            d.leaf_from, d.phrase = "name", reading.written(found[1])
        return
    if found is not None:
        d.leaf, d.leaf_from, d.phrase = found[0], "name", reading.written(found[1])
        if d.section_from in ("name", "default", "prior"):
            d.rule = d.rule or found[1].payload.rule  # type: ignore[attr-defined]
        return
    for parent in parents:
        found = _leaf_on(parent, side, section)
        if found is not None:
            d.leaf, d.leaf_from, d.phrase = found[0], "parent", parent.written(found[1])
            d.parent_phrase = d.parent_phrase or d.phrase
            return
    for hint, source in ((app.leaf, "app"), (code.leaf if code else None, "code")):
        if hint and SECTION_OF_LEAF[hint] == section:
            d.leaf, d.leaf_from = hint, source
            return
    assert section is not None
    d.leaf, d.leaf_from = DEFAULT_LEAF[section], "default"
