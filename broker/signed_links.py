"""Signed, timed links for one purpose each (an owner's receipt page, an accountant's invitation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from broker.errors import BrokerError
from broker.tokens import _signer_with_clock


class SignedLinks:
    """Sign a small payload into a URL-safe token and load it back within ``max_age`` seconds.

    The keys are the broker's ``SECRET_KEYS`` (the first signs, all verify); each purpose has its own salt and its own
    errors: ``invalid`` for a token that is too long, not ASCII, forged or not an object, ``expired`` for a late one.
    """

    def __init__(
        self,
        secret_keys: Sequence[str],
        max_age: int,
        clock: Callable[[], float],
        *,
        salt: str,
        invalid: type[BrokerError],
        expired: type[BrokerError],
        max_length: int = 1024,
    ) -> None:
        self.max_age, self.max_length = max_age, max_length
        self._invalid, self._expired = invalid, expired
        # itsdangerous signs with the last key and verifies with all; the setting lists the newest first.
        self._serializer = URLSafeTimedSerializer(
            list(reversed(list(secret_keys))), salt=salt, signer=_signer_with_clock(clock)
        )

    def dumps(self, payload: dict[str, str]) -> str:
        """The signed token of ``payload``."""
        return str(self._serializer.dumps(payload))

    def loads(self, token: object) -> dict[str, Any]:
        """The payload of a token this purpose signed, or raise its ``invalid`` or ``expired`` error."""
        if not isinstance(token, str) or not 0 < len(token) <= self.max_length or not token.isascii():
            raise self._invalid()
        try:
            payload = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise self._expired() from None
        except BadSignature:
            raise self._invalid() from None
        if not isinstance(payload, dict):
            raise self._invalid()
        return payload
