"""Helpers every simulated app uses: stable vendor-style ids, money conversions, raw record listing, ledger views."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.fixtures.business import Business, JournalEntry
from sandbox.fixtures.model import RawRecord

Raw = dict[str, list[dict[str, Any]]]
# The common-model objects an accounting app supplies (both simulated accounting apps supply them all).
ACCOUNTING_OBJECTS = (
    "accounts",
    "customers",
    "vendors",
    "invoices",
    "bills",
    "payments",
    "credit_notes",
    "journal_entries",
    "trial_balances",
)
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def stable_uuid(*parts: str) -> str:
    """A GUID that is always the same for the same parts (apps' ids must survive re-syncs)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def stable_token(*parts: str, length: int = 24) -> str:
    """A base62 token that is always the same for the same parts."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, 62)
        chars.append(_BASE62[index])
    return "".join(chars)


def stable_int(*parts: str, digits: int = 9) -> int:
    """A positive integer of ``digits`` digits that is always the same for the same parts."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    low = 10 ** (digits - 1)
    return low + int.from_bytes(digest[:8], "big") % (9 * low)


def number(cents: int) -> float:
    """Cents as the decimal number a JSON API sends (12345 -> 123.45)."""
    return cents / 100


def text(cents: int) -> str:
    """Cents as a decimal string with two places (12345 -> "123.45")."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def cents(value: Any) -> int:
    """Parse a decimal amount (number or string, "" meaning zero) into integer cents, refusing fractions of a cent."""
    if value is None or value == "":
        return 0
    try:
        amount = Decimal(str(value)) * 100
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if amount != amount.to_integral_value():
        raise ValueError(f"{value!r} has fractions of a cent")
    return int(amount)


def midnight(day: date) -> datetime:
    """The UTC instant at the start of ``day``."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def unix(day: date, seconds: int = 0) -> int:
    """Unix seconds of ``day`` at midnight UTC plus ``seconds``."""
    return int(midnight(day).timestamp()) + seconds


def instant(day: date, seconds: int = 0) -> str:
    """``2021-05-13T05:03:23Z`` for ``day`` at midnight UTC plus ``seconds``."""
    moment = datetime.fromtimestamp(unix(day, seconds), UTC)
    return moment.isoformat().replace("+00:00", "Z")


def raw_records(
    raw: Mapping[str, Iterable[dict[str, Any]]], id_of: Mapping[str, Callable[[dict[str, Any]], Any]]
) -> list[RawRecord]:
    """List an app's raw records, each with its resource name and the id the app gives it."""
    records: list[RawRecord] = []
    for resource, items in raw.items():
        get_id = id_of.get(resource)
        if get_id is None:
            raise ValueError(f"unknown resource {resource!r}")
        records.extend(RawRecord(resource, str(get_id(item)), item) for item in items)
    return records


def classify_memo(memo: str) -> str:
    """The common ``source_type`` of a manual journal, from the words the business uses in its memo."""
    lowered = memo.strip().lower()
    if lowered.startswith("opening balance"):
        return "opening_balance"
    if lowered.startswith("payroll run"):
        return "payroll"
    if lowered.startswith("shopwave payout"):
        return "payout"
    return "manual"


DOCUMENT_SOURCES = frozenset({"invoice", "bill", "payment", "credit_note"})


def manual_entries(business: Business) -> list[JournalEntry]:
    """Entries that an accounting app holds as manual journals (everything not posted by a document)."""
    return [entry for entry in business.journal_entries if entry.source_type not in DOCUMENT_SOURCES]


def month_end_balances(business: Business) -> list[tuple[date, date, dict[str, int]]]:
    """Cumulative balance of every account at the end of each month: (month start, month end, {code: cents})."""
    result: list[tuple[date, date, dict[str, int]]] = []
    balances: dict[str, int] = {}
    entries = business.journal_entries
    index = 0
    first = business.start
    while first <= business.end:
        next_month = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(next_month.toordinal() - 1, business.end.toordinal())
        last_day = date.fromordinal(last)
        while index < len(entries) and entries[index].date <= last_day:
            for line in entries[index].lines:
                balances[line.account_code] = balances.get(line.account_code, 0) + line.amount
            index += 1
        result.append((first, last_day, {code: amount for code, amount in balances.items() if amount}))
        first = next_month
    return result
