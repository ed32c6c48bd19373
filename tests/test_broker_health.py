"""Probes: /healthz always; /readyz checks the upstream by a documented, authenticated call at most every 30 s."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.broker_support import API_KEY, TENANT_KEY, FakeUpstream, FrozenClock, assert_error, broker_app

DOCUMENTED_ADMIN_ACTIONS = {"embed_token", "connection_health", "accounts"}


def _admin_calls(upstream: FakeUpstream) -> list[httpx.Request]:
    return [r for r in upstream.requests if r.url.path == "/app/api.php"]


def _assert_authenticated_and_documented(request: httpx.Request) -> None:
    expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers.get("Authorization") == expected
    assert request.headers.get("Account-Key") == TENANT_KEY
    assert request.method == "GET" and request.url.params.get("action") in DOCUMENTED_ADMIN_ACTIONS


def test_a_hundred_probes_cost_at_most_one_authenticated_upstream_call(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport, CLOCK=FrozenClock()) as app:
        client = app.test_client()
        answers = [client.get("/readyz") for _ in range(100)]
    assert all(a.status_code == 200 and a.get_json()["checks"]["upstream:default"] == "ok" for a in answers)
    calls = _admin_calls(upstream)
    assert len(calls) <= 1
    for call in calls:
        _assert_authenticated_and_documented(call)


def test_concurrent_probes_share_one_check(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport, CLOCK=FrozenClock()) as app:

        def probe(_n: int) -> int:
            return int(app.test_client().get("/readyz").status_code)

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(probe, range(100)))
    assert statuses == [200] * 100 and len(_admin_calls(upstream)) <= 1


def test_the_upstream_is_checked_again_after_thirty_seconds(tmp_path: Any) -> None:
    upstream, clock = FakeUpstream(), FrozenClock()
    with broker_app(tmp_path, upstream.transport, CLOCK=clock) as app:
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        clock.advance(29)
        assert client.get("/readyz").status_code == 200
        assert len(_admin_calls(upstream)) == 1
        upstream.script = [httpx.Response(503, text="down")] * 8
        clock.advance(2)
        assert_error(client.get("/readyz"), 503, "not_ready")  # the new check saw the upstream down
        checks_made = len(_admin_calls(upstream))
        for _ in range(20):
            assert_error(client.get("/readyz"), 503, "not_ready")  # answered from that result
        assert len(_admin_calls(upstream)) == checks_made
    for call in _admin_calls(upstream):
        _assert_authenticated_and_documented(call)


def test_liveness_never_calls_the_upstream(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport) as app:
        client = app.test_client()
        assert all(client.get("/healthz").status_code == 200 for _ in range(10))
    assert _admin_calls(upstream) == []
