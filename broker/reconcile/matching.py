"""Match bank lines to ledger lines on the evidence an accountant reads, and abstain when it does not decide.

Passes, each on the lines the earlier ones left: lines outside the books' period are set apart; coherent groups (the
lines of one payout or pay run, or of one customer or processor named on the other side) that make a line with no
equal amount nearby; then, per amount, a minimum-cost assignment on the evidence (document numbers, names, date
distance by payment method) that keeps only the pairs no other assignment explains almost as well and offers the
owner the rest as choices; then near amounts with evidence (FX, rounding, a flipped sign, a fee nobody booked).
A ledger line left over beside an identical matched one is flagged as a possible duplicate booking.
"""

from __future__ import annotations

import contextlib
import gc
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from broker.reconcile.assign import INF, min_cost_assignment
from broker.reconcile.group_passes import GroupPasses
from broker.reconcile.leftover_passes import CHEQUE_DAYS, MARGIN, LeftoverPasses
from broker.reconcile.lines import BankLine, LedgerLine, month_bounds
from broker.reconcile.results import Choice, Match, MatchResult, days_text, money
from broker.reconcile.sides import FREE, HELD, OUTSIDE, USED, Side, bank_text, ledger_text, nearest, rates
from broker.reconcile.text import Weights

__all__ = ["match_transactions", "without_cycle_collection"]
MAX_WINDOW_DAYS = 60
BONUS = 2.0  # what making a pair is worth before its evidence, so that leaving a line out is never free
MAX_EXACT_BLOCK = 16  # lines a side up to which each pairing's margin is computed exactly
MAX_CHOICES = 5
MAX_NEAREST = 6  # equal amounts tried per bank line, nearest dates first
MAX_BLOCK = 40  # lines a side past which a block of equal amounts is assigned greedily, best evidence first
NEAR_KINDS = ("fx_or_rounding", "sign_flip", "unbooked_fee")


