"""Broker configuration: defaults, then ``BROKER_``-prefixed environment variables, then a test mapping, checked."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from broker.errors import ConfigurationError
from common.config import check_base_url, coerce, from_environment

DEFAULT_REGION = "default"
DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105 - refused outside development
# The sandbox's own demo credentials and the demo's sandbox port, so that a development broker finds it unaided.
DEV_UPSTREAM_URL = "http://127.0.0.1:8002"
DEV_API_USER = "demo"
DEV_API_KEY = "sk_sandbox_demo_key_change_me"
DEV_TENANT_KEY = "tenant_demo_account_key"

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEYS": [],
    "DATABASE_URL": None,
    "AUTO_MIGRATE": None,  # None: yes for SQLite, no otherwise
    "REDIS_URL": None,
    "REDIS_KEY_PREFIX": "broker:",
    "UPSTREAM_ADMIN_URL": None,
    "UPSTREAM_DATA_URL": None,
    "UPSTREAM_API_USER": None,
    "UPSTREAM_API_KEY": None,
    "UPSTREAM_TENANT_KEY": None,
    "UPSTREAM_REGIONS": {},
    "UPSTREAM_ACCOUNT_KEY_HEADER": "X-Account-Key",
    "UPSTREAM_CONNECT_TIMEOUT": 3.0,
    "UPSTREAM_READ_TIMEOUT": 10.0,
    "UPSTREAM_WRITE_TIMEOUT": 5.0,
    "UPSTREAM_POOL_TIMEOUT": 2.0,
    "UPSTREAM_DEADLINE": 15.0,
    "UPSTREAM_MAX_ATTEMPTS": 4,
    "UPSTREAM_BACKOFF_BASE": 0.2,
    "UPSTREAM_BACKOFF_MAX": 2.0,
    "UPSTREAM_RETRY_AFTER_CAP": 5.0,
    "UPSTREAM_MAX_CONNECTIONS": 100,
    "UPSTREAM_MAX_KEEPALIVE": 20,
    "UPSTREAM_COMPANY_RPS": 90,
    "UPSTREAM_TRANSPORT": None,  # tests inject an httpx transport here
    "LINK_TOKEN_DEFAULT_SECONDS": 1800,
    "LINK_TOKEN_MAX_SECONDS": 3600,
    "CLIENT_AUTH_CACHE_SECONDS": 60,
    "CLIENT_SECRET_HASH_COST": 14,  # log2 of scrypt's N; tests lower it, production refuses less than 14
    "RATELIMIT_PER_CLIENT": "1200 per minute",
    "RATELIMIT_PER_COMPANY": "90 per second",
    "RATELIMIT_PER_ADDRESS": "600 per minute",
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "LOG_FORMAT": None,  # json or text; None: json in production, text in development, untouched when testing
    "LOG_LEVEL": "INFO",
    "METRICS_TOKEN": None,  # bearer secret a Prometheus scraper sends to /metrics; unset: /metrics answers 404
    "CLOCK": None,  # tests inject a callable returning Unix seconds
}

_REGION_FIELDS = ("admin_url", "data_url", "api_user", "api_key", "tenant_key")


@dataclass(frozen=True)
class RegionSettings:
    """Where one upstream region lives and the credentials the broker uses there."""

    name: str
    admin_url: str
    data_url: str
    api_user: str
    api_key: str
    tenant_key: str


def load_settings(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, ``BROKER_*`` (plus ``DATABASE_URL`` and ``REDIS_URL``) and ``test_config``, then validate."""
    env = os.environ if environ is None else environ
    settings = from_environment(
        "BROKER_", DEFAULTS, env, ConfigurationError, types={"AUTO_MIGRATE": bool}, skip={"UPSTREAM_TRANSPORT", "CLOCK"}
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        if env.get(name):
            settings[name] = env[name]
    if env.get("BROKER_SECRET_KEY") and not settings["SECRET_KEYS"]:
        settings["SECRET_KEYS"] = [env["BROKER_SECRET_KEY"]]
    settings.update(test_config or {})
    if isinstance(settings["SECRET_KEYS"], str):
        settings["SECRET_KEYS"] = coerce(settings["SECRET_KEYS"], list)
    _apply_dev_defaults(settings)
    validate(settings)
    settings["REGIONS"] = build_regions(settings)
    settings["SECRET_KEY"] = settings["SECRET_KEYS"][0]
    return settings


def _apply_dev_defaults(settings: dict[str, Any]) -> None:
    """Fill missing secrets with loud dev-only values when, and only when, ``BROKER_ENV=development``."""
    if settings["ENV"] != "development":
        return
    filled = []
    dev_values = {
        "UPSTREAM_ADMIN_URL": DEV_UPSTREAM_URL,
        "UPSTREAM_DATA_URL": DEV_UPSTREAM_URL,
        "UPSTREAM_API_USER": DEV_API_USER,
        "UPSTREAM_API_KEY": DEV_API_KEY,
        "UPSTREAM_TENANT_KEY": DEV_TENANT_KEY,
    }
    if not settings["SECRET_KEYS"]:
        settings["SECRET_KEYS"] = [DEV_SECRET_KEY]
        filled.append("BROKER_SECRET_KEYS")
    for name, value in dev_values.items():
        if not settings[name]:
            settings[name] = value
            filled.append(f"BROKER_{name}")
    if filled:
        print(
            f"broker: DEVELOPMENT MODE - dev-only defaults for {', '.join(filled)}; never use these in production",
            file=sys.stderr,
        )


def _check_url(label: str, value: Any, production: bool) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{label} is required (e.g. https://api.example.com).")
    check_base_url(label, value, production=production, error=ConfigurationError)


def validate(settings: Mapping[str, Any]) -> None:
    """Raise ``ConfigurationError`` with a clear sentence when a setting is missing or unsafe."""
    env = settings["ENV"]
    if env not in {"production", "development", "testing"}:
        raise ConfigurationError("BROKER_ENV must be production, development or testing.")
    keys = settings["SECRET_KEYS"]
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ConfigurationError(
            "BROKER_SECRET_KEYS is required: a comma-separated list of random keys, newest first "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )
    if env == "production":
        if DEV_SECRET_KEY in keys:
            raise ConfigurationError("BROKER_SECRET_KEYS holds the dev-only default; refused in production.")
        if any(len(k) < 32 for k in keys):
            raise ConfigurationError("BROKER_SECRET_KEYS must hold keys of at least 32 characters in production.")
        if int(settings["CLIENT_SECRET_HASH_COST"]) < 14:
            raise ConfigurationError("BROKER_CLIENT_SECRET_HASH_COST must be at least 14 in production.")
        if settings["UPSTREAM_API_KEY"] == DEV_API_KEY:
            raise ConfigurationError("BROKER_UPSTREAM_API_KEY is the dev-only default; refused in production.")
    for name in ("UPSTREAM_API_KEY", "UPSTREAM_API_USER", "UPSTREAM_TENANT_KEY"):
        if not settings[name]:
            raise ConfigurationError(f"BROKER_{name} is required (or set BROKER_ENV=development for dev defaults).")
    for name in ("UPSTREAM_ADMIN_URL", "UPSTREAM_DATA_URL"):
        _check_url(f"BROKER_{name}", settings[name], env == "production")
    if not isinstance(settings["UPSTREAM_REGIONS"], Mapping):
        raise ConfigurationError("BROKER_UPSTREAM_REGIONS must be a JSON object of region name to settings.")
    for region, values in settings["UPSTREAM_REGIONS"].items():
        missing = [f for f in _REGION_FIELDS if not isinstance(values, Mapping) or not values.get(f)]
        if missing:
            raise ConfigurationError(f"BROKER_UPSTREAM_REGIONS[{region!r}] is missing {', '.join(missing)}.")
        for field in ("admin_url", "data_url"):
            _check_url(f"BROKER_UPSTREAM_REGIONS[{region!r}].{field}", values[field], env == "production")
    if not 60 <= int(settings["LINK_TOKEN_DEFAULT_SECONDS"]) <= int(settings["LINK_TOKEN_MAX_SECONDS"]) <= 3600:
        raise ConfigurationError("Link token lifetimes must satisfy 60 <= default <= max <= 3600 seconds.")
    if settings["LOG_FORMAT"] not in (None, "json", "text"):
        raise ConfigurationError("BROKER_LOG_FORMAT must be json or text.")
    if str(settings["LOG_LEVEL"]).upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigurationError("BROKER_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    token = settings["METRICS_TOKEN"]
    if token and (not isinstance(token, str) or len(token) < 24):
        raise ConfigurationError("BROKER_METRICS_TOKEN must be a random string of at least 24 characters.")
    if not 0 < float(settings["UPSTREAM_COMPANY_RPS"]) < 100:
        raise ConfigurationError("BROKER_UPSTREAM_COMPANY_RPS must stay below the upstream's 100 requests/s.")


def build_regions(settings: Mapping[str, Any]) -> dict[str, RegionSettings]:
    """Return every configured upstream region by name, the default one first."""
    regions = {
        DEFAULT_REGION: RegionSettings(
            DEFAULT_REGION,
            settings["UPSTREAM_ADMIN_URL"].rstrip("/"),
            settings["UPSTREAM_DATA_URL"].rstrip("/"),
            settings["UPSTREAM_API_USER"],
            settings["UPSTREAM_API_KEY"],
            settings["UPSTREAM_TENANT_KEY"],
        )
    }
    for name, values in settings["UPSTREAM_REGIONS"].items():
        regions[str(name)] = RegionSettings(
            str(name), *(str(values[f]).rstrip("/") if f.endswith("url") else str(values[f]) for f in _REGION_FIELDS)
        )
    return regions


def database_url(settings: Mapping[str, Any], instance_path: str) -> str:
    """Return the SQLAlchemy URL: ``DATABASE_URL`` (psycopg 3 for PostgreSQL) or a file in the instance folder."""
    url = settings.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "broker.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return str(url)
