"""Find the lines of one customer, payout or pay run that together make another side's single line."""

from __future__ import annotations

from collections.abc import Sequence

MAX_MEMBERS = 8
MAX_SEARCH = 12  # lines whose every subset is tried; past that only date-ordered runs are


def subsets_summing(amounts: Sequence[int], target: int, limit: int = 2) -> list[tuple[int, ...]]:
    """Positions of ``amounts`` (date order) whose values sum to ``target``, 2 to 8 of them; at most ``limit``.

    All of them first; then, for 12 lines or fewer, every subset; past that, only runs of neighbours in date order.
    Several answers mean the sum alone does not decide: the caller lets the dates decide, or abstains.
    """
    count = len(amounts)
    if count < 2:
        return []
    if 2 <= count <= MAX_MEMBERS and sum(amounts) == target:
        return [tuple(range(count))]
    found: list[tuple[int, ...]] = []
    if count > MAX_SEARCH:
        for first in range(count):
            total = amounts[first]
            for last in range(first + 1, min(count, first + MAX_MEMBERS)):
                total += amounts[last]
                if total == target:
                    found.append(tuple(range(first, last + 1)))
        return found[:limit]
    # Meet in the middle on sums: each half's subsets by their total, then pairs of halves that make the target.
    half = count // 2
    left = _sums(amounts[:half], 0)
    right = _sums(amounts[half:], half)
    for total, picks in left.items():
        for other in right.get(target - total, ()):
            for pick in picks:
                chosen = pick + other
                if 2 <= len(chosen) <= MAX_MEMBERS:
                    found.append(tuple(sorted(chosen)))
                    if len(found) >= limit:
                        return found
    return found


def _sums(amounts: Sequence[int], offset: int) -> dict[int, list[tuple[int, ...]]]:
    sums: dict[int, list[tuple[int, ...]]] = {0: [()]}
    for n, amount in enumerate(amounts):
        grown = [(total + amount, (*pick, n + offset)) for total, picks in sums.items() for pick in picks]
        for total, pick in grown:
            if len(pick) <= MAX_MEMBERS:
                sums.setdefault(total, []).append(pick)
    return sums
