"""Lender webhooks: registration, signed deliveries, backoff, the delivery log, redelivery, restarts, single sends."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import update

from broker.webhooks import service as webhooks
from broker.webhooks.models import WebhookDelivery
from broker.webhooks.service import WebhookService, delivery_store
from common import signing
from common.delivery import DeliveryOutcome, DeliveryPolicy, Dispatcher
from tests.broker_support import FakeUpstream, FrozenClock, assert_error, auth_headers, broker_app, new_client
from tests.live_server import live_server

HOOK_URL = "https://hooks.lender.example/ledgerlink"


class Receiver:
    """A webhook endpoint as a MockTransport: records posts and answers with scripted statuses (then 200)."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, json={"ok": status == 200})

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make_app(tmp_path: Any, receiver: Receiver, clock: FrozenClock | None = None, **overrides: Any) -> Any:
    config = {
        "WEBHOOK_TRANSPORT": httpx.MockTransport(receiver),
        "WEBHOOK_DISPATCHER": False,  # tests drive send_due() themselves unless they want the thread
        "WEBHOOK_BACKOFF_BASE": 10.0,
        "WEBHOOK_BACKOFF_MAX": 60.0,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        **overrides,
    }
    if clock is not None:
        config["CLOCK"] = clock
    return broker_app(tmp_path, FakeUpstream().transport, **config)


def service(app: Flask) -> WebhookService:
    found: WebhookService = app.extensions[webhooks.EXTENSION]
    return found


def register(app: Flask, client: dict[str, str], **body: Any) -> dict[str, Any]:
    response = app.test_client().post("/v1/webhooks", json={"url": HOOK_URL, **body}, headers=auth_headers(client))
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def deliveries(app: Flask, client: dict[str, str], endpoint_id: str) -> list[dict[str, Any]]:
    response = app.test_client().get(f"/v1/webhooks/{endpoint_id}/deliveries", headers=auth_headers(client))
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["data"])


def test_register_list_delete_and_secret_shown_once(tmp_path: Any) -> None:
    with make_app(tmp_path, Receiver()) as app:
        lender, other = new_client(app), new_client(app, "Other")
        created = register(app, lender, events=["link.succeeded", "connection.error"])
        assert created["secret"].startswith("whsec_") and created["events"] == ["link.succeeded", "connection.error"]
        listed = app.test_client().get("/v1/webhooks", headers=auth_headers(lender)).get_json()["data"]
        assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
        assert app.test_client().get("/v1/webhooks", headers=auth_headers(other)).get_json()["data"] == []
        client = app.test_client()
        assert_error(client.delete(f"/v1/webhooks/{created['id']}", headers=auth_headers(other)), 404, "not_found")
        assert client.delete(f"/v1/webhooks/{created['id']}", headers=auth_headers(lender)).status_code == 204
        assert client.get("/v1/webhooks", headers=auth_headers(lender)).get_json()["data"] == []
        assert_error(client.get("/v1/webhooks"), 401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example/x"}, "url"),
        ({"url": "https://user:pw@hooks.example/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": HOOK_URL, "events": ["invoice.paid"]}, "events"),
        ({"url": HOOK_URL, "events": []}, "events"),
    ],
)
def test_register_rejects_bad_input(tmp_path: Any, body: dict[str, Any], field: str) -> None:
    with make_app(tmp_path, Receiver()) as app:
        response = app.test_client().post("/v1/webhooks", json=body, headers=auth_headers(new_client(app)))
        error = assert_error(response, 422, "validation_failed")
        assert field in json.dumps(error["details"])


@pytest.mark.parametrize(
    ("url", "production", "ok"),
    [
        ("http://127.0.0.1:8000/webhooks", False, True),
        ("http://127.0.0.1:8000/webhooks", True, False),
        ("https://10.0.0.5/hook", True, False),
        ("https://localhost/hook", True, False),
        ("https://hooks.lender.example/hook", True, True),
    ],
)
def test_production_refuses_plain_http_and_private_addresses(url: str, production: bool, ok: bool) -> None:
    if ok:
        assert webhooks.check_url(url, production=production) == url
    else:
        with pytest.raises(Exception, match="not valid"):
            webhooks.check_url(url, production=production)


