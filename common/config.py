"""Reading an app's settings: defaults, then ``<PREFIX>*`` environment variables coerced to each default's type.

The three apps (``BROKER_``, ``SANDBOX_``, ``HOST_``) read their environment here and keep only what is their own:
their defaults, their special cases and their checks. A value that cannot be read stops start-up with a sentence
naming the variable.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def coerce(raw: str, kind: type) -> Any:
    """Turn an environment string into ``kind`` (bool, int, float, list of comma-separated words, dict from JSON, str).

    Raises ``ValueError`` with a short reason when the string is not one.
    """
    if kind is bool:
        try:
            return BOOLEANS[raw.strip().lower()]
        except KeyError:
            raise ValueError("expected one of 1/0, true/false, yes/no, on/off") from None
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind is dict:
        value = json.loads(raw) if raw.strip() else {}
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        return value
    return raw


def from_environment(
    prefix: str,
    defaults: Mapping[str, Any],
    environ: Mapping[str, str],
    error: type[Exception],
    *,
    types: Mapping[str, type] | None = None,
    skip: Collection[str] = (),
) -> dict[str, Any]:
    """Return ``defaults`` with each ``prefix + name`` variable of ``environ`` read as the default's type.

    ``types`` names the type where the default does not tell it (a ``None`` default); a name in ``skip`` is never read
    from the environment (objects that tests inject). A value that cannot be read raises ``error``.
    """
    settings = dict(defaults)
    for name, default in defaults.items():
        key = prefix + name
        if name in skip or key not in environ:
            continue
        kind = (types or {}).get(name) or (type(default) if default is not None else str)
        try:
            settings[name] = coerce(environ[key], kind)
        except ValueError as reason:
            raise error(f"{key} has an invalid value {environ[key]!r}: {reason}.") from None
    return settings


def check_base_url(label: str, value: Any, *, production: bool, error: type[Exception]) -> None:
    """Raise ``error`` unless ``value`` is an http(s) base URL without query or fragment, https in production."""
    parts = urlsplit(value) if isinstance(value, str) and value else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise error(f"{label} must be an http(s) base URL without query or fragment, like https://api.example.com.")
    if production and parts.scheme != "https" and parts.hostname not in LOOPBACK:
        raise error(f"{label} must use https in production.")
