"""The read-only proxy (lender and widget sides): scoping, path and header tricks, methods, upstream failures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from broker.data.proxy import validate_read
from broker.errors import BrokerError
from tests.broker_support import (
    API_KEY,
    API_USER,
    OTHER_ORIGIN,
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


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """Two lenders, each with a company, and a link token for lender A's company."""
    a, b = new_client(app, "Lender A"), new_client(app, "Lender B")
    key_a, key_b = new_account(app, a), new_account(app, b)
    token = new_link_token(app, a, key_a)["link_token"]
    return {"a": a, "b": b, "key_a": key_a, "key_b": key_b, "token": token}


def lender_get(client: FlaskClient, world: dict[str, Any], path: str, **kwargs: Any) -> Any:
    headers = {**auth_headers(world["a"]), **kwargs.pop("headers", {})}
    return client.get(f"/v1/accounts/{world['key_a']}/data/{path}", headers=headers, **kwargs)


def widget_get(client: FlaskClient, world: dict[str, Any], path: str, **kwargs: Any) -> Any:
    headers = {**bearer(world["token"]), **kwargs.pop("headers", {})}
    return client.get(f"/v1/link/data/{path}", headers=headers, **kwargs)


READERS = [pytest.param(lender_get, id="lender"), pytest.param(widget_get, id="widget")]


@pytest.mark.parametrize("reader", READERS)
def test_pages_are_read_until_empty(app: Flask, world: dict[str, Any], upstream: FakeUpstream, reader: Any) -> None:
    client = app.test_client()
    ids: list[str] = []
    for page in range(1, 10):
        response = reader(client, world, f"invoices?page={page}")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-API-Version"] == "1.0"
        rows = response.get_json()
        if not rows:
            break
        assert {r["company"] for r in rows} == {world["key_a"]}
        ids += [r["id"] for r in rows]
    assert len(ids) == 45 and page == 3
    sent = upstream.data_requests[-1]
    assert str(sent.url) == "http://upstream.test/api/invoices?page=3"
    assert sent.headers["X-Account-Key"] == world["key_a"]


@pytest.mark.parametrize("reader", READERS)
def test_one_object_and_reports(app: Flask, world: dict[str, Any], upstream: FakeUpstream, reader: Any) -> None:
    client = app.test_client()
    assert reader(client, world, "invoices/inv_0123abcd").get_json()["id"] == "inv_0123abcd"
    assert reader(client, world, "balance_sheet?as_of=2026-03-31").status_code == 200
    assert (
        reader(client, world, "profit_and_loss?start=2026-01-01&end=2026-03-31T23:59:59Z&period=month").status_code
        == 200
    )
    assert [str(r.url) for r in upstream.data_requests] == [
        "http://upstream.test/api/invoices/inv_0123abcd",
        "http://upstream.test/api/balance_sheet?as_of=2026-03-31",
        "http://upstream.test/api/profit_and_loss?start=2026-01-01&end=2026-03-31T23%3A59%3A59Z&period=month",
    ]


def test_widget_token_reaches_only_its_own_company(app: Flask, world: dict[str, Any], upstream: FakeUpstream) -> None:
    client = app.test_client()
    # Every way of naming company B is ignored or refused; the upstream only ever sees company A.
    attempts = [
        widget_get(client, world, f"invoices?X_ACCOUNT_KEY={world['key_b']}"),
        widget_get(client, world, "invoices", headers={"X_ACCOUNT_KEY": world["key_b"]}),
        widget_get(client, world, "invoices", headers={"X-Account-Key": world["key_b"]}),
        client.get(f"/v1/accounts/{world['key_b']}/data/invoices", headers=bearer(world["token"])),
    ]
    assert [r.status_code for r in attempts] == [400, 200, 200, 401]
    assert {r.headers["X-Account-Key"] for r in upstream.data_requests} == {world["key_a"]}


def test_lender_a_cannot_read_lender_bs_company(app: Flask, world: dict[str, Any], upstream: FakeUpstream) -> None:
    response = app.test_client().get(f"/v1/accounts/{world['key_b']}/data/invoices", headers=auth_headers(world["a"]))
    assert_error(response, 404, "not_found")
    assert upstream.data_requests == []


