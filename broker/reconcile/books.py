"""The library's entry point: reconcile a company's books from common-model objects, as the lender API shows it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from broker.reconcile.lines import bank_lines_from_common, ledger_lines_from_common, pair_bank_accounts
from broker.reconcile.matching import match_transactions, without_cycle_collection
from broker.reconcile.results import MatchResult


def books_period(journal_entries: Sequence[Mapping[str, Any]]) -> tuple[date, date] | None:
    """The first day of the first month and the last day of the last month with a journal entry.

    An opening-balance entry (often dated the day before the books start) does not open the period.
    """
    days = sorted(
        str(entry.get("date") or "")[:10]
        for entry in journal_entries
        if entry.get("date") and entry.get("source_type") != "opening_balance"
    )
    try:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    except (IndexError, ValueError):
        return None
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return first.replace(day=1), date.fromordinal(following.toordinal() - 1)


def match_accounts(
    accounts: Sequence[Mapping[str, Any]],
    journal_entries: Sequence[Mapping[str, Any]],
    bank_accounts: Sequence[Mapping[str, Any]],
    bank_transactions: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], str | None, MatchResult]]:
    """Per bank account (in id order): the account, its paired ledger account id (or None) and its match result."""
    pairs = dict(pair_bank_accounts(bank_accounts, accounts))
    period = books_period(journal_entries)
    by_bank: dict[str, list[Mapping[str, Any]]] = {}
    for txn in bank_transactions:
        by_bank.setdefault(str(txn.get("bank_account_id") or ""), []).append(txn)
    results = []
    for bank in sorted(bank_accounts, key=lambda b: str(b.get("id"))):
        bank_id = str(bank.get("id"))
        ledger_id = pairs.get(bank_id)
        with without_cycle_collection():
            bank_lines = bank_lines_from_common(by_bank.get(bank_id, []))
            ledger_lines = ledger_lines_from_common(journal_entries, ledger_id) if ledger_id else []
        results.append((bank, ledger_id, match_transactions(bank_lines, ledger_lines, period=period)))
    return results


def reconcile_books(
    accounts: Sequence[Mapping[str, Any]],
    journal_entries: Sequence[Mapping[str, Any]],
    bank_accounts: Sequence[Mapping[str, Any]],
    bank_transactions: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Match a company's bank lines to its ledger, per bank account, from common-model objects.

    Returns ``{"accounts": [...], "summary": {...}}``: per bank account its ``bank_account_id``,
    ``ledger_account_id`` (null when no ledger account has its last four digits) and the result of
    ``match_transactions`` as data (``matches`` each with ``match_type`` ``exact`` or ``near``, ``choices``,
    ``unmatched_bank``, ``unmatched_ledger``, ``outside_period``, ``possible_duplicates``, ``summary``); the
    summary adds the counts up. This is what the lender API's reconciliation is built from; it raises
    ``ValueError`` on a malformed date or amount.
    """
    out: list[dict[str, Any]] = []
    totals = {"matches": 0, "exact": 0, "near": 0, "choices": 0, "possible_duplicates": 0}
    for bank, ledger_id, result in match_accounts(accounts, journal_entries, bank_accounts, bank_transactions):
        data = result.to_dict()
        for match in data["matches"]:
            match["match_type"] = "near" if match["near"] else "exact"
        out.append({"bank_account_id": str(bank.get("id")), "ledger_account_id": ledger_id} | data)
        for key in totals:
            totals[key] += result.summary[key]
    return {"accounts": out, "summary": totals}
