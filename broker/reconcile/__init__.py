"""Reconciling bank against ledger: balances per month and transaction matching."""

from broker.reconcile.balances import MonthBalance, bank_vs_ledger_balances
from broker.reconcile.books import reconcile_books
from broker.reconcile.lines import BankLine, LedgerLine, lines_from_common, pair_bank_accounts
from broker.reconcile.matching import Choice, Match, MatchResult, match_transactions

__all__ = [
    "BankLine",
    "Choice",
    "LedgerLine",
    "Match",
    "MatchResult",
    "MonthBalance",
    "bank_vs_ledger_balances",
    "lines_from_common",
    "match_transactions",
    "pair_bank_accounts",
    "reconcile_books",
]
