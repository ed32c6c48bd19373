"""SQLAlchemy model of a link session's life: its public id, mode, step reached, steps done, resume and success."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from broker.storage.models import Base, UtcDateTime


class LinkSessionRecord(Base):
    """One widget session (one link token): what the owner reached and did, and how it ended.

    ``id`` is the public ``link_session_id`` the frame's success answer carries; the token id (``jti``) stays
    server-side. ``apps_carried`` holds, as JSON, the apps connected in the sessions this one resumed.
    """

    __tablename__ = "link_session_records"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    jti: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(40), ForeignKey("clients.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # create or update
    integration: Mapped[str | None] = mapped_column(String(64), nullable=True)  # update mode's app
    step: Mapped[str] = mapped_column(String(32))
    steps_done: Mapped[str] = mapped_column(String(200), default="")  # space-separated
    apps_carried: Mapped[str] = mapped_column(Text, default="[]")
    resumed_from: Mapped[str | None] = mapped_column(String(40), nullable=True)
    resumed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    coverage: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON of the check at success
    status_reads: Mapped[int] = mapped_column(Integer, default=0)  # reads of the status after success
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    exited_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    succeeded_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
