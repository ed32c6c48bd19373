"""SQL models of the owner's word on the books: notes on lines and differences (with history) and attestations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, CompanyHistory, UtcDateTime


class OwnerNote(Base):
    """The current note on one unmatched line or difference of a company."""

    __tablename__ = "owner_notes"
    __table_args__ = (UniqueConstraint("account_id", "subject_kind", "subject_id", name="uq_owner_notes_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(100))


class OwnerNoteChange(Base):
    """One change of a note: who, when, the old and the new reason and text."""

    __tablename__ = "owner_note_changes"
    __table_args__ = (Index("ix_owner_note_changes_note_at", "note_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("owner_notes.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    old_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    old_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_reason: Mapped[str] = mapped_column(String(40))
    new_text: Mapped[str | None] = mapped_column(Text, nullable=True)


class Attestation(CompanyHistory, Base):
    """The owner's statement at sharing, as the words shown to them; the newest one is the one in force."""

    __tablename__ = "owner_attestations"

    name: Mapped[str] = mapped_column(String(120))
    complete_through: Mapped[date] = mapped_column(Date())
    language: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
