"""Bank-to-ledger matching: accuracy per kind of case on labelled books, and time at 1k, 10k and 100k lines a side.

Accuracy: ``tests/labelled_books.py`` builds clean, typical and ambiguous books with a known truth; for each kind of
case this prints precision (suggested matches that are right), recall (matchable cases found) and the false-match
rate, then the same for 50,000 lines a side with the evidence. Time: synthetic lines with little text (so the cost
is the amounts and dates), 1k to 100k a side, with the growth exponent. Wall time on a shared machine is inflated by
the other processes; the CPU time of this process is printed beside it. Never fails on a figure.

``--seeds 1,2,3`` picks the books' seeds (default 1 to 5), ``--skip-large`` leaves out the 50k and 100k runs.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker.reconcile import BankLine, LedgerLine, match_transactions, reconcile_books
from tests.labelled_books import Tally, generate, score

SIZES = (1_000, 10_000, 100_000)
START = date(2024, 1, 1)
PROFILES = ("clean", "typical", "ambiguous")


def synthetic_lines(n: int, seed: int = 7) -> tuple[list[BankLine], list[LedgerLine]]:
    """Return about ``n`` bank lines and a ledger that partly matches them: exact, shifted, split, grouped, noise."""
    rng = random.Random(seed)
    bank: list[BankLine] = []
    ledger: list[LedgerLine] = []
    common_amounts = [-4599, -12000, 250000, -1999, 10000]

    def day() -> date:
        return START + timedelta(days=rng.randrange(365))

    def amount() -> int:
        if rng.random() < 0.1:
            return rng.choice(common_amounts)
        return rng.choice((-1, 1)) * rng.randrange(100, 500_000)

    while len(bank) < n:
        kind = rng.random()
        when, cents, k = day(), amount(), len(bank)
        if kind < 0.80:
            bank.append(BankLine(f"b{k}", "acct", when, cents, "CAD", "card"))
            shift = timedelta(days=rng.choice((0, 0, 0, 1, -1)))
            ledger.append(LedgerLine(f"l{len(ledger)}", when + shift, cents, "CAD", "payment", "payment"))
        elif kind < 0.88:
            bank.append(BankLine(f"b{k}", "acct", when, cents, "CAD", "transfer"))
            shift = timedelta(days=rng.choice((2, 3, 4, 5, -2, -3)))
            ledger.append(LedgerLine(f"l{len(ledger)}", when + shift, cents, "CAD", "transfer", "manual"))
        elif kind < 0.92:
            parts = rng.randrange(2, 4)
            pieces = [abs(cents) // parts] * (parts - 1)
            pieces.append(abs(cents) - sum(pieces))
            bank.append(BankLine(f"b{k}", "acct", when, cents, "CAD", "deposit"))
            sign = 1 if cents > 0 else -1
            for piece in pieces:
                shift = timedelta(days=rng.randrange(-2, 3))
                ledger.append(LedgerLine(f"l{len(ledger)}", when + shift, sign * piece, "CAD", "split", "payment"))
        elif kind < 0.94:
            employees = rng.randrange(3, 12)
            net = [-rng.randrange(80_000, 300_000) for _ in range(employees)]
            bank.append(BankLine(f"b{k}", "acct", when, sum(net), "CAD", "payroll"))
            for pay in net:
                line = LedgerLine(f"l{len(ledger)}", when, pay, "CAD", "net pay", "payroll", f"run{k}")
                ledger.append(line)
        elif kind < 0.97:
            bank.append(BankLine(f"b{k}", "acct", when, cents, "CAD", "unexplained"))
        else:
            ledger.append(LedgerLine(f"l{len(ledger)}", when, cents, "CAD", "other currency", "manual"))
    return bank, ledger


def _percent(value: float | None) -> str:
    return "  n/a " if value is None else f"{value:6.1%}"


def print_table(title: str, tallies: dict[str, Tally]) -> None:
    """One row per kind of case, then overall: suggested, right, cases, found, precision, recall, false matches."""
    print(f"\n{title}")
    print(f"| {'kind':<18} | {'suggested':>9} | {'cases':>6} | {'precision':>9} | {'recall':>7} | {'false':>7} |")
    print(f"| {'-' * 18} | {'-' * 8}: | {'-' * 5}: | {'-' * 8}: | {'-' * 6}: | {'-' * 6}: |")
    for kind in [*sorted(k for k in tallies if k != "overall"), "overall"]:
        t = tallies[kind]
        print(
            f"| {kind:<18} | {t.suggested:>9} | {t.cases:>6} | {_percent(t.precision):>9} | {_percent(t.recall):>7} "
            f"| {_percent(t.false_rate):>7} |"
        )


def suggested(result: dict[str, object]) -> list[tuple[list[str], list[str]]]:
    accounts = result["accounts"]
    assert isinstance(accounts, list)
    return [(m["bank_ids"], m["ledger_ids"]) for a in accounts for m in a["matches"]]


def accuracy(profile: str, seeds: list[int], size: int = 600) -> tuple[dict[str, Tally], float, int, int]:
    """Tallies summed over the seeds, the CPU seconds matching took, the choices offered, the bank lines."""
    total: dict[str, Tally] = {}
    cpu = 0.0
    choices = lines = 0
    for seed in seeds:
        books = generate(profile, seed, size)
        began = time.process_time()
        result = reconcile_books(*books.args())
        cpu += time.process_time() - began
        summary = result["summary"]
        assert isinstance(summary, dict)
        choices += summary["choices"]
        lines += len(books.bank_transactions)
        for kind, tally in score(books, suggested(result)).items():
            into = total.setdefault(kind, Tally())
            into.suggested += tally.suggested
            into.right += tally.right
            into.cases += tally.cases
            into.found += tally.found
    return total, cpu, choices, lines


def timing() -> None:
    """Time the synthetic lines at each size and print the growth exponents (wall and CPU)."""
    timings: list[tuple[int, float, float]] = []
    for n in SIZES:
        bank, ledger = synthetic_lines(n)
        wall, cpu = time.perf_counter(), time.process_time()
        result = match_transactions(bank, ledger)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        timings.append((n, wall, cpu))
        summary = result.summary
        print(
            f"{n:>7} bank x {len(ledger):>7} ledger lines: {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
            f"{summary['matches']} matches, {summary['choices']} choices, bank matched "
            f"{summary['bank']['count_rate']:.1%} by count, by kind {summary['by_kind']}"
        )
    for (n1, w1, c1), (n2, w2, c2) in itertools.pairwise(timings):
        scale = math.log(n2 / n1)
        wall, cpu = math.log(w2 / w1) / scale, math.log(c2 / c1) / scale
        print(f"growth exponent {n1} -> {n2}: {wall:.2f} wall, {cpu:.2f} CPU")


def main() -> None:
    """Print the accuracy tables, the 50k run with evidence, then the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--skip-large", action="store_true")
    options = parser.parse_args()
    seeds = [int(seed) for seed in options.seeds.split(",")]
    for profile in PROFILES:
        tallies, cpu, choices, lines = accuracy(profile, seeds)
        title = f"{profile} books, seeds {options.seeds}: {lines} bank lines, {choices} offered as choices, {cpu:.2f} s"
        print_table(title, tallies)
    if options.skip_large:
        return
    tallies, cpu, choices, lines = accuracy("typical", [seeds[0]], size=96_000)
    print_table(f"typical books at {lines} bank lines with the evidence: {cpu:.2f} s CPU, {choices} choices", tallies)
    print()
    timing()


if __name__ == "__main__":
    main()
