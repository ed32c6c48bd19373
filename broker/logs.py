"""Log redaction for the broker: secrets and their known shapes never reach a log line, httpx's included."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from common.web import RedactingFilter

PATTERNS = (
    r"(?i)(?<=basic )[A-Za-z0-9+/=._~-]{6,}",
    r"(?i)(?<=bearer )[A-Za-z0-9+/=._~-]{6,}",
    r"(?<=/v1/accounts/)[^/\s?#\"']+",
    r"(?i)(?<=account_key=)[^&\s\"']+",
    r"(?i)(?<=account-key: )[^\s\"']+",
    r"(?<=\"account_key\": \")[^\"]+",
    r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,8}\.[A-Za-z0-9_-]{20,}",  # itsdangerous link tokens
    r"cs_[A-Za-z0-9_-]{20,}",  # broker client secrets
)
LOGGER_PREFIXES = ("broker", "httpx", "httpcore", "werkzeug", "gunicorn", "flask_limiter", "sqlalchemy", "alembic")

REDACTOR = RedactingFilter(patterns=PATTERNS)


def install_redaction(secrets: Iterable[str], extra_loggers: Iterable[logging.Logger] = ()) -> RedactingFilter:
    """Register ``secrets`` and attach the process-wide redacting filter to every logger that may see them."""
    for secret in secrets:
        REDACTOR.add(secret)
    names = set(LOGGER_PREFIXES)
    names.update(
        name
        for name in list(logging.root.manager.loggerDict)
        if any(name == p or name.startswith(p + ".") for p in LOGGER_PREFIXES)
    )
    targets = [logging.getLogger(name) for name in names]
    targets.extend(extra_loggers)
    for logger in targets:
        logger.addFilter(REDACTOR)  # addFilter ignores a filter it already has
    for handler in logging.root.handlers:
        handler.addFilter(REDACTOR)
    return REDACTOR


def remember_secret(value: str) -> None:
    """Redact ``value`` (an account key seen at run time) from every later log line of this process."""
    REDACTOR.add(value)