class _Matcher(GroupPasses, LeftoverPasses):
    def __init__(self, bank: Side, ledger: Side, window: int) -> None:
        self.bank, self.ledger, self.window = bank, ledger, window
        self.weights = Weights([*bank.texts, *ledger.texts])
        self.matches: list[Match] = []
        self.choices: list[Choice] = []

    # -- evidence -------------------------------------------------------------------------------------------------
    def evidence(self, i: int, j: int) -> float | None:
        """Score a bank and a ledger line as a pair, or None when they cannot be one (dates, cheque numbers)."""
        gap = self.bank.days[i] - self.ledger.days[j]
        bt, lt = self.bank.texts[i], self.ledger.texts[j]
        cheque = bt.cheque or lt.cheque
        if not (-min(self.window, 5) if cheque else -self.window) <= gap <= (CHEQUE_DAYS if cheque else self.window):
            return None
        score = (0.5 if 0 <= gap <= 45 else 0.3) if cheque else 1.0 - abs(gap) / (self.window + 1)
        if bt.numbers and lt.numbers:
            if bt.numbers & lt.numbers:
                score += 3.0
            elif cheque and bt.cheque == lt.cheque:
                return None  # cheque 3035 is not cheque 3036, whatever the amount
        if bt.words and lt.words and not bt.words.isdisjoint(lt.words):
            score += 2.0 * self.weights.shared(bt, lt)[0]
        return score

    def labels(self, i: int, j: int) -> list[str]:
        """What tied the two lines: the number, the names, the days between them ("cheque 3035 · Nina Lee · 2 days")."""
        bt, lt = self.bank.texts[i], self.ledger.texts[j]
        labels = []
        numbers = bt.numbers & lt.numbers
        if numbers:
            number = max(numbers, key=lambda n: (len(n), n))
            labels.append(f"cheque {number}" if bt.cheque or lt.cheque else f"no. {number}")
        words = self.weights.shared(bt, lt)[1] if bt.words and not bt.words.isdisjoint(lt.words) else ()
        if words:
            labels.append(" ".join(w.capitalize() for w in sorted(words[:3], key=lt.label.lower().find)))
        labels.append(days_text(abs(self.bank.days[i] - self.ledger.days[j])))
        return labels

    def add(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, labels: Sequence[str],
            near: str = "", difference: int = 0) -> Match:  # fmt: skip
        for i in bank:
            self.bank.state[i] = USED
        for j in ledger:
            self.ledger.state[j] = USED
        match = self._match(bank, ledger, score, kind, labels, near, difference)
        self.matches.append(match)
        return match

    def _match(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, labels: Sequence[str],
               near: str = "", difference: int = 0) -> Match:  # fmt: skip
        bank_ids = tuple(sorted(self.bank.ids[i] for i in bank)) if len(bank) > 1 else (self.bank.ids[bank[0]],)
        ledger_ids = (
            tuple(sorted(self.ledger.ids[j] for j in ledger)) if len(ledger) > 1 else (self.ledger.ids[ledger[0]],)
        )
        reason = " · ".join(labels)
        return Match(
            bank_ids, ledger_ids, round(min(max(score, 0.05), 1.0), 2), kind, reason, tuple(labels), near, difference
        )

    # -- equal amounts ----------------------------------------------------------------------------------------------
    def edges(self) -> dict[int, list[tuple[int, float]]]:
        """Possible one-to-one pairs of free lines of equal currency and amount, by bank line, with their scores.

        Per bank line the nearest ``MAX_NEAREST`` ledger lines within the window, and cheques weeks earlier: past
        that many equal amounts a few days around, dates cannot tell them apart anyway.
        """
        bank, ledger = self.bank, self.ledger
        by_amount: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        cheque_lines: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
        for j in ledger.free():
            key = (ledger.currencies[j], ledger.amounts[j])
            entry = by_amount.get(key)
            if entry is None:
                entry = by_amount[key] = ([], [])
            entry[0].append(ledger.days[j])
            entry[1].append(j)
            if ledger.texts[j].cheque:
                found_cheques = cheque_lines.setdefault(key, ([], []))
                found_cheques[0].append(ledger.days[j])
                found_cheques[1].append(j)
        no_cheques: tuple[list[int], list[int]] = ([], [])
        found: dict[int, list[tuple[int, float]]] = {}
        window = self.window
        for i in bank.free():
            key = (bank.currencies[i], bank.amounts[i])
            entry = by_amount.get(key)
            if entry is None or not bank.amounts[i]:
                continue
            days, items = entry
            day = bank.days[i]
            if bank.texts[i].cheque:
                start, stop = bisect_left(days, day - CHEQUE_DAYS), bisect_right(days, day + window)
                picked = [items[p] for p in range(start, min(stop, start + 4 * MAX_NEAREST))]
            elif len(items) == 1:
                picked = list(items)
            else:
                near = nearest(days, items, day, window, 4 * MAX_NEAREST)
                # Past the nearest few, only lines whose text shares a word or a number with this one.
                text, texts = bank.texts[i], ledger.texts
                picked = near[:MAX_NEAREST] + [
                    j
                    for j in near[MAX_NEAREST:]
                    if not text.words.isdisjoint(texts[j].words) or not text.numbers.isdisjoint(texts[j].numbers)
                ]
                cheque_days, cheques = cheque_lines.get(key, no_cheques)
                if cheques:
                    start, stop = bisect_left(cheque_days, day - CHEQUE_DAYS), bisect_left(cheque_days, day - window)
                    picked += [cheques[p] for p in range(max(start, stop - MAX_NEAREST), stop)]
            for j in picked:
                scored = self.evidence(i, j)
                if scored is not None:
                    found.setdefault(i, []).append((j, scored))
        return found

    def one_to_one(self, edges: dict[int, list[tuple[int, float]]]) -> None:
        """Pair equal amounts block by block: the least-cost assignment, kept where no other comes close."""
        bank, ledger = self.bank, self.ledger
        live = {
            i: [e for e in items if ledger.state[e[0]] == FREE] for i, items in edges.items() if bank.state[i] == FREE
        }
        live = {i: items for i, items in live.items() if items}
        degree: dict[int, int] = {}
        for items in live.values():
            for j, _score in items:
                degree[j] = degree.get(j, 0) + 1
        # Most lines have one possible partner that has no other: no block to solve.
        alone = [i for i, items in live.items() if len(items) == 1 and degree[items[0][0]] == 1]
        for i in alone:
            j, score = live.pop(i)[0]
            self._pair(i, j, score)
        # Blocks: lines joined by a possible pair, through either side (ledger line j is node offset + j).
        offset = len(bank.ids)
        parent = list(range(offset + len(ledger.ids)))

        def root(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]  # halve the path as we go
                node = parent[node]
            return node

        for i, items in live.items():
            for j, _score in items:
                a, b = root(i), root(offset + j)
                if a != b:
                    parent[a] = b
        blocks: dict[int, list[int]] = {}
        for i in live:
            blocks.setdefault(root(i), []).append(i)
        for rows in sorted(blocks.values(), key=lambda rows: min((bank.days[i], bank.ids[i]) for i in rows)):
            rows.sort(key=lambda i: (bank.days[i], bank.ids[i]))
            self._block(rows, live)

    def _twins(self, js: Sequence[int]) -> dict[int, set[int]]:
        """Ledger lines that say the same thing a few days apart (a bill entered twice): either is as right."""
        ledger, twins = self.ledger, {}
        by_text: dict[tuple[str, frozenset[str]], list[int]] = {}
        for j in js:
            text = ledger.texts[j]
            if text.words or text.numbers:
                by_text.setdefault((text.label.lower(), text.numbers), []).append(j)
        for group in by_text.values():
            for j in group:
                near = {k for k in group if k != j and abs(ledger.days[k] - ledger.days[j]) <= 7}
                if near:
                    twins[j] = near
        return twins

    def _block(self, rows: list[int], live: dict[int, list[tuple[int, float]]]) -> None:
        ledger = self.ledger
        cols = sorted({j for i in rows for j, _s in live[i]}, key=lambda j: (ledger.days[j], ledger.ids[j]))
        scores = {(i, j): s for i in rows for j, s in live[i]}
        if len(rows) == 1 and len(cols) == 1:
            self._pair(rows[0], cols[0], scores[(rows[0], cols[0])])
            return
        twins = self._twins(cols)
        if len(rows) > MAX_BLOCK or len(cols) > MAX_BLOCK:
            self._greedy(rows, live, scores, twins)
            return
        position = {j: c for c, j in enumerate(cols)}
        cost = [[INF] * len(cols) for _ in rows]
        for r, i in enumerate(rows):
            for j, s in live[i]:
                cost[r][position[j]] = -(s + BONUS)
        chosen = min_cost_assignment(cost)
        total = sum(cost[r][c] for r, c in chosen)
        exact = len(rows) <= MAX_EXACT_BLOCK and len(cols) <= MAX_EXACT_BLOCK
        decided: list[tuple[int, int]] = []
        undecided: list[tuple[int, int]] = []
        for r, c in chosen:
            banned = {c} | {position[k] for k in twins.get(cols[c], ())}
            if exact:
                trial = [
                    [INF if rr == r and cc in banned else v for cc, v in enumerate(row)] for rr, row in enumerate(cost)
                ]
                alternative = min_cost_assignment(trial)
                lead = sum(trial[rr][cc] for rr, cc in alternative) - total
            else:
                others = [cost[r][cc] for cc in range(len(cols)) if cc not in banned]
                others += [cost[rr][c] for rr in range(len(rows)) if rr != r]
                lead = min(others, default=0.0) - cost[r][c]
            (decided if lead >= MARGIN else undecided).append((r, c))
        for r, c in decided:
            self._pair(rows[r], cols[c], scores[(rows[r], cols[c])])
        assigned = {r for r, _c in chosen}
        for r in [r for r, _c in undecided] + [r for r in range(len(rows)) if r not in assigned]:
            options = [(j, s) for j, s in live[rows[r]] if ledger.state[j] != USED]
            if options:
                self._offer(rows[r], options)

    def _greedy(
        self,
        rows: list[int],
        live: dict[int, list[tuple[int, float]]],
        scores: dict[Any, float],
        twins: dict[int, set[int]],
    ) -> None:
        """A block too large to assign exactly: best evidence first, kept when it leads every rival by the margin."""
        bank, ledger = self.bank, self.ledger
        top: dict[int, list[float]] = {}  # per ledger line, its two best scores
        for i in rows:
            for j, s in live[i]:
                best = top.setdefault(j, [-INF, -INF])
                if s > best[0]:
                    best[0], best[1] = s, best[0]
                elif s > best[1]:
                    best[1] = s
        for (i, j), s in sorted(scores.items(), key=lambda e: (-e[1], bank.ids[e[0][0]], ledger.ids[e[0][1]])):
            if bank.state[i] != FREE or ledger.state[j] != FREE:
                continue
            rival = max((o for k, o in live[i] if k != j and k not in twins.get(j, ())), default=-INF)
            column = top[j][1] if s >= top[j][0] else top[j][0]
            if s - max(rival, column) >= MARGIN:
                self._pair(i, j, s)
        for i in rows:
            if bank.state[i] == FREE:
                options = [(j, s) for j, s in live[i] if ledger.state[j] != USED]
                if options:
                    self._offer(i, options)

    def _pair(self, i: int, j: int, score: float) -> None:
        gap = abs(self.bank.days[i] - self.ledger.days[j])
        kind = "exact" if gap <= 1 or self.bank.texts[i].cheque else "date_window"
        self.add([i], [j], 0.55 + score / 8, kind, self.labels(i, j))

    def _offer(self, i: int, options: list[tuple[int, float]]) -> None:
        """Hold bank line i for the owner, with the ledger lines that explain it almost as well as the best."""
        best = max(s for _j, s in options)
        picked = sorted((o for o in options if o[1] >= best - MARGIN), key=lambda o: (-o[1], self.ledger.ids[o[0]]))
        candidates = []
        for k, score in picked[:MAX_CHOICES]:
            candidates.append(self._match([i], [k], 0.3 + score / 10, "candidate", self.labels(i, k)))
            if self.ledger.state[k] == FREE:
                self.ledger.state[k] = HELD
        self.bank.state[i] = HELD
        amount = money(self.bank.amounts[i], self.bank.currencies[i])
        question = f"which of these {len(candidates)} ledger lines of {amount} is this bank line?"
        self.choices.append(Choice((self.bank.ids[i],), question, tuple(candidates)))


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while matching.

    Matching makes hundreds of thousands of small objects and no reference cycles; the collector would walk all of
    them again and again (a third of the time at 50k lines) to free nothing. Reference counting still frees them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match_transactions(
    bank_lines: Sequence[BankLine],
    ledger_lines: Sequence[LedgerLine],
    *,
    window_days: int = 7,
    period: tuple[date, date] | None = None,
) -> MatchResult:
    """Suggest matches between one bank account's lines and the ledger's lines on that account.

    ``window_days`` bounds the days between the two dates of a pair (cheques: up to 60 days after). ``period`` is
    the books' first and last day (``reconcile_books`` gives it); bank lines outside it, and ledger lines after the
    last month of the bank feed, are set apart as outside the period. No line is used twice,
    currencies never mix, sums are exact except for ``near`` matches, and the result does not depend on input order.
    """
    if not 0 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be between 0 and {MAX_WINDOW_DAYS}")
    with without_cycle_collection():
        return _match_lines(bank_lines, ledger_lines, window_days, period)


