"""Webhooks from the sandbox: registration, signed events on a real socket, retries with backoff, the delivery log."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response, request

from common import signing
from sandbox import create_app
from sandbox.webhooks import BASE_DELAY_SECONDS, MAX_DELAY_SECONDS, backoff_delay
from tests.conftest import ADMIN_HEADERS, SANDBOX_TEST_CONFIG, assert_error, create_company, sandbox_connect
from tests.live_server import live_server


@dataclass
class Receiver:
    """A tenant's webhook endpoint: records every POST and fails the first ``fail_first`` of them."""

    fail_first: int = 0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Flask:
        app = Flask("webhook_receiver")

        @app.post("/hooks")
        def hooks() -> Response:
            with self.lock:
                self.received.append((dict(request.headers), request.get_data()))
                failing = len(self.received) <= self.fail_first
            return Response("try later" if failing else "ok", status=500 if failing else 200)

        return app

    def events(self, event_type: str, timeout: float = 10.0) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [(h, b) for h, b in self.received if json.loads(b)["type"] == event_type]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} webhook within {timeout} s; got {len(self.received)} posts")


@pytest.fixture
def app(tmp_path: Any) -> Any:
    return create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'hooks.sqlite3'}"})


def register(client: Any, url: str) -> dict[str, Any]:
    response = client.post("/app/api.php", json={"action": "register_webhook", "url": url}, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def deliveries(client: Any) -> list[dict[str, Any]]:
    return list(client.get("/app/api.php?action=webhook_deliveries", headers=ADMIN_HEADERS).get_json())


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hooks = Receiver()
    with live_server(hooks.app()) as server:
        yield hooks, server.url + "/hooks"


def test_registration_returns_the_secret_once(app: Any) -> None:
    client = app.test_client()
    endpoint = register(client, "http://127.0.0.1:9/hooks")
    assert endpoint["secret"].startswith("whsec_") and set(endpoint["events"]) == {
        "account.created",
        "connection.created",
        "sync.completed",
        "connection.error",
    }
    listed = client.get("/app/api.php?action=webhooks", headers=ADMIN_HEADERS).get_json()["endpoints"]
    assert listed == [{"id": endpoint["id"], "url": endpoint["url"], "active": True, "created": listed[0]["created"]}]
    assert endpoint["secret"] not in json.dumps(listed)


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/x", "http://" + "a" * 2050 + ".test/", ""])
def test_bad_webhook_urls_are_422(app: Any, url: str) -> None:
    response = app.test_client().post(
        "/app/api.php", json={"action": "register_webhook", "url": url}, headers=ADMIN_HEADERS
    )
    assert_error(response, 422)


def test_events_are_signed_and_verifiable_and_old_signatures_are_replays(app: Any, receiver: Any) -> None:
    hooks, url = receiver
    client = app.test_client()
    secret = register(client, url)["secret"]
    key = create_company(client)
    sandbox_connect(client, key, "northbank")
    for event_type in ("account.created", "connection.created", "sync.completed"):
        headers, body = hooks.events(event_type)[0]
        event = json.loads(body)
        assert set(event) == {"id", "type", "created", "account_key", "data"}
        assert event["account_key"] == key and event["id"].startswith("evt_")
        stamp = signing.verify(secret, body, headers[signing.HEADER])
        assert abs(stamp - time.time()) < 30
        with pytest.raises(signing.SignatureError) as wrong:
            signing.verify("whsec_someone_else", body, headers[signing.HEADER])
        assert wrong.value.code == "signature_invalid"
        with pytest.raises(signing.SignatureError) as replayed:  # the same request played back six minutes later
            signing.verify(secret, body, headers[signing.HEADER], now=stamp + 301)
        assert replayed.value.code == "signature_expired"
    synced = json.loads(hooks.events("sync.completed")[0][1])
    assert synced["data"]["integration"] == "northbank"
    ids = [json.loads(b)["id"] for _, b in hooks.received]
    assert len(ids) == len(set(ids))  # one id per event: a receiver can ignore ids it has seen


def test_a_failing_endpoint_is_retried_with_the_same_event_and_logged(app: Any) -> None:
    hooks = Receiver(fail_first=2)
    with live_server(hooks.app()) as server:
        client = app.test_client()
        register(client, server.url + "/hooks")
        create_company(client)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (
            len(hooks.received) < 3 or deliveries(client)[0]["status"] != "delivered"
        ):
            time.sleep(0.1)
    bodies = [body for _, body in hooks.received]
    assert len(bodies) == 3 and len(set(bodies)) == 1  # the same event, byte for byte, each attempt signed anew
    log = deliveries(client)
    assert len(log) == 1
    row = log[0]
    assert row["event_type"] == "account.created" and row["status"] == "delivered" and row["attempts"] == 3
    assert row["last_status_code"] == 200 and row["delivered_at"] and row["next_attempt"] is None


def test_an_unreachable_endpoint_shows_its_last_error_and_next_attempt(app: Any) -> None:
    with live_server(Flask("gone")) as server:
        url = server.url + "/hooks"  # a port that was listening a moment ago and is closed now
    client = app.test_client()
    register(client, url)
    create_company(client)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and deliveries(client)[0]["attempts"] == 0:
        time.sleep(0.05)
    row = deliveries(client)[0]
    assert row["status"] in {"pending", "sending"} and row["attempts"] >= 1
    assert row["last_error"] and "ConnectError" in row["last_error"] and row["last_status_code"] is None


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 5, 6, 7, 10])
def test_backoff_is_exponential_with_jitter_and_capped(attempt: int) -> None:
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (attempt - 1))
    rng = random.Random(attempt)
    delays = [backoff_delay(attempt, rng) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 100  # jittered, so that many senders do not retry in step


def test_delivery_log_pages_are_checked(app: Any) -> None:
    client = app.test_client()
    assert_error(client.get("/app/api.php?action=webhook_deliveries&page=0", headers=ADMIN_HEADERS), 400)
    assert client.get("/app/api.php?action=webhook_deliveries&page=2", headers=ADMIN_HEADERS).get_json() == []
