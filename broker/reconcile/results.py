"""What matching returns: matches with their evidence, choices for the owner, and the result of one account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from broker.reconcile.lines import BankLine, LedgerLine


@dataclass(slots=True)  # not frozen: a frozen dataclass is eight times slower to make, and 100k lines make many
class Match:
    """Bank lines and ledger lines that belong together, how sure the broker is, and the evidence it read.

    ``near`` is empty for an exact match; otherwise the kind of difference (``fx_or_rounding``, ``sign_flip``,
    ``unbooked_fee``) and ``difference`` the bank total minus the ledger total.
    """

    bank_ids: tuple[str, ...]
    ledger_ids: tuple[str, ...]
    score: float
    kind: str
    reason: str
    evidence: tuple[str, ...] = ()
    near: str = ""
    difference: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the match as JSON-ready data."""
        return {
            "bank_ids": list(self.bank_ids),
            "ledger_ids": list(self.ledger_ids),
            "score": self.score,
            "kind": self.kind,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "near": self.near,
            "difference": self.difference,
        }


@dataclass(frozen=True, slots=True)
class Choice:
    """A bank line the evidence does not pair on its own, and the few matches the owner may choose among."""

    bank_ids: tuple[str, ...]
    question: str
    candidates: tuple[Match, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the choice as JSON-ready data."""
        return {
            "bank_ids": list(self.bank_ids),
            "question": self.question,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass
class MatchResult:
    """Suggested matches, choices for the owner, the lines left on each side (and outside the period), flags."""

    matches: list[Match]
    unmatched_bank: list[BankLine]
    unmatched_ledger: list[LedgerLine]
    summary: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    outside_bank: list[BankLine] = field(default_factory=list)
    outside_ledger: list[LedgerLine] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (dates as YYYY-MM-DD)."""

        def line(item: BankLine | LedgerLine) -> dict[str, Any]:
            data = {name: getattr(item, name) for name in item.__slots__}
            data["date"] = item.date.isoformat()
            return data

        return {
            "matches": [match.to_dict() for match in self.matches],
            "choices": [choice.to_dict() for choice in self.choices],
            "unmatched_bank": [line(item) for item in self.unmatched_bank],
            "unmatched_ledger": [line(item) for item in self.unmatched_ledger],
            "outside_period": {
                "bank": [line(item) for item in self.outside_bank],
                "ledger": [line(item) for item in self.outside_ledger],
            },
            "possible_duplicates": [{"ledger_id": a, "twin_id": b} for a, b in self.duplicates],
            "summary": self.summary,
        }


def money(cents: int, currency: str) -> str:
    """``-1,234.50 CAD``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d} {currency}".strip()


def days_text(n: int) -> str:
    """``same day``, ``1 day``, ``3 days``."""
    return "same day" if n == 0 else "1 day" if n == 1 else f"{n} days"
