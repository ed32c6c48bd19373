"""Broker clients (lenders' backends): creation, hashed secrets, rotation with a grace period, authentication."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.errors import AuthenticationFailed
from broker.storage.models import Client

DEFAULT_COST = 14  # scrypt N = 2**14; fine for 256-bit random secrets, slow enough for anything weaker
_SCRYPT = {"r": 8, "p": 1}
MAX_SECRET_LENGTH = 200


@dataclass(frozen=True)
class AuthenticatedClient:
    """Who is calling: a client id and the exact origins it may mint link tokens for."""

    id: str
    origins: tuple[str, ...]


def hash_secret(secret: str, cost: int = DEFAULT_COST) -> str:
    """Return a salted scrypt hash (N = 2**cost) of ``secret`` in a self-describing text form."""
    salt = secrets.token_bytes(16)
    n = 2**cost
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, dklen=32, maxmem=64 * 1024 * 1024, **_SCRYPT)
    return f"scrypt${n}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_secret(stored: str | None, secret: str) -> bool:
    """Return whether ``secret`` matches the stored hash (constant-time comparison)."""
    if not stored:
        return False
    try:
        _, n, r, p, salt, expected = stored.split("$")
        digest = hashlib.scrypt(
            secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32, maxmem=64 * 1024 * 1024
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def normalize_origin(value: str) -> str:
    """Return ``scheme://host[:port]`` in lower case, or raise ``ValueError`` for anything that is not an origin."""
    if not isinstance(value, str) or len(value) > 300 or not value.isascii() or any(c.isspace() for c in value):
        raise ValueError("must be an origin like https://lender.example")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        raise ValueError("must be an origin like https://lender.example")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError("must be an origin (scheme, host, port) without a path")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has an invalid port") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def create_client(
    session: Session, name: str, origins: Sequence[str], now: datetime, cost: int = DEFAULT_COST
) -> tuple[Client, str]:
    """Create a client with a new random secret; return it and the secret (shown once, stored hashed)."""
    if not name or len(name) > 200:
        raise ValueError("name must be 1 to 200 characters")
    cleaned = sorted({normalize_origin(o) for o in origins})
    if not cleaned:
        raise ValueError("at least one origin is needed")
    secret = "cs_" + secrets.token_urlsafe(32)
    client = Client(
        id="cli_" + secrets.token_hex(8),
        name=name,
        secret_hash=hash_secret(secret, cost),
        origins="\n".join(cleaned),
        created_at=now,
    )
    session.add(client)
    session.commit()
    return client, secret


def rotate_secret(session: Session, client_id: str, grace: timedelta, now: datetime, cost: int = DEFAULT_COST) -> str:
    """Give the client a new secret; the current one stays valid for ``grace``. Return the new secret."""
    client = session.get(Client, client_id)
    if client is None:
        raise LookupError(f"no client {client_id!r}")
    secret = "cs_" + secrets.token_urlsafe(32)
    client.previous_secret_hash = client.secret_hash if grace.total_seconds() > 0 else None
    client.previous_secret_expires_at = now + grace if grace.total_seconds() > 0 else None
    client.secret_hash = hash_secret(secret, cost)
    session.commit()
    return secret


def list_clients(session: Session) -> list[Client]:
    """Return every client, oldest first."""
    return list(session.scalars(select(Client).order_by(Client.created_at, Client.id)))


# What a lender's developer needs to tell the two apart (ids are random, so saying an id is unknown gives nothing
# away); neither names the id or the secret that was sent.
UNKNOWN_CLIENT = (
    "Unknown client id: this broker has no client with that id. Clients live in the broker's own database: create "
    "one with `flask --app broker create-client` run with this broker's configuration."
)
SECRET_MISMATCH = "Wrong client secret for this client id (a rotated-out secret stops working after its grace period)."  # noqa: S105


