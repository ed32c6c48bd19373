"""Match bank lines to ledger lines: same amount near the same date, then groups and splits that sum exactly."""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from broker.reconcile.lines import BankLine, LedgerLine, lines_from_common, pair_bank_accounts

__all__ = [
    "BankLine",
    "LedgerLine",
    "Match",
    "MatchResult",
    "lines_from_common",
    "match_transactions",
    "pair_bank_accounts",
]
MAX_WINDOW_DAYS = 60
IMPLICIT_GROUP_SOURCES = ("payroll", "payout")


@dataclass(frozen=True, slots=True)
class Match:
    """Bank lines and ledger lines whose amounts sum to the same total, with a score and the reason."""

    bank_ids: tuple[str, ...]
    ledger_ids: tuple[str, ...]
    score: float
    kind: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return the match as JSON-ready data."""
        return {**asdict(self), "bank_ids": list(self.bank_ids), "ledger_ids": list(self.ledger_ids)}


@dataclass
class MatchResult:
    """Suggested matches, the lines left on each side, and match rates by count and by amount."""

    matches: list[Match]
    unmatched_bank: list[BankLine]
    unmatched_ledger: list[LedgerLine]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (dates as YYYY-MM-DD)."""

        def line(item: BankLine | LedgerLine) -> dict[str, Any]:
            return {**asdict(item), "date": item.date.isoformat()}

        return {
            "matches": [match.to_dict() for match in self.matches],
            "unmatched_bank": [line(item) for item in self.unmatched_bank],
            "unmatched_ledger": [line(item) for item in self.unmatched_ledger],
            "summary": self.summary,
        }


def _money(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d} {currency}".strip()


def _days(n: int) -> str:
    return "the same day" if n == 0 else f"{n} day apart" if n == 1 else f"{n} days apart"


class _Side:
    """One side's lines as parallel arrays, with a flag per line once it is used by a match."""

    def __init__(self, lines: Sequence[BankLine] | Sequence[LedgerLine]) -> None:
        self.lines = lines
        self.ids = [line.id for line in lines]
        self.days = [line.date.toordinal() for line in lines]
        self.amounts = [line.amount for line in lines]
        self.currencies = [line.currency for line in lines]
        self.used = bytearray(len(lines))
        # Lines in date order, then id: the order in which each pass considers them, so results never depend on
        # the order of the input.
        self.order = sorted(range(len(lines)), key=lambda i: (self.days[i], self.ids[i], i))

    def free(self) -> list[int]:
        return [i for i in self.order if not self.used[i]]


