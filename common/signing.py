"""Webhook signatures: ``X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature header is missing, malformed, wrong or too old; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """Return the value of the ``X-Signature`` header for ``body`` signed with ``secret``."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_digest(secret, moment, body)}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> int:
    """Check ``header`` against ``body``; return its timestamp or raise ``SignatureError``.

    Rejects a missing or malformed header, a wrong HMAC (compared in constant time), and a timestamp more than
    ``tolerance`` seconds away from ``now``. Receivers must also ignore an event ``id`` they have already seen.
    """
    if not header or len(header) > 1024:
        raise SignatureError("signature_missing", "The X-Signature header is missing.")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    stamps = parts.get("t", [])
    if len(stamps) != 1 or not stamps[0].isdigit() or not parts.get("v1"):
        raise SignatureError("signature_malformed", "The X-Signature header is not of the form t=...,v1=....")
    timestamp = int(stamps[0])
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError("signature_expired", "The signature timestamp is too old or in the future.")
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in parts["v1"]):
        raise SignatureError("signature_invalid", "The signature does not match the body.")
    return timestamp
