"""The upstream client: failures mapped to 502/503/504 in our shape, never echoing upstream bodies; real loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask, Response, request

from tests.broker_support import (
    API_KEY,
    FakeUpstream,
    assert_error,
    auth_headers,
    basic,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)
from tests.live_server import live_server


@pytest.fixture
def reader(app: Flask) -> Any:
    lender = new_client(app)
    key = new_account(app, lender)

    def read(path: str = "invoices") -> Any:
        return app.test_client().get(f"/v1/accounts/{key}/data/{path}", headers=auth_headers(lender))

    return read


@pytest.fixture(params=[None, "redis://127.0.0.1:6379/0"], ids=["memory", "redis"])
def limit_store(request: Any) -> Iterator[dict[str, Any]]:
    """The broker's limit storage, in memory or in Redis under a key prefix of its own (removed afterwards)."""
    import uuid

    from tests.broker_support import reachable

    redis_url = request.param
    if redis_url and not reachable(6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"broker-test:{uuid.uuid4().hex}:"
    yield {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    if redis_url:
        import redis

        connection = redis.Redis.from_url(redis_url)
        for stored in connection.scan_iter(f"*{prefix}*"):
            connection.delete(stored)
        connection.close()


LEAK = "upstream-secret-body sk_internal_trace"


def reply(status: int, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, text=LEAK, **kwargs)


@pytest.mark.parametrize(
    ("script", "status", "code", "calls"),
    [
        ([reply(500), reply(502), httpx.Response(200, json=[])], 200, None, 3),
        ([reply(500)] * 4, 502, "upstream_error", 4),
        ([reply(503)] * 4, 503, "upstream_unavailable", 4),
        ([reply(504)] * 4, 504, "upstream_timeout", 4),
        ([httpx.ConnectError("refused")] * 4, 503, "upstream_unavailable", 4),
        ([httpx.ReadTimeout("slow")] * 4, 504, "upstream_timeout", 4),
        ([httpx.RemoteProtocolError("dropped")] * 4, 503, "upstream_unavailable", 4),
        ([reply(401)], 502, "upstream_error", 1),
        ([reply(400)], 400, "upstream_bad_request", 1),
        ([reply(403)], 403, "account_not_shared", 1),
        ([reply(404)], 404, "not_found", 1),
        ([reply(422)], 422, "upstream_validation_failed", 1),
        ([reply(302, headers={"Location": "http://evil.example/"})], 502, "upstream_error", 1),
        ([httpx.Response(200, text="<html>oops</html>")], 502, "upstream_error", 1),
        ([httpx.Response(200, text="[]")], 502, "upstream_error", 1),  # text/plain: not declared JSON
        ([httpx.Response(200, text="oops", headers={"Content-Type": "application/json"})], 502, "upstream_error", 1),
        ([httpx.Response(200, json=["x" * 1024] * 9000)], 502, "upstream_error", 1),  # over the size bound
        ([reply(429, headers={"Retry-After": "30"})], 429, "upstream_rate_limited", 1),
        ([reply(429, headers={"Retry-After": "0"}), httpx.Response(200, json=[])], 200, None, 2),
    ],
)
def test_upstream_failures_map_to_our_shape(
    upstream: FakeUpstream, reader: Any, script: list[Any], status: int, code: str | None, calls: int
) -> None:
    upstream.script = list(script)
    response = reader()
    assert len(upstream.data_requests) == calls
    if code is None:
        assert response.status_code == status
        return
    assert_error(response, status, code)
    assert LEAK not in response.get_data(as_text=True) and "evil" not in response.get_data(as_text=True)
    if status == 429:
        assert response.headers["Retry-After"] == "30"


def test_the_client_is_configured_explicitly(app: Flask) -> None:
    client = app.extensions["broker"].upstreams["default"]._http
    assert client.follow_redirects is False and client.trust_env is False
    assert client.timeout == httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=2.0)


def _slow_upstream(delay: float) -> Flask:
    slow = Flask("slow")

    @slow.get("/api/<name>")
    def data(name: str) -> Response:
        time.sleep(delay)
        return Response("[]", mimetype="application/json")

    @slow.post("/app/api.php")
    def admin() -> dict[str, str]:
        assert request.authorization is not None and request.authorization.username == API_KEY
        return {"account_key": "ak_slowcompany", "subdomain": "s", "account_domain": "d"}

    return slow


def test_slow_upstream_gives_504_by_the_deadline(tmp_path: Any) -> None:
    with (
        live_server(_slow_upstream(1.5)) as server,
        broker_app(
            tmp_path,
            UPSTREAM_ADMIN_URL=server.url,
            UPSTREAM_DATA_URL=server.url,
            UPSTREAM_DEADLINE=0.6,
            UPSTREAM_READ_TIMEOUT=0.25,
        ) as app,
    ):
        lender = new_client(app)
        key = new_account(app, lender)
        started = time.monotonic()
        response = app.test_client().get(f"/v1/accounts/{key}/data/invoices", headers=auth_headers(lender))
        elapsed = time.monotonic() - started
    assert_error(response, 504, "upstream_timeout")
    assert elapsed < 1.2  # the deadline, not the upstream, decided


def test_upstream_down_gives_503(tmp_path: Any) -> None:
    with live_server(_slow_upstream(0)) as server:
        url = server.url
    with broker_app(tmp_path, UPSTREAM_ADMIN_URL=url, UPSTREAM_DATA_URL=url, UPSTREAM_CONNECT_TIMEOUT=0.2) as app:
        lender = new_client(app)
        response = app.test_client().post(
            "/v1/accounts", json={"name": "A", "email": "a@b.test"}, headers=auth_headers(lender)
        )
        assert_error(response, 503, "upstream_unavailable")
        assert_error(app.test_client().get("/readyz"), 503, "not_ready")


def test_pacing_turns_into_our_own_429(tmp_path: Any, upstream: FakeUpstream) -> None:
    with broker_app(tmp_path, upstream.transport, UPSTREAM_COMPANY_RPS=3, UPSTREAM_DEADLINE=0.5) as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender))["link_token"]
        # Three start at once; a fourth would wait a second for a slot, longer than the deadline allows.
        responses = [app.test_client().get("/v1/link/data/invoices", headers=bearer(token)) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert responses[-1].headers["Retry-After"] == "1"
    assert len(upstream.data_requests) == 3


def test_broker_limits_per_company_answer_json_429(tmp_path: Any, upstream: FakeUpstream) -> None:
    with broker_app(tmp_path, upstream.transport, RATELIMIT_PER_COMPANY="2/minute") as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender))["link_token"]
        client = app.test_client()
        assert [client.get("/v1/link/data/invoices", headers=bearer(token)).status_code for _ in range(2)] == [200] * 2
        response = client.get("/v1/link/data/invoices", headers=bearer(token))
    assert_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert len(upstream.data_requests) == 2