def test_emit_sends_a_signed_event_only_to_subscribed_endpoints_of_that_client(tmp_path: Any) -> None:
    receiver = Receiver()
    with make_app(tmp_path, receiver) as app:
        lender, other = new_client(app), new_client(app, "Other")
        endpoint = register(app, lender)
        register(app, lender, events=["mapping.saved"])
        register(app, other)
        with app.app_context():
            event_id = webhooks.emit("link.succeeded", lender["client_id"], "ak_123", {"connections": 3})
        assert service(app).dispatcher.send_due() == 1
        (request,) = receiver.requests
        assert str(request.url) == HOOK_URL
        signing.verify(endpoint["secret"], request.content, request.headers[signing.HEADER])
        event = json.loads(request.content)
        assert event["id"] == event_id and event["type"] == "link.succeeded"
        assert event["account_key"] == "ak_123" and event["data"] == {"connections": 3}
        log = deliveries(app, lender, endpoint["id"])
        assert [(d["status"], d["attempts"], d["event_id"]) for d in log] == [("delivered", 1, event_id)]
        assert log[0]["delivered_at"] and log[0]["last_status_code"] == 200


def test_failures_back_off_exponentially_then_fail_for_good(tmp_path: Any) -> None:
    clock, receiver = FrozenClock(), Receiver((500, 503, 500))
    with make_app(tmp_path, receiver, clock) as app:
        lender = new_client(app)
        endpoint = register(app, lender)
        with app.app_context():
            webhooks.emit("mapping.saved", lender["client_id"], "ak_1", {})
        dispatcher = service(app).dispatcher
        waits = []
        for attempt in (1, 2):
            assert dispatcher.send_due() == 1
            (entry,) = deliveries(app, lender, endpoint["id"])
            assert entry["status"] == "pending" and entry["attempts"] == attempt
            assert entry["last_status_code"] in (500, 503) and "answered" in entry["last_error"]
            due = entry["next_attempt_at"]
            wait = (service(app).now().fromisoformat(due.replace("Z", "+00:00")) - service(app).now()).total_seconds()
            waits.append(wait)
            assert dispatcher.send_due() == 0  # not due yet: nothing is sent early
            clock.advance(wait + 1)
        assert 5 - 1 <= waits[0] <= 10 and 10 - 1 <= waits[1] <= 20  # base 10 s, doubling, full jitter in [c/2, c]
        assert dispatcher.send_due() == 1
        (entry,) = deliveries(app, lender, endpoint["id"])
        assert (entry["status"], entry["attempts"], entry["next_attempt_at"]) == ("failed", 3, None)
        clock.advance(3600)
        assert dispatcher.send_due() == 0 and len(receiver.requests) == 3


def test_redelivery_sends_the_same_event_again_as_a_new_log_entry(tmp_path: Any) -> None:
    clock, receiver = FrozenClock(), Receiver((500, 500, 500))
    with make_app(tmp_path, receiver, clock, WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_BACKOFF_BASE=0.001) as app:
        lender, other = new_client(app), new_client(app, "Other")
        endpoint = register(app, lender)
        with app.app_context():
            event_id = webhooks.emit("reconciliation.completed", lender["client_id"], "ak_1", {"match_rate": 0.9})
        for _ in range(3):
            service(app).dispatcher.send_due()
            clock.advance(1)
        (failed,) = deliveries(app, lender, endpoint["id"])
        assert failed["status"] == "failed"
        client = app.test_client()
        path = f"/v1/webhook_deliveries/{failed['id']}/redeliver"
        assert_error(client.post(path, headers=auth_headers(other)), 404, "not_found")
        assert_error(client.post("/v1/webhook_deliveries/wd_nope/redeliver", headers=auth_headers(lender)), 404)
        queued = client.post(path, headers=auth_headers(lender))
        assert queued.status_code == 202 and queued.get_json()["status"] == "pending"
        assert service(app).dispatcher.send_due() == 1
        log = deliveries(app, lender, endpoint["id"])
        assert [d["status"] for d in log] == ["delivered", "failed"]
        assert {d["event_id"] for d in log} == {event_id}
        assert [e["id"] for e in receiver.events] == [event_id] * 4


def test_deleted_endpoint_gets_nothing_more(tmp_path: Any) -> None:
    receiver = Receiver()
    with make_app(tmp_path, receiver) as app:
        lender = new_client(app)
        endpoint = register(app, lender)
        with app.app_context():
            webhooks.emit("link.connected", lender["client_id"], "ak_1", {"integration": "ledgerly"})
        app.test_client().delete(f"/v1/webhooks/{endpoint['id']}", headers=auth_headers(lender))
        assert service(app).dispatcher.send_due() == 0 and receiver.requests == []


