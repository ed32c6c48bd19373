"""Word forms of account names in English and French: stems, elision, language, and where phrases occur."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Elided or one-letter articles and pronouns ("d'", "l'", "qu'") carry no meaning once the apostrophe is gone.
_ELIDED = frozenset({"d", "l", "j", "m", "n", "s", "t", "qu", "c"})
# Words that only a French name has (accents are counted separately), and words only an English one has.
_FRENCH = """de des du la le les et sur aux au pour par en avec sans autres autre a payer recevoir frais charges
produits compte comptes achats ventes taxe taxes impot impots salaires emprunts dettes creances"""
_ENGLISH = "of the and for on from to with other expense expenses income payable receivable account accounts"
_FRENCH_WORDS = frozenset(_FRENCH.split())
_ENGLISH_WORDS = frozenset(_ENGLISH.split())
# Prepositions after which an English name's words only qualify its head ("Interest on loans" is interest).
_ENGLISH_PREPOSITIONS = frozenset({"of", "on", "for", "from", "in", "to", "with", "under", "over", "at", "by"})


def fold(text: object) -> str:
    """Lowercase and drop accents, keeping punctuation: ``"Intérêts/Prêt"`` to ``"interets/pret"``."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """Return the singular stem of an English or French word: ``loans`` and ``loan``, ``generaux`` and ``general``."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("eaux"):
        return word[:-1]
    if word.endswith("aux"):
        return word[:-3] + "al"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def surface(text: object) -> tuple[str, ...]:
    """Return the words of a name as written (folded), without elided articles: ``"d'associés"`` to associes."""
    return tuple(word for word in re.sub(r"[^a-z0-9]+", " ", fold(text)).split() if word not in _ELIDED)


def tokens(text: object) -> tuple[str, ...]:
    """Return the stemmed words of a name, without elided articles: ``"Avances d'associés"`` to avance, associe."""
    return tuple(stem(word) for word in surface(text))


def language_of(text: object) -> str | None:
    """Guess the language of one name: ``"fr"``, ``"en"`` or None when the name does not say."""
    folded = fold(text)
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    french = sum(word in _FRENCH_WORDS for word in words)
    if isinstance(text, str) and any(ch in text.casefold() for ch in "éèêàâçôûîœ"):
        french += 2
    if "'" in folded or "\u2019" in folded:
        french += 1
    english = sum(word in _ENGLISH_WORDS for word in words)
    if french > english:
        return "fr"
    if english > french:
        return "en"
    return None


def chart_language(names: Iterable[object]) -> str:
    """Return the language most names of a chart are in (English when they do not say)."""
    votes = [language_of(name) for name in names]
    return "fr" if votes.count("fr") > votes.count("en") else "en"


@dataclass(frozen=True)
class PhraseMatch:
    """One phrase found in a name: its word span, the phrase (normalized) and what it points to."""

    start: int
    end: int
    phrase: str
    payload: object


def find_matches(words: Sequence[str], index: dict[tuple[str, ...], object]) -> list[PhraseMatch]:
    """Return every phrase of ``index`` found as whole words, dropping those inside a longer match."""
    found: list[PhraseMatch] = []
    longest = max((len(key) for key in index), default=0)
    for start in range(len(words)):
        for length in range(min(longest, len(words) - start), 0, -1):
            key = tuple(words[start : start + length])
            if key in index:
                found.append(PhraseMatch(start, start + length, " ".join(key), index[key]))
    return [
        match
        for match in found
        if not any(
            other is not match
            and other.start <= match.start
            and match.end <= other.end
            and other.end - other.start > match.end - match.start
            for other in found
        )
    ]


def head_order(matches: list[PhraseMatch], words: Sequence[str], language: str) -> list[PhraseMatch]:
    """Order matches from the name's head outwards: French names lead with it, English ones end with it.

    In English the head is the last phrase before a preposition ("Interest on loans" is interest, "Loan
    interest" too), else the last one ("Goods for sale inventory"); in French it is the first phrase
    ("Intérêts courus sur emprunts" is interest).
    """
    if language == "fr":
        return sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    cut = next((i for i, word in enumerate(words) if word in _ENGLISH_PREPOSITIONS and i > 0), len(words))
    before = sorted((m for m in matches if m.end <= cut), key=lambda m: (-m.end, -(m.end - m.start)))
    after = sorted((m for m in matches if m.end > cut), key=lambda m: (-m.end, -(m.end - m.start)))
    return before + after
