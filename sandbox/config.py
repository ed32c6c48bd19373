"""Sandbox configuration: defaults, then ``SANDBOX_`` environment variables, then the test mapping, checked once."""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from common.config import from_environment
from common.dates import parse_day, utcnow

PREFIX = "SANDBOX_"

# Demo credentials: used only outside production mode and printed at start so nobody mistakes them for secrets.
DEMO_CREDENTIALS = {
    "API_USER": "demo",
    "API_KEY": "sk_sandbox_demo_key_change_me",
    "TENANT_KEY": "tenant_demo_account_key",
}

DEFAULTS: dict[str, Any] = {
    "ENV": "development",
    "DATABASE_URL": None,  # default: SQLite file in the instance folder
    "PUBLIC_URL": None,  # default: derived from the request host
    "ROOT_DOMAIN": "sandbox.localhost",
    "SEED": "ledgerlink",
    "DATA_END": None,  # default: last day of the previous month
    "RATE_LIMIT": "100 per second",
    "RATELIMIT_STORAGE_URI": "memory://",
    "EMBED_TOKEN_TTL_SECONDS": 3600,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SYNC_IN_BACKGROUND": True,
    "WEBHOOK_TIMEOUT_SECONDS": 5.0,
    "FAULTS": "",  # fault injection switches, see sandbox.faults and docs/sandbox.md
    "SECRET_KEY": None,  # signs the connect pages' session cookie; default: derived from the API key
    "TENANT_NAME": "Demo Lender",  # shown on consent pages as the party asking for the data
    "APPS_URL": None,  # where the connector reaches the simulated apps; default: in-process (no socket)
    "CONNECTOR_CLIENT_ID": "ledgerlink-connector",
    "CONNECTOR_CLIENT_SECRET": "connector-dev-secret-change-me",
    "APP_ACCESS_TOKEN_TTL_SECONDS": 3600,
    "APP_REFRESH_TOKEN_TTL_SECONDS": 90 * 24 * 3600,
    "APP_CODE_TTL_SECONDS": 600,
    "CONNECT_SESSION_TTL_SECONDS": 1800,
    "BANK_MFA_TTL_SECONDS": 300,
    "BANK_LOCK_AFTER": 3,
    "BANK_LOCK_SECONDS": 900,
}

# Every whole-number setting but the body limit counts something that must be there: a lifetime, an attempt.
_POSITIVE_KEYS = {key for key, value in DEFAULTS.items() if type(value) is int} - {"MAX_CONTENT_LENGTH"}


class ConfigError(RuntimeError):
    """The sandbox cannot start with this configuration; the message says what to change."""


def load_config(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, ``SANDBOX_*`` variables and ``test_config``; check and return the result.

    Raises ``ConfigError`` naming the setting when a value is unusable, or when production mode lacks credentials.
    """
    env = os.environ if environ is None else environ
    config = from_environment(PREFIX, {**DEFAULTS, **dict.fromkeys(DEMO_CREDENTIALS)}, env, ConfigError)
    config.update(test_config or {})

    if config["ENV"] not in {"development", "production", "test"}:
        raise ConfigError(f"{PREFIX}ENV must be development, production or test, not {config['ENV']!r}.")
    missing = [k for k in DEMO_CREDENTIALS if not config.get(k)]
    if missing and config["ENV"] == "production":
        names = ", ".join(PREFIX + k for k in missing)
        raise ConfigError(f"{names} must be set in production mode; demo credentials are never used there.")
    config["USING_DEMO_CREDENTIALS"] = bool(missing)
    for key in missing:
        config[key] = DEMO_CREDENTIALS[key]
    if config["ENV"] == "production" and config["API_KEY"] == DEMO_CREDENTIALS["API_KEY"]:
        raise ConfigError(f"{PREFIX}API_KEY is the public demo key; choose a secret one for production.")

    if config["DATA_END"] in (None, ""):
        first_of_month = utcnow().date().replace(day=1)
        config["DATA_END"] = first_of_month - timedelta(days=1)
    elif not isinstance(config["DATA_END"], date):
        try:
            config["DATA_END"] = parse_day(str(config["DATA_END"]))
        except ValueError as error:
            raise ConfigError(f"{PREFIX}DATA_END {error}.") from None
    for key in sorted(_POSITIVE_KEYS):
        if not isinstance(config[key], int) or config[key] <= 0:
            raise ConfigError(f"{PREFIX}{key} must be a positive whole number.")
    if config["ENV"] == "production" and config["CONNECTOR_CLIENT_SECRET"] == DEFAULTS["CONNECTOR_CLIENT_SECRET"]:
        raise ConfigError(f"{PREFIX}CONNECTOR_CLIENT_SECRET is the public development secret; set your own.")
    if not config["SECRET_KEY"]:
        # Stable across processes without another setting: a keyed hash of the (secret) API key, one salt per purpose.
        config["SECRET_KEY"] = hmac.new(
            config["API_KEY"].encode(), b"sandbox.session-cookie", hashlib.sha256
        ).hexdigest()
    if config["APPS_URL"]:
        config["APPS_URL"] = str(config["APPS_URL"]).rstrip("/")
    return config


def announce_demo_credentials(config: Mapping[str, Any]) -> None:
    """Tell the person starting the sandbox which public demo credentials it is using (never in production)."""
    if config.get("USING_DEMO_CREDENTIALS") and config["ENV"] == "development":
        print(
            "sandbox: using the public demo credentials "
            f"(API user {config['API_USER']!r}, API key {config['API_KEY']!r}, tenant key {config['TENANT_KEY']!r}); "
            f"set {PREFIX}API_USER, {PREFIX}API_KEY and {PREFIX}TENANT_KEY to change them.",
            file=sys.stderr,
        )
