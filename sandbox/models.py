"""The sandbox's tables: company accounts, embed tokens, allowed origins, connections, normalized data, raw records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the sandbox's own metadata (separate from the broker's)."""


class Company(Base):
    """A company account provisioned through the Administration API."""

    __tablename__ = "companies"
    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    subdomain: Mapped[str] = mapped_column(String(63), unique=True)
    email_admin: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(32), default="standard")
    datashare: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EmbedToken(Base):
    """A one-hour, single-use embed token; only its SHA-256 is stored."""

    __tablename__ = "embed_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    observe: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AllowedUrl(Base):
    """An origin the tenant allows to embed the connect flow and receive its redirects."""

    __tablename__ = "allowed_urls"
    __table_args__ = (UniqueConstraint("url", "environment"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048))
    environment: Mapped[str] = mapped_column(String(32), default="sandbox")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Connection(Base):
    """One app connected to one company; reconnecting reuses the row."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("account_key", "integration"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(ForeignKey("companies.account_key"))
    integration: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="syncing")
    sync_progress: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_full_sync: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The app's OAuth tokens (issued by the simulated app to the sandbox's connector); never leave the sandbox.
    credentials: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    scale: Mapped[float] = mapped_column(Float, default=1.0)


class DataObject(Base):
    """One normalized common-model object; ``seq`` is its dense position in its collection for O(1) pages."""

    __tablename__ = "data_objects"
    __table_args__ = (
        Index("ix_objects_seq", "account_key", "object_type", "seq"),
        Index("ix_objects_date", "account_key", "object_type", "date"),
        Index("ix_objects_connection", "connection_id"),
    )
    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer, default=0)
    date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    source_record_id: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)


class SourceRecord(Base):
    """A raw record exactly as the simulated app returned it."""

    __tablename__ = "source_records"
    __table_args__ = (Index("ix_source_connection", "connection_id"),)
    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[str] = mapped_column(String(64))
    integration: Mapped[str] = mapped_column(String(64))
    source_type: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    retrieved: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raw: Mapped[str] = mapped_column(Text)


class WebhookEndpoint(Base):
    """A tenant URL that receives signed webhooks."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebhookDelivery(Base):
    """One event to one endpoint: stored before sending so that a restart loses nothing."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "next_attempt"),)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AppClient(Base):
    """An OAuth client registered at one simulated app (the sandbox's connector); only the secret's hash is kept."""

    __tablename__ = "app_clients"
    app: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class _AppUser:
    """Who signs in to a simulated app (or the bank), and the organisation (company subdomain) whose data they share:
    the columns of the apps' ``AppUser``."""

    username: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(63))


class _AppGrant(_AppUser):
    """What a simulated app granted, shared by its codes and tokens: to which client, for which user and
    organisation, with what scope."""

    app: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(500))


class AppAuthorizationCode(_AppGrant, Base):
    """A short-lived authorization code of a simulated app, bound to its client, redirect URI and PKCE challenge."""

    __tablename__ = "app_authorization_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    redirect_uri: Mapped[str] = mapped_column(String(2048))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[int] = mapped_column(Integer)


class AppToken(_AppGrant, Base):
    """An access (and refresh) token a simulated app issued; tokens are stored as SHA-256 hashes only."""

    __tablename__ = "app_tokens"
    __table_args__ = (Index("ix_app_tokens_org", "app", "organisation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    issued_at: Mapped[int] = mapped_column(Integer)
    expires_in: Mapped[int] = mapped_column(Integer)
    refresh_expires_at: Mapped[int] = mapped_column(Integer, default=0)
    access_revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    refresh_revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class BankChallenge(_AppUser, Base):
    """A one-time-code step of the bank's sign-in: the code's hash, its expiry and the wrong attempts so far."""

    __tablename__ = "bank_challenges"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)


class BankLoginFailure(Base):
    """Wrong passwords in a row for one bank user; enough of them lock the user for a while."""

    __tablename__ = "bank_login_failures"
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int] = mapped_column(Integer, default=0)


class ConnectSession(Base):
    """One run of the connect flow in a browser: which company and app, where to send the user back, OAuth secrets."""

    __tablename__ = "connect_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    integration: Mapped[str] = mapped_column(String(64))
    tenant_state: Mapped[str] = mapped_column(String(500))
    redirect: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    oauth_state: Mapped[str | None] = mapped_column(String(128), nullable=True)
    code_verifier: Mapped[str | None] = mapped_column(String(128), nullable=True)
    challenge_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class UploadedFile(Base):
    """A CSV file accepted by the upload app, kept so that a re-sync rebuilds the same objects."""

    __tablename__ = "uploaded_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)
    uploaded: Mapped[datetime] = mapped_column(DateTime(timezone=True))
