"""Shared checks of the security suite: the one error shape, and no secret in an answer or in the captured logs."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.broker_support import (
    API_KEY,
    SECRET,
    FakeUpstream,
    assert_error,
    new_account,
    new_client,
)

BROKER_SECRETS = (API_KEY, SECRET)


def assert_no_secret(texts: list[str], secrets: tuple[str, ...], caplog: pytest.LogCaptureFixture) -> None:
    """Fail when any secret appears in one of ``texts`` or in any log line captured so far."""
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        if not secret:
            continue
        for text in texts:
            assert secret not in text, f"a secret leaked into an answer: {secret[:4]}…"
        assert secret not in logged, f"a secret leaked into the logs: {secret[:4]}…"


def refused(response: Any, status: int, code: str | None, secrets: tuple[str, ...], caplog: Any) -> dict[str, Any]:
    """Assert a refusal in the one error shape that names no secret; return the error object."""
    error = assert_error(response, status, code)
    assert_no_secret([response.get_data(as_text=True), str(dict(response.headers))], secrets, caplog)
    return error


class Lender:
    """A broker on a recording fake upstream with two lenders (A and B), each with one company."""

    def __init__(self, app: Flask, upstream: FakeUpstream) -> None:
        self.app, self.upstream = app, upstream
        self.a = new_client(app, "Lender A")
        self.b = new_client(app, "Lender B")
        self.key_a = new_account(app, self.a, name="A Co")
        self.key_b = new_account(app, self.b, name="B Co")
        self.http = app.test_client()

    @property
    def secrets(self) -> tuple[str, ...]:
        return (*BROKER_SECRETS, self.a["secret"], self.b["secret"])