def test_broker_limits_per_client(tmp_path: Any, upstream: FakeUpstream) -> None:
    with broker_app(tmp_path, upstream.transport, RATELIMIT_PER_CLIENT="3/minute") as app:
        lender, other = new_client(app), new_client(app, "B")
        client = app.test_client()
        statuses = [client.get("/v1/accounts", headers=auth_headers(lender)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert client.get("/v1/accounts", headers=auth_headers(other)).status_code == 200


def test_per_address_limit_is_json_with_retry_after(tmp_path: Any) -> None:
    with broker_app(tmp_path, RATELIMIT_PER_ADDRESS="2/minute") as app:
        client = app.test_client()
        [client.get("/v1/accounts") for _ in range(2)]
        response = client.get("/v1/accounts")
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1


def test_proxied_reads_count_their_address_in_the_same_round_trip(
    tmp_path: Any, upstream: FakeUpstream, limit_store: dict[str, Any]
) -> None:
    """The proxy is exempt from Flask-Limiter's own check but keeps the per-address budget: successful reads count it
    with the client and company; failed credentials count it alone and, once it is spent, are refused before any
    password is checked again."""
    with broker_app(tmp_path, upstream.transport, RATELIMIT_PER_ADDRESS="3/minute", **limit_store) as app:
        lender = new_client(app)  # the CLI, not a request: the address has spent nothing yet
        key = new_account(app, lender)
        client = app.test_client()
        path = f"/v1/accounts/{key}/data/invoices"
        assert [client.get(path, headers=auth_headers(lender)).status_code for _ in range(3)] == [200] * 3
        spent = client.get(path, headers=auth_headers(lender))
        assert_error(spent, 429, "rate_limited")
        assert "address" in spent.get_json()["error"]["message"] and int(spent.headers["Retry-After"]) >= 1
        assert len(upstream.data_requests) == 3
        # One budget per endpoint, as Flask-Limiter keeps it: one object by id is another endpoint.
        assert client.get(f"{path}/inv_1", headers=auth_headers(lender)).status_code in (200, 404)

        state = app.extensions["broker"]
        checked: list[str] = []
        authenticate = state.authenticator.authenticate

        def counting(session: Any, client_id: object, secret: object) -> Any:
            checked.append(str(client_id))
            return authenticate(session, client_id, secret)

        state.authenticator.authenticate = counting
        wrong = basic(lender["client_id"], "not-the-secret")
        object_path = f"{path}/inv_2"
        statuses = [client.get(object_path, headers=wrong).status_code for _ in range(4)]
        assert statuses == [401, 401, 429, 429]  # one of the three went to the read by id above
        # The request that found the budget spent had its password checked; the next one is refused before that.
        assert len(checked) == 3


def _cookie_setting_upstream(seen: list[tuple[str, str | None]]) -> httpx.MockTransport:
    """An upstream (a PHP application, say) that opens a session for each company it answers."""
    fake = FakeUpstream()

    def handler(request: httpx.Request) -> httpx.Response:
        answer = fake(request)
        if request.url.path.startswith("/api/"):
            company = request.headers.get("X-Account-Key", "")
            seen.append((company, request.headers.get("Cookie")))
            answer.headers["Set-Cookie"] = f"PHPSESSID=session-of-{company}; Path=/; HttpOnly"
        return answer

    return httpx.MockTransport(handler)


def test_no_upstream_cookie_is_kept_between_calls(tmp_path: Any) -> None:
    seen: list[tuple[str, str | None]] = []
    with broker_app(tmp_path, _cookie_setting_upstream(seen)) as app:
        lender = new_client(app)
        company_a, company_b = new_account(app, lender, name="A Co"), new_account(app, lender, name="B Co")
        for key in (company_a, company_b, company_a, company_b):
            response = app.test_client().get(f"/v1/accounts/{key}/data/invoices", headers=auth_headers(lender))
            assert response.status_code == 200 and "Set-Cookie" not in response.headers
        jar = app.extensions["broker"].upstreams["default"]._http.cookies
    assert [company for company, _cookie in seen] == [company_a, company_b, company_a, company_b]
    assert [cookie for _company, cookie in seen] == [None] * 4  # nothing replayed, to the same company or another
    assert len(jar) == 0


def test_no_cookie_is_kept_from_the_administration_api(tmp_path: Any) -> None:
    fake, cookies = FakeUpstream(), []

    def handler(request: httpx.Request) -> httpx.Response:
        cookies.append(request.headers.get("Cookie"))
        answer = fake(request)
        answer.headers["Set-Cookie"] = "admin_session=abc; Path=/"
        return answer

    with broker_app(tmp_path, httpx.MockTransport(handler)) as app:
        lender = new_client(app)
        new_account(app, lender)
        new_account(app, lender)
        jar = app.extensions["broker"].upstreams["default"]._http.cookies
    assert cookies == [None, None] and len(jar) == 0


def test_bodies_are_relayed_byte_for_byte(upstream: FakeUpstream, reader: Any) -> None:
    body = b'[ {"z": 1, "a": "\\u00e9", "n": 1.50} ]\n'
    upstream.script = [httpx.Response(200, content=body, headers={"Content-Type": "application/json; charset=utf-8"})]
    response = reader()
    assert response.status_code == 200 and response.get_data() == body


def test_a_proxied_read_counts_once_against_the_client_and_once_against_the_company(
    tmp_path: Any, upstream: FakeUpstream, limit_store: dict[str, Any]
) -> None:
    limits = {"RATELIMIT_PER_CLIENT": "4/minute", "RATELIMIT_PER_COMPANY": "3/minute"}
    with broker_app(tmp_path, upstream.transport, **limit_store, **limits) as app:
        lender = new_client(app)
        key = new_account(app, lender)  # one request of the client's budget
        client = app.test_client()
        reads = [client.get(f"/v1/accounts/{key}/data/invoices", headers=auth_headers(lender)) for _ in range(3)]
        assert [r.status_code for r in reads] == [200, 200, 200]  # counted once each, not twice
        company_spent = client.get(f"/v1/accounts/{key}/data/invoices", headers=auth_headers(lender))
        assert_error(company_spent, 429, "rate_limited")  # the 4th request of the client: its budget is spent too
        missing = client.get("/v1/accounts/ak_missing/data/invoices", headers=auth_headers(lender))
        assert_error(missing, 429, "rate_limited")  # a miss counts against the client like any request
