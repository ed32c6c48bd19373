"""Flask glue shared by the apps: request ids, the JSON error handlers and log redaction."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from common.context import set_request_id
from common.errors import ApiError, error_body

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Werkzeug's names are CamelCase sentences; the API promises snake_case codes.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}

log = logging.getLogger(__name__)


def request_id() -> str:
    """Return this request's id: the caller's ``X-Request-Id`` when well formed, else a new one."""
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_id = rid
        set_request_id(rid)  # for logs and upstream calls made by code that knows nothing of Flask
    return str(rid)


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> Response:
    """Build a JSON error response in the one shape, with the request id."""
    response = jsonify(error_body(code, message, request_id(), details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """Render every error (ours, Werkzeug's, and unexpected ones) as JSON of the one shape and tag request ids."""

    @app.before_request
    def _assign_request_id() -> None:
        request_id()

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = request_id()
        return response

    @app.teardown_request
    def _forget_request_id(_error: BaseException | None = None) -> None:
        set_request_id(None)  # a worker thread serves many requests; the next one must not inherit this id

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message, error.headers, error.details)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        headers: dict[str, str] = {}
        valid_methods = getattr(error, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(sorted(valid_methods))
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="api"'
        message = error.description or "The request could not be completed."
        return error_response(status, _HTTP_CODES.get(status, "http_error"), message, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error", extra={"request_id": request_id()})
        return error_response(500, "internal_error", "The server hit an unexpected error; it has been logged.")


class RedactingFilter(logging.Filter):
    """Replace every known secret in a log record's final message with ``[redacted]``.

    Secrets are given as a callable so that values learned at run time (account keys, tokens) are covered too.
    """

    def __init__(self, secrets: Iterable[str] | None = None, patterns: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = {s for s in (secrets or ()) if s and len(s) >= 6}
        self._patterns = [re.compile(p) for p in patterns]

    def add(self, secret: str) -> None:
        """Add one more value that must never reach a log line."""
        if secret and len(secret) >= 6:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        """Return ``text`` with every secret and pattern match replaced."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "[redacted]")
        for pattern in self._patterns:
            text = pattern.sub("[redacted]", text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
