"""The example host app: config checks, pages, CSRF, the link token endpoint, webhooks, and a broker that fails."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from common import signing
from example_host_app import create_app
from example_host_app.config import HostConfigError, load_settings

INTEGRITY = "sha384-" + "A" * 64
WEBHOOK_SECRET = "whsec_test_secret_for_host"
CLIENT = ("cli_host_test", "cs_host_test_secret")
ACCOUNT = {"account_key": "a" * 32, "name": "Maple & Rye", "email": "owner@maple.test", "connections": []}

Handler = Callable[[httpx.Request], httpx.Response]


class FakeBrokerLog:
    """Records what the host sent to the broker; the handler answers like the broker's lender API."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if request.method == "POST" and path == "/v1/accounts":
            body = json.loads(request.content)
            return httpx.Response(201, json={**ACCOUNT, "name": body["name"], "email": body["email"]})
        if request.method == "POST" and path == "/v1/link_tokens":
            body = json.loads(request.content)
            return httpx.Response(201, json={"id": "t1", "link_token": "lt_" + body["origin"], "expires_at": 1})
        if path == f"/v1/accounts/{ACCOUNT['account_key']}":
            return httpx.Response(200, json=ACCOUNT)
        if path.startswith(f"/v1/accounts/{ACCOUNT['account_key']}/data/invoices"):
            if path.endswith("/inv_1"):
                return httpx.Response(
                    200, json={"id": "inv_1", "number": "INV-1", "source_url": "/api/source_records/sr_1"}
                )
            return httpx.Response(200, json=[{"id": "inv_1", "number": "INV-1", "total": 1234, "currency": "USD"}])
        if path.endswith("/data/source_records/sr_1"):
            return httpx.Response(200, json={"id": "sr_1", "raw": {"DocNumber": "INV-1"}})
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "No such thing."}})


@pytest.fixture
def broker_log() -> FakeBrokerLog:
    return FakeBrokerLog()


@contextlib.contextmanager
def host_app(tmp_path: Path, broker: Callable[[httpx.Request], httpx.Response]) -> Iterator[Flask]:
    """The example host app in test mode, its database under ``tmp_path``, talking to ``broker`` (a fake broker's
    handler); closed at the end."""
    flask_app = create_app(
        {
            "ENV": "testing",
            "BROKER_URL": "http://broker.test",
            "CLIENT_ID": CLIENT[0],
            "CLIENT_SECRET": CLIENT[1],
            "SECRET_KEY": "k" * 40,
            "WIDGET_INTEGRITY": INTEGRITY,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PUBLIC_URL": "http://localhost:5000",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'host.sqlite3'}",
            "BROKER_TRANSPORT": httpx.MockTransport(broker),
        }
    )
    try:
        yield flask_app
    finally:
        flask_app.extensions["example_host_app"].close()


@pytest.fixture
def app(tmp_path: Path, broker_log: FakeBrokerLog) -> Iterator[Flask]:
    with host_app(tmp_path, broker_log) as flask_app:
        flask_app.instance_path = str(tmp_path)
        yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_of(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'data-csrf="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def create_company(client: FlaskClient) -> str:
    token = csrf_of(client, "/companies/new")
    answer = client.post("/companies", data={"name": "Maple & Rye", "email": "owner@maple.test", "csrf_token": token})
    assert answer.status_code == 303
    return str(answer.headers["Location"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"BROKER_URL": None}, "HOST_BROKER_URL"),
        ({"CLIENT_SECRET": ""}, "HOST_CLIENT_SECRET"),
        ({"WIDGET_INTEGRITY": "md5-abc"}, "SRI hash"),
        ({"BROKER_URL": "ftp://broker"}, "http(s) base URL"),
        ({"ENV": "staging"}, "HOST_ENV"),
        ({"ENV": "production", "BROKER_URL": "http://broker.example"}, "https in production"),
        ({"ENV": "production", "BROKER_URL": "https://broker.example", "SECRET_KEY": "short"}, "32 random"),
        ({"ENV": "production", "BROKER_URL": "https://broker.example", "WEBHOOK_SECRET": None}, "WEBHOOK_SECRET"),
    ],
)
def test_unsafe_configuration_stops_start_up(change: dict[str, Any], message: str) -> None:
    base = {
        "ENV": "testing",
        "BROKER_URL": "http://broker.test",
        "CLIENT_ID": "c",
        "CLIENT_SECRET": "s",
        "SECRET_KEY": "k" * 40,
        "WIDGET_INTEGRITY": INTEGRITY,
        "WEBHOOK_SECRET": "w",
    }
    with pytest.raises(HostConfigError, match=re.escape(message)):
        load_settings({**base, **change}, environ={})


def test_creating_a_company_calls_the_broker_server_side(client: FlaskClient, broker_log: FakeBrokerLog) -> None:
    location = create_company(client)
    assert location.endswith(f"/companies/{ACCOUNT['account_key']}/apply")
    sent = broker_log.requests[-1]
    assert sent.url.path == "/v1/accounts" and sent.headers["Authorization"].startswith("Basic ")
    page = client.get(location).get_data(as_text=True)
    assert f'integrity="{INTEGRITY}"' in page
    assert "http://broker.test/widget/v1/loader.js" in page
    assert CLIENT[1] not in page and "Basic" not in page
    home = client.get("/").get_data(as_text=True)
    assert "Maple &amp; Rye" in home


