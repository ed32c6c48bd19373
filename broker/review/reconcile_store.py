"""The reconciliation of one company: bank against ledger per account and month, the owner's decisions, the result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.errors import ReconciliationNotCompleted, Unprocessable
from broker.reconcile import (
    BankLine,
    Choice,
    LedgerLine,
    Match,
)
from broker.review.books import Books
from broker.review.mapping_store import commit_or_conflict
from broker.review.models import MatchDecision, ReconciliationChange, ReconciliationState
from broker.review.reconciliation import AccountReconciliation, compute, match_key, match_type
from broker.storage.models import Account
from common.dates import iso

DECISIONS = ("confirmed", "rejected")
MAX_DECISIONS = 2000
HISTORY_SHOWN = 200


def _confirmed(decisions: Mapping[str, MatchDecision]) -> list[MatchDecision]:
    return [row for row in decisions.values() if row.decision == "confirmed"]


def decisions_of(session: Session, account: Account) -> dict[str, MatchDecision]:
    """The owner's decisions by match key."""
    rows = session.scalars(select(MatchDecision).where(MatchDecision.account_id == account.id))
    return {row.match_key: row for row in rows}


def _bank_line(line: BankLine) -> dict[str, Any]:
    return {"id": line.id, "date": line.date.isoformat(), "amount": line.amount, "currency": line.currency} | {
        "description": line.description
    }


def _ledger_line(line: LedgerLine) -> dict[str, Any]:
    return {"id": line.id, "date": line.date.isoformat(), "amount": line.amount, "currency": line.currency} | {
        "memo": line.memo,
        "source_type": line.source_type,
    }


def _match_view(match: Match, item: AccountReconciliation, decisions: Mapping[str, MatchDecision]) -> dict[str, Any]:
    banks = {line.id: line for line in item.bank_lines}
    ledgers = {line.id: line for line in item.ledger_lines}
    key = match_key(match.bank_ids, match.ledger_ids)
    found = decisions.get(key)
    bank = [banks[i] for i in match.bank_ids]
    return (
        {"key": key, "kind": match.kind, "score": match.score, "reason": match.reason}
        | {
            "match_type": match_type(match),
            "evidence": list(match.evidence),
            "near": match.near or None,
            "difference": match.difference,
        }
        | {
            "amount": sum(line.amount for line in bank),
            "currency": bank[0].currency if bank else "",
            "date": min(line.date for line in bank).isoformat() if bank else None,
            "decision": found.decision if found else "pending",
            "bank": [_bank_line(line) for line in bank],
            "ledger": [_ledger_line(ledgers[j]) for j in match.ledger_ids],
        }
    )


def _choice_view(choice: Choice, item: AccountReconciliation, decisions: Mapping[str, MatchDecision]) -> dict[str, Any]:
    banks = {line.id: line for line in item.bank_lines}
    return {
        "bank": [_bank_line(banks[i]) for i in choice.bank_ids],
        "question": choice.question,
        "candidates": [_match_view(m, item, decisions) for m in choice.candidates],
    }


def _account_head(item: AccountReconciliation) -> dict[str, Any]:
    bank, ledger = item.bank_account, item.ledger_account
    return {
        "bank_account_id": str(bank.get("id")),
        "name": bank.get("name"),
        "institution": bank.get("institution"),
        "account_number_last4": bank.get("account_number_last4"),
        "currency": bank.get("currency"),
        "ledger_account_id": str(ledger.get("id")) if ledger else None,
        "ledger_account_name": ledger.get("name") if ledger else None,
        "paired": ledger is not None,
    }


def _state(session: Session, account: Account) -> ReconciliationState | None:
    return session.get(ReconciliationState, account.id)


def _suggested_reliable_through(results: Sequence[AccountReconciliation]) -> str | None:
    """The last month end at which every paired account's bank and ledger closing balances agree."""
    ends: dict[str, bool] = {}
    for item in results:
        if item.ledger_account is None:
            continue
        for row in item.months:
            ends[row.month] = ends.get(row.month, True) and row.closing_difference == 0
    agreed = [month for month in sorted(ends) if ends[month]]
    if not agreed:
        return None
    year, number = int(agreed[-1][:4]), int(agreed[-1][5:])
    return (date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)).isoformat()


