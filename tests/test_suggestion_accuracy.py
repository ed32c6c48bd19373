"""Auto-suggestion against the sandbox's seeded truth: the share of accounts it maps as the truth does, per app."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_suggestion_accuracy.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_suggestion_accuracy", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("error")
def test_suggestions_agree_with_the_seeded_truth(capsys: pytest.CaptureFixture[str]) -> None:
    results = _bench().measure(companies=1)
    with capsys.disabled():
        for name, row in results.items():
            print(f"\nsuggestion accuracy {name}: {row['agreed']}/{row['compared']}", end="")
    for name in ("ledgerly", "xenon"):
        row = results[name]
        assert row["compared"] >= 50, row
        assert row["agreed"] / row["compared"] >= 0.95, row["misses"]
