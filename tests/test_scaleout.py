"""Scale-out: two gunicorn broker instances (two workers each) on one PostgreSQL and one Redis agree on everything.

Per-company limits are global, a revocation is seen by every instance at once, webhook deliveries are sent once,
migrations run once when both start together on an empty database, request ids reach the sandbox's log, and each
instance's /metrics sums its workers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from common import signing
from tests.live_server import live_server
from tests.scaleout_support import METRICS_TOKEN, ORIGIN, Stack, missing_services, scaleout_stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
COMPANY_LIMIT = 12
UPSTREAM_WEBHOOK_SECRET = "whsec_scaleout_upstream_" + "u" * 20


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = missing_services()
    if reason:
        pytest.skip(reason)
    with scaleout_stack(
        tmp_path_factory.mktemp("scaleout"), BROKER_RATELIMIT_PER_COMPANY=f"{COMPANY_LIMIT} per minute"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def lender(stack: Stack) -> tuple[str, str]:
    created = stack.cli("create-client", "Scale-out Lender", "--origin", ORIGIN)
    return created["client_id"], created["client_secret"]


def _company(stack: Stack, lender: tuple[str, str], name: str) -> str:
    response = httpx.post(
        stack.brokers[0].url + "/v1/accounts", json={"name": name, "email": "owner@scale.test"}, auth=lender
    )
    assert response.status_code == 201, response.text
    key = str(response.json()["account_key"])
    stack.connect_app(key)
    return key


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["request_id"]


def test_migrations_ran_once_although_both_instances_started_together(stack: Stack) -> None:
    from sqlalchemy import create_engine, text

    from broker.config import database_url

    records = [r for broker in stack.brokers for r in broker.json_logs() if r.get("migration")]
    assert [r["migration"] for r in records].count("applied") == 1
    assert [r["migration"] for r in records].count("none") == len(records) - 1 == 3  # 2 instances x 2 workers
    engine = create_engine(database_url({"DATABASE_URL": stack.database_url}, ""))
    with engine.connect() as connection:
        assert len(connection.execute(text("SELECT version_num FROM alembic_version")).all()) == 1
    engine.dispose()


def test_the_company_limit_is_global_across_instances_and_workers(stack: Stack, lender: tuple[str, str]) -> None:
    key = _company(stack, lender, "Limited Co")
    urls = [stack.brokers[i % 2].url + f"/v1/accounts/{key}/data/invoices" for i in range(COMPANY_LIMIT * 2)]
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda url: httpx.get(url, auth=lender, timeout=30), urls))
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == COMPANY_LIMIT and statuses.count(429) == COMPANY_LIMIT, statuses
    for response in responses:
        if response.status_code == 429:
            _assert_error(response, 429, "rate_limited")
            assert int(response.headers["Retry-After"]) >= 1
    served_by = {i % 2 for i, r in enumerate(responses) if r.status_code == 200}
    assert served_by == {0, 1}  # both instances answered from the one budget
    rejected = 0.0
    for broker in stack.brokers:
        metrics = httpx.get(broker.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        for line in metrics.text.splitlines():
            if line.startswith('broker_rate_limit_rejections_total{limit="company"}'):
                rejected += float(line.rsplit(" ", 1)[1])
    assert rejected == COMPANY_LIMIT  # each instance's /metrics sums its workers, whichever one answers


def test_a_revoked_token_is_refused_by_every_instance_within_the_bound(stack: Stack, lender: tuple[str, str]) -> None:
    from broker.revocations import PROPAGATION_BOUND

    key = _company(stack, lender, "Revoked Co")
    minted = httpx.post(
        stack.brokers[0].url + "/v1/link_tokens", json={"account_key": key, "origin": ORIGIN}, auth=lender
    )
    assert minted.status_code == 201, minted.text
    headers = {"Authorization": f"Bearer {minted.json()['link_token']}"}
    assert httpx.get(stack.brokers[1].url + "/v1/link/data/invoices", headers=headers).status_code == 200
    revoked = httpx.delete(stack.brokers[0].url + f"/v1/link_tokens/{minted.json()['id']}", auth=lender)
    assert revoked.status_code == 204
    time.sleep(PROPAGATION_BOUND)  # pub/sub usually takes milliseconds; the bound is the promise, for every worker
    urls = [stack.brokers[i % 2].url + "/v1/link/data/invoices" for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        after = list(pool.map(lambda url: httpx.get(url, headers=headers, timeout=30), urls))
    for response in after:
        _assert_error(response, 401, "invalid_token")


def test_webhook_deliveries_are_sent_once_although_every_worker_sends(stack: Stack, lender: tuple[str, str]) -> None:
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from broker.config import database_url
    from broker.webhooks.models import UpstreamWebhookSecret, WebhookDelivery

    key = _company(stack, lender, "Webhook Co")
    engine = create_engine(database_url({"DATABASE_URL": stack.database_url}, ""))
    with Session(engine) as session:
        session.add(
            UpstreamWebhookSecret(
                region="default",
                endpoint_id="we_up",
                url="http://x/",
                secret=UPSTREAM_WEBHOOK_SECRET,
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
    received: list[str] = []
    lock = threading.Lock()

    def receiver(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        time.sleep(0.02)  # a slow endpoint widens the window in which two senders could both post
        with lock:
            received.append(json.loads(body)["data"]["connection_id"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    events = 30
    with live_server(receiver) as hook:
        registered = httpx.post(
            stack.brokers[1].url + "/v1/webhooks",
            json={"url": hook.url + "/hook", "events": ["connection.error"]},
            auth=lender,
        )
        assert registered.status_code == 201, registered.text

        def post_event(index: int) -> list[int]:
            body = json.dumps(
                {"id": f"up_evt_{index}", "type": "connection.error", "account_key": key,
                 "data": {"integration": "ledgerly", "connection_id": f"conn_{index}", "reason": "expired"}}
            ).encode()  # fmt: skip
            statuses = []
            for broker in stack.brokers:  # the same event reaches both instances: a replay is ignored
                headers = {signing.HEADER: signing.sign(UPSTREAM_WEBHOOK_SECRET, body)}
                statuses.append(
                    httpx.post(broker.url + "/v1/upstream/webhooks", content=body, headers=headers).status_code
                )
            return statuses

        with ThreadPoolExecutor(4) as pool:
            assert all(s == [200, 200] for s in pool.map(post_event, range(events)))
        deadline = time.monotonic() + 30
        while len(received) < events and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # several poll intervals: a double send would have happened by now
    assert sorted(received) == sorted(f"conn_{i}" for i in range(events))
    with Session(engine) as session:
        rows = session.execute(
            select(WebhookDelivery.status, WebhookDelivery.attempts, func.count()).group_by(
                WebhookDelivery.status, WebhookDelivery.attempts
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("delivered", 1, events)]


def test_the_request_id_reaches_the_sandbox_and_comes_back(stack: Stack, lender: tuple[str, str]) -> None:
    key = _company(stack, lender, "Traced Co")
    rid = "trace-scaleout-0001"
    response = httpx.get(
        stack.brokers[1].url + f"/v1/accounts/{key}/data/bills", auth=lender, headers={"X-Request-Id": rid}
    )
    assert response.status_code == 200 and response.headers["X-Request-Id"] == rid
    deadline = time.monotonic() + 5
    while not any(f"rid={rid}" in line for line in stack.sandbox.log_lines()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [line for line in stack.sandbox.log_lines() if f"rid={rid}" in line] == [
        f"sandbox GET /api/bills 200 rid={rid}"
    ]
    (access,) = [
        r for r in stack.brokers[1].json_logs() if r.get("request_id") == rid and r["logger"] == "broker.access"
    ]
    assert access["route"] == "/v1/accounts/<account_key>/data/<object_name>" and access["status"] == 200
    assert access["client_id"] == lender[0] and key not in json.dumps(access)


def test_metrics_need_the_token_on_every_instance(stack: Stack) -> None:
    for broker in stack.brokers:
        _assert_error(httpx.get(broker.url + "/metrics"), 401, "unauthorized")
        ok = httpx.get(broker.url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert ok.status_code == 200 and "broker_http_requests_total" in ok.text
