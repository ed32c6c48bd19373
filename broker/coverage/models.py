"""SQLAlchemy model of a lender's coverage requirements: the minimums a company's data must meet before success."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, UtcDateTime


class CoverageRequirements(Base):
    """Per broker client: months of books and of bank data, share of balances mapped, reliable-through required."""

    __tablename__ = "coverage_requirements"

    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), primary_key=True)
    books_months: Mapped[int] = mapped_column(Integer)
    bank_months: Mapped[int] = mapped_column(Integer)
    mapped_percent: Mapped[float] = mapped_column(Float)
    reliable_through_required: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
