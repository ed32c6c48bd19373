"""The broker receiving the upstream's webhooks: signatures, replays, forwarding connection.error, registration."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from flask import Flask

from broker.webhooks import service as webhooks
from broker.webhooks.upstream import register_at_upstream
from common import signing
from tests.broker_support import FakeUpstream, assert_error, auth_headers, broker_app, new_account, new_client
from tests.test_broker_webhooks import Receiver

SECRET = "whsec_upstream_secret_for_tests"


def post_event(app: Flask, event: dict[str, Any], *, secret: str = SECRET, timestamp: int | None = None) -> Any:
    body = json.dumps(event).encode()
    header = signing.sign(secret, body, timestamp=timestamp)
    return app.test_client().post(
        "/v1/upstream/webhooks", data=body, headers={signing.HEADER: header, "Content-Type": "application/json"}
    )


def event(account_key: str, event_id: str = "evt_1", type_: str = "connection.error") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": type_,
        "created": "2026-11-01T00:00:00Z",
        "account_key": account_key,
        "data": {"integration": "northbank", "connection_id": "con_1", "reason": "sync_failed", "token": "x"},
    }


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(tmp_path: Any, receiver: Receiver) -> Any:
    with broker_app(
        tmp_path,
        FakeUpstream().transport,
        UPSTREAM_WEBHOOK_SECRETS=[SECRET],
        WEBHOOK_TRANSPORT=httpx.MockTransport(receiver),
        WEBHOOK_DISPATCHER=False,
    ) as created:
        yield created


def test_connection_error_is_forwarded_once_to_the_owning_lender(app: Flask, receiver: Receiver) -> None:
    lender, other = new_client(app), new_client(app, "Other")
    key = new_account(app, lender)
    for client in (lender, other):
        app.test_client().post("/v1/webhooks", json={"url": "https://hooks.example/x"}, headers=auth_headers(client))
    first = post_event(app, event(key))
    assert first.status_code == 200 and first.get_json() == {"received": True, "duplicate": False}
    replay = post_event(app, event(key))
    assert replay.status_code == 200 and replay.get_json()["duplicate"] is True
    service: webhooks.WebhookService = app.extensions[webhooks.EXTENSION]
    assert service.dispatcher.send_due() == 1
    (sent,) = receiver.events
    assert sent["type"] == "connection.error" and sent["account_key"] == key
    assert sent["data"] == {"integration": "northbank", "connection_id": "con_1", "reason": "sync_failed"}


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        ({"secret": "whsec_wrong"}, "signature_invalid"),
        ({"timestamp": int(time.time()) - 3600}, "signature_expired"),
    ],
)
def test_bad_or_old_signatures_are_rejected(app: Flask, signature: dict[str, Any], code: str) -> None:
    response = post_event(app, event("ak_1"), **signature)
    assert_error(response, 401, code)


def test_missing_signature_and_garbage_are_rejected(app: Flask) -> None:
    client = app.test_client()
    assert_error(client.post("/v1/upstream/webhooks", data=b"{}"), 401, "signature_missing")
    body = b"not json"
    response = client.post("/v1/upstream/webhooks", data=body, headers={signing.HEADER: signing.sign(SECRET, body)})
    assert_error(response, 400, "invalid_json")


def test_other_events_and_unknown_accounts_are_recorded_not_forwarded(app: Flask, receiver: Receiver) -> None:
    lender = new_client(app)
    key = new_account(app, lender)
    app.test_client().post("/v1/webhooks", json={"url": "https://hooks.example/x"}, headers=auth_headers(lender))
    assert post_event(app, event(key, "evt_a", "sync.completed")).status_code == 200
    assert post_event(app, event("ak_not_ours", "evt_b")).status_code == 200
    service: webhooks.WebhookService = app.extensions[webhooks.EXTENSION]
    assert service.dispatcher.send_due() == 0 and receiver.requests == []


def test_registering_at_the_upstream_is_idempotent_and_keeps_the_secret(tmp_path: Any) -> None:
    registered: list[dict[str, Any]] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"endpoints": [{"id": e["id"], "url": e["url"]} for e in registered]})
        body = json.loads(request.content)
        assert body["action"] == "register_webhook"
        registered.append({"id": f"whe_{len(registered)}", "url": body["url"], "secret": "whsec_from_upstream"})
        return httpx.Response(201, json=registered[-1])

    with broker_app(tmp_path, httpx.MockTransport(upstream), WEBHOOK_DISPATCHER=False) as app:
        state = app.extensions["broker"]
        url = "http://127.0.0.1:8001/v1/upstream/webhooks"
        with state.db.session() as session:
            assert register_at_upstream(session, state.upstreams["default"], "default", url, now=state.now()) == (
                "whe_0",
                True,
            )
            assert register_at_upstream(session, state.upstreams["default"], "default", url, now=state.now()) == (
                "whe_0",
                False,
            )
        assert len(registered) == 1
        assert post_event(app, event("ak_1"), secret="whsec_from_upstream").status_code == 200
        result = app.test_cli_runner().invoke(args=["register-upstream-webhook", url])
        assert result.exit_code == 0 and json.loads(result.output)["created"] is False
