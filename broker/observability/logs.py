"""Broker logging: one JSON object (or text line) per record with the request id, and secrets always redacted."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from common.context import current_request_id
from common.web import RedactingFilter

PATTERNS = (
    r"(?i)(?<=basic )[A-Za-z0-9+/=._~-]{6,}",
    r"(?i)(?<=bearer )[A-Za-z0-9+/=._~-]{6,}",
    r"(?<=/v1/accounts/)(?!<account_key>)[^/\s?#\"']+",  # a key, but not the route template's placeholder
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


FORMATS = ("json", "text")
# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is worth printing.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "ledgerlink-broker"


def _record_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "message": record.getMessage(),
        "request_id": getattr(record, "request_id", None) or current_request_id(),
        "pid": record.process,  # which worker: several share one instance under gunicorn
    }
    for name, value in vars(record).items():
        if name not in _STANDARD and name not in fields and not name.startswith("_"):
            fields[name] = value if isinstance(value, str | int | float | bool) or value is None else str(value)
    return fields


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line, redacted as a whole (extra fields and tracebacks too)."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _record_fields(record)
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return REDACTOR.redact(json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str))


class TextFormatter(logging.Formatter):
    """Format a record as ``time level logger [request id] message key=value ...``, redacted as a whole."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _record_fields(record)
        fields.pop("pid")
        head = f"{fields.pop('time')} {fields.pop('level')} {fields.pop('logger')} [{fields.pop('request_id') or '-'}]"
        message = fields.pop("message")
        tail = " ".join(f"{k}={v}" for k, v in fields.items())
        text = f"{head} {message}" + (f" {tail}" if tail else "")
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return REDACTOR.redact(text)


def formatter_for(fmt: str) -> logging.Formatter:
    """Return the formatter for ``json`` or ``text``."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return JsonFormatter() if fmt == "json" else TextFormatter()


def configure_logging(fmt: str, level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send every log record of the process to ``stream`` (stderr) in ``fmt``, once; later calls update it."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(formatter_for(fmt))
    handler.addFilter(REDACTOR)
    root.setLevel(level.upper())
    return handler
