"""Time bank-to-ledger matching on synthetic lines (1k, 10k, 100k a side) and print the growth exponent."""

from __future__ import annotations

import itertools
import math
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker.reconcile.matching import BankLine, LedgerLine, match_transactions

SIZES = (1_000, 10_000, 100_000)
START = date(2024, 1, 1)


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
            ledger.append(LedgerLine(f"l{len(ledger)}", when, cents, "USD", "other currency", "manual"))
    return bank, ledger


def main() -> None:
    """Print the time and match rate per size, then the growth exponent between consecutive sizes."""
    timings: list[tuple[int, float]] = []
    for n in SIZES:
        bank, ledger = synthetic_lines(n)
        began = time.perf_counter()
        result = match_transactions(bank, ledger)
        elapsed = time.perf_counter() - began
        timings.append((n, elapsed))
        summary = result.summary
        print(
            f"{n:>7} bank x {len(ledger):>7} ledger lines: {elapsed:7.3f} s, {summary['matches']} matches, "
            f"bank matched {summary['bank']['count_rate']:.1%} by count, {summary['bank']['amount_rate']:.1%} "
            f"by amount, by kind {summary['by_kind']}"
        )
    for (n1, t1), (n2, t2) in itertools.pairwise(timings):
        print(f"growth exponent {n1} -> {n2}: {math.log(t2 / t1) / math.log(n2 / n1):.2f}")


if __name__ == "__main__":
    main()
