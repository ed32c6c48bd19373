"""SQLAlchemy models of the owner's review: standard charts, saved mappings, reconciliation decisions, their history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, CompanyHistory, UtcDateTime


class StandardChartRow(Base):
    """A lender's own standard chart (JSON as ``StandardChart.to_dict`` gives it); without a row the default applies."""

    __tablename__ = "standard_charts"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    chart: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AccountMapping(Base):
    """One source account of one company mapped to one category, as the owner last saved it."""

    __tablename__ = "account_mappings"
    __table_args__ = (
        UniqueConstraint("account_id", "source_account_id", name="uq_account_mappings_account_source"),
        Index("ix_account_mappings_learning", "learning_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    source_account_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))
    learning_key: Mapped[str] = mapped_column(String(200))  # the source account's normalized name
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())
    saved_by: Mapped[str] = mapped_column(String(100))  # "link:<jti>"


class MappingChange(CompanyHistory, Base):
    """History of mappings: who changed which account from which category to which, when."""

    __tablename__ = "mapping_changes"

    source_account_id: Mapped[str] = mapped_column(String(64))
    old_category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    new_category: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MatchDecision(Base):
    """The owner's decision on one suggested match, keyed by its sorted line ids (saving twice is one row)."""

    __tablename__ = "match_decisions"
    __table_args__ = (UniqueConstraint("account_id", "match_key", name="uq_match_decisions_account_match"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    match_key: Mapped[str] = mapped_column(String(64))  # sha256 of the line ids
    bank_ids: Mapped[str] = mapped_column(Text)  # space-separated
    ledger_ids: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16))  # confirmed, rejected
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(100))


class ReconciliationChange(CompanyHistory, Base):
    """History of the reconciliation: each decision made or changed, and each reliable-through date stated."""

    __tablename__ = "reconciliation_changes"

    kind: Mapped[str] = mapped_column(String(20))  # decision, reliable_through
    match_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    old_value: Mapped[str | None] = mapped_column(String(16), nullable=True)
    new_value: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReconciliationState(Base):
    """Per company: the date through which the owner says the data is reliable, and when they finished."""

    __tablename__ = "reconciliation_states"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    reliable_through: Mapped[date | None] = mapped_column(Date(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
