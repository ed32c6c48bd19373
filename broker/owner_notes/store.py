"""The owner's word on the books without Flask: notes on lines and differences with history, and attestations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.errors import field_errors
from broker.lender.accounts import audit
from broker.owner_notes.models import Attestation, OwnerNote, OwnerNoteChange
from broker.storage.models import Account
from common.dates import iso

REASONS = ("cash_deposit_not_recorded", "personal_expense", "timing", "loan_disbursement", "other")
SUBJECT_KINDS = ("bank_line", "ledger_line", "difference")
MAX_TEXT = 500
HISTORY_PER_NOTE = 20
ATTESTATION_TEXT = {
    "en": "To the best of my knowledge these books are complete through {date}.",
    "fr": "À ma connaissance, cette comptabilité est complète jusqu'au {date}.",
}


def save_notes(
    session: Session, account: Account, items: Sequence[Mapping[str, Any]], *, actor: str, now: datetime
) -> dict[str, Any]:
    """Create or change notes (a same note again changes nothing); keep each change; return them all and the count.

    Two saves creating the same note at once: the loser's insert breaks the unique constraint; it starts over once
    and then finds the winner's row (a change on top of it, history kept).
    """
    try:
        return _save_notes(session, account, items, actor=actor, now=now)
    except IntegrityError:
        session.rollback()
        return _save_notes(session, account, items, actor=actor, now=now)


def _save_notes(
    session: Session, account: Account, items: Sequence[Mapping[str, Any]], *, actor: str, now: datetime
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        text = (item.get("text") or "").strip() or None
        if item["reason"] == "other" and not text:
            errors[f"notes.{index}.text"] = ["is required when the reason is other"]
    if errors:
        raise field_errors(errors)
    changed = 0
    for item in items:
        text = (item.get("text") or "").strip() or None
        row = session.scalars(
            select(OwnerNote).where(
                OwnerNote.account_id == account.id,
                OwnerNote.subject_kind == item["subject_kind"],
                OwnerNote.subject_id == item["subject_id"],
            )
        ).first()
        if row is not None and (row.reason, row.text) == (item["reason"], text):
            continue
        old = (row.reason, row.text) if row is not None else (None, None)
        if row is None:
            row = OwnerNote(
                account_id=account.id,
                subject_kind=item["subject_kind"],
                subject_id=item["subject_id"],
                reason=item["reason"],
                text=text,
                updated_at=now,
                updated_by=actor,
            )
            session.add(row)
            session.flush()
        else:
            row.reason, row.text, row.updated_at, row.updated_by = item["reason"], text, now, actor
        session.add(
            OwnerNoteChange(
                note_id=row.id,
                at=now,
                actor=actor,
                old_reason=old[0],
                old_text=old[1],
                new_reason=item["reason"],
                new_text=text,
            )
        )
        changed += 1
    if changed:
        audit(session, actor=actor, action="owner_notes.saved", at=now, account_id=account.id)
    session.commit()
    return {"changed": changed, "notes": list_notes(session, account)}


def list_notes(session: Session, account: Account) -> list[dict[str, Any]]:
    """Every note of the company with its recent history (newest change first)."""
    rows = list(session.scalars(select(OwnerNote).where(OwnerNote.account_id == account.id).order_by(OwnerNote.id)))
    result = []
    for row in rows:
        history = session.scalars(
            select(OwnerNoteChange)
            .where(OwnerNoteChange.note_id == row.id)
            .order_by(OwnerNoteChange.at.desc(), OwnerNoteChange.id.desc())
            .limit(HISTORY_PER_NOTE)
        )
        result.append(
            {
                "subject_kind": row.subject_kind,
                "subject_id": row.subject_id,
                "reason": row.reason,
                "text": row.text,
                "updated_at": iso(row.updated_at),
                "updated_by": row.updated_by,
                "history": [
                    {
                        "at": iso(c.at),
                        "actor": c.actor,
                        "old_reason": c.old_reason,
                        "old_text": c.old_text,
                        "new_reason": c.new_reason,
                        "new_text": c.new_text,
                    }
                    for c in history
                ],
            }
        )
    return result


def attest(
    session: Session,
    account: Account,
    *,
    name: str,
    complete_through: date,
    language: str,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Record the owner's attestation in the words shown to them; the newest one is the one in force."""
    if complete_through > now.date():
        raise field_errors({"complete_through": ["must not be in the future"]})
    row = Attestation(
        account_id=account.id,
        name=name.strip(),
        complete_through=complete_through,
        language=language,
        text=ATTESTATION_TEXT[language].format(date=complete_through.isoformat()),
        at=now,
        actor=actor,
    )
    session.add(row)
    audit(session, actor=actor, action="owner.attested", at=now, account_id=account.id)
    session.commit()
    return attestation_view(row)


def attestation_view(row: Attestation) -> dict[str, Any]:
    return {
        "name": row.name,
        "complete_through": row.complete_through.isoformat(),
        "language": row.language,
        "text": row.text,
        "at": iso(row.at),
        "actor": row.actor,
    }


def latest_attestation(session: Session, account: Account) -> Attestation | None:
    """The attestation in force (the newest), if the owner gave one."""
    query = (
        select(Attestation)
        .where(Attestation.account_id == account.id)
        .order_by(Attestation.at.desc(), Attestation.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def for_reconciliation(session: Session, account: Account) -> dict[str, Any]:
    """What the lender's reconciliation answer adds: ``owner_notes`` and ``attestation`` (or null)."""
    latest = latest_attestation(session, account)
    return {
        "owner_notes": list_notes(session, account),
        "attestation": attestation_view(latest) if latest is not None else None,
    }
