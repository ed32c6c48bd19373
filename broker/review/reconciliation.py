"""Reconciling a company's books with the owner's decisions: per bank account, its matches, choices and balances."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from broker.reconcile import (
    BankLine,
    Choice,
    LedgerLine,
    Match,
    MonthBalance,
    bank_vs_ledger_balances,
    match_transactions,
    pair_bank_accounts,
)
from broker.reconcile.books import books_period
from broker.reconcile.lines import bank_lines_from_common, ledger_lines_from_common
from broker.review.books import Books
from broker.review.models import MatchDecision


def match_key(bank_ids: Sequence[str], ledger_ids: Sequence[str]) -> str:
    """The stable key of a match: a hash of its sorted line ids on each side."""
    text = "b:" + ",".join(sorted(bank_ids)) + "|l:" + ",".join(sorted(ledger_ids))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class AccountReconciliation:
    """One bank account paired (or not) with its ledger account, its lines, matches and monthly balances."""

    bank_account: Mapping[str, Any]
    ledger_account: Mapping[str, Any] | None
    bank_lines: list[BankLine]
    ledger_lines: list[LedgerLine]
    matches: list[Match]
    unmatched_bank: list[BankLine]
    unmatched_ledger: list[LedgerLine]
    months: list[MonthBalance]
    choices: list[Choice]
    outside_bank: list[BankLine]
    outside_ledger: list[LedgerLine]
    duplicates: list[tuple[str, str]]


def _months(first: date, last: date) -> list[str]:
    months: list[str] = []
    cursor = first.replace(day=1)
    while cursor <= last and len(months) < 240:
        months.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def _chosen(
    bank_lines: Sequence[BankLine], ledger_lines: Sequence[LedgerLine], confirmed: Sequence[MatchDecision]
) -> list[Match]:
    """The owner's confirmed matches that name lines of this account, summing exactly, no line twice (oldest first)."""
    banks = {line.id: line for line in bank_lines}
    ledgers = {line.id: line for line in ledger_lines}
    taken: set[str] = set()
    chosen = []
    for row in sorted(confirmed, key=lambda r: (r.decided_at, r.id or 0)):
        bank_ids, ledger_ids = row.bank_ids.split(), row.ledger_ids.split()
        lines = [*bank_ids, *ledger_ids]
        if not all(i in banks for i in bank_ids) or not all(j in ledgers for j in ledger_ids) or taken & set(lines):
            continue
        if sum(banks[i].amount for i in bank_ids) != sum(ledgers[j].amount for j in ledger_ids):
            continue
        taken.update(lines)
        chosen.append(Match(tuple(bank_ids), tuple(ledger_ids), 1.0, "chosen", "chosen by the owner"))
    return chosen


def compute(books: Books, confirmed: Sequence[MatchDecision] = ()) -> list[AccountReconciliation]:
    """Pair bank accounts with ledger accounts, match their lines and compare balances month by month.

    A confirmed decision on lines the matcher does not suggest together (a candidate the owner chose, or a match
    an earlier version of the matcher suggested) is kept as the owner's match; the rest is matched around it.
    """
    pairs = dict(pair_bank_accounts(books.bank_accounts, books.accounts))
    period = books_period(books.journal_entries)
    ledger_by_id = {str(a.get("id")): a for a in books.accounts}
    by_bank: dict[str, list[dict[str, Any]]] = {}
    for txn in books.bank_transactions:
        by_bank.setdefault(str(txn.get("bank_account_id") or ""), []).append(txn)
    results = []
    for bank in sorted(books.bank_accounts, key=lambda b: str(b.get("id"))):
        bank_id = str(bank.get("id"))
        transactions = by_bank.get(bank_id, [])
        ledger_id = pairs.get(bank_id)
        bank_lines = bank_lines_from_common(transactions)
        ledger_lines = ledger_lines_from_common(books.journal_entries, ledger_id) if ledger_id else []
        result = match_transactions(bank_lines, ledger_lines, period=period)
        suggested = {match_key(m.bank_ids, m.ledger_ids) for m in result.matches}
        pinned = _chosen(bank_lines, ledger_lines, [row for row in confirmed if row.match_key not in suggested])
        if pinned:
            used = {line for m in pinned for line in (*m.bank_ids, *m.ledger_ids)}
            rest = match_transactions(
                [line for line in bank_lines if line.id not in used],
                [line for line in ledger_lines if line.id not in used],
                period=period,
            )
            rest.matches[:0] = pinned
            result = rest
        days = [line.date for line in bank_lines] + [line.date for line in ledger_lines]
        months = _months(min(days), max(days)) if days else []
        balances = bank_vs_ledger_balances(transactions, {bank_id: ledger_lines}, months=months) if months else []
        results.append(
            AccountReconciliation(
                bank_account=bank,
                ledger_account=ledger_by_id.get(ledger_id) if ledger_id else None,
                bank_lines=bank_lines,
                ledger_lines=ledger_lines,
                matches=result.matches,
                unmatched_bank=result.unmatched_bank,
                unmatched_ledger=result.unmatched_ledger,
                months=[row for row in balances if row.bank_account_id == bank_id],
                choices=result.choices,
                outside_bank=result.outside_bank,
                outside_ledger=result.outside_ledger,
                duplicates=result.duplicates,
            )
        )
    return results


def match_type(match: Match) -> str:
    """``chosen`` (by the owner among candidates), ``near`` (amounts differ a little or by sign) or ``exact``."""
    return "chosen" if match.kind == "chosen" else "near" if match.near else "exact"