def test_client_credentials_and_cookies_never_reach_the_upstream(
    app: Flask, world: dict[str, Any], upstream: FakeUpstream
) -> None:
    client = app.test_client()
    client.set_cookie("session", "browser-cookie-value")
    widget_get(client, world, "invoices", headers={"Cookie": "a=b", "Proxy-Authorization": "Basic eHg6eXk="})
    lender_get(client, world, "invoices", headers={"X-Forwarded-For": "1.2.3.4"})
    for sent in upstream.data_requests:
        assert "cookie" not in sent.headers and "proxy-authorization" not in sent.headers
        assert "x-forwarded-for" not in sent.headers
        assert sent.headers["Authorization"] == basic(API_USER, API_KEY)["Authorization"]  # the broker's own
        assert world["token"] not in str(sent.headers) and world["a"]["secret"] not in str(sent.headers)
        assert not sent.url.password and API_KEY not in str(sent.url)


PATH_TRICKS = [
    "..",
    "../admin",
    "..%2F..%2Fapp%2Fapi.php",
    "invoices%2F..%2F..%2Fapp",
    "%2e%2e",
    "%2e%2e%2fapp",
    "invoices/..",
    "invoices/../../app/api.php",
    "invoices/%2e%2e",
    "invoices/a%2Fb",
    "invoices/a%5Cb",
    "invoices\\..\\app",
    "http://evil.example/x",
    "http:%2F%2Fevil.example",
    "//evil.example/api",
    "invoices/%0d%0aX-Injected:%201",
    "invoices%0d%0a",
    "invoices/a b",
    "invoices/ínvöice",
    "invoices/%C3%A9",
    "Invoices",
    "invoices;x=1",
    "invoices/" + "a" * 65,
    "invoices/a.b",
    "invoices/%00",
    "users",
    "app",
    "balance_sheet/abc",
    "invoices/id/extra",
]


@pytest.mark.parametrize("trick", PATH_TRICKS)
@pytest.mark.parametrize("side", ["lender", "widget"])
def test_path_tricks_never_reach_the_upstream(
    app: Flask, world: dict[str, Any], upstream: FakeUpstream, trick: str, side: str
) -> None:
    client = app.test_client()
    response = lender_get(client, world, trick) if side == "lender" else widget_get(client, world, trick)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["code"]
    assert upstream.data_requests == []


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1&page=2",
        "page=99999999",
        "start=2026-02-30",
        "start=yesterday",
        "end=2026-01-01T00:00:00",
        "start=2026-03-01&end=2026-01-01",
        "limit=1000",
        "X_ACCOUNT_KEY=x",
        "url=http://x",
        "start=" + "9" * 100,
        "page=%F0%9F%92%A5",
        "as_of=2026-01-01",
        "period=month",
    ],
)
def test_bad_query_parameters_are_400_without_an_upstream_call(
    app: Flask, world: dict[str, Any], upstream: FakeUpstream, query: str
) -> None:
    assert_error(lender_get(app.test_client(), world, f"invoices?{query}"), 400)
    assert upstream.data_requests == []


@pytest.mark.parametrize("query", ["as_of=2026-13-01", "as_of=2026-01-01T00:00:00Z", "period=week", "page=1"])
def test_report_parameters_are_validated(app: Flask, world: dict[str, Any], upstream: FakeUpstream, query: str) -> None:
    name = "balance_sheet" if query.startswith("as_of") or query.startswith("page") else "profit_and_loss"
    assert_error(lender_get(app.test_client(), world, f"{name}?{query}"), 400)
    assert upstream.data_requests == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts/{key}/data/invoices",
        "/v1/accounts/{key}/data/invoices/inv_1",
        "/v1/link/data/invoices",
        "/v1/link/data/invoices/inv_1",
        "/v1/link/data/nope",
    ],
)
def test_writes_get_405_with_allow(
    app: Flask, world: dict[str, Any], upstream: FakeUpstream, method: str, path: str
) -> None:
    response = app.test_client().open(
        path.format(key=world["key_a"]), method=method, json={"total": 1}, headers=bearer(world["token"])
    )
    assert_error(response, 405, "method_not_allowed")
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "HEAD"}
    assert "POST" not in response.headers["Allow"]
    assert upstream.data_requests == []


