"""SQL models of consents: the lender's stated terms per company and the receipts issued when the owner shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, UtcDateTime


class ConsentTerms(Base):
    """What the lender states for one company: the purpose and when access ends; and the company's opaque reference."""

    __tablename__ = "consent_terms"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    company_ref: Mapped[str] = mapped_column(String(40), unique=True)  # what receipts name instead of the account key
    purpose: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ConsentReceipt(Base):
    """One receipt: its signed JWS, the claims it states, the secret behind its page link, and its revocation."""

    __tablename__ = "consent_receipts"
    __table_args__ = (Index("ix_consent_receipts_account_issued", "account_id", "issued_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    link_jti: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kid: Mapped[str] = mapped_column(String(64))
    receipt: Mapped[str] = mapped_column(Text)
    claims: Mapped[str] = mapped_column(Text)  # JSON, the same as the JWS payload
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    access_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    link_nonce: Mapped[str] = mapped_column(String(64))  # in the signed page link; rotating it kills old links
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    disconnected: Mapped[str | None] = mapped_column(
        Text, nullable=True
    )  # JSON {"disconnected": [...], "failed": [...]}


__all__ = ["ConsentReceipt", "ConsentTerms"]
