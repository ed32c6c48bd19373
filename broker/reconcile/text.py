"""Read what bank descriptions and ledger memos say: names, document numbers and how the money moved."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_AMOUNT_OR_DATE = re.compile(r"\d[\d,]*\.\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_WORD = re.compile(r"[a-z]{2,}")
_NUMBER = re.compile(r"\d{3,}")
_DIGIT = re.compile(r"\d")
_CHEQUE = re.compile(r"\b(cheque|check|chq|ch|cq)\b")
_STOPWORDS_TEXT = """
a an and the of for to from by on in at with no nr num
ref re via per de du la le les des et au pour par payment payments
paiement pay paid receipt received deposit deposits depot mobile atm branch pos visa mc mastercard debit
credit card purchase achat bill bills facture invoice inv interac etransfer e transfer trf transfert virement
wire in out incoming outgoing cheque check chq ch cq draft pad pap preauthorized auto online
banking bank fee fees frais charge memo entry journal manual usd cad eur gbp inc ltd
llc corp co sale sales ventes order orders misc other instalment installment versement
"""
# Words that say how money moved or what a line is, not who it is with: they never tell two lines apart.
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True, slots=True)
class Text:
    """The useful content of one line's text: name words, document numbers, and whether it is a cheque."""

    words: frozenset[str]
    numbers: frozenset[str]
    cheque: bool
    label: str
    tokens: tuple[str, ...] = ()  # the words and ``#`` + each number, sorted: what lines are indexed by


def _fold(text: str) -> str:
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def read_text(*parts: str | None) -> Text:
    """Normalise a line's texts (accents, case, amounts and dates dropped) into words, numbers and a cheque flag."""
    return _read(" ".join(part for part in parts if part))


# Descriptions and memos repeat ("SERVICE CHARGE", "Stripe fees") and a company's books are matched again on each
# read of its reconciliation: a large cache makes the second time free.
@lru_cache(maxsize=1 << 18)
def _read(raw: str) -> Text:
    folded = _fold(raw)
    numbers = set()
    if _DIGIT.search(folded):
        folded = _AMOUNT_OR_DATE.sub(" ", folded)
        numbers = {token.lstrip("0") or "0" for token in _NUMBER.findall(folded)}
    words = set(_WORD.findall(folded)) - STOPWORDS
    tokens = tuple(sorted([*words, *("#" + n for n in numbers)]))
    cheque = ("ch" in folded or "cq" in folded) and _CHEQUE.search(folded) is not None
    return Text(frozenset(words), frozenset(numbers), cheque, raw.strip(), tokens)


class Weights:
    """How telling each word is: rare words (a surname) weigh more than common ones (the processor's name)."""

    def __init__(self, texts: Iterable[Text]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for text in texts:
            counts.update(text.words)
            total += 1
        self.total = max(total, 1)
        self.counts = counts

    def of(self, word: str) -> float:
        # At least 1: in a handful of lines every word is rare, yet a shared name still tells.
        return max(1.0, math.log((self.total + 1) / (self.counts.get(word, 0) + 1)))

    def shared(self, one: Text, other: Text) -> tuple[float, list[str]]:
        """The weight of the words two texts share, capped at 1, and those words (most telling first)."""
        common = one.words & other.words
        if not common:
            return 0.0, []
        ranked = sorted(common, key=lambda w: (-self.of(w), w))
        return min(1.0, sum(self.of(w) for w in ranked) / 4.0), ranked
