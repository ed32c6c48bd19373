"""The one error type and JSON error shape that every app in this project renders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ApiError(Exception):
    """An error with a stable snake_case code, an HTTP status and a human sentence.

    Each app subclasses it into its own tree (``broker.errors``, ``sandbox.errors``), one class per code and status;
    raise one anywhere below a view and the app's error handler renders it in the one JSON shape (``error_body``).
    A class that answers a failed authentication names its ``WWW-Authenticate`` value in ``challenge``.
    """

    code: str = "internal_error"
    status: int = 500
    message: str = "The server could not complete the request."
    challenge: str | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.headers = dict(headers or {})
        if self.challenge:
            self.headers.setdefault("WWW-Authenticate", self.challenge)
        self.details = dict(details or {})
        super().__init__(self.message)


def error_body(
    code: str, message: str, request_id: str | None = None, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the JSON body of an error in the project's one shape."""
    error: dict[str, Any] = {"code": code, "message": message}
    if request_id:
        error["request_id"] = request_id
    if details:
        error["details"] = dict(details)
    return {"error": error}