@pytest.mark.parametrize(
    ("form", "field"),
    [({"name": "", "email": "a@b.c"}, "at most 200 characters"), ({"name": "X", "email": "nope"}, "email address")],
)
def test_bad_company_form_explains_each_field(client: FlaskClient, form: dict[str, str], field: str) -> None:
    token = csrf_of(client, "/companies/new")
    answer = client.post("/companies", data={**form, "csrf_token": token})
    assert answer.status_code == 422
    assert field in answer.get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(client: FlaskClient, broker_log: FakeBrokerLog) -> None:
    answer = client.post("/companies", data={"name": "X", "email": "a@b.c"})
    assert answer.status_code == 400
    assert "reload the page" in answer.get_data(as_text=True)
    assert broker_log.requests == []


def test_link_token_is_minted_for_this_sites_origin(client: FlaskClient, broker_log: FakeBrokerLog) -> None:
    location = create_company(client)
    token = csrf_of(client, location)
    answer = client.post(f"/companies/{ACCOUNT['account_key']}/link_token", headers={"X-CSRF-Token": token})
    assert answer.status_code == 201
    assert answer.get_json()["link_token"] == "lt_http://localhost:5000"
    assert json.loads(broker_log.requests[-1].content)["origin"] == "http://localhost:5000"


def test_link_token_for_an_unknown_company_is_404(client: FlaskClient) -> None:
    token = csrf_of(client, "/companies/new")
    answer = client.post("/companies/" + "b" * 32 + "/link_token", headers={"X-CSRF-Token": token})
    assert answer.status_code == 404


def _signed(body: bytes, secret: str = WEBHOOK_SECRET, at: float | None = None) -> dict[str, str]:
    return {
        signing.HEADER: signing.sign(secret, body, timestamp=int(at or time.time())),
        "Content-Type": "application/json",
    }


def _event(event_id: str = "evt_1", kind: str = "link.succeeded") -> bytes:
    return json.dumps(
        {"id": event_id, "type": kind, "created": "2026-12-01T00:00:00Z", "account_key": ACCOUNT["account_key"]}
    ).encode()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({signing.HEADER: "t=1,v1=00"}, 401),
        (_signed(_event(), secret="whsec_someone_else"), 401),
        (_signed(_event(), at=time.time() - 3600), 401),
    ],
)
def test_webhooks_with_a_bad_or_old_signature_are_refused(
    client: FlaskClient, headers: dict[str, str], status: int
) -> None:
    answer = client.post("/webhooks/ledgerlink", data=_event(), headers=headers)
    assert answer.status_code == status
    assert set(answer.get_json()["error"]) >= {"code", "message"}
    assert "No events yet" in client.get("/events").get_data(as_text=True)


def test_a_signed_webhook_is_shown_once_and_its_replay_ignored(client: FlaskClient) -> None:
    body = _event("evt_42")
    first = client.post("/webhooks/ledgerlink", data=body, headers=_signed(body))
    again = client.post("/webhooks/ledgerlink", data=body, headers=_signed(body))
    assert first.get_json() == {"received": True, "duplicate": False}
    assert again.get_json() == {"received": True, "duplicate": True}
    page = client.get("/events").get_data(as_text=True)
    assert page.count("evt_42") >= 1 and "link.succeeded" in page


def test_a_signed_body_that_is_not_an_event_is_400(client: FlaskClient) -> None:
    body = b'{"hello": "world"}'
    assert client.post("/webhooks/ledgerlink", data=body, headers=_signed(body)).status_code == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [("object=invoices&page=1", 200), ("object=invoices&page=-3", 200), ("object=../admin", 404), ("object=x", 404)],
)
def test_data_explorer_validates_what_it_forwards(
    client: FlaskClient, broker_log: FakeBrokerLog, query: str, status: int
) -> None:
    answer = client.get(f"/companies/{ACCOUNT['account_key']}/data?{query}")
    assert answer.status_code == status
    for sent in broker_log.requests:
        assert ".." not in sent.url.path
        assert sent.url.params.get("page", "1").isdigit()


def test_a_record_is_shown_beside_its_raw_source(client: FlaskClient) -> None:
    page = client.get(f"/companies/{ACCOUNT['account_key']}/data/invoices/inv_1").get_data(as_text=True)
    assert "INV-1" in page and "DocNumber" in page


def test_a_broker_that_is_down_gives_a_clear_page_not_a_crash(client: FlaskClient, broker_log: FakeBrokerLog) -> None:
    broker_log.down = True
    answer = client.get(f"/companies/{ACCOUNT['account_key']}")
    assert answer.status_code == 502
    assert "broker" in answer.get_data(as_text=True).lower()


def test_every_page_carries_a_strict_csp(client: FlaskClient) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' http://broker.test" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


def test_the_reconciliation_summary_names_accounts_and_keeps_the_latest_decisions() -> None:
    from example_host_app.present import RECENT_DECISIONS, reconciliation_view

    decisions = [
        {"bank_ids": [f"btx_{i}"], "ledger_ids": [f"je_{i}"], "decision": "confirmed", "decided_at": f"2026-11-{i:02d}"}
        for i in range(1, 31)
    ]
    view = reconciliation_view(
        {
            "match_rate": {"count": 0.9, "amount": 0.95},
            "summary": {"matches": 40, "confirmed": 30, "rejected": 2, "pending": 8},
            "accounts": [{"bank_account_id": "bacc_1", "name": "Business Checking"}],
            "unexplained_differences": [
                {"bank_account_id": "bacc_1", "month": "2026-10", "closing_difference": -500, "currency": "USD"}
            ],
            "decisions": decisions,
            "reliable_through": "2026-10-31",
        }
    )
    assert (view["count_rate"], view["amount_rate"], view["matches"]) == (0.9, 0.95, 40)
    assert view["counts"] == {"confirmed": 30, "rejected": 2, "pending": 8}
    assert view["differences"][0]["account"] == "Business Checking"
    assert view["decision_count"] == 30
    assert len(view["decisions"]) == RECENT_DECISIONS
    assert view["decisions"][0]["decided_at"] == "2026-11-30"