class _Matcher:
    def __init__(self, bank: _Side, ledger: _Side, window: int, near: int, max_lines: int, max_candidates: int):
        self.bank, self.ledger = bank, ledger
        self.window, self.near = window, min(near, window)
        self.max_lines, self.max_candidates = max_lines, max_candidates
        self.matches: list[Match] = []

    def add(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, reason: str) -> None:
        for i in bank:
            self.bank.used[i] = 1
        for j in ledger:
            self.ledger.used[j] = 1
        bank_ids = tuple(self.bank.ids[i] for i in bank)
        ledger_ids = tuple(self.ledger.ids[j] for j in ledger)
        self.matches.append(Match(bank_ids, ledger_ids, round(score, 2), kind, reason))

    def same_amount(self) -> None:
        """Pair lines of equal currency and amount, nearest dates first; ties go to the smallest ledger id."""
        bank, ledger = self.bank, self.ledger
        by_amount: dict[tuple[str, int], dict[int, deque[int]]] = {}
        for j in ledger.free():
            key = (ledger.currencies[j], ledger.amounts[j])
            by_amount.setdefault(key, {}).setdefault(ledger.days[j], deque()).append(j)
        # free() is in (date, id) order, so each queue is already sorted by id: the tie-break.
        pending: list[tuple[int, dict[int, deque[int]]]] = []
        for i in bank.free():
            found = by_amount.get((bank.currencies[i], bank.amounts[i]))
            if found is not None:
                pending.append((i, found))
        for distance in range(self.window + 1):
            still = []
            for i, queues in pending:
                day = bank.days[i]
                chosen: deque[int] | None = None
                for other in (day - distance, day + distance) if distance else (day,):
                    queue = queues.get(other)
                    if queue and (
                        chosen is None or (ledger.ids[queue[0]], queue[0]) < (ledger.ids[chosen[0]], chosen[0])
                    ):
                        chosen = queue
                if chosen is None:
                    still.append((i, queues))
                    continue
                j = chosen.popleft()
                amount = _money(bank.amounts[i], bank.currencies[i])
                if distance <= self.near:
                    score = 1.0 - 0.05 * distance
                    self.add([i], [j], score, "exact", f"same amount ({amount}) {_days(distance)}")
                else:
                    score = max(0.5, 0.9 - 0.05 * (distance - 2))
                    reason = f"same amount ({amount}) {_days(distance)}, within the {self.window}-day window"
                    self.add([i], [j], score, "date_window", reason)
            pending = still

    def groups(self) -> None:
        """Match one bank line to all the ledger lines of a group (a payroll run, a payout) summing to it."""
        bank, ledger = self.bank, self.ledger
        members: dict[tuple[str, str], list[int]] = {}
        for j in ledger.free():
            line = ledger.lines[j]
            assert isinstance(line, LedgerLine)
            key = line.group_key
            if key is None and line.source_type in IMPLICIT_GROUP_SOURCES:
                key = f"{line.source_type}:{line.date.isoformat()}"
            if key is not None:
                members.setdefault((ledger.currencies[j], key), []).append(j)
        by_total: dict[tuple[str, int], list[tuple[str, list[int], int, int]]] = {}
        for (currency, key), group in sorted(members.items()):
            days = [ledger.days[j] for j in group]
            if len(group) >= 2 and max(days) - min(days) <= self.window:
                total = sum(ledger.amounts[j] for j in group)
                by_total.setdefault((currency, total), []).append((key, group, min(days), max(days)))
        for i in bank.free():
            candidates = by_total.get((bank.currencies[i], bank.amounts[i]))
            if not candidates:
                continue
            day, best = bank.days[i], None
            for n, (key, _members, first, last) in enumerate(candidates):
                distance = max(first - day, day - last, 0)
                if distance <= self.window and (best is None or (distance, key) < best[:2]):
                    best = (distance, key, n)
            if best is None:
                continue
            distance, key, n = best
            group = candidates.pop(n)[1]
            amount = _money(bank.amounts[i], bank.currencies[i])
            reason = f"the {len(group)} ledger lines of {key} sum to the bank amount ({amount}), {_days(distance)}"
            self.add([i], group, 0.9 - 0.02 * min(distance, 10), "grouped", reason)

    def subsets(self, one: _Side, many: _Side) -> list[tuple[int, list[int], int]]:
        """Find, for each free line of ``one``, up to ``max_lines`` free lines of ``many`` summing to it exactly."""
        index: dict[tuple[str, bool], tuple[list[int], list[int]]] = {}
        for j in many.free():
            if many.amounts[j]:
                days, items = index.setdefault((many.currencies[j], many.amounts[j] > 0), ([], []))
                days.append(many.days[j])
                items.append(j)
        found = []
        for i in one.free():
            target = one.amounts[i]
            if not target or (entry := index.get((one.currencies[i], target > 0))) is None:
                continue
            candidates = self._nearest(entry, one.days[i], abs(target), many)
            best = self._best_subset(candidates, target, one.days[i], many)
            if best is not None:
                for j in best[1]:
                    many.used[j] = 1
                one.used[i] = 1
                found.append((i, best[1], best[0]))
        return found

    def _nearest(self, entry: tuple[list[int], list[int]], day: int, limit: int, many: _Side) -> list[int]:
        days, items = entry
        left = bisect_left(days, day) - 1
        right = left + 1
        chosen: list[int] = []
        scanned = 0
        while len(chosen) < self.max_candidates and scanned < 8 * self.max_candidates:
            take_left = left >= 0 and (right >= len(days) or day - days[left] <= days[right] - day)
            if take_left:
                pos, left = left, left - 1
            elif right < len(days):
                pos, right = right, right + 1
            else:
                break
            if abs(days[pos] - day) > self.window:
                break
            scanned += 1
            j = items[pos]
            if not many.used[j] and abs(many.amounts[j]) < limit:
                chosen.append(j)
        return chosen

    def _best_subset(self, candidates: list[int], target: int, day: int, many: _Side) -> tuple[int, list[int]] | None:
        """Return (widest date distance, lines) of the fewest lines summing to ``target``, nearest dates first."""
        amounts = [many.amounts[j] for j in candidates]
        if abs(sum(amounts)) < abs(target):
            return None
        count = len(amounts)
        positions: dict[int, list[int]] = {}
        for n, amount in enumerate(amounts):
            positions.setdefault(amount, []).append(n)
        solutions: list[tuple[int, ...]] = []
        for a in range(count):
            for b in positions.get(target - amounts[a], ()):
                if b > a:
                    solutions.append((a, b))
        if solutions or self.max_lines < 3:
            return self._rank(solutions, candidates, day, many)
        # Pairs by their sum, so three or four lines cost O(candidates^2) rather than O(candidates^4).
        pairs: dict[int, list[tuple[int, int]]] = {}
        for a in range(count):
            for b in range(a + 1, count):
                pairs.setdefault(amounts[a] + amounts[b], []).append((a, b))
        for c in range(count):
            for a, b in pairs.get(target - amounts[c], ()):
                if c > b:
                    solutions.append((a, b, c))
        if solutions or self.max_lines < 4:
            return self._rank(solutions, candidates, day, many)
        for total, firsts in pairs.items():
            seconds = pairs.get(target - total)
            if seconds:
                solutions.extend((a, b, c, d) for a, b in firsts for c, d in seconds if c > b)
        return self._rank(solutions, candidates, day, many)

    @staticmethod
    def _rank(
        solutions: list[tuple[int, ...]], candidates: list[int], day: int, many: _Side
    ) -> tuple[int, list[int]] | None:
        if not solutions:
            return None
        ranked = []
        for solution in solutions:
            chosen = sorted((candidates[n] for n in solution), key=lambda j: (many.ids[j], j))
            distances = [abs(many.days[j] - day) for j in chosen]
            ranked.append((sum(distances), [many.ids[j] for j in chosen], max(distances), chosen))
        _, _, spread, chosen = min(ranked)
        return spread, chosen

    def splits(self) -> None:
        """One bank line to several ledger lines (split payments), then several bank lines to one ledger line."""
        for i, group, spread in self.subsets(self.bank, self.ledger):
            amount = _money(self.bank.amounts[i], self.bank.currencies[i])
            reason = f"{len(group)} ledger lines within {spread} days sum exactly to the bank amount ({amount})"
            self._record([i], group, 0.8 - 0.05 * (len(group) - 2) - 0.01 * spread, "split", reason)
        for j, group, spread in self.subsets(self.ledger, self.bank):
            amount = _money(self.ledger.amounts[j], self.ledger.currencies[j])
            reason = f"{len(group)} bank lines within {spread} days sum exactly to the ledger amount ({amount})"
            self._record(group, [j], 0.75 - 0.05 * (len(group) - 2) - 0.01 * spread, "many_to_one", reason)

    def _record(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, reason: str) -> None:
        bank = sorted(bank, key=lambda i: (self.bank.ids[i], i))
        self.add(bank, ledger, max(score, 0.4), kind, reason)