def widget_view(session: Session, account: Account, books: Books, month: str | None) -> dict[str, Any]:
    """What the reconcile step shows for one month: balances, suggested matches, unmatched lines, per bank account."""
    decisions = decisions_of(session, account)
    results = compute(books, _confirmed(decisions))
    months = sorted({row.month for item in results for row in item.months})
    chosen = month if month in months else (months[-1] if months else None)
    state = _state(session, account)
    accounts = []
    for item in results:
        in_month = lambda day: chosen is not None and day.isoformat()[:7] == chosen  # noqa: E731
        balance = next((row.to_dict() for row in item.months if row.month == chosen), None)
        matches = [
            _match_view(m, item, decisions)
            for m in item.matches
            if in_month(min(line.date for line in item.bank_lines if line.id in m.bank_ids))
        ]
        bank_dates = {line.id: line.date for line in item.bank_lines}
        held = {i for c in item.choices for i in c.bank_ids}
        accounts.append(
            _account_head(item)
            | {"balance": balance, "matches": matches}
            | {
                "choices": [
                    _choice_view(c, item, decisions) for c in item.choices if in_month(bank_dates[c.bank_ids[0]])
                ],
                "unmatched_bank": [
                    _bank_line(line) for line in item.unmatched_bank if in_month(line.date) and line.id not in held
                ],
                "unmatched_ledger": [_ledger_line(line) for line in item.unmatched_ledger if in_month(line.date)],
                "outside_period": {
                    "bank": [_bank_line(line) for line in item.outside_bank if in_month(line.date)],
                    "ledger": [_ledger_line(line) for line in item.outside_ledger if in_month(line.date)],
                },
                "possible_duplicates": [{"ledger_id": a, "twin_id": b} for a, b in item.duplicates],
            }
        )
    return {
        "months": months,
        "month": chosen,
        "accounts": accounts,
        "summary": _summary(results, decisions),
        "reliable_through": state.reliable_through.isoformat() if state and state.reliable_through else None,
        "suggested_reliable_through": _suggested_reliable_through(results),
        "completed_at": iso(state.completed_at) if state and state.completed_at else None,
    }


def _summary(results: Sequence[AccountReconciliation], decisions: Mapping[str, MatchDecision]) -> dict[str, Any]:
    lines = amount = matched = matched_amount = confirmed = rejected = total = 0
    by_type = {"exact": 0, "near": 0, "chosen": 0}
    choices = outside = duplicates = 0
    for item in results:
        amounts = {line.id: line.amount for line in item.bank_lines}
        outside_ids = {line.id for line in item.outside_bank}
        lines += len(amounts) - len(outside_ids)
        amount += sum(abs(a) for i, a in amounts.items() if i not in outside_ids)
        choices += len(item.choices)
        outside += len(outside_ids)
        duplicates += len(item.duplicates)
        for match in item.matches:
            total += 1
            found = decisions.get(match_key(match.bank_ids, match.ledger_ids))
            if found is not None and found.decision == "rejected":
                rejected += 1
                continue
            confirmed += 1 if found is not None else 0
            by_type[match_type(match)] += 1
            matched += len(match.bank_ids)
            matched_amount += sum(abs(amounts[i]) for i in match.bank_ids)
    return {
        "bank_lines": lines,
        "matched_lines": matched,
        "matches": total,
        "confirmed": confirmed,
        "rejected": rejected,
        "pending": total - confirmed - rejected,
        "match_rate": {
            "count": round(matched / lines, 4) if lines else None,
            "amount": round(matched_amount / amount, 4) if amount else None,
        },
        "by_type": by_type,
        "choices": choices,
        "outside_period": outside,
        "possible_duplicates": duplicates,
    }


