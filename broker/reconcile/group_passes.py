"""The group passes of matching: one line to 2-8 coherent lines of the other side, found before one-to-one pairs."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from broker.reconcile.groups import subsets_summing
from broker.reconcile.lines import LedgerLine
from broker.reconcile.results import Match, days_text
from broker.reconcile.sides import FREE, Side
from broker.reconcile.text import Text, Weights

STRONG = 2.0  # marks a ledger line held by a well evidenced pair (a shared number, or a full name)
MAX_POOL = 40  # lines sharing one word near one date, past which the word is too common to tie them together
MAX_BATCH = 14  # unexplained receipts of a few days past which a nameless deposit's sum is not telling


class GroupPasses:
    """Mixed into the matcher: needs its two sides, window, word weights and ``add``."""

    bank: Side
    ledger: Side
    window: int
    weights: Weights
    _ledger_days: list[int] | None = None

    def add(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, labels: Sequence[str],
            near: str = "", difference: int = 0) -> Match:  # fmt: skip
        raise NotImplementedError

    def _tied(self, i: int, j: int) -> bool:
        bt, lt = self.bank.texts[i], self.ledger.texts[j]
        return not bt.numbers.isdisjoint(lt.numbers) or len(bt.words & lt.words) >= 2

    def groups(self, edges: dict[int, list[tuple[int, float]]]) -> None:
        """One line to several coherent lines of the other side, for lines that have no equal amount nearby."""
        bank, ledger = self.bank, self.ledger
        # A ledger line with a same-amount bank line nearby, and how firmly: a shared number or two shared words
        # (a full name) keep it for that pair; a surname alone does not (a family shares it).
        paired_ledger: dict[int, float] = {}
        paired_bank: set[int] = set()
        for i, items in edges.items():
            for j, _score in items:
                tied = self._tied(i, j)
                paired_ledger[j] = max(paired_ledger.get(j, 0.0), STRONG if tied else 0.0)
                if tied:
                    paired_bank.add(i)
        keyed: dict[tuple[str, str], list[int]] = {}
        for j in ledger.free():
            line = ledger.lines[j]
            assert isinstance(line, LedgerLine)
            key = line.group_key
            if key is None and line.source_type in ("payroll", "payout"):
                key = f"{line.source_type}:{line.date.isoformat()}"
            if key is not None:
                keyed.setdefault((ledger.currencies[j], key), []).append(j)
        by_total: dict[tuple[str, int], list[tuple[str, list[int]]]] = {}
        for (currency, key), members in sorted(keyed.items()):
            if len(members) >= 2:
                by_total.setdefault((currency, sum(ledger.amounts[j] for j in members)), []).append((key, members))
        ledger_words = ledger.word_index()
        for i in bank.free():
            if i in edges or not bank.amounts[i]:
                continue
            self._group_for_bank(i, by_total, ledger_words, paired_ledger)
        bank_words = bank.word_index()
        for j in ledger.free():
            if j in paired_ledger or not ledger.amounts[j]:
                continue
            self._group_for_ledger(j, bank_words, paired_bank)

    @staticmethod
    def _pools(text: Text, other: Side, first: int, last: int) -> list[tuple[str, list[int]]]:
        """Lines dated ``first`` to ``last`` that share a word or number with ``text``: per token, then jointly.

        A token shared by more than ``MAX_POOL`` lines in those days ties nothing together on its own; lines that
        share two of the text's words (a first name and a surname) still may.
        """
        words = other.word_index()
        pools: list[tuple[str, list[int]]] = []
        spans = []
        for token in text.tokens:
            entry = words.get(token)
            if entry is None:
                continue
            start, stop = bisect_left(entry[0], first), bisect_right(entry[0], last)
            spans.append((stop - start, token, start, stop))
            if stop - start <= MAX_POOL:
                pools.append((token, entry[1][start:stop]))
        named = sorted(span for span in spans if not span[1].startswith("#"))
        if len(named) >= 2 and len(pools) < len(spans) and named[0][0] <= 4 * MAX_POOL:
            # The two rarest words together (a first name and a surname), from the rarer word's lines.
            (_count, token, start, stop), second = named[0], named[1][1]
            texts = other.texts
            joint = [k for k in words[token][1][start:stop] if second in texts[k].words]
            if 2 <= len(joint) <= MAX_POOL:
                pools.append((f"{token} {second}", joint))
        return pools

    def _summing_subset(
        self, day: int, pool: list[int], side: Side, target: int, *, before: bool
    ) -> tuple[int, ...] | None:
        """The lines of ``pool`` (on ``side``) whose amounts make ``target``, the one answer nearest ``day``; None
        when the pool is too small, no subset makes it or the dates do not decide between several."""
        if len(pool) < 2:
            return None
        answers = subsets_summing([side.amounts[k] for k in pool], target, limit=8)
        picked = self._nearest_answer(day, [[pool[n] for n in answer] for answer in answers], side, before)
        return None if picked is None else tuple(sorted(picked))

    @staticmethod
    def _nearest_answer(day: int, answers: list[list[int]], side: Side, before: bool) -> list[int] | None:
        """The one answer whose farthest line is clearly nearer the date than every other answer's, or None.

        Equal payments of one family: of four $120 memberships the three booked in the days before the $360
        deposit are its members, not the one booked three weeks earlier. Lines on the wrong side of the date
        (``before``: the group's lines come first, as invoices paid before their deposit) count double; unless
        the best answer leads by two days, the dates do not say, and the caller abstains.
        """
        if len(answers) < 2:
            return answers[0] if answers else None

        def reach(lines: list[int]) -> int:
            gaps = [(day - side.days[n]) if before else (side.days[n] - day) for n in lines]
            return max(gap if gap >= 0 else -2 * gap for gap in gaps)

        ranked = sorted(answers, key=lambda lines: (reach(lines), len(lines)))
        return ranked[0] if reach(ranked[0]) + 2 <= reach(ranked[1]) else None

    def _group_for_bank(
        self, i: int, by_total: dict[Any, Any], words: dict[str, tuple[list[int], list[int]]], paired: dict[int, float]
    ) -> None:
        bank, ledger = self.bank, self.ledger
        day, currency, target = bank.days[i], bank.currencies[i], bank.amounts[i]
        for key, members in by_total.get((currency, target), ()):
            days = [ledger.days[j] for j in members]
            if (
                all(ledger.state[j] == FREE for j in members)
                and day - self.window - 7 <= min(days)
                and max(days) <= day + self.window
            ):
                gap = max(day - max(days), min(days) - day, 0)
                label = key.replace(":", " ", 1)
                self.add([i], members, 0.9, "grouped", [f"{len(members)} lines of {label}", days_text(gap)])
                return
        found: dict[tuple[int, ...], tuple[float, list[str]]] = {}
        for token, lines in self._pools(bank.texts[i], ledger, day - self.window - 7, day + 2):
            pool = [
                j
                for j in lines
                if ledger.state[j] == FREE and ledger.currencies[j] == currency and paired.get(j, 0.0) < STRONG
            ]
            members = self._summing_subset(day, pool, ledger, target, before=True)
            if members is None:
                continue
            weight = sum(self.weights.of(w.lstrip("#")) for w in token.split())
            shown = _shown(token)
            spread = max(abs(ledger.days[j] - day) for j in members)
            if members not in found or found[members][0] < weight:
                found[members] = (weight, [f"{len(members)} lines", shown, f"within {days_text(spread)}"])
        if not found and not bank.texts[i].tokens and target > 0:
            batch = self._batch(i, paired)
            if batch is not None:
                spread = max(abs(ledger.days[j] - day) for j in batch)
                found[tuple(batch)] = (
                    0.0,
                    [f"{len(batch)} lines", "deposited together", f"within {days_text(spread)}"],
                )
        if len(found) == 1:
            ((members, (_weight, labels)),) = found.items()
            self.add([i], members, 0.8, "split", labels)

    def _batch(self, i: int, paired: dict[int, float]) -> list[int] | None:
        """A deposit that names nobody: receipts of the days before it, none with an equal amount at the bank.

        Several customers' cheques deposited together share no word with the bank's "DEPOSIT". Only lines that
        nothing else could explain, of the deposit's sign, booked in the 5 days up to it (at most 14 of them), and
        only when exactly one subset of them makes the amount: a second one means the sum does not decide.
        """
        bank, ledger = self.bank, self.ledger
        day, currency, target = bank.days[i], bank.currencies[i], bank.amounts[i]
        order, days = ledger.order, self.ledger_days_in_order()
        start, stop = bisect_left(days, day - 5), bisect_right(days, day + 1)
        if stop - start > 20 * MAX_BATCH:
            return None
        pool = [
            j
            for j in order[start:stop]
            if ledger.state[j] == FREE
            and j not in paired
            and ledger.currencies[j] == currency
            and ledger.amounts[j] > 0
        ]
        if not 2 <= len(pool) <= MAX_BATCH:
            return None
        answers = subsets_summing([ledger.amounts[j] for j in pool], target, limit=2)
        return sorted(pool[n] for n in answers[0]) if len(answers) == 1 else None

    def ledger_days_in_order(self) -> list[int]:
        """The ledger's days in its date order (for finding the lines of a few days)."""
        if self._ledger_days is None:
            self._ledger_days = [self.ledger.days[j] for j in self.ledger.order]
        return self._ledger_days

    def _group_for_ledger(self, j: int, words: dict[str, tuple[list[int], list[int]]], paired: set[int]) -> None:
        bank, ledger = self.bank, self.ledger
        day, currency, target = ledger.days[j], ledger.currencies[j], ledger.amounts[j]
        found: dict[tuple[int, ...], list[str]] = {}
        for token, lines in self._pools(ledger.texts[j], bank, day - 2, day + self.window + 7):
            pool = [i for i in lines if bank.state[i] == FREE and bank.currencies[i] == currency and i not in paired]
            members = self._summing_subset(day, pool, bank, target, before=False)
            if members is None:
                continue
            spread = max(abs(bank.days[i] - day) for i in members)
            shown = _shown(token)
            found.setdefault(members, [f"{len(members)} bank lines", shown, f"within {days_text(spread)}"])
        if len(found) == 1:
            ((members, labels),) = found.items()
            self.add(members, [j], 0.75, "many_to_one", labels)

    # -- near amounts ---------------------------------------------------------------------------------------------


def _shown(token: str) -> str:
    """How a shared word or number reads in a match's reasons: ``#1042`` as "no. 1042", words capitalised."""
    return f"no. {token[1:]}" if token.startswith("#") else token.title()
