"""The two sides of a reconciliation, bank lines and ledger lines, and how to read them from the common model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class BankLine:
    """One bank transaction; ``amount`` is signed cents, money in positive."""

    id: str
    account_id: str
    date: date
    amount: int
    currency: str
    description: str = ""
    counterparty: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """The ledger's movement on a bank account from one journal entry, signed as the bank sees it.

    ``group_key`` ties lines that the bank may show as one (a payroll run, a commerce payout).
    """

    id: str
    date: date
    amount: int
    currency: str
    memo: str = ""
    source_type: str = "manual"
    group_key: str | None = None
    details: str = ""


def _day(value: object, kind: str, ident: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10] if isinstance(value, str) else str(value)[:10])
    except ValueError:
        raise ValueError(f"{kind} {ident}: date must be YYYY-MM-DD, not {value!r}") from None


def _cents(value: object, kind: str, ident: object) -> int:
    if value.__class__ is not int:  # not a bool, not a float, not a string of digits
        raise ValueError(f"{kind} {ident}: amount must be integer cents, not {value!r}")
    return value


def bank_lines_from_common(bank_transactions: Sequence[Mapping[str, Any]]) -> list[BankLine]:
    """Turn common-model ``bank_transactions`` into ``BankLine``s."""
    return [
        BankLine(
            id=str(txn["id"]),
            account_id=str(txn.get("bank_account_id") or ""),
            date=_day(txn.get("date"), "bank transaction", txn["id"]),
            amount=_cents(txn.get("amount"), "bank transaction", txn["id"]),
            currency=str(txn.get("currency") or ""),
            description=str(txn.get("description") or ""),
            counterparty=str(txn.get("counterparty") or ""),
            reference=str(txn.get("reference") or ""),
        )
        for txn in bank_transactions
    ]


def _group_key(entry: Mapping[str, Any]) -> str | None:
    source_type = entry.get("source_type")
    if source_type == "payroll":
        # The ledger posts one entry per employee; the bank shows one debit per pay date.
        return f"payroll:{str(entry.get('date'))[:10]}"
    document = entry.get("source_document_id")
    return f"{source_type}:{document}" if document else None


def ledger_lines_from_common(
    journal_entries: Sequence[Mapping[str, Any]], bank_ledger_account_id: str
) -> list[LedgerLine]:
    """Return one ``LedgerLine`` per journal entry that moves the bank ledger account (its lines summed)."""
    lines = []
    for entry in journal_entries:
        entry_lines = entry.get("lines") or []
        mine = [line for line in entry_lines if line.get("account_id") == bank_ledger_account_id]
        if not mine:
            continue
        amounts = [_cents(line.get("amount"), "journal entry", entry.get("id")) for line in mine]
        # The other lines' descriptions often name the customer or the vendor when the memo does not.
        memo = entry.get("memo")
        details = {text for line in entry_lines if (text := line.get("description")) and text != memo}
        lines.append(
            LedgerLine(
                id=str(entry["id"]),
                date=_day(entry.get("date"), "journal entry", entry.get("id")),
                amount=sum(amounts),
                currency=str(entry.get("currency") or ""),
                memo=str(entry.get("memo") or ""),
                source_type=str(entry.get("source_type") or "manual"),
                group_key=_group_key(entry),
                details=" ".join(sorted(str(text) for text in details)) if details else "",
            )
        )
    return lines


def lines_from_common(
    bank_transactions: Sequence[Mapping[str, Any]],
    journal_entries: Sequence[Mapping[str, Any]],
    bank_ledger_account_id: str,
) -> tuple[list[BankLine], list[LedgerLine]]:
    """Turn common-model bank transactions and journal entries into the two sides of a reconciliation.

    The ledger side keeps the journal lines on ``bank_ledger_account_id`` (debit positive, which is money in, as
    on the bank side), one ``LedgerLine`` per entry; payroll entries of one pay date and entries of one source
    document (a payout) share a ``group_key``.
    """
    return bank_lines_from_common(bank_transactions), ledger_lines_from_common(journal_entries, bank_ledger_account_id)


def pair_bank_accounts(
    bank_accounts: Sequence[Mapping[str, Any]], ledger_accounts: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str]]:
    """Pair bank accounts with ledger accounts by the last four digits of the account number.

    Returns ``(bank_account_id, ledger_account_id)`` pairs. When several accounts share the last four digits the
    currency decides; a pairing that stays ambiguous is left out rather than guessed, and no account is paired
    twice.
    """

    def last4(value: object) -> str | None:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        return digits[-4:] if len(digits) >= 4 else None

    ledger_by_last4: dict[str, list[Mapping[str, Any]]] = {}
    for account in ledger_accounts:
        key = last4(account.get("bank_account_number_last4"))
        if key is not None:
            ledger_by_last4.setdefault(key, []).append(account)
    pairs: list[tuple[str, str]] = []
    taken: set[str] = set()
    for bank in sorted(bank_accounts, key=lambda account: str(account.get("id"))):
        key = last4(bank.get("account_number_last4"))
        candidates = [a for a in ledger_by_last4.get(key or "", []) if str(a.get("id")) not in taken]
        if len(candidates) > 1:
            candidates = [a for a in candidates if a.get("currency") == bank.get("currency")]
        if len(candidates) == 1:
            ledger_id = str(candidates[0].get("id"))
            taken.add(ledger_id)
            pairs.append((str(bank.get("id")), ledger_id))
    return pairs


def month_bounds(days: Sequence[date]) -> tuple[int, int] | None:
    """The first and last day (as ordinals) of the whole months that ``days`` fall in: the books' period."""
    if not days:
        return None
    first, last = min(days), max(days)
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return first.replace(day=1).toordinal(), following.toordinal() - 1