def save_decisions(
    session: Session,
    account: Account,
    books: Books,
    decisions: Sequence[Mapping[str, Any]],
    reliable_through: date | None,
    *,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Record decisions on suggested matches and the reliable-through date; idempotent; commit before answering.

    A decision must name a match the broker suggests now (its exact lines). Stating ``reliable_through``
    completes the reconciliation. Returns ``changed``, the summary and whether it was completed now.
    """
    existing = decisions_of(session, account)
    results = compute(books, _confirmed(existing))
    suggested = {match_key(m.bank_ids, m.ledger_ids): m for item in results for m in item.matches}
    # A candidate among which the owner chooses may be confirmed too (it then becomes an owner-chosen match).
    for result in results:
        for choice in result.choices:
            for m in choice.candidates:
                suggested.setdefault(match_key(m.bank_ids, m.ledger_ids), m)
    problems: dict[str, list[str]] = {}
    for n, item in enumerate(decisions):
        if match_key(item["bank_ids"], item["ledger_ids"]) not in suggested:
            problems[f"decisions.{n}"] = ["is not a match or a candidate the broker suggests for this company"]
    if reliable_through is not None and reliable_through > now.date():
        problems["reliable_through"] = ["must not be in the future"]
    if problems:
        raise Unprocessable("Some decisions are not valid.", details={"fields": problems})
    changed = 0
    repinned = False  # whether an owner-chosen match was made or undone: then the rest is matched again
    for item in decisions:
        match = suggested[match_key(item["bank_ids"], item["ledger_ids"])]
        key = match_key(match.bank_ids, match.ledger_ids)
        row = existing.get(key)
        if row is not None and row.decision == item["decision"]:
            continue
        changed += 1
        repinned = repinned or match.kind in ("candidate", "chosen")
        session.add(
            ReconciliationChange(
                account_id=account.id,
                kind="decision",
                match_key=key,
                old_value=row.decision if row else None,
                new_value=item["decision"],
                at=now,
                actor=actor,
            )
        )
        if row is None:
            row = MatchDecision(
                account_id=account.id,
                match_key=key,
                bank_ids=" ".join(match.bank_ids),
                ledger_ids=" ".join(match.ledger_ids),
                decision=item["decision"],
                decided_at=now,
                decided_by=actor,
            )
            session.add(row)
            existing[key] = row
        else:
            row.decision, row.decided_at, row.decided_by = item["decision"], now, actor
    state = _state(session, account)
    if reliable_through is not None:
        if state is None:
            state = ReconciliationState(account_id=account.id)
            session.add(state)
        old = state.reliable_through.isoformat() if state.reliable_through else None
        if old != reliable_through.isoformat():
            session.add(
                ReconciliationChange(
                    account_id=account.id,
                    kind="reliable_through",
                    old_value=old,
                    new_value=reliable_through.isoformat(),
                    at=now,
                    actor=actor,
                )
            )
        state.reliable_through, state.completed_at, state.completed_by = reliable_through, now, actor
    commit_or_conflict(session)
    return {
        "changed": changed,
        "summary": _summary(compute(books, _confirmed(existing)) if repinned else results, existing),
        "reliable_through": state.reliable_through.isoformat() if state and state.reliable_through else None,
        "completed": reliable_through is not None,
        "completed_at": iso(state.completed_at) if state and state.completed_at else None,
    }


def lender_view(session: Session, account: Account, books: Books) -> dict[str, Any]:
    """The reconciliation as the lender reads it: match rates, unexplained differences, reliable-through, decisions."""
    state = _state(session, account)
    if state is None or state.completed_at is None:
        raise ReconciliationNotCompleted()
    decisions = decisions_of(session, account)
    results = compute(books, _confirmed(decisions))
    summary = _summary(results, decisions)
    differences = []
    for item in results:
        for row in item.months:
            if row.closing_difference == 0:
                continue
            bank = [line.amount for line in item.unmatched_bank if line.date.isoformat()[:7] == row.month]
            ledger = [line.amount for line in item.unmatched_ledger if line.date.isoformat()[:7] == row.month]
            differences.append(
                row.to_dict()
                | {
                    "unmatched_bank": {"count": len(bank), "amount": sum(bank)},
                    "unmatched_ledger": {"count": len(ledger), "amount": sum(ledger)},
                }
                | {
                    "reason": "bank account not paired with a ledger account"
                    if item.ledger_account is None
                    else f"{len(bank)} bank and {len(ledger)} ledger lines unmatched this month"
                    if bank or ledger
                    else "carried over from earlier months (lines matched across a month end, or unmatched before)"
                }
            )
    history = session.scalars(
        select(ReconciliationChange)
        .where(ReconciliationChange.account_id == account.id)
        .order_by(ReconciliationChange.at.desc(), ReconciliationChange.id.desc())
        .limit(HISTORY_SHOWN)
    )
    return {
        "account_key": account.account_key,
        "reliable_through": state.reliable_through.isoformat() if state.reliable_through else None,
        "completed_at": iso(state.completed_at),
        "completed_by": state.completed_by,
        "match_rate": summary["match_rate"],
        "summary": summary,
        "accounts": [_account_head(item) | {"months": [row.to_dict() for row in item.months]} for item in results],
        "unexplained_differences": differences,
        "decisions": [
            {"decision": row.decision, "bank_ids": row.bank_ids.split(), "ledger_ids": row.ledger_ids.split()}
            | {"decided_at": iso(row.decided_at), "decided_by": row.decided_by}
            for row in sorted(decisions.values(), key=lambda r: (r.decided_at, r.id))
        ],
        "history": [
            {"kind": c.kind, "old": c.old_value, "new": c.new_value, "at": iso(c.at), "actor": c.actor} for c in history
        ],
        "unmatched_bank": [_bank_line(line) for item in results for line in item.unmatched_bank],
        "unmatched_ledger": [_ledger_line(line) for item in results for line in item.unmatched_ledger],
        "near_matches": [
            {"bank_ids": list(m.bank_ids), "ledger_ids": list(m.ledger_ids), "near": m.near}
            | {"difference": m.difference, "reason": m.reason}
            for item in results
            for m in item.matches
            if m.near
        ],
        "chosen_matches": [
            {"bank_ids": list(m.bank_ids), "ledger_ids": list(m.ledger_ids)}
            for item in results
            for m in item.matches
            if m.kind == "chosen"
        ],
        "open_choices": [
            {"bank_ids": list(c.bank_ids), "question": c.question, "candidates": len(c.candidates)}
            for item in results
            for c in item.choices
        ],
        "outside_period": {
            "bank": [_bank_line(line) for item in results for line in item.outside_bank],
            "ledger": [_ledger_line(line) for item in results for line in item.outside_ledger],
        },
        "possible_duplicates": [{"ledger_id": a, "twin_id": b} for item in results for a, b in item.duplicates],
    }
