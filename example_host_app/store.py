"""The host's own small database: its companies, the webhook events it received and its reconnect links."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, Text, create_engine, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Company(Base):
    """A company this lender created through the broker."""

    __tablename__ = "companies"

    account_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    linked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebhookEvent(Base):
    """A webhook event from the broker whose signature checked out; the id makes replays harmless."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    account_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    payload: Mapped[str] = mapped_column(Text)


class ReconnectRequest(Base):
    """A link the credit team gave an owner to reconnect one app; its id is the link's secret part.

    The update-mode link token minted for it is kept here (the lender's backend) and refreshed when it is near its end:
    it reaches the owner's browser only through the page's POST, never in a URL.
    """

    __tablename__ = "reconnect_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(128))
    integration: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    link_token: Mapped[str] = mapped_column(Text)
    token_expires_at: Mapped[str] = mapped_column(String(40))


class Store:
    """One engine for the host app; every method opens and commits its own short session."""

    def __init__(self, url: str) -> None:
        sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, connect_args={"check_same_thread": False} if sqlite else {})
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_wal)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()

    def add_company(self, account_key: str, name: str, email: str) -> Company:
        """Remember a company (idempotent on its account key)."""
        with self.sessions() as session:
            found = session.get(Company, account_key)
            if found is None:
                found = Company(account_key=account_key, name=name, email=email, created_at=_now())
                session.add(found)
                session.commit()
            return found

    def companies(self) -> list[Company]:
        """Every company, newest first."""
        with self.sessions() as session:
            return list(session.scalars(select(Company).order_by(Company.created_at.desc())))

    def company(self, account_key: str) -> Company | None:
        """One company by account key."""
        with self.sessions() as session:
            return session.get(Company, account_key)

    def mark_linked(self, account_key: str) -> None:
        """Note that the applicant finished the widget (from a link.succeeded webhook)."""
        with self.sessions() as session:
            found = session.get(Company, account_key)
            if found is not None and found.linked_at is None:
                found.linked_at = _now()
                session.commit()

    def add_event(self, event: dict[str, Any]) -> bool:
        """Record a verified event; return False when its id was seen before (a replay or a redelivery)."""
        with self.sessions() as session:
            session.add(
                WebhookEvent(
                    id=str(event["id"])[:64],
                    type=str(event.get("type", ""))[:64],
                    account_key=event.get("account_key") if isinstance(event.get("account_key"), str) else None,
                    created=str(event.get("created", ""))[:40],
                    received_at=_now(),
                    payload=json.dumps(event, indent=2, sort_keys=True),
                )
            )
            try:
                session.commit()
            except IntegrityError:
                return False
            return True

    def events(self, account_key: str | None = None, limit: int = 200) -> list[WebhookEvent]:
        """The latest events, newest first (one company's when ``account_key`` is given)."""
        query = select(WebhookEvent).order_by(WebhookEvent.received_at.desc(), WebhookEvent.id).limit(limit)
        if account_key is not None:
            query = query.where(WebhookEvent.account_key == account_key)
        with self.sessions() as session:
            return list(session.scalars(query))

    def add_reconnect(self, account_key: str, integration: str, link_token: str, expires_at: str) -> ReconnectRequest:
        """Remember a reconnect link for one app of a company, with the update-mode token minted for it."""
        row = ReconnectRequest(
            id=secrets.token_urlsafe(24),
            account_key=account_key,
            integration=integration,
            created_at=_now(),
            link_token=link_token,
            token_expires_at=expires_at,
        )
        with self.sessions() as session:
            session.add(row)
            session.commit()
        return row

    def reconnect(self, request_id: str) -> ReconnectRequest | None:
        """One reconnect link by its id."""
        with self.sessions() as session:
            return session.get(ReconnectRequest, request_id[:64])

    def latest_reconnects(self, account_key: str) -> dict[str, ReconnectRequest]:
        """The newest reconnect link of each app of a company."""
        query = select(ReconnectRequest).where(ReconnectRequest.account_key == account_key)
        with self.sessions() as session:
            rows = session.scalars(query.order_by(ReconnectRequest.created_at))
            return {row.integration: row for row in rows}

    def refresh_reconnect(self, request_id: str, link_token: str, expires_at: str) -> None:
        """Keep a freshly minted token for a reconnect link (the one before ran out)."""
        with self.sessions() as session:
            row = session.get(ReconnectRequest, request_id)
            if row is not None:
                row.link_token, row.token_expires_at = link_token, expires_at
                session.commit()


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
