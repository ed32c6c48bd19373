"""Company accounts and link tokens for a lender: provisioning upstream, listing, minting, revoking, auditing."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.errors import NotFound, field_errors
from broker.lender.clients import AuthenticatedClient, normalize_origin
from broker.storage import insert_or_race_winner
from broker.storage.models import Account, AuditEntry, LinkToken
from broker.tokens import SCOPES, LinkClaims, LinkTokens
from broker.upstream import UpstreamClient, UpstreamError

log = logging.getLogger(__name__)
PAGE_SIZE = 30


@dataclass(frozen=True)
class NewAccount:
    """A request to provision a company."""

    name: str
    email: str
    region: str | None = None
    external_id: str | None = None


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    account_id: int | None = None,
    target: str | None = None,
    request_id: str | None = None,
) -> None:
    """Add one audit entry to the session (the caller commits)."""
    session.add(
        AuditEntry(at=at, actor=actor, action=action, account_id=account_id, target=target, request_id=request_id)
    )


def _subdomain(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24].strip("-") or "company"
    return f"{slug}-{secrets.token_hex(4)}"


def _commit_client_action(session: Session, client: AuthenticatedClient, action: str, **about: Any) -> None:
    """Audit what the lender's backend did (``about``: at, account_id, target, request_id), and commit it with the
    change it made."""
    audit(session, actor=f"client:{client.id}", action=action, **about)
    session.commit()


def create_account(
    session: Session,
    upstreams: Mapping[str, UpstreamClient],
    client: AuthenticatedClient,
    request: NewAccount,
    *,
    now: datetime,
    request_id: str | None = None,
) -> tuple[Account, bool]:
    """Provision a company upstream and record it; return ``(account, created)``; idempotent on ``external_id``."""
    region = request.region or next(iter(upstreams))
    if region not in upstreams:
        raise field_errors({"region": [f"must be one of: {', '.join(upstreams)}"]})
    if request.external_id is not None:
        existing = _by_external_id(session, client.id, request.external_id)
        if existing is not None:
            return existing, False
    subdomain = _subdomain(request.name)
    created = upstreams[region].create_company(
        name=request.name, email=request.email, subdomain=subdomain, password=secrets.token_urlsafe(24)
    )
    account = Account(
        account_key=created["account_key"],
        client_id=client.id,
        name=request.name,
        email=request.email,
        region=region,
        external_id=request.external_id,
        subdomain=created["subdomain"] or subdomain,
        created_at=now,
    )
    # Another request with the same external_id may win the race; then answer with its account.
    external_id = request.external_id
    account, inserted = insert_or_race_winner(
        session, account, lambda: _by_external_id(session, client.id, external_id) if external_id else None
    )
    if not inserted:
        log.warning("concurrent create for one external_id; an extra upstream company was provisioned")
        return account, False
    _commit_client_action(session, client, "account.create", at=now, account_id=account.id, request_id=request_id)
    return account, True


def _by_external_id(session: Session, client_id: str, external_id: str) -> Account | None:
    return session.scalars(
        select(Account).where(Account.client_id == client_id, Account.external_id == external_id)
    ).first()


def list_accounts(session: Session, client: AuthenticatedClient, page: int) -> list[Account]:
    """Return one page (30) of the client's accounts, oldest first."""
    query = (
        select(Account)
        .where(Account.client_id == client.id)
        .order_by(Account.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(session.scalars(query))


def account_for(session: Session, client_id: str, account_key: str) -> Account:
    """Return the client's account with this key; another client's account is as absent as a missing one."""
    if not isinstance(account_key, str) or not 0 < len(account_key) <= 128:
        raise NotFound("No such account.")
    account = session.scalars(select(Account).where(Account.account_key == account_key)).first()
    if account is None or account.client_id != client_id:
        raise NotFound("No such account.")
    return account


def account_with_connections(
    session: Session, upstreams: Mapping[str, UpstreamClient], client: AuthenticatedClient, account_key: str
) -> dict[str, Any]:
    """Return the account and its connections' health; when the upstream fails, connections are ``None``."""
    account = account_for(session, client.id, account_key)
    result: dict[str, Any] = {"account": account, "connections": None, "connections_error": None}
    try:
        result["connections"] = upstreams[account.region].connection_health(account.account_key)
    except UpstreamError as error:
        result["connections_error"] = error.code
    return result


def mint_link_token(
    session: Session,
    tokens: LinkTokens,
    client: AuthenticatedClient,
    *,
    account_key: str,
    origin: str,
    scopes: Iterable[str] | None,
    lifetime: int,
    now: datetime,
    request_id: str | None = None,
    mode: str = "create",
    integration: str | None = None,
) -> tuple[str, LinkClaims]:
    """Mint a link token for one of the client's accounts, from one of its origins; record and audit it."""
    account = account_for(session, client.id, account_key)
    try:
        exact_origin = normalize_origin(origin)
    except ValueError as error:
        raise field_errors({"origin": [str(error)]}) from None
    if exact_origin not in client.origins:
        raise field_errors({"origin": ["must be one of the origins registered for this client"]})
    wanted = list(SCOPES if scopes is None else scopes)
    if not wanted or any(s not in SCOPES for s in wanted):
        raise field_errors({"scopes": [f"must be a non-empty list from: {', '.join(SCOPES)}"]})
    token, claims = issue_link_token(
        session,
        tokens,
        account,
        now,
        origin=exact_origin,
        scopes=wanted,
        lifetime=lifetime,
        mode=mode,
        integration=integration,
    )
    _commit_client_action(
        session, client, "link_token.mint", at=now, account_id=account.id, target=claims.jti, request_id=request_id
    )
    return token, claims


def issue_link_token(
    session: Session, tokens: LinkTokens, account: Account, now: datetime, **minted: Any
) -> tuple[str, LinkClaims]:
    """Mint a link token for ``account`` (``minted``: ``LinkTokens.mint``'s origin, scopes, lifetime, mode, integration)
    and keep its record (its id, origin, scopes and expiry; never the token) so that it can be revoked."""
    token, claims = tokens.mint(client_id=account.client_id, account_key=account.account_key, **minted)
    session.add(
        LinkToken(
            jti=claims.jti,
            client_id=claims.client_id,
            account_id=account.id,
            origin=claims.origin,
            scopes=" ".join(claims.scopes),
            created_at=now,
            expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
        )
    )
    return token, claims


def revoke_link_token(
    session: Session,
    tokens: LinkTokens,
    client: AuthenticatedClient,
    jti: str,
    *,
    now: datetime,
    request_id: str | None = None,
) -> None:
    """Revoke one of the client's link tokens by id (idempotent); another client's token is not found."""
    record = session.get(LinkToken, jti) if isinstance(jti, str) and 0 < len(jti) <= 64 else None
    if record is None or record.client_id != client.id:
        raise NotFound("No such link token.")
    if record.revoked_at is None:
        record.revoked_at = now
        _commit_client_action(
            session,
            client,
            "link_token.revoke",
            at=now,
            account_id=record.account_id,
            target=jti,
            request_id=request_id,
        )
    tokens.revoke(jti, int(record.expires_at.timestamp()))


def revoked_token_ids(session: Session, now: datetime) -> list[tuple[str, int]]:
    """Return ``(jti, expires_at)`` of revoked tokens that have not expired yet (to warm an in-memory store)."""
    query = select(LinkToken.jti, LinkToken.expires_at).where(
        LinkToken.revoked_at.is_not(None), LinkToken.expires_at > now
    )
    return [(jti, int(expires.timestamp())) for jti, expires in session.execute(query)]
