"""Settings of consents, receipts and invitations: defaults, then ``BROKER_*`` environment, then the app's config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from broker.errors import ConfigurationError

DEFAULTS: dict[str, Any] = {
    "PUBLIC_URL": None,  # the broker's origin as browsers see it (receipts' iss, page links); None: the request's
    "CONSENT_SIGNING_KEYS": [],  # JSON array of {"kid", "private_key"}, newest first (see keys.py)
    "CONSENT_DEFAULT_DAYS": 365,  # how long a consent lasts when the lender states no access_expires_at
    "CONSENT_LINK_MAX_SECONDS": 30 * 86400,  # lifetime of a receipt page link (the lender can list a fresh one)
    "CONSENT_PAGE_URL": None,  # the receipt page; None: <broker origin>/widget/v1/receipt
    "CONSENT_VERIFY_RATELIMIT": "30 per minute",  # per address, on the unauthenticated endpoints
    "INVITATION_DEFAULT_SECONDS": 86400,
    "INVITATION_MAX_SECONDS": 3 * 86400,
}
_INTEGERS = {k for k, v in DEFAULTS.items() if isinstance(v, int)}


def consent_settings(config: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings, checked; raise ``ConfigurationError`` with a clear sentence when one is unusable."""
    env = os.environ if environ is None else environ
    result = dict(DEFAULTS)
    for name in DEFAULTS:
        raw = env.get(f"BROKER_{name}")
        if raw is not None:
            try:
                result[name] = int(raw) if name in _INTEGERS else raw
            except ValueError:
                raise ConfigurationError(f"BROKER_{name} must be a whole number.") from None
        if name in config:
            result[name] = config[name]
    if not 1 <= int(result["CONSENT_DEFAULT_DAYS"]) <= 3660:
        raise ConfigurationError("BROKER_CONSENT_DEFAULT_DAYS must be between 1 and 3660.")
    if not 3600 <= int(result["CONSENT_LINK_MAX_SECONDS"]) <= 366 * 86400:
        raise ConfigurationError("BROKER_CONSENT_LINK_MAX_SECONDS must be between 3600 and 31622400.")
    if not 600 <= int(result["INVITATION_DEFAULT_SECONDS"]) <= int(result["INVITATION_MAX_SECONDS"]) <= 7 * 86400:
        raise ConfigurationError("Invitation lifetimes must satisfy 600 <= default <= max <= 604800 seconds.")
    public = result["PUBLIC_URL"]
    if public is not None:
        parts = urlsplit(str(public))
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in ("", "/") or parts.query:
            raise ConfigurationError(
                f"BROKER_PUBLIC_URL must be an origin like https://broker.example, got {public!r}."
            )
        if config.get("ENV") == "production" and parts.scheme != "https":
            raise ConfigurationError("BROKER_PUBLIC_URL must use https in production.")
        result["PUBLIC_URL"] = f"{parts.scheme}://{parts.netloc}"
    return result
