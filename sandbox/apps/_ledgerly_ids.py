"""Ledgerly's numbering: the ids it gives accounts, contacts and transactions, and the journal entries they become."""

from __future__ import annotations

from typing import Any

from sandbox.apps._shared import manual_entries
from sandbox.fixtures.business import Business
from sandbox.fixtures.ids import common_id

KEY = "ledgerly"


class LedgerlyIds:
    """Ledgerly's numbering: one sequence per list entity, one shared by all transactions in date order."""

    def __init__(self, business: Business) -> None:
        self.account = {a.code: str(30 + i) for i, a in enumerate(business.accounts)}
        self.contact = {c.key: str(i) for i, c in enumerate([*business.customers, *business.vendors], 1)}
        events: list[tuple[Any, int, str]] = []
        events += [(d.date, 0, d.key) for d in business.invoices]
        events += [(d.date, 1, d.key) for d in business.credit_notes]
        events += [(d.date, 2, f"apply-{d.key}") for d in business.credit_notes]
        events += [(d.date, 3, d.key) for d in business.bills]
        events += [(p.date, 4, p.key) for p in business.payments]
        events += [(e.date, 5, e.key) for e in manual_entries(business)]
        self.txn = {key: str(100 + i) for i, (_d, _o, key) in enumerate(sorted(events))}


_DOCUMENT_TYPES = {"invoice": "Invoice", "credit_note": "CreditMemo", "bill": "Bill"}


def journal_entry_ids(business: Business) -> dict[str, str]:
    """Map each business journal entry key to the id of the ``journal_entries`` object Ledgerly's data gives it."""
    ids = LedgerlyIds(business)
    kinds = {p.key: "Payment" if p.kind == "received" else "BillPayment" for p in business.payments}
    result = {}
    for entry in business.journal_entries:
        if entry.source_type == "payment":
            source_type, key = kinds[entry.source_key or ""], entry.source_key or ""
        elif entry.source_type in _DOCUMENT_TYPES:
            source_type, key = _DOCUMENT_TYPES[entry.source_type], entry.source_key or ""
        else:
            source_type, key = "JournalEntry", entry.key
        result[entry.key] = common_id("journal_entries", KEY, f"{source_type}:{ids.txn[key]}")
    return result
