"""Webhooks from the sandbox: registration, signed events on a real socket, retries with backoff, the delivery log."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, Response, request
from sqlalchemy import select, update

from common import signing
from common.dates import iso
from common.delivery import outcome_of
from sandbox import create_app
from sandbox.db import Database
from sandbox.models import WebhookDelivery
from sandbox.webhooks import LEASE_SECONDS, POLICY, WebhookService, list_deliveries, register_endpoint
from tests.live_server import live_server
from tests.sandbox_support import ADMIN_HEADERS, SANDBOX_TEST_CONFIG, assert_error, create_company, sandbox_connect


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
        "connection.restored",
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


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (7, 60), (10, 60)])
def test_backoff_is_exponential_with_jitter_and_capped(attempt: int, ceiling: float) -> None:
    assert POLICY.max_attempts == 6  # the numbers docs/sandbox.md promises
    rng = random.Random(attempt)
    delays = [POLICY.delay(attempt, rng) for _ in range(200)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 100  # jittered, so that many senders do not retry in step


def test_delivery_log_pages_are_checked(app: Any) -> None:
    client = app.test_client()
    assert_error(client.get("/app/api.php?action=webhook_deliveries&page=0", headers=ADMIN_HEADERS), 400)
    assert client.get("/app/api.php?action=webhook_deliveries&page=2", headers=ADMIN_HEADERS).get_json() == []


class FrozenClock:
    """A UTC clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@contextlib.contextmanager
def sender(path: Any, clock: FrozenClock) -> Iterator[WebhookService]:
    """A sandbox process's webhook service on the SQLite file ``path`` (its own engine, as another process has)."""
    db = Database(f"sqlite:///{path}")
    db.create_all()
    service = WebhookService(db, timeout=5.0, clock=clock, poll_interval=0.05)
    try:
        yield service
    finally:
        service.dispatcher.stop()
        db.engine.dispose()


def dead_process_stores_one_event(path: Any, clock: FrozenClock, url: str) -> str:
    """A process that registers ``url``, stores one event and dies before sending it; return the delivery id."""
    with sender(path, clock) as dying:
        register_endpoint(dying.db, url)
        dying.dispatcher.stop()  # it dies: the event is stored, nothing is sent
        dying.emit("account.created", "ak_1", {"subdomain": "maple-rye"})
        with dying.db.session() as session:
            return str(session.scalars(select(WebhookDelivery.id)).one())


def log_row(service: WebhookService) -> dict[str, Any]:
    (row,) = list_deliveries(service.db, 1)
    return row


@pytest.mark.parametrize(
    ("seconds_after_claim", "reclaimed"),
    [(0, False), (30, False), (59, False), (60, True), (61, True), (3600, True)],
)
def test_a_claim_left_by_a_dead_sender_is_taken_again_when_its_lease_runs_out(
    tmp_path: Any, receiver: tuple[Receiver, str], seconds_after_claim: float, reclaimed: bool
) -> None:
    hooks, url = receiver
    clock, path = FrozenClock(), tmp_path / "lease.sqlite3"
    delivery_id = dead_process_stores_one_event(path, clock, url)
    with sender(path, clock) as dying:  # another process claims it, then dies before posting
        assert dying.dispatcher.store.claim(delivery_id, clock()) is not None
    claimed_at = clock()
    clock.advance(seconds_after_claim)
    with sender(path, clock) as survivor:
        assert survivor.dispatcher.send_due() == (1 if reclaimed else 0)
        row = log_row(survivor)
    if reclaimed:
        assert len(hooks.received) == 1 and json.loads(hooks.received[0][1])["type"] == "account.created"
        assert row["status"] == "delivered" and row["attempts"] == 1 and row["last_status_code"] == 200
        assert row["next_attempt"] is None and row["delivered_at"] == iso(clock())
    else:
        assert hooks.received == []
        assert row["status"] == "sending" and row["attempts"] == 0
        assert row["next_attempt"] == iso(claimed_at + timedelta(seconds=LEASE_SECONDS))  # when it is taken over


