"""Company accounts, embed tokens and allowed embed origins of the tenant (the Administration API's state)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from common.dates import iso, utcnow
from common.pagination import PAGE_SIZE
from sandbox.db import Database
from sandbox.errors import InvalidParameter, SubdomainTaken, UnknownAccount
from sandbox.models import AllowedUrl, Company, EmbedToken

SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a bearer-style token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def company_row(company: Company, root_domain: str) -> dict[str, Any]:
    """Render a company account as the Administration API lists it (never with its password)."""
    return {
        "account_key": company.account_key,
        "name": company.name,
        "subdomain": company.subdomain,
        "account_domain": f"{company.subdomain}.{root_domain}",
        "email_admin": company.email_admin,
        "type": company.type,
        "datashare": company.datashare,
        "created": iso(company.created),
    }


def create_company(
    db: Database,
    *,
    name: str,
    email_admin: str,
    password: str,
    subdomain: str,
    type_: str,
    datashare: bool,
    root_domain: str,
) -> dict[str, Any]:
    """Provision a company account; a taken subdomain raises ``SubdomainTaken``."""
    subdomain = subdomain.lower()
    if not SUBDOMAIN.match(subdomain):
        raise InvalidParameter("subdomain must be 1-63 letters, digits or hyphens, not starting or ending with '-'.")
    company = Company(
        account_key=secrets.token_hex(16),
        name=name,
        subdomain=subdomain,
        email_admin=email_admin,
        password_hash=generate_password_hash(password),
        type=type_,
        datashare=datashare,
        created=utcnow(),
    )
    try:
        with db.session() as session:
            session.add(company)
    except IntegrityError:
        raise SubdomainTaken() from None
    return {
        "account_domain": f"{subdomain}.{root_domain}",
        "subdomain": subdomain,
        "account_key": company.account_key,
    }


def get_company(db: Database, account_key: str) -> Company:
    """Return the company with that key or raise ``UnknownAccount``."""
    with db.session() as session:
        company = session.get(Company, account_key)
    if company is None:
        raise UnknownAccount()
    return company


def shares_data(db: Database, account_key: str) -> bool:
    """Whether the company exists and shares data with the tenant (one column read, at every Data API call)."""
    with db.session() as session:
        return bool(session.scalar(select(Company.datashare).where(Company.account_key == account_key)))


def list_companies(db: Database, page: int, root_domain: str) -> list[dict[str, Any]]:
    """Return one page (30) of company accounts, oldest first."""
    with db.session() as session:
        rows = session.scalars(
            select(Company)
            .order_by(Company.created, Company.account_key)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
    return [company_row(c, root_domain) for c in rows]


def count_companies(db: Database) -> int:
    """Return how many company accounts the tenant has."""
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Company)) or 0)


def issue_embed_token(db: Database, account_key: str | None, *, observe: bool, ttl_seconds: int) -> str:
    """Create a single-use embed token valid ``ttl_seconds``; only its hash is kept."""
    if account_key is not None:
        get_company(db, account_key)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as session:
        session.add(
            EmbedToken(
                token_hash=hash_token(token),
                account_key=account_key,
                observe=observe,
                created=now,
                expires=now + timedelta(seconds=ttl_seconds),
            )
        )
    return token


@dataclass(frozen=True)
class EmbedGrant:
    """What a consumed embed token allowed: the company it is bound to."""

    account_key: str | None
    observe: bool


def consume_embed_token(db: Database, token: str, *, now: datetime | None = None) -> EmbedGrant | None:
    """Mark the token used and return its grant; None when unknown, expired or already used (single use)."""
    if not token or len(token) > 200:
        return None
    moment = now or utcnow()
    with db.session() as session:
        row = session.get(EmbedToken, hash_token(token), with_for_update=True)
        if row is None or row.used_at is not None:
            return None
        expires = row.expires if row.expires.tzinfo else row.expires.replace(tzinfo=moment.tzinfo)
        if expires <= moment:
            return None
        row.used_at = moment
        return EmbedGrant(row.account_key, row.observe)


def allow_url(db: Database, url: str, environment: str) -> dict[str, Any]:
    """Add an origin allowed to embed and receive connect redirects (idempotent)."""
    with db.session() as session:
        existing = session.scalar(
            select(AllowedUrl).where(AllowedUrl.url == url, AllowedUrl.environment == environment)
        )
        if existing is None:
            session.add(AllowedUrl(url=url, environment=environment, created=utcnow()))
    return {"url": url, "environment": environment, "allowed": True}


def allowed_urls(db: Database) -> list[str]:
    """Return every allowed origin."""
    with db.session() as session:
        return list(session.scalars(select(AllowedUrl.url)).all())


def redirect_allowed(db: Database, redirect: str) -> bool:
    """True when ``redirect`` starts with an allowed origin followed by ``/``, ``?`` or the end."""
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in redirect):
        return False  # control characters or spaces: browsers and URL parsers disagree on them, so never
    for origin in allowed_urls(db):
        base = origin.rstrip("/")
        if redirect == base or redirect.startswith((base + "/", base + "?")):
            return True
    return False