class ClientAuthenticator:
    """Check Basic credentials against the hashes, remembering recent successes briefly (scrypt is slow on purpose).

    A success is remembered for ``cache_seconds`` with the stored hash it matched. Past that, the client's row is read
    again: while that hash is still the one stored (no rotation, no deletion), the same secret matches it by
    construction and the success is renewed without a new scrypt; otherwise the secret is checked afresh. Concurrent
    requests with the same unverified credentials wait for one check instead of each running its own scrypt.
    """

    def __init__(
        self, cache_seconds: float = 60, clock: Callable[[], float] = time.time, cost: int = DEFAULT_COST
    ) -> None:
        self._cost = cost
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[bytes, _Remembered] = {}
        self._pending: dict[bytes, threading.Lock] = {}
        self._pepper = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None

    def forget(self) -> None:
        """Drop every remembered success (after a rotation in this process)."""
        with self._lock:
            self._cache.clear()

    def authenticate(self, session: Session, client_id: object, secret: object) -> AuthenticatedClient:
        """Return the client for these credentials or raise ``AuthenticationFailed``."""
        if not isinstance(client_id, str) or not isinstance(secret, str):
            raise AuthenticationFailed()
        if not client_id or not secret or len(client_id) > 40 or len(secret) > MAX_SECRET_LENGTH:
            raise AuthenticationFailed()
        fingerprint = hmac.new(self._pepper, f"{client_id}\n{secret}".encode(), hashlib.sha256).digest()
        remembered = self._cache.get(fingerprint)
        if remembered and remembered.until > self._clock():
            return remembered.client
        with self._lock:
            gate = self._pending.setdefault(fingerprint, threading.Lock())
        try:
            with gate:  # one check per credentials at a time; the others find its result remembered
                remembered = self._cache.get(fingerprint)
                now = self._clock()
                if remembered and remembered.until > now:
                    return remembered.client
                found, matched, until = self._check(session, client_id, secret, now, remembered)
                self._remember(fingerprint, _Remembered(found, matched, until))
                return found
        finally:
            with self._lock:
                if self._pending.get(fingerprint) is gate:
                    del self._pending[fingerprint]

    def _check(
        self, session: Session, client_id: str, secret: str, now: float, remembered: _Remembered | None
    ) -> tuple[AuthenticatedClient, str, float]:
        """Check the credentials against the client's row: the client, the stored hash they match and until when
        that may be remembered."""
        client = session.get(Client, client_id)
        if client is None:
            self._dummy_hash = self._dummy_hash or hash_secret(secrets.token_hex(16), self._cost)
            check_secret(self._dummy_hash, secret)  # an unknown id costs as much as a wrong secret
            raise AuthenticationFailed(UNKNOWN_CLIENT)
        previous_valid = (
            client.previous_secret_expires_at is not None
            and client.previous_secret_expires_at > datetime.fromtimestamp(now, UTC)
        )
        stored = {client.secret_hash, client.previous_secret_hash if previous_valid else None} - {None}
        if remembered is not None and remembered.matched in stored:  # these exact credentials matched it before
            matched = remembered.matched
        elif check_secret(client.secret_hash, secret):
            matched = client.secret_hash
        elif previous_valid and check_secret(client.previous_secret_hash, secret):
            matched = client.previous_secret_hash or ""
        else:
            raise AuthenticationFailed(SECRET_MISMATCH)
        until = now + self._cache_seconds
        if matched != client.secret_hash and client.previous_secret_expires_at is not None:
            until = min(until, client.previous_secret_expires_at.timestamp())
        return AuthenticatedClient(client.id, tuple(client.origin_list)), matched, until

    def _remember(self, fingerprint: bytes, remembered: _Remembered) -> None:
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[fingerprint] = remembered


@dataclass(frozen=True)
class _Remembered:
    """A verified success: who, the stored hash the secret matched, and until when it holds without a new look."""

    client: AuthenticatedClient
    matched: str
    until: float