def test_a_sender_that_outlived_its_lease_does_not_overwrite_the_new_claim(
    tmp_path: Any, receiver: tuple[Receiver, str]
) -> None:
    _, url = receiver
    clock, path = FrozenClock(), tmp_path / "stale.sqlite3"
    delivery_id = dead_process_stores_one_event(path, clock, url)
    with sender(path, clock) as slow, sender(path, clock) as survivor:
        stale = slow.dispatcher.store.claim(delivery_id, clock())
        assert stale is not None
        clock.advance(LEASE_SECONDS + 1)
        fresh = survivor.dispatcher.store.claim(delivery_id, clock())
        assert fresh is not None and fresh.body == stale.body
        # The slow sender wakes up at last, while the survivor's attempt is still under way: its result is dropped.
        slow.dispatcher.store.record(delivery_id, outcome_of(stale, 500, "endpoint answered 500", POLICY, clock()))
        assert log_row(survivor)["status"] == "sending" and log_row(survivor)["last_error"] is None
        survivor.dispatcher.attempt(fresh)
        row = log_row(survivor)
    assert row["status"] == "delivered" and row["attempts"] == 1 and row["last_error"] is None


# What a restart finds in the log -> whether the sender starts at once, what it sends at once, and when the rest.
RESTART_CASES = [
    ("stored, never sent", {"status": "pending", "attempts": 0}, 0, True, 1, None),
    ("backing off after two failures", {"status": "pending", "attempts": 2}, 30, True, 0, 30),
    ("claimed by a sender that died", None, LEASE_SECONDS, True, 0, LEASE_SECONDS),
    ("stuck as sending by an earlier version", {"status": "sending", "attempts": 1}, -3600, True, 1, None),
    ("delivered", {"status": "delivered", "attempts": 1, "next_attempt": None}, 0, False, 0, None),
    ("failed for good", {"status": "failed", "attempts": 6, "next_attempt": None}, 0, False, 0, None),
]


@pytest.mark.parametrize(
    ("state", "due_in", "starts", "sent_at_once", "sent_after"),
    [case[1:] for case in RESTART_CASES],
    ids=[case[0] for case in RESTART_CASES],
)
def test_a_restarted_sandbox_resumes_what_is_still_waiting_without_a_new_event(
    tmp_path: Any,
    receiver: tuple[Receiver, str],
    state: dict[str, Any] | None,
    due_in: float,
    starts: bool,
    sent_at_once: int,
    sent_after: float | None,
) -> None:
    hooks, url = receiver
    clock, path = FrozenClock(), tmp_path / "restart.sqlite3"
    delivery_id = dead_process_stores_one_event(path, clock, url)
    with sender(path, clock) as before:
        if state is None:  # claimed, then its sender died
            assert before.dispatcher.store.claim(delivery_id, clock()) is not None
        else:
            values = {"next_attempt": clock() + timedelta(seconds=due_in), **state}
            with before.db.session() as session:
                session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))
    with sender(path, clock) as restarted:
        assert restarted.resume_pending() is starts
        assert restarted.dispatcher.running is starts
        if sent_at_once:
            hooks.events("account.created")
        else:
            assert restarted.dispatcher.send_due() == 0  # nothing is due yet at this instant
        if sent_after is not None:
            clock.advance(sent_after)  # no new event: the resumed sender's own polling finds it due
            hooks.events("account.created")
        deadline = time.monotonic() + 5
        while starts and log_row(restarted)["status"] != "delivered" and time.monotonic() < deadline:
            time.sleep(0.05)
        row = log_row(restarted)
    assert len(hooks.received) == (1 if starts else 0)
    assert row["status"] == ("delivered" if starts else (state or {}).get("status"))


def test_create_app_sends_deliveries_stored_before_the_restart(tmp_path: Any, receiver: tuple[Receiver, str]) -> None:
    hooks, url = receiver
    config = {**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'restart.sqlite3'}"}
    first = create_app(config)
    register(first.test_client(), url)
    first.extensions["sandbox"].webhooks.dispatcher.stop()  # the process dies before its sender sends anything
    create_company(first.test_client())
    assert hooks.received == [] and deliveries(first.test_client())[0]["status"] == "pending"
    second = create_app(config)  # the restart, and no new event after it
    (_, body), *_ = hooks.events("account.created")
    assert json.loads(body)["id"] == deliveries(second.test_client())[0]["event_id"]
    second.extensions["sandbox"].webhooks.dispatcher.stop()
