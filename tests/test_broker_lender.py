"""Lender API: Basic auth, accounts (provisioned upstream, idempotent, private per client) and link tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from tests.broker_support import (
    ORIGIN,
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
def lender(app: Flask) -> dict[str, str]:
    return new_client(app, "Lender A", (ORIGIN, "http://localhost:8000"))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic"},
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Bearer abc"},
        basic("cli_unknown", "whatever"),
        basic("", ""),
        basic("cli_é☃", "sécret"),
        {"Authorization": "Basic " + "A" * 5000},
    ],
)
def test_lender_endpoints_need_valid_basic_credentials(app: Flask, headers: dict[str, str]) -> None:
    response = app.test_client().get("/v1/accounts", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Basic realm="broker"'


def test_wrong_secret_for_a_real_client(app: Flask, lender: dict[str, str]) -> None:
    response = app.test_client().get("/v1/accounts", headers=basic(lender["client_id"], lender["secret"] + "x"))
    assert_error(response, 401, "unauthorized")


def test_create_account_provisions_upstream_and_hides_the_admin_details(
    app: Flask, lender: dict[str, str], upstream: FakeUpstream
) -> None:
    response = app.test_client().post(
        "/v1/accounts", json={"name": "Café Ünïcode ☕", "email": "owner@cafe.test"}, headers=auth_headers(lender)
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"account_key", "name", "email", "region", "external_id", "created_at"}
    assert body["name"] == "Café Ünïcode ☕" and body["region"] == "default"
    sent = json.loads(upstream.requests[0].content)
    assert sent["email_admin"] == "owner@cafe.test" and sent["type"] == "standard" and sent["datashare"] is True
    assert sent["password"] not in response.get_data(as_text=True)
    assert upstream.requests[0].headers["Authorization"].startswith("Basic ")


def test_create_account_is_idempotent_on_external_id(
    app: Flask, lender: dict[str, str], upstream: FakeUpstream
) -> None:
    client = app.test_client()
    body = {"name": "Maple", "email": "o@maple.test", "external_id": "crm-42"}
    first = client.post("/v1/accounts", json=body, headers=auth_headers(lender))
    second = client.post("/v1/accounts", json=body, headers=auth_headers(lender))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["account_key"] == second.get_json()["account_key"]
    assert len(upstream.companies) == 1
    other = new_client(app, "Lender B")  # the same external id at another lender is another company
    assert client.post("/v1/accounts", json=body, headers=auth_headers(other)).status_code == 201


def test_lender_sees_only_its_own_accounts(app: Flask, lender: dict[str, str]) -> None:
    mine = new_account(app, lender)
    other = new_client(app, "Lender B")
    theirs = new_account(app, other)
    client = app.test_client()
    listed = client.get("/v1/accounts", headers=auth_headers(lender)).get_json()
    assert [a["account_key"] for a in listed["data"]] == [mine] and listed["next_page"] is None
    assert_error(client.get(f"/v1/accounts/{theirs}", headers=auth_headers(lender)), 404, "not_found")
    assert_error(client.get(f"/v1/accounts/{theirs}/data/invoices", headers=auth_headers(lender)), 404)
    denied = client.post(
        "/v1/link_tokens", json={"account_key": theirs, "origin": ORIGIN}, headers=auth_headers(lender)
    )
    assert_error(denied, 404, "not_found")


def test_account_detail_has_connection_health(app: Flask, lender: dict[str, str]) -> None:
    key = new_account(app, lender)
    body = app.test_client().get(f"/v1/accounts/{key}", headers=auth_headers(lender)).get_json()
    assert body["connections"][0]["integration"] == "ledgerly" and body["connections"][0]["status"] == "healthy"
    assert "account_key" not in body["connections"][0]


def test_account_list_pages(app: Flask, lender: dict[str, str]) -> None:
    for n in range(31):
        new_account(app, lender, external_id=f"e{n}")
    client = app.test_client()
    first = client.get("/v1/accounts", headers=auth_headers(lender)).get_json()
    second = client.get("/v1/accounts?page=2", headers=auth_headers(lender)).get_json()
    assert (len(first["data"]), first["next_page"], len(second["data"]), second["next_page"]) == (30, 2, 1, None)
    assert_error(client.get("/v1/accounts?page=0", headers=auth_headers(lender)), 422)
    assert_error(client.get("/v1/accounts?page=99999999999999999999", headers=auth_headers(lender)), 422)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "", "email": "a@b.test"}, "name"),
        ({"name": "x" * 201, "email": "a@b.test"}, "name"),
        ({"name": 12, "email": "a@b.test"}, "name"),
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"name": "A", "email": ["a@b.test"]}, "email"),
        ({"name": "A", "email": "a@b.test", "region": "mars"}, "region"),
        ({"name": "A", "email": "a@b.test", "external_id": "x" * 129}, "external_id"),
        ({"name": "A", "email": "a@b.test", "surprise": True}, "surprise"),
        ({"name": "A\u0000", "email": "a@b.test", "external_id": {"$gt": ""}}, "external_id"),
    ],
)
def test_account_body_is_validated(app: Flask, lender: dict[str, str], body: dict[str, Any], field: str) -> None:
    response = app.test_client().post("/v1/accounts", json=body, headers=auth_headers(lender))
    error = assert_error(response, 422, "validation_failed")
    assert field in error["details"]["fields"]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 422),
        ('"text"', "application/json", 422),
        ("null", "application/json", 422),
        ("name=x", "application/x-www-form-urlencoded", 422),
        ("\xff\xfe", "application/json", 400),
    ],
)
def test_malformed_bodies_never_cause_a_5xx(
    app: Flask, lender: dict[str, str], data: str, content_type: str, status: int
) -> None:
    response = app.test_client().post(
        "/v1/accounts", data=data.encode("latin-1"), content_type=content_type, headers=auth_headers(lender)
    )
    assert_error(response, status)


def test_oversized_body_is_413(app: Flask, lender: dict[str, str]) -> None:
    response = app.test_client().post(
        "/v1/accounts", json={"name": "x" * 100_000, "email": "a@b.test"}, headers=auth_headers(lender)
    )
    assert_error(response, 413, "payload_too_large")


def test_mint_link_token_defaults_and_bounds(app: Flask, lender: dict[str, str]) -> None:
    key = new_account(app, lender)
    minted = new_link_token(app, lender, key)
    assert minted["expires_in"] == 1800 and minted["origin"] == ORIGIN
    assert sorted(minted["scopes"]) == ["link", "map", "read", "reconcile"]
    assert key not in minted["link_token"]
    shortest = new_link_token(app, lender, key, expires_in=60, scopes=["read"])
    assert shortest["expires_in"] == 60 and shortest["scopes"] == ["read"]
    assert new_link_token(app, lender, key, origin="HTTP://LOCALHOST:8000/")["origin"] == "http://localhost:8000"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"origin": "https://evil.example"}, "origin"),
        ({"origin": "https://lender.example/path"}, "origin"),
        ({"origin": "https://lender.example.evil.example"}, "origin"),
        ({"origin": "javascript:alert(1)"}, "origin"),
        ({"origin": "null"}, "origin"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["admin"]}, "scopes"),
        ({"scopes": "read"}, "scopes"),
        ({"expires_in": 3601}, "expires_in"),
        ({"expires_in": 59}, "expires_in"),
        ({"expires_in": "600"}, "expires_in"),
        ({"expires_in": 10**30}, "expires_in"),
        ({"expires_in": 1.5}, "expires_in"),
        ({"account_key": None}, "account_key"),
    ],
)
def test_mint_link_token_is_validated(app: Flask, lender: dict[str, str], change: dict[str, Any], field: str) -> None:
    key = new_account(app, lender)
    body = {"account_key": key, "origin": ORIGIN, **change}
    response = app.test_client().post("/v1/link_tokens", json=body, headers=auth_headers(lender))
    error = assert_error(response, 422, "validation_failed")
    assert field in error["details"]["fields"]


def test_revoked_link_token_stops_working_at_once(app: Flask, lender: dict[str, str]) -> None:
    key = new_account(app, lender)
    minted = new_link_token(app, lender, key)
    client = app.test_client()
    assert client.get("/v1/link/data/invoices", headers=bearer(minted["link_token"])).status_code == 200
    assert client.delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(lender)).status_code == 204
    response = client.get("/v1/link/data/invoices", headers=bearer(minted["link_token"]))
    assert_error(response, 401, "invalid_token")
    assert (
        response.headers["WWW-Authenticate"].startswith("Bearer")
        and 'error="invalid_token"' in (response.headers["WWW-Authenticate"])
    )
    assert client.delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(lender)).status_code == 204
    other = new_client(app, "Lender B")
    assert_error(client.delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(other)), 404)


def test_revocations_survive_a_restart_without_redis(tmp_path: Any, upstream: FakeUpstream) -> None:
    with broker_app(tmp_path, upstream.transport) as first:
        lender = new_client(first)
        minted = new_link_token(first, lender, new_account(first, lender))
        first.test_client().delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(lender))
    with broker_app(tmp_path, upstream.transport) as second:
        response = second.test_client().get("/v1/link/data/invoices", headers=bearer(minted["link_token"]))
        assert_error(response, 401, "invalid_token")


def test_mint_and_reads_are_audited(app: Flask, lender: dict[str, str]) -> None:
    from sqlalchemy import select

    from broker.storage import AuditEntry

    key = new_account(app, lender)
    minted = new_link_token(app, lender, key)
    app.test_client().get(
        "/v1/link/data/invoices?page=2",
        headers=bearer(minted["link_token"]),
        environ_base={"HTTP_X_REQUEST_ID": "req-12345678"},
    )
    app.test_client().get(f"/v1/accounts/{key}/data/bills", headers=auth_headers(lender))
    app.extensions["broker"].audit.flush()  # reads are audited by the batch writer, off the request path
    with app.extensions["broker"].db.session() as session:
        rows = [(e.actor.split(":")[0], e.action, e.target) for e in session.scalars(select(AuditEntry))]
        request_ids = [e.request_id for e in session.scalars(select(AuditEntry))]
    assert rows == [
        ("client", "account.create", None),
        ("client", "link_token.mint", minted["id"]),
        ("link", "data.read", "invoices"),
        ("client", "data.read", "bills"),
    ]
    assert "req-12345678" in request_ids
