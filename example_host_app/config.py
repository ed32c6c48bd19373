"""Host app configuration: defaults, then ``HOST_``-prefixed environment variables, then a test mapping, checked."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from common.config import check_base_url, from_environment

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "BROKER_URL": None,  # where this server calls the broker's lender API
    "BROKER_PUBLIC_URL": None,  # where browsers load the widget from (defaults to BROKER_URL)
    "PUBLIC_URL": None,  # this site's own origin as browsers see it (defaults to the request's host)
    "CLIENT_ID": None,
    "CLIENT_SECRET": None,
    "WEBHOOK_SECRET": None,  # the signing secret the broker returned when the webhook endpoint was registered
    "SECRET_KEY": None,
    "WIDGET_INTEGRITY": None,  # SRI of /widget/v1/loader.js, printed by `flask --app broker widget-sri`
    "DATABASE_URL": None,  # default: SQLite in the instance folder
    "BROKER_TIMEOUT": 20.0,
    "BROKER_TRANSPORT": None,  # tests inject an httpx transport here
}
REQUIRED = ("BROKER_URL", "CLIENT_ID", "CLIENT_SECRET", "SECRET_KEY", "WIDGET_INTEGRITY")
_SRI = re.compile(r"^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$")


class HostConfigError(RuntimeError):
    """The host app's configuration is missing or unsafe; raised by ``create_app`` before serving anything."""


def load_settings(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, ``HOST_*`` variables and ``test_config``; validate; return the settings."""
    env = os.environ if environ is None else environ
    settings = from_environment("HOST_", DEFAULTS, env, HostConfigError, skip={"BROKER_TRANSPORT"})
    settings.update(test_config or {})
    validate(settings)
    settings["BROKER_URL"] = settings["BROKER_URL"].rstrip("/")
    settings["BROKER_PUBLIC_URL"] = (settings["BROKER_PUBLIC_URL"] or settings["BROKER_URL"]).rstrip("/")
    return settings


def validate(settings: Mapping[str, Any]) -> None:
    """Raise ``HostConfigError`` with a sentence saying what to set when a setting is missing or unsafe."""
    if settings["ENV"] not in {"production", "development", "testing"}:
        raise HostConfigError("HOST_ENV must be production, development or testing.")
    missing = [f"HOST_{name}" for name in REQUIRED if not settings.get(name)]
    if missing:
        raise HostConfigError(
            f"{', '.join(missing)} must be set: the broker URL, the client id and secret from "
            "`flask --app broker create-client`, a random HOST_SECRET_KEY and the loader's SRI hash from "
            "`flask --app broker widget-sri`."
        )
    production = settings["ENV"] == "production"
    check_base_url("HOST_BROKER_URL", settings["BROKER_URL"], production=production, error=HostConfigError)
    for name in ("BROKER_PUBLIC_URL", "PUBLIC_URL"):
        if settings.get(name):
            check_base_url(f"HOST_{name}", settings[name], production=production, error=HostConfigError)
    if production and len(str(settings["SECRET_KEY"])) < 32:
        raise HostConfigError("HOST_SECRET_KEY must be at least 32 random characters in production.")
    if not _SRI.match(str(settings["WIDGET_INTEGRITY"])):
        raise HostConfigError("HOST_WIDGET_INTEGRITY must be an SRI hash like sha384-<base64>.")
    if production and not settings.get("WEBHOOK_SECRET"):
        raise HostConfigError("HOST_WEBHOOK_SECRET is required in production: webhooks cannot be verified without it.")
