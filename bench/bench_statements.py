"""Time a year of mapped monthly statements on a synthetic ledger (about 50 accounts and 20,000 journal lines)."""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker.mapping.standard_chart import default_chart
from broker.mapping.suggest import suggest_mappings
from broker.review.statements import build_statements, statements_to_csv

KINDS = [
    ("asset", "current_asset", "Chequing"), ("asset", "current_asset", "Accounts receivable"),
    ("asset", "current_asset", "Inventory"), ("asset", "fixed_asset", "Equipment"),
    ("liability", "current_liability", "Accounts payable"), ("liability", "current_liability", "GST/HST payable"),
    ("liability", "long_term_liability", "Bank loan"), ("equity", "equity", "Share capital"),
    ("revenue", "revenue", "Sales"), ("expense", "cost_of_sales", "Cost of goods sold"),
    ("expense", "operating_expense", "Rent"), ("expense", "operating_expense", "Salaries"),
    ("expense", "operating_expense", "Advertising"), ("expense", "other_expense", "Interest"),
]  # fmt: skip


def synthetic_ledger(accounts: int = 50, lines: int = 20_000, seed: int = 11) -> tuple[list[dict], list[dict]]:
    """Return common-model accounts and balanced journal entries over 2024."""
    rng = random.Random(seed)
    chart_of_accounts = []
    for n in range(accounts):
        kind, classification, name = KINDS[n % len(KINDS)]
        chart_of_accounts.append(
            {"id": f"acc{n}", "code": str(1000 + n * 10), "name": f"{name} {n}", "type": kind,
             "classification": classification, "subtype": None}
        )  # fmt: skip
    entries = []
    posted = 0
    while posted < lines:
        count = rng.randrange(2, 4)
        amounts = [rng.randrange(-500_000, 500_000) for _ in range(count - 1)]
        chosen = rng.sample(chart_of_accounts, count)
        entry_lines = [{"account_id": a["id"], "amount": amount} for a, amount in zip(chosen, amounts, strict=False)]
        entry_lines.append({"account_id": chosen[-1]["id"], "amount": -sum(amounts)})
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
        entries.append({"id": f"je{len(entries)}", "date": day.isoformat(), "currency": "CAD", "lines": entry_lines})
        posted += count
    entries.sort(key=lambda e: (e["date"], e["id"]))
    return chart_of_accounts, entries


def main() -> None:
    """Print how long suggestion, the statements and their CSV take, and whether every sheet balances."""
    chart = default_chart()
    accounts, entries = synthetic_ledger()
    began = time.perf_counter()
    suggestions = suggest_mappings(accounts, chart)
    suggested = time.perf_counter() - began
    mapping = {s.account_id: s.category for s in suggestions if s.category and s.account_id != "acc7"}
    began = time.perf_counter()
    statements = build_statements(accounts, entries, mapping, chart, start="2024-01-01", end="2024-12-31")
    built = time.perf_counter() - began
    began = time.perf_counter()
    text = statements_to_csv(statements)
    exported = time.perf_counter() - began
    lines = sum(len(e["lines"]) for e in entries)
    balanced = all(sheet["balanced"] for sheet in statements["balance_sheets"])
    print(f"{len(accounts)} accounts, {len(entries)} entries, {lines} journal lines")
    print(f"suggest mappings: {suggested * 1000:.1f} ms")
    print(f"12 monthly P&L + 12 balance sheets + ratios: {built * 1000:.1f} ms (all balanced: {balanced})")
    print(f"CSV export: {exported * 1000:.1f} ms, {len(text.splitlines())} rows")


if __name__ == "__main__":
    main()
