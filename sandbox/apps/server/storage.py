"""Storage of the simulated apps' OAuth clients, authorization codes and tokens (hashes only), without Flask."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sqlalchemy import select, update

from common.dates import utcnow
from sandbox.db import Database
from sandbox.models import AppAuthorizationCode, AppClient, AppToken


def digest(value: str) -> str:
    """Return the SHA-256 hex digest under which a code, token or secret is stored."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class AppUser:
    """The app's signed-in user and the organisation (company subdomain) whose data they share."""

    username: str
    organisation: str

    def get_user_id(self) -> str:
        """Return the user's id (authlib's resource-owner interface)."""
        return self.username


@dataclass(frozen=True)
class RegisteredClient:
    """An OAuth client of one app (authlib's ``ClientMixin``): confidential, ``client_secret_basic`` only."""

    app: str
    client_id: str
    secret_hash: str
    scope: str
    redirect_uris: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # the redirect URI must always be sent (and match exactly)

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = self.scope.split()
        if not scope:
            return " ".join(allowed)
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in {"authorization_code", "refresh_token"}


def register_client(db: Database, app: str, client_id: str, client_secret: str, scope: str) -> None:
    """Create or update the connector's registration at one app (run at start from configuration)."""
    with db.session() as session:
        row = session.get(AppClient, (app, client_id))
        if row is None:
            row = AppClient(app=app, client_id=client_id, created=utcnow())
            session.add(row)
        row.secret_hash, row.scope = digest(client_secret), scope


def find_client(db: Database, app: str, client_id: str, redirect_uris: tuple[str, ...]) -> RegisteredClient | None:
    """Return the client registered at ``app`` under ``client_id``, or None."""
    if not client_id or len(client_id) > 128:
        return None
    with db.session() as session:
        row = session.get(AppClient, (app, client_id))
        if row is None:
            return None
        return RegisteredClient(app, row.client_id, row.secret_hash, row.scope, redirect_uris)


def save_code(db: Database, app: str, code: str, *, client_id: str, user: AppUser, values: dict[str, Any]) -> None:
    """Store an authorization code with its redirect URI, scope and PKCE challenge."""
    with db.session() as session:
        session.add(
            AppAuthorizationCode(
                code_hash=digest(code),
                app=app,
                client_id=client_id,
                redirect_uri=values["redirect_uri"],
                scope=values["scope"],
                username=user.username,
                organisation=user.organisation,
                code_challenge=values["code_challenge"],
                code_challenge_method=values["code_challenge_method"],
                expires_at=int(time.time()) + int(values["ttl"]),
            )
        )


@dataclass(frozen=True)
class StoredCode:
    """An authorization code as authlib's grant reads it."""

    code_hash: str
    redirect_uri: str
    scope: str
    user: AppUser
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


def find_code(db: Database, app: str, code: str, client_id: str) -> StoredCode | None:
    """Return an unexpired code of this app and client, or None."""
    with db.session() as session:
        row = session.get(AppAuthorizationCode, digest(code))
        if row is None or row.app != app or row.client_id != client_id or row.expires_at <= time.time():
            return None
        return _record(StoredCode, row)


def delete_code(db: Database, code_hash: str) -> None:
    """Forget a code once exchanged (codes are single use)."""
    with db.session() as session:
        row = session.get(AppAuthorizationCode, code_hash)
        if row is not None:
            session.delete(row)


@dataclass(frozen=True)
class StoredToken:
    """A token row as authlib's grants and validators read it."""

    id: int
    app: str
    client_id: str
    user: AppUser
    scope: str
    issued_at: int
    expires_in: int
    refresh_expires_at: int
    access_revoked: bool
    refresh_revoked: bool

    def check_client(self, client: RegisteredClient) -> bool:
        return client.client_id == self.client_id and client.app == self.app

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return self.issued_at + self.expires_in <= time.time()

    def is_revoked(self) -> bool:
        return self.access_revoked

    def refresh_usable(self) -> bool:
        """True when the refresh token may still be exchanged."""
        return not self.refresh_revoked and self.refresh_expires_at > time.time()


# The records a code or token row becomes.
Grant = TypeVar("Grant", StoredCode, StoredToken)


def _record(kind: type[Grant], row: AppAuthorizationCode | AppToken) -> Grant:
    """Copy a code or token row into the record authlib reads: each field from the column of its name, and the user
    from the row's username and organisation."""
    columns = {item.name: getattr(row, item.name) for item in fields(kind) if item.name != "user"}
    return kind(**columns, user=AppUser(row.username, row.organisation))


def save_token(
    db: Database, app: str, token: dict[str, Any], *, client_id: str, user: AppUser, refresh_ttl: int
) -> None:
    """Store a freshly issued token (hashes only)."""
    now = int(time.time())
    refresh = token.get("refresh_token")
    with db.session() as session:
        session.add(
            AppToken(
                app=app,
                client_id=client_id,
                username=user.username,
                organisation=user.organisation,
                scope=token.get("scope", ""),
                access_token_hash=digest(token["access_token"]),
                refresh_token_hash=digest(refresh) if refresh else None,
                issued_at=now,
                expires_in=int(token["expires_in"]),
                refresh_expires_at=now + refresh_ttl if refresh else 0,
            )
        )


def find_token(
    db: Database, app: str, *, access_token: str | None = None, refresh_token: str | None = None
) -> StoredToken | None:
    """Return this app's token row by its access or refresh token, or None."""
    query = select(AppToken).where(AppToken.app == app)
    if access_token is not None:
        query = query.where(AppToken.access_token_hash == digest(access_token))
    elif refresh_token is not None:
        query = query.where(AppToken.refresh_token_hash == digest(refresh_token))
    else:
        return None
    with db.session() as session:
        row = session.scalar(query)
        return _record(StoredToken, row) if row is not None else None


def revoke(db: Database, token_id: int) -> None:
    """Revoke one token row: its access and its refresh token."""
    with db.session() as session:
        session.execute(
            update(AppToken).where(AppToken.id == token_id).values(access_revoked=True, refresh_revoked=True)
        )


def revoke_organisation(db: Database, app: str, organisation: str) -> int:
    """Revoke every token this app issued for one organisation (the owner removed the connection at the app)."""
    with db.session() as session:
        result = session.execute(
            update(AppToken)
            .where(AppToken.app == app, AppToken.organisation == organisation, AppToken.refresh_revoked.is_(False))
            .values(access_revoked=True, refresh_revoked=True)
        )
        return int(getattr(result, "rowcount", 0) or 0)
