"""The last passes of matching, on the lines the exact passes left: near amounts, then possible duplicate bookings."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from broker.reconcile.group_passes import MAX_POOL
from broker.reconcile.results import Match, money
from broker.reconcile.sides import FREE, HELD, USED, Side

CHEQUE_DAYS = 60  # a cheque may be cashed weeks after it is written
MARGIN = 0.6  # how much better the chosen pairing must explain the lines than the next best to be suggested


class LeftoverPasses:
    """Mixed into the matcher: needs its two sides, window, ``evidence``, ``labels`` and ``add``."""

    bank: Side
    ledger: Side
    window: int

    def evidence(self, i: int, j: int) -> float | None:
        raise NotImplementedError

    def labels(self, i: int, j: int) -> list[str]:
        raise NotImplementedError

    def add(self, bank: Sequence[int], ledger: Sequence[int], score: float, kind: str, labels: Sequence[str],
            near: str = "", difference: int = 0) -> Match:  # fmt: skip
        raise NotImplementedError

    def near(self) -> None:
        """A bank line and a ledger line the text ties together whose amounts differ a little, or by sign."""
        bank, ledger = self.bank, self.ledger
        words = ledger.word_index()
        for i in bank.free():
            amount, text, day = bank.amounts[i], bank.texts[i], bank.days[i]
            if not amount:
                continue
            options: dict[int, tuple[float, str, list[str]]] = {}
            for token in text.tokens:
                entry = words.get(token)
                if entry is None:
                    continue
                days, items = entry
                back = CHEQUE_DAYS if text.cheque or token.startswith("#") else self.window
                start, stop = bisect_left(days, day - back), bisect_right(days, day + self.window)
                if stop - start > 4 * MAX_POOL:
                    continue  # a word that so many lines share nearby tells nothing (the amounts filter first)
                for p in range(start, stop):
                    j = items[p]
                    if ledger.state[j] != FREE or j in options or ledger.currencies[j] != bank.currencies[i]:
                        continue
                    kind = _near_kind(amount, ledger.amounts[j])
                    scored = self.evidence(i, j) if kind else None
                    if scored is None or scored < 1.5:
                        continue
                    options[j] = (scored, kind, self.labels(i, j))
            if not options:
                continue
            ranked = sorted(options.items(), key=lambda o: (-o[1][0], ledger.ids[o[0]]))
            if len(ranked) > 1 and ranked[1][1][0] > ranked[0][1][0] - MARGIN:
                continue
            j, (score, kind, labels) = ranked[0]
            difference = amount - ledger.amounts[j]
            shown = "sign flipped" if kind == "sign_flip" else f"differs by {money(difference, bank.currencies[i])}"
            self.add([i], [j], 0.4 + score / 10, "near", [*labels, shown], kind, difference)

    def duplicates(self) -> list[tuple[str, str]]:
        """Ledger lines left over beside a matched line of the same amount and text a few days apart."""
        ledger = self.ledger
        state, texts = ledger.state, ledger.texts
        left = [j for j in ledger.order if (state[j] == FREE or state[j] == HELD) and texts[j].tokens]
        wanted = {(ledger.currencies[j], ledger.amounts[j]) for j in left}
        matched: dict[tuple[str, int], list[int]] = {}
        for j in ledger.order:  # so that each list is in date order
            key = (ledger.currencies[j], ledger.amounts[j])
            if state[j] == USED and key in wanted:
                matched.setdefault(key, []).append(j)
        matched_days = {key: [ledger.days[k] for k in lines] for key, lines in matched.items()}
        found = []
        for j in left:
            label = texts[j].label.lower()
            key = (ledger.currencies[j], ledger.amounts[j])
            twins = matched.get(key)
            if not twins:
                continue
            days = matched_days[key]
            start, stop = bisect_left(days, ledger.days[j] - 7), bisect_right(days, ledger.days[j] + 7)
            for k in twins[start:stop]:
                if abs(ledger.days[k] - ledger.days[j]) <= 7 and texts[k].label.lower() == label:
                    found.append((ledger.ids[j], ledger.ids[k]))
                    break
        return found


def _near_kind(bank: int, ledger: int) -> str:
    if not ledger or bank == ledger:
        return ""
    if bank == -ledger:
        return "sign_flip"
    if (bank > 0) != (ledger > 0):
        return ""
    difference = abs(bank - ledger)
    if difference <= max(5, abs(ledger) * 0.02) and not (
        abs(bank) < abs(ledger) and difference % 100 == 0 and difference >= 500
    ):
        return "fx_or_rounding"
    if abs(bank) < abs(ledger) and difference <= min(5_000, abs(ledger) * 0.05):
        return "unbooked_fee"
    return ""
