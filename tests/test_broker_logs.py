"""Secrets never reach a log line: API key, client secrets, tokens, account keys, Basic credentials, httpx's too."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.broker_support import (
    API_KEY,
    FakeUpstream,
    auth_headers,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)


def test_nothing_secret_is_logged_during_a_whole_flow(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    upstream = FakeUpstream()
    caplog.set_level(logging.DEBUG)
    with broker_app(tmp_path, upstream.transport) as app:
        lender = new_client(app)
        key = new_account(app, lender)
        token = new_link_token(app, lender, key)["link_token"]
        client = app.test_client()
        client.get(f"/v1/accounts/{key}", headers=auth_headers(lender))
        client.get("/v1/link/data/invoices?page=1", headers=bearer(token))
        upstream.script = [__import__("httpx").Response(500)] * 4
        client.get(f"/v1/accounts/{key}/data/bills", headers=auth_headers(lender))
        logging.getLogger("broker.audit").info("manual line with %s and %s and Basic %s", key, token, "Zm9vOmJhcg==")
        logging.getLogger("httpx").info("GET /v1/accounts/%s/data x Bearer %s", key, token)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request" in text  # httpx did log: its lines were redacted, not dropped
    for secret in (API_KEY, lender["secret"], token, key, lender["Authorization"].split()[1], "Zm9vOmJhcg=="):
        assert secret not in text
    assert "[redacted]" in text
