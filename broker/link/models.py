"""SQLAlchemy models of the widget's link flow: one row per widget session and one per attempt to connect an app."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, UtcDateTime


class LinkSession(Base):
    """A widget session, keyed by its link token's id: when it opened and when the owner finished it."""

    __tablename__ = "link_sessions"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class LinkAttempt(Base):
    """One try at connecting one app, bound to the session's token id; ``state`` is stored only as a hash."""

    __tablename__ = "link_attempts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    integration: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # popup, credentials, upload
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, connected, denied, error, expired
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The upstream's reference for the next step of a credentials sign-in (retry session or MFA challenge).
    upstream_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
