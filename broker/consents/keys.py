"""The broker's receipt-signing keys: ES256 keys with a ``kid``, the newest signs, every listed key verifies.

Configured as ``CONSENT_SIGNING_KEYS``: a JSON array of ``{"kid", "private_key"}`` (PKCS#8 PEM, EC P-256), newest
first. Retired keys stay listed (they verify old receipts, stay in the JWKS) until no receipt they signed is in force.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from broker.errors import ConfigurationError

ALGORITHM = "ES256"
RECEIPT_TYPE = "consent-receipt+jwt"
MAX_RECEIPT_LENGTH = 8192
# A fixed key so that development receipts survive a restart; refused outside development like DEV_SECRET_KEY.
DEV_KID = "dev-only-2026"
DEV_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4koUiUZtxbJC2880
66GebD8L9dKNwa6kssAWnAqzMJWhRANCAAQJVIJnQYbXADfCLoV33JIo0rLXUeeF
pApzrodJgoo9QjiFypKktoVYN9DbfcdOkG8gCMV6ugabaVOxheLg56Wa
-----END PRIVATE KEY-----
"""
_HELP = (
    'BROKER_CONSENT_SIGNING_KEYS is required: a JSON array of {"kid": ..., "private_key": "<PKCS#8 PEM, EC P-256>"}, '
    "newest first (generate one with: python -m broker.consents.keys)."
)


class ReceiptInvalid(Exception):
    """A receipt is malformed, signed by no key we publish, or tampered with."""


class SigningKeys:
    """Sign receipts with the first key; verify with any; publish every public key as a JWKS."""

    def __init__(self, keys: Sequence[ECKey]) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = list(keys)
        self._set = KeySet(list[Any](self._keys))

    @property
    def current_kid(self) -> str:
        return str(self._keys[0].kid)

    def jwks(self) -> dict[str, Any]:
        """The public keys, newest first, as ``{"keys": [...]}`` with ``kid``, ``use`` and ``alg``."""
        return {"keys": [{**k.as_dict(private=False), "use": "sig", "alg": ALGORITHM} for k in self._keys]}

    def sign(self, claims: Mapping[str, Any]) -> str:
        """Return a compact JWS of ``claims`` signed with the newest key."""
        header = {"alg": ALGORITHM, "kid": self.current_kid, "typ": RECEIPT_TYPE}
        return jwt.encode(header, dict(claims), self._keys[0], algorithms=[ALGORITHM])

    def verify(self, receipt: object) -> dict[str, Any]:
        """Return the claims of a receipt one of our keys signed, or raise ``ReceiptInvalid``; nothing else."""
        if not isinstance(receipt, str) or not 0 < len(receipt) <= MAX_RECEIPT_LENGTH or not receipt.isascii():
            raise ReceiptInvalid("malformed")
        try:
            token = jwt.decode(receipt, self._set, algorithms=[ALGORITHM])
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise ReceiptInvalid(type(error).__name__) from None
        if token.header.get("typ") != RECEIPT_TYPE or not isinstance(token.claims.get("jti"), str):
            raise ReceiptInvalid("not a consent receipt")
        return dict(token.claims)


def _parse(raw: Any) -> list[dict[str, str]]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError:
            raise ConfigurationError("BROKER_CONSENT_SIGNING_KEYS is not valid JSON. " + _HELP) from None
    if not isinstance(raw, list) or not all(isinstance(k, Mapping) for k in raw):
        raise ConfigurationError(_HELP)
    return [dict(k) for k in raw]


def load_keys(raw: Any, env: str) -> SigningKeys:
    """Build the signing keys from configuration; fill a dev key in development, an ephemeral one when testing."""
    entries = _parse(raw)
    if not entries:
        if env == "production":
            raise ConfigurationError(_HELP)
        if env == "development":
            print(
                "broker: DEVELOPMENT MODE - dev-only consent signing key; never use it in production", file=sys.stderr
            )
            entries = [{"kid": DEV_KID, "private_key": DEV_PRIVATE_KEY}]
        else:
            return SigningKeys([ECKey.generate_key("P-256", parameters={"kid": "testing"}, private=True)])
    keys, seen = [], set()
    for index, entry in enumerate(entries):
        kid, pem = entry.get("kid"), entry.get("private_key")
        if not isinstance(kid, str) or not 0 < len(kid) <= 64 or kid in seen:
            raise ConfigurationError(f"BROKER_CONSENT_SIGNING_KEYS[{index}] needs a unique kid of 1 to 64 characters.")
        if env == "production" and kid == DEV_KID:
            raise ConfigurationError("BROKER_CONSENT_SIGNING_KEYS holds the dev-only key; refused in production.")
        try:
            key = ECKey.import_key(str(pem), parameters={"kid": kid})
        except Exception:
            raise ConfigurationError(f"BROKER_CONSENT_SIGNING_KEYS[{index}] is not an EC P-256 private key.") from None
        if not key.is_private or key.as_dict(private=False).get("crv") != "P-256":
            raise ConfigurationError(f"BROKER_CONSENT_SIGNING_KEYS[{index}] is not an EC P-256 private key.")
        seen.add(kid)
        keys.append(key)
    return SigningKeys(keys)


def generate_entry(kid: str) -> dict[str, str]:
    """A new configuration entry (kid and private PEM) for ``BROKER_CONSENT_SIGNING_KEYS``."""
    key = ECKey.generate_key("P-256", parameters={"kid": kid}, private=True)
    return {"kid": kid, "private_key": key.as_pem(private=True).decode()}


if __name__ == "__main__":  # python -m broker.consents.keys [kid]: print one entry to prepend to the setting
    from datetime import UTC, datetime

    print(json.dumps(generate_entry(sys.argv[1] if len(sys.argv) > 1 else datetime.now(UTC).strftime("%Y-%m-%d"))))