def _match_lines(
    bank_lines: Sequence[BankLine],
    ledger_lines: Sequence[LedgerLine],
    window_days: int,
    period: tuple[date, date] | None,
) -> MatchResult:
    bank = Side(bank_lines, [bank_text(line) for line in bank_lines])
    ledger = Side(ledger_lines, [ledger_text(line) for line in ledger_lines])
    if period is not None:
        books = (period[0].toordinal(), period[1].toordinal())
        feed = month_bounds([line.date for line in bank_lines])
        # A ledger line may be a cheque written weeks before the feed starts; after the feed ends it cannot clear.
        sides = [(bank, books)] + ([(ledger, (feed[0] - CHEQUE_DAYS, feed[1]))] if feed else [])
        for side, (first, last) in sides:
            for n, day in enumerate(side.days):
                if not first <= day <= last:
                    side.state[n] = OUTSIDE
    for j, line in enumerate(ledger_lines):
        if line.source_type == "opening_balance" and ledger.state[j] == FREE:
            ledger.state[j] = HELD
    matcher = _Matcher(bank, ledger, window_days)
    edges = matcher.edges()
    matcher.groups(edges)
    matcher.one_to_one(edges)
    matcher.near()
    for j, line in enumerate(ledger_lines):
        if line.source_type == "opening_balance" and ledger.state[j] == HELD:
            ledger.state[j] = FREE
    duplicates = matcher.duplicates()
    kinds: dict[str, int] = {}
    for match in matcher.matches:
        kinds[match.kind] = kinds.get(match.kind, 0) + 1
    summary = {
        "bank": rates(bank),
        "ledger": rates(ledger),
        "matches": len(matcher.matches),
        "exact": sum(1 for m in matcher.matches if not m.near),
        "near": sum(1 for m in matcher.matches if m.near),
        "choices": len(matcher.choices),
        "outside_period": {"bank": bank.state.count(OUTSIDE), "ledger": ledger.state.count(OUTSIDE)},
        "possible_duplicates": len(duplicates),
        "by_kind": kinds,
    }
    return MatchResult(
        matches=matcher.matches,
        unmatched_bank=[bank_lines[i] for i in bank.order if bank.state[i] in (FREE, HELD)],
        unmatched_ledger=[ledger_lines[j] for j in ledger.order if ledger.state[j] in (FREE, HELD)],
        summary=summary,
        choices=matcher.choices,
        outside_bank=[bank_lines[i] for i in bank.order if bank.state[i] == OUTSIDE],
        outside_ledger=[ledger_lines[j] for j in ledger.order if ledger.state[j] == OUTSIDE],
        duplicates=duplicates,
    )
