"""Link tokens: signed, timed, revocable credentials bound to one account key, origin, scope set and client."""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer, want_bytes

from broker.errors import InvalidToken, RevokedToken
from broker.observability.observe import NULL_OBSERVER, Observer
from broker.revocations import MemoryRevocations, RedisRevocations

LINK_SALT = "broker.link-token.v1"
SCOPES = ("link", "map", "reconcile", "read")
MODES = ("create", "update")  # update: reconnect one app the company already connected (issue 19)
MAX_TOKEN_LENGTH = 2048
# Tokens whose signature and claims one process checked, remembered by their exact text: the widget sends the same
# token with every call. Their age, expiry and revocation are still checked on every use.
CHECKED_TOKENS = 4096
Clock = Callable[[], float]


@dataclass(frozen=True)
class LinkClaims:
    """What a verified link token grants: one account key, from one origin, with some scopes, until ``expires_at``."""

    jti: str
    client_id: str
    account_key: str
    origin: str
    scopes: tuple[str, ...]
    issued_at: int
    expires_at: int
    mode: str = "create"
    integration: str | None = None  # update mode: the one app the session may reconnect


class RevocationStore(Protocol):
    """Where revoked token ids live until the token would have expired anyway."""

    def revoke(self, jti: str, ttl_seconds: int) -> None: ...

    def is_revoked(self, jti: str) -> bool: ...

    def close(self) -> None: ...


__all__ = ["LinkClaims", "LinkTokens", "MemoryRevocations", "RedisRevocations", "RevocationStore"]


def _signer_with_clock(clock: Clock) -> type[TimestampSigner]:
    """Return a TimestampSigner whose notion of now is ``clock`` (so tests can freeze time) and that derives each
    key once: itsdangerous derives the signing key from the secret and the salt again at every sign and check."""

    class ClockedSigner(TimestampSigner):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._derived: dict[bytes, bytes] = {}

        def get_timestamp(self) -> int:
            return int(clock())

        def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
            key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
            derived = self._derived.get(key)
            if derived is None:
                derived = self._derived[key] = super().derive_key(key)
            return derived

    return ClockedSigner