def _rates(side: _Side) -> dict[str, Any]:
    total = len(side.amounts)
    matched = sum(side.used)
    amount = sum(abs(a) for a in side.amounts)
    matched_amount = sum(abs(a) for a, used in zip(side.amounts, side.used, strict=True) if used)
    return {
        "lines": total,
        "matched": matched,
        "count_rate": round(matched / total, 4) if total else None,
        "amount": amount,
        "matched_amount": matched_amount,
        "amount_rate": round(matched_amount / amount, 4) if amount else None,
    }


def match_transactions(
    bank_lines: Sequence[BankLine],
    ledger_lines: Sequence[LedgerLine],
    *,
    window_days: int = 5,
    near_days: int = 1,
    max_split_lines: int = 4,
    max_candidates: int = 12,
) -> MatchResult:
    """Suggest matches between one bank account's lines and the ledger's lines on that account.

    Passes, strongest first: equal currency and amount within ``near_days`` (``exact``), then within
    ``window_days`` (``date_window``); the ledger lines of one group (``group_key``, or payroll/payout lines of one
    date) summing to one bank line (``grouped``); up to ``max_split_lines`` ledger lines among the
    ``max_candidates`` nearest in the window summing to one bank line (``split``) and the reverse
    (``many_to_one``). No line is used twice and currencies never mix. Ties go to the nearest date, then the
    smallest id, so the result does not depend on input order. Runs in about O(n log n).
    """
    if not 0 <= window_days <= MAX_WINDOW_DAYS:
        raise ValueError(f"window_days must be between 0 and {MAX_WINDOW_DAYS}")
    if not 0 <= near_days <= window_days:
        raise ValueError("near_days must be between 0 and window_days")
    if not 2 <= max_split_lines <= 4 or not 2 <= max_candidates <= 24:
        raise ValueError("max_split_lines must be 2 to 4 and max_candidates 2 to 24")
    bank, ledger = _Side(bank_lines), _Side(ledger_lines)
    matcher = _Matcher(bank, ledger, window_days, near_days, max_split_lines, max_candidates)
    matcher.same_amount()
    matcher.groups()
    matcher.splits()
    kinds: dict[str, int] = {}
    for match in matcher.matches:
        kinds[match.kind] = kinds.get(match.kind, 0) + 1
    summary = {"bank": _rates(bank), "ledger": _rates(ledger), "matches": len(matcher.matches), "by_kind": kinds}
    return MatchResult(
        matches=matcher.matches,
        unmatched_bank=[bank_lines[i] for i in bank.order if not bank.used[i]],
        unmatched_ledger=[ledger_lines[j] for j in ledger.order if not ledger.used[j]],
        summary=summary,
    )
