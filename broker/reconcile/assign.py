"""Minimum-cost assignment of rows to columns (the Hungarian method), for the small blocks of equal amounts."""

from __future__ import annotations

from collections.abc import Sequence

INF = float("inf")


def min_cost_assignment(cost: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Return (row, column) pairs assigning min(rows, columns) of them at the least total cost.

    ``cost[r][c]`` may be ``inf`` for a pair that must not be made; such a pair is never returned. O(n^2 m), for the
    blocks of a few dozen lines that share an amount and dates; the same result as SciPy's ``linear_sum_assignment``
    on finite costs.
    """
    rows = len(cost)
    cols = len(cost[0]) if rows else 0
    if not rows or not cols:
        return []
    transpose = rows > cols
    if transpose:
        cost = [[cost[r][c] for r in range(rows)] for c in range(cols)]
        rows, cols = cols, rows
    big = 1e9
    a = [[big if value == INF else value for value in row] for row in cost]
    # Jonker-Volgenant style shortest augmenting paths with potentials (1-indexed, column 0 is the virtual start).
    u = [0.0] * (rows + 1)
    v = [0.0] * (cols + 1)
    way = [0] * (cols + 1)
    owner = [0] * (cols + 1)
    for r in range(1, rows + 1):
        owner[0] = r
        c0 = 0
        minv = [INF] * (cols + 1)
        used = [False] * (cols + 1)
        while True:
            used[c0] = True
            r0, delta, c1 = owner[c0], INF, 0
            row = a[r0 - 1]
            for c in range(1, cols + 1):
                if not used[c]:
                    value = row[c - 1] - u[r0] - v[c]
                    if value < minv[c]:
                        minv[c], way[c] = value, c0
                    if minv[c] < delta:
                        delta, c1 = minv[c], c
            for c in range(cols + 1):
                if used[c]:
                    u[owner[c]] += delta
                    v[c] -= delta
                else:
                    minv[c] -= delta
            c0 = c1
            if owner[c0] == 0:
                break
        while True:
            c1 = way[c0]
            owner[c0] = owner[c1]
            c0 = c1
            if not c0:
                break
    pairs = []
    for c in range(1, cols + 1):
        r = owner[c]
        if r and a[r - 1][c - 1] < big:
            pairs.append((c - 1, r - 1) if transpose else (r - 1, c - 1))
    return sorted(pairs)
