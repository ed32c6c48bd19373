"""The broker's exception tree: every error it raises carries a stable code and an HTTP status.

``BrokerError`` (500, internal_error)
├── InvalidInput (400, bad_request), UnknownParameter (400), InvalidParameter (400), InvalidJson (400),
│   PayloadTooLarge (413), FileTooLarge (413)
├── Unprocessable (422, validation_failed)
├── AuthenticationFailed (401, unauthorized; ``WWW-Authenticate: Basic``)
├── InvalidToken (401, invalid_token; ``WWW-Authenticate: Bearer error="invalid_token"``)
├── Forbidden (403, forbidden), OriginNotAllowed (403), OriginMismatch (403),
│   InsufficientScope (403)
├── NotFound (404, not_found), UnknownIntegration (404)
├── NotReady (503, not_ready)
├── TooManyRequests (429, rate_limited; ``Retry-After``)
└── ConfigurationError (raised at startup, never rendered)

The upstream package adds ``UpstreamError`` and its children (502, 503, 504) in ``broker.upstream.errors``; a
feature adds its own codes as subclasses in its package (``link.flow``, ``webhooks.upstream``, ``consents.errors``,
``coverage.errors``, ``link_sessions.errors``...). A raise site never sets a literal code or status: a subclass does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from common.errors import ApiError

BASIC_CHALLENGE = 'Basic realm="broker"'
BEARER_CHALLENGE = 'Bearer realm="broker", error="invalid_token"'


class BrokerError(ApiError):
    """Base of every error the broker raises on purpose."""

    code, status, message = "internal_error", 500, "The broker could not complete the request."


class ConfigurationError(RuntimeError):
    """The broker's configuration is missing or unsafe; raised by ``create_app`` before serving anything."""


class InvalidInput(BrokerError):
    code, status, message = "bad_request", 400, "The request is not valid."


class UnknownParameter(InvalidInput):
    code, message = "unknown_parameter", "This endpoint does not accept that query parameter."


class InvalidParameter(InvalidInput):
    code, message = "invalid_parameter", "A query parameter is not valid."


class InvalidJson(InvalidInput):
    code, message = "invalid_json", "The body must be a JSON object."


class PayloadTooLarge(InvalidInput):
    code, status, message = "payload_too_large", 413, "The body is too large."


class FileTooLarge(PayloadTooLarge):
    code, message = "file_too_large", "A file is larger than 2 MB."


class Unprocessable(BrokerError):
    code, status, message = "validation_failed", 422, "Some fields are not valid."


class AuthenticationFailed(BrokerError):
    code, status, message = "unauthorized", 401, "Send your client id and secret with HTTP Basic authentication."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, headers={"WWW-Authenticate": BASIC_CHALLENGE}, **kwargs)


class InvalidToken(BrokerError):
    code, status, message = "invalid_token", 401, "The link token is missing, malformed, expired or revoked."

    def __init__(self, message: str | None = None, *, reason: str = "invalid", **kwargs: Any) -> None:
        super().__init__(message, headers={"WWW-Authenticate": BEARER_CHALLENGE}, **kwargs)
        self.reason = reason  # for metrics only: malformed, signature, expired, claims or revoked


class Forbidden(BrokerError):
    code, status, message = "forbidden", 403, "You may not access this resource."


class OriginNotAllowed(Forbidden):
    code, message = "origin_not_allowed", "This request comes from an origin the token was not issued for."


class OriginMismatch(Forbidden):
    code, message = (
        "origin_mismatch",
        "The widget is framed by a page whose origin is not the one this link token was issued for.",
    )


class InsufficientScope(Forbidden):
    code, message = "insufficient_scope", "The link token does not carry a scope this endpoint needs."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        challenge = 'Bearer realm="broker", error="insufficient_scope"'
        super().__init__(message, headers={"WWW-Authenticate": challenge}, **kwargs)


class NotFound(BrokerError):
    code, status, message = "not_found", 404, "No such resource."


class UnknownIntegration(NotFound):
    code, message = "unknown_integration", "No such app in the catalogue."


class NotReady(BrokerError):
    code, status, message = "not_ready", 503, "A dependency is not reachable."


class TooManyRequests(BrokerError):
    code, status, message = "rate_limited", 429, "Too many requests; retry after the time in Retry-After."

    def __init__(self, retry_after: float, message: str | None = None, **kwargs: Any) -> None:
        seconds = str(max(1, math.ceil(retry_after)))
        super().__init__(message, headers={"Retry-After": seconds}, **kwargs)


def field_errors(messages: Mapping[str, Any]) -> Unprocessable:
    """Return a 422 error listing the fields that failed and why."""
    return Unprocessable(details={"fields": dict(messages)})
