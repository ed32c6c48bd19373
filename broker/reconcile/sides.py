"""One side of a reconciliation as parallel arrays: days, amounts, texts read once, each line's state, an index."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from broker.reconcile.lines import BankLine, LedgerLine
from broker.reconcile.text import Text, read_text

FREE, USED, HELD, OUTSIDE = 0, 1, 2, 3


class Side:
    """One side's lines as parallel arrays, its texts read once, and each line's state."""

    def __init__(self, lines: Sequence[BankLine] | Sequence[LedgerLine], texts: list[Text]) -> None:
        self.lines = lines
        self.ids = [line.id for line in lines]
        self.days = [line.date.toordinal() for line in lines]
        self.amounts = [line.amount for line in lines]
        self.currencies = [line.currency for line in lines]
        self.texts = texts
        self.state = bytearray(len(lines))
        self._index: dict[str, tuple[list[int], list[int]]] | None = None
        self.order = sorted(range(len(lines)), key=lambda i: (self.days[i], self.ids[i], i))

    def free(self) -> list[int]:
        """Free lines in date order, then id: the order every pass takes them in, whatever the input order."""
        return [i for i in self.order if self.state[i] == FREE]

    def word_index(self) -> dict[str, tuple[list[int], list[int]]]:
        """Lines free when first asked, by word (or ``#`` and number), in date order: (days, positions).

        Built once; callers check each line's state and currency, which change as matches are made.
        """
        if self._index is None:
            index: dict[str, tuple[list[int], list[int]]] = {}
            days = self.days
            for i in self.free():
                text = self.texts[i]
                for token in text.tokens:
                    entry = index.get(token)
                    if entry is None:
                        entry = index[token] = ([], [])
                    entry[0].append(days[i])
                    entry[1].append(i)
            self._index = index
        return self._index


def bank_text(line: BankLine) -> Text:
    """What a bank line says: its description, counterparty and reference."""
    return read_text(line.description, line.counterparty, line.reference)


def ledger_text(line: LedgerLine) -> Text:
    """What a ledger line says: the entry's memo and its lines' descriptions."""
    return read_text(line.memo, line.details)


def nearest(days: list[int], items: list[int], day: int, window: int, count: int) -> list[int]:
    """Up to ``count`` items whose day is within ``window`` of ``day``, nearest first (``days`` sorted)."""
    right = bisect_left(days, day)
    left = right - 1
    chosen: list[int] = []
    while len(chosen) < count:
        if left >= 0 and (right >= len(days) or day - days[left] <= days[right] - day):
            if day - days[left] > window:
                break
            chosen.append(items[left])
            left -= 1
        elif right < len(days):
            if days[right] - day > window:
                break
            chosen.append(items[right])
            right += 1
        else:
            break
    return chosen


def rates(side: Side) -> dict[str, Any]:
    """Lines and amounts matched on one side, by count and by amount (lines outside the period left out)."""
    total = sum(1 for s in side.state if s != OUTSIDE)
    matched = sum(1 for s in side.state if s == USED)
    amount = sum(abs(a) for a, s in zip(side.amounts, side.state, strict=True) if s != OUTSIDE)
    matched_amount = sum(abs(a) for a, s in zip(side.amounts, side.state, strict=True) if s == USED)
    return {
        "lines": total,
        "matched": matched,
        "count_rate": round(matched / total, 4) if total else None,
        "amount": amount,
        "matched_amount": matched_amount,
        "amount_rate": round(matched_amount / amount, 4) if amount else None,
    }
