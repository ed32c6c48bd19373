"""Confidence as a measured probability: the share of suggestions on the same basis whose section was right.

The counts in ``calibration.json`` are written by ``bench/bench_mapping_realworld.py --write-calibration``
from the real-world charts (all three input conditions) and the sandbox companies. A basis seen rarely leans
on its coarser basis (``name+name:loan`` on ``name+name``), and an unseen one on an even prior, so a thin
measurement never claims more than it has shown.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path

COUNTS_FILE = Path(__file__).with_name("calibration.json")

# needs_review is set wherever the measured share right is below this.
TRUSTED = 0.97
# How many observations the coarser basis is worth when a basis is thin.
PRIOR_WEIGHT = 8.0
UNSEEN = 0.5


@functools.cache
def measured_counts() -> dict[str, tuple[int, int]]:
    """Return the shipped measurement, (section right, seen) per basis, read once on first use."""
    data = json.loads(COUNTS_FILE.read_text(encoding="utf-8"))
    return {key: (int(right), int(seen)) for key, (right, seen) in data.items()}


def coarser(basis: str) -> str | None:
    """Return the basis one level coarser (``name+name:loan`` to ``name+name``), or None at the top."""
    if ":" in basis:
        return basis.split(":", 1)[0]
    return None


def confidence(basis: str, counts: Mapping[str, tuple[int, int]] | None = None) -> float:
    """Return the measured probability that a suggestion on ``basis`` has the right section, shrunk when thin.

    ``counts`` (section right, seen) per basis defaults to the shipped measurement; the bench passes others.
    """
    counts = measured_counts() if counts is None else counts
    parent = coarser(basis)
    prior = confidence(parent, counts) if parent else UNSEEN
    right, seen = counts.get(basis, (0, 0))
    estimate = (right + PRIOR_WEIGHT * prior) / (seen + PRIOR_WEIGHT)
    return round(min(estimate, 0.99), 2)


def needs_review(value: float) -> bool:
    """Whether a suggestion of this confidence must be checked by the owner."""
    return value < TRUSTED