class _OneSaltSerializer(URLSafeTimedSerializer):
    """A serializer for one salt that makes its signer once, not at every ``dumps`` and ``loads`` (the signer holds
    only the keys, the salt and the derived keys)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer = super().make_signer(self.salt)

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is None or want_bytes(salt) == self.salt:
            return self._signer  # type: ignore[return-value]
        return super().make_signer(salt)  # type: ignore[return-value]


class LinkTokens:
    """Mint and verify link tokens with a list of keys (the first signs, all verify) and one salt for this purpose."""

    def __init__(
        self,
        secret_keys: Sequence[str],
        revocations: RevocationStore,
        *,
        max_lifetime: int = 3600,
        clock: Clock = time.time,
        observer: Observer = NULL_OBSERVER,
    ) -> None:
        if not secret_keys:
            raise ValueError("at least one secret key is needed")
        self._clock = clock
        self._observer = observer
        self._max_lifetime = max_lifetime
        self.revocations = revocations
        # Says why a revoked token was revoked (e.g. its link session succeeded); set by the link-session package.
        self.explain_revocation: Callable[[LinkClaims], InvalidToken | None] = lambda _claims: None
        # itsdangerous signs with the last key and verifies with all; our setting lists the newest first.
        self._serializer = _OneSaltSerializer(
            list(reversed(list(secret_keys))), salt=LINK_SALT, signer=_signer_with_clock(clock)
        )
        # Only what passed is remembered (an exception is not cached); the keys only change with a restart.
        self._checked = functools.lru_cache(maxsize=CHECKED_TOKENS)(self._check_signature)

    def mint(
        self,
        *,
        client_id: str,
        account_key: str,
        origin: str,
        scopes: Iterable[str],
        lifetime: int,
        mode: str = "create",
        integration: str | None = None,
    ) -> tuple[str, LinkClaims]:
        """Return a new token and its claims; ``lifetime`` is in seconds and at most the configured maximum."""
        if not 1 <= lifetime <= self._max_lifetime:
            raise ValueError(f"lifetime must be between 1 and {self._max_lifetime} seconds")
        now = int(self._clock())
        claims = LinkClaims(
            jti=secrets.token_urlsafe(16),
            client_id=client_id,
            account_key=account_key,
            origin=origin,
            scopes=tuple(sorted(set(scopes))),
            issued_at=now,
            expires_at=now + lifetime,
            mode=mode,
            integration=integration,
        )
        payload: dict[str, Any] = {
            "jti": claims.jti,
            "cli": claims.client_id,
            "acc": claims.account_key,
            "org": claims.origin,
            "scp": list(claims.scopes),
            "exp": claims.expires_at,
        }
        if mode != "create":
            payload["mod"], payload["int"] = mode, integration
        token = str(self._serializer.dumps(payload))
        self._observer.token_minted()
        return token, claims

    def verify(self, token: object, *, ignore_revocation: bool = False) -> LinkClaims:
        """Return the claims of a valid token or raise ``InvalidToken``; never any other exception.

        ``ignore_revocation`` is for the one read a succeeded link session's token still allows (its own status).
        """
        try:
            return self._verify(token, ignore_revocation)
        except InvalidToken as error:
            self._observer.token_rejected(error.reason)
            raise

    def _verify(self, token: object, ignore_revocation: bool) -> LinkClaims:
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise InvalidToken(reason="malformed")
        try:
            claims = self._checked(token)
        except SignatureExpired:
            raise InvalidToken("The link token has expired; mint a new one.", reason="expired") from None
        except BadSignature:
            raise InvalidToken(reason="signature") from None
        now = self._clock()
        # As itsdangerous's max_age (checked once, above): signed at most the longest lifetime ago, not in the future.
        if not 0 <= int(now) - claims.issued_at <= self._max_lifetime or claims.expires_at <= now:
            raise InvalidToken("The link token has expired; mint a new one.", reason="expired")
        if not ignore_revocation and self.revocations.is_revoked(claims.jti):
            raise self.explain_revocation(claims) or RevokedToken("The link token has been revoked.")
        return claims

    def _check_signature(self, token: str) -> LinkClaims:
        """The claims of a token signed by one of our keys and not too old when first seen (else ``BadSignature``,
        ``SignatureExpired`` or ``InvalidToken``); its age is checked again at every use by ``_verify``."""
        payload, issued = self._serializer.loads(token, max_age=self._max_lifetime, return_timestamp=True)
        return _claims_from(payload, int(issued.timestamp()))

    def revoke(self, claims_or_jti: LinkClaims | str, expires_at: int | None = None) -> None:
        """Revoke a token id until its own expiry."""
        if isinstance(claims_or_jti, LinkClaims):
            jti, expires_at = claims_or_jti.jti, claims_or_jti.expires_at
        else:
            jti = claims_or_jti
        remaining = int((expires_at or 0) - self._clock()) + 1
        if remaining > 0:
            self.revocations.revoke(jti, remaining)


def _claims_from(payload: Any, issued_at: int) -> LinkClaims:
    """Check the payload's shape; a correctly signed token of another shape is still an invalid token."""
    try:
        scopes = payload["scp"]
        fields = (payload["jti"], payload["cli"], payload["acc"], payload["org"])
        if not all(isinstance(f, str) and f for f in fields) or not isinstance(payload["exp"], int):
            raise TypeError
        if not isinstance(scopes, list) or not all(s in SCOPES for s in scopes):
            raise TypeError
        mode, integration = payload.get("mod", "create"), payload.get("int")
        if mode not in MODES or (mode == "update") != (isinstance(integration, str) and bool(integration)):
            raise TypeError
    except (TypeError, KeyError):
        raise InvalidToken(reason="claims") from None
    return LinkClaims(
        *fields,
        scopes=tuple(scopes),
        issued_at=issued_at,
        expires_at=payload["exp"],
        mode=mode,
        integration=integration,
    )
