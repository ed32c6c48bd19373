"""The coverage check without Flask: what a company's data has against what the lender needs, and how to fix it.

Months are counted as distinct calendar months holding at least one dated object (journal entries for the books,
bank transactions for the bank); the mapped share is the part of the absolute ledger balances whose account has a
saved category; the reliable-through date is the one the owner stated in the reconcile step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Requirements:
    """A lender's minimums; the zero value requires nothing."""

    books_months: int = 0
    bank_months: int = 0
    mapped_percent: float = 0.0
    reliable_through_required: bool = False

    @property
    def any(self) -> bool:
        """Whether anything at all is required (else success needs no read of the books)."""
        return bool(self.books_months or self.bank_months or self.mapped_percent or self.reliable_through_required)


@dataclass(frozen=True)
class Facts:
    """What the company's data has, read from the upstream and the broker's own state."""

    journal_dates: Sequence[Any]
    bank_dates: Sequence[Any]
    balances: Sequence[tuple[int, bool]]  # (balance, mapped) per ledger account
    reliable_through: date | None


def months_covered(dates: Iterable[Any]) -> int:
    """Return how many distinct calendar months the ``YYYY-MM-DD…`` dates fall in (bad dates are skipped)."""
    months = set()
    for value in dates:
        text = str(value)[:7] if value is not None else ""
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and "01" <= text[5:] <= "12":
            months.add(text)
    return len(months)


def mapped_percent(balances: Sequence[tuple[int, bool]]) -> float:
    """Return the share (0-100, one decimal) of absolute balances whose account is mapped."""
    total = sum(abs(balance) for balance, _ in balances)
    if total == 0:
        return 100.0 if balances and all(mapped for _, mapped in balances) else 0.0
    return math.floor(1000 * sum(abs(b) for b, mapped in balances if mapped) / total) / 10


def accounts_to_map(balances: Sequence[tuple[int, bool]], needed: float) -> int:
    """Return the fewest unmapped accounts (largest balances first) whose mapping reaches ``needed`` percent."""
    total = sum(abs(balance) for balance, _ in balances)
    done = sum(abs(b) for b, mapped in balances if mapped)
    if total == 0:
        return sum(1 for _, mapped in balances if not mapped)
    count = 0
    for balance in sorted((abs(b) for b, mapped in balances if not mapped), reverse=True):
        if math.floor(1000 * done / total) / 10 >= needed:
            break
        done += balance
        count += 1
    return count


def _fix(code: str, message: str, count: int | None = None) -> dict[str, Any]:
    return {"code": code, "count": count, "message": message}


def _months_item(name: str, needed: int, have: int, kind: str) -> dict[str, Any]:
    fix = None
    if have < needed:
        missing = needed - have
        if have == 0:
            connect = "connect_bank" if kind == "bank" else "connect_accounting"
            fix = _fix(connect, "Connect the bank." if kind == "bank" else "Connect the accounting app.")
        else:
            what = "bank" if kind == "bank" else "accounting app"
            fix = _fix(
                f"more_{kind}_history",
                f"Add {missing} more month{'s' if missing > 1 else ''} of history: connect the {what} "
                "that holds the earlier months.",
                missing,
            )
    return {"name": name, "needed": needed, "have": have, "met": have >= needed, "fix": fix}


def check(requirements: Requirements, facts: Facts) -> dict[str, Any]:
    """Return the coverage: ``met`` and, per requirement, ``needed``, ``have``, ``met`` and a plain-words ``fix``."""
    items = [
        _months_item("books_months", requirements.books_months, months_covered(facts.journal_dates), "books"),
        _months_item("bank_months", requirements.bank_months, months_covered(facts.bank_dates), "bank"),
    ]
    share = mapped_percent(facts.balances)
    share_met = share >= requirements.mapped_percent
    share_fix = None
    if not share_met:
        if not facts.balances:
            share_fix = _fix("connect_accounting", "Connect the accounting app.")
        else:
            count = max(1, accounts_to_map(facts.balances, requirements.mapped_percent))
            share_fix = _fix("map_accounts", f"Map {count} more account{'s' if count > 1 else ''}.", count)
    items.append(
        {"name": "mapped_percent", "needed": requirements.mapped_percent, "have": share, "met": share_met}
        | {"fix": share_fix}
    )
    have_date = facts.reliable_through.isoformat() if facts.reliable_through else None
    date_met = not requirements.reliable_through_required or have_date is not None
    items.append(
        {
            "name": "reliable_through",
            "needed": requirements.reliable_through_required,
            "have": have_date,
            "met": date_met,
            "fix": None
            if date_met
            else _fix("set_reliable_through", "State the date your books are reliable through in the reconcile step."),
        }
    )
    return {"met": all(item["met"] for item in items), "requirements": items}


def nothing_required() -> dict[str, Any]:
    """The check when the lender requires nothing: met, each item with what is needed and ``have`` unknown."""
    zero = Requirements()
    items = [
        {"name": name, "needed": getattr(zero, name), "have": None, "met": True, "fix": None}
        for name in ("books_months", "bank_months", "mapped_percent")
    ]
    items.append({"name": "reliable_through", "needed": False, "have": None, "met": True, "fix": None})
    return {"met": True, "requirements": items}


def balances_from_mapping_view(view: Mapping[str, Any]) -> list[tuple[int, bool]]:
    """Return (balance, mapped) per account of the map step's view."""
    rows = view.get("accounts") or []
    return [(int(row.get("balance") or 0), row.get("category") is not None) for row in rows]