@pytest.mark.parametrize("reader", READERS)
def test_head_has_headers_and_no_body(app: Flask, world: dict[str, Any], reader: Any) -> None:
    client = app.test_client()
    path = f"/v1/accounts/{world['key_a']}/data/invoices" if reader is lender_get else "/v1/link/data/invoices"
    headers = auth_headers(world["a"]) if reader is lender_get else bearer(world["token"])
    response = client.head(path, headers=headers)
    assert (
        response.status_code == 200 and response.data == b"" and response.headers["Content-Type"] == "application/json"
    )


def test_unknown_object_is_404_without_an_upstream_call(
    app: Flask, world: dict[str, Any], upstream: FakeUpstream
) -> None:
    assert_error(widget_get(app.test_client(), world, "passwords"), 404, "not_found")
    assert upstream.data_requests == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t[:-2] + "xx",
        lambda t: "",
        lambda t: "a" * 3000,
        lambda t: "é" * 10,
        lambda t: t + " extra",
        lambda t: "not.a.token",
    ],
    ids=["tampered", "empty", "over-long", "unicode", "two-words", "garbage"],
)
def test_bad_bearer_tokens_get_401_invalid_token(app: Flask, world: dict[str, Any], spoil: Any) -> None:
    response = app.test_client().get("/v1/link/data/invoices", headers=bearer(spoil(world["token"])))
    assert_error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "header", [{}, {"Authorization": "Basic eHg6eXk="}, {"Authorization": "Bearer"}, {"Authorization": "bearer"}]
)
def test_missing_bearer_is_401_invalid_token(app: Flask, header: dict[str, str]) -> None:
    response = app.test_client().get("/v1/link/data/invoices", headers=header)
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(tmp_path: Any, upstream: FakeUpstream) -> None:
    from tests.broker_support import FrozenClock

    clock = FrozenClock()
    with broker_app(tmp_path, upstream.transport, CLOCK=clock) as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender), expires_in=60)["link_token"]
        assert app.test_client().get("/v1/link/data/invoices", headers=bearer(token)).status_code == 200
        clock.advance(61)
        assert_error(app.test_client().get("/v1/link/data/invoices", headers=bearer(token)), 401, "invalid_token")


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        (None, 200),
        ("https://lender.example", 200),
        (OTHER_ORIGIN, 403),
        ("null", 403),
        ("https://lender.example:444", 403),
    ],
)
def test_origin_must_match_the_token(app: Flask, world: dict[str, Any], origin: str | None, status: int) -> None:
    headers = {"Origin": origin} if origin else {}
    response = widget_get(app.test_client(), world, "invoices", headers=headers)
    assert response.status_code == status
    if status == 403:
        assert response.get_json()["error"]["code"] == "origin_not_allowed"


def test_link_only_scope_cannot_read(app: Flask, world: dict[str, Any]) -> None:
    token = new_link_token(app, world["a"], world["key_a"], scopes=["link"])["link_token"]
    response = app.test_client().get("/v1/link/data/invoices", headers=bearer(token))
    assert_error(response, 403, "insufficient_scope")
    for scope in ("read", "map", "reconcile"):
        token = new_link_token(app, world["a"], world["key_a"], scopes=[scope])["link_token"]
        assert app.test_client().get("/v1/link/data/invoices", headers=bearer(token)).status_code == 200


@settings(max_examples=200, deadline=None)
@given(
    object_name=st.text(max_size=80),
    object_id=st.none() | st.text(max_size=100),
    query=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=60)), max_size=4),
)
def test_any_input_to_the_proxy_validator_is_a_client_error_or_a_safe_read(
    object_name: str, object_id: str | None, query: list[tuple[str, str]]
) -> None:
    try:
        read = validate_read(object_name, object_id, query)
    except BrokerError as error:
        assert 400 <= error.status < 500
        return
    assert re.fullmatch(r"[a-z_]+(/[A-Za-z0-9_-]{1,64})?", read.path)
    assert all(name in {"page", "start", "end", "as_of", "period"} for name, _ in read.params)
