"""Exponential backoff: how long every retry loop in the project may wait before its next try."""

from __future__ import annotations

import math


def backoff_ceiling(failures: int, base: float, cap: float = math.inf) -> float:
    """Return the longest wait after ``failures`` failed tries: ``base`` after one, doubled each time, at most ``cap``.

    Callers choose their jitter below this ceiling (the upstream retries wait a random time up to it, webhook
    deliveries between half and all of it, the sandbox's connector exactly it).
    """
    return min(cap, base * 2 ** max(failures - 1, 0))