def test_deliveries_stored_before_a_restart_are_sent_after_it(tmp_path: Any) -> None:
    received: list[dict[str, Any]] = []

    def endpoint_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        received.append({"body": json.loads(body), "signature": environ.get("HTTP_X_SIGNATURE")})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    with live_server(endpoint_app) as hook:
        with make_app(tmp_path, Receiver(), WEBHOOK_TRANSPORT=None) as first:
            lender = new_client(first)
            endpoint = register(first, lender, url=hook.url + "/hooks")
            with first.app_context():
                event_id = webhooks.emit("link.succeeded", lender["client_id"], "ak_1", {})
            # The process dies between storing and sending, and after claiming another delivery.
            with first.app_context():
                abandoned = webhooks.emit("link.connected", lender["client_id"], "ak_1", {})
            store = delivery_store(service(first).db)
            task_ids = store.due(service(first).now(), 10)
            assert store.claim(task_ids[-1], service(first).now()) is not None
            with service(first).db.session() as session:  # ...and its claim's lease has run out since
                session.execute(update(WebhookDelivery).values(lease_until=service(first).now() - timedelta(seconds=1)))
                session.commit()
        assert received == []
        with make_app(
            tmp_path, Receiver(), WEBHOOK_TRANSPORT=None, WEBHOOK_DISPATCHER=True, WEBHOOK_POLL_INTERVAL=0.05
        ) as second:
            deadline = time.monotonic() + 10
            while len(received) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sorted(r["body"]["id"] for r in received) == sorted([event_id, abandoned])
            for item in received:
                signing.verify(
                    endpoint["secret"], json.dumps(item["body"], separators=(",", ":")).encode(), item["signature"]
                )
            assert service(second).dispatcher.running
        deadline = time.monotonic() + 5
        while service(second).dispatcher.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not service(second).dispatcher.running  # closing the app stops its sender thread


def test_two_dispatchers_on_one_database_never_send_an_event_twice(tmp_path: Any) -> None:
    receiver = Receiver()
    with make_app(tmp_path, receiver) as app:
        lender = new_client(app)
        register(app, lender)
        with app.app_context():
            sent = {webhooks.emit("mapping.saved", lender["client_id"], f"ak_{i}", {}) for i in range(40)}
        db = service(app).db
        from broker.storage.db import Database

        other_db = Database(db.url)  # a second process: its own engine on the same file
        transport = httpx.MockTransport(receiver)
        dispatchers = [
            Dispatcher(delivery_store(d), transport=transport, policy=DeliveryPolicy(3, 0.01, 0.01))
            for d in (db, other_db, db, other_db)
        ]
        barrier = threading.Barrier(len(dispatchers))

        def run(dispatcher: Dispatcher) -> None:
            barrier.wait()
            while dispatcher.send_due(limit=5):
                pass

        threads = [threading.Thread(target=run, args=(d,)) for d in dispatchers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        for dispatcher in dispatchers:
            dispatcher.stop()
        other_db.dispose()
        ids = [e["id"] for e in receiver.events]
        assert sorted(ids) == sorted(sent) and len(ids) == 40


def test_a_sender_whose_lease_ran_out_records_nothing_over_the_newer_claim(tmp_path: Any) -> None:
    with make_app(tmp_path, Receiver()) as app:
        lender = new_client(app)
        register(app, lender)
        with app.app_context():
            webhooks.emit("mapping.saved", lender["client_id"], "ak_1", {})
        db, now = service(app).db, service(app).now()
        slow, fresh = delivery_store(db, lease_seconds=30), delivery_store(db, lease_seconds=30)
        [delivery_id] = slow.due(now, 10)
        assert slow.claim(delivery_id, now) is not None
        later = now + timedelta(seconds=31)  # the slow sender's lease has run out: another takes the delivery over
        assert fresh.claim(delivery_id, later) is not None
        slow.record(delivery_id, DeliveryOutcome("failed", 1, 500, "endpoint answered 500", None, later))
        with db.session() as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None
            assert (row.status, row.attempts) == ("sending", 0)  # the stale answer was dropped
        fresh.record(delivery_id, DeliveryOutcome("delivered", 1, 200, None, None, later))
        with db.session() as session:
            row = session.get(WebhookDelivery, delivery_id)
            assert row is not None
            assert (row.status, row.attempts, row.lease_until) == ("delivered", 1, None)
