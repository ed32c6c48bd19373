"""Rate-limit evasion: other spellings of an account key never buy more reads, at the broker or at the sandbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from tests.broker_support import FakeUpstream, auth_headers, broker_app, new_account, new_client
from tests.sandbox_support import DATA_HEADERS, SANDBOX_TEST_CONFIG
from tests.security.support import BROKER_SECRETS, refused


def _variants(key: str) -> list[str]:
    return [
        key.upper(),
        key[0].upper() + key[1:],
        "".join(f"%{ord(c):02x}" for c in key),  # every character percent-encoded
        quote(key) + "%20",
        " " + key,
        key + "%00",
        key.replace("a", "\uff41"),  # full-width letters
        key + "/",
    ]


def test_broker_company_budget_cannot_be_evaded(tmp_path: Any, caplog: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport, RATELIMIT_PER_COMPANY="3 per minute") as app:
        client = new_client(app)
        key = new_account(app, client)
        http = app.test_client()
        path = "/v1/accounts/{}/data/invoices"
        assert [http.get(path.format(key), headers=auth_headers(client)).status_code for _ in range(3)] == [200] * 3
        refused(http.get(path.format(key), headers=auth_headers(client)), 429, "rate_limited", BROKER_SECRETS, caplog)
        for variant in _variants(key):
            answer = http.get(path.format(variant), headers=auth_headers(client))
            assert answer.status_code in (404, 429), (variant, answer.status_code)
            refused(answer, answer.status_code, None, (*BROKER_SECRETS, client["secret"]), caplog)
        assert len(upstream.data_requests) == 3


@pytest.fixture
def limited_sandbox(tmp_path: Any) -> Any:
    from sandbox import create_app

    app = create_app(
        {**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite3'}", "RATE_LIMIT": "3 per minute"}
    )
    yield app
    app.extensions["sandbox"].close()


def test_sandbox_company_budget_cannot_be_evaded(limited_sandbox: Flask, caplog: Any) -> None:
    from tests.sandbox_support import create_company

    http = limited_sandbox.test_client()
    key = create_company(http)

    def read(value: str) -> Any:
        return http.get("/api/accounts", query_string={"X_ACCOUNT_KEY": value}, headers=DATA_HEADERS)

    assert [read(key).status_code for _ in range(3)] == [200] * 3
    refused(read(key), 429, None, (SANDBOX_TEST_CONFIG["API_KEY"],), caplog)
    for variant in _variants(key):
        answer = read(variant)
        assert answer.status_code in (400, 403, 429), (variant, answer.status_code)
        refused(answer, answer.status_code, None, (SANDBOX_TEST_CONFIG["API_KEY"],), caplog)
    header = http.get("/api/accounts", headers={**DATA_HEADERS, "X-Account-Key": key.upper()})
    assert header.status_code in (403, 429)
