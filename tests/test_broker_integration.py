"""End to end on loopback: the real sandbox and the real broker, each on its own port, talking HTTP."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.broker_support import ORIGIN, SANDBOX_CONFIG, create_lender, sandbox_and_broker
from tests.live_server import live_server

sandbox = pytest.importorskip("sandbox", reason="the sandbox package is not importable yet")


def sandbox_admin(url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/app/api.php",
        json=body,
        auth=(SANDBOX_CONFIG["API_KEY"], ""),
        headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        timeout=30,
    )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    """Sandbox and broker on loopback; two lenders, each with a company; lender A's has Ledgerly and Northbank."""
    if not hasattr(sandbox, "create_app"):
        pytest.skip("sandbox.create_app is not available yet")
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_and_broker(Path(folder)) as stack,
        live_server(stack.broker) as broker,
    ):
        lenders = [create_lender(stack.broker, name, ORIGIN) for name in ("Lender A", "Lender B")]
        http = httpx.Client(base_url=broker.url, timeout=30)
        keys = []
        for lender, company in zip(lenders, ("Maple & Rye Café", "Other Co"), strict=True):
            created = http.post(
                "/v1/accounts",
                json={"name": company, "email": "owner@example.test"},
                auth=(lender["client_id"], lender["client_secret"]),
            )
            assert created.status_code == 201, created.text
            keys.append(created.json()["account_key"])
        for integration in ("ledgerly", "northbank"):
            sandbox_admin(
                stack.sandbox_url, {"action": "sandbox_connect", "account_key": keys[0], "integration": integration}
            )
        minted = http.post(
            "/v1/link_tokens",
            json={"account_key": keys[0], "origin": ORIGIN},
            auth=(lenders[0]["client_id"], lenders[0]["client_secret"]),
        )
        assert minted.status_code == 201, minted.text
        yield {
            "http": http,
            "sandbox": stack.sandbox_url,
            "lenders": lenders,
            "keys": keys,
            "token": minted.json()["link_token"],
            "auth": (lenders[0]["client_id"], lenders[0]["client_secret"]),
        }
        http.close()


def read_all(http: httpx.Client, path: str, **kwargs: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in range(1, 100):
        response = http.get(path, params={"page": page}, **kwargs)
        assert response.status_code == 200, response.text
        if not response.json():
            return rows
        rows += response.json()
    raise AssertionError("never reached an empty page")


def test_invoices_page_by_page_through_both_proxies_match_the_sandbox(world: dict[str, Any]) -> None:
    http, key = world["http"], world["keys"][0]
    direct = read_all(
        httpx.Client(base_url=world["sandbox"]),
        "/api/invoices",
        auth=(SANDBOX_CONFIG["API_USER"], SANDBOX_CONFIG["API_KEY"]),
        headers={"X-Account-Key": key},
    )
    lender = read_all(http, f"/v1/accounts/{key}/data/invoices", auth=world["auth"])
    widget = read_all(
        http, "/v1/link/data/invoices", headers={"Authorization": f"Bearer {world['token']}", "Origin": ORIGIN}
    )
    assert len(direct) > 30  # more than one page
    assert [r["id"] for r in lender] == [r["id"] for r in widget] == [r["id"] for r in direct]
    assert {r["integration"] for r in lender} == {"ledgerly"}


def test_one_object_source_record_reports_and_connections(world: dict[str, Any]) -> None:
    http, key, auth = world["http"], world["keys"][0], world["auth"]
    first = http.get(f"/v1/accounts/{key}/data/bank_transactions", auth=auth).json()[0]
    one = http.get(f"/v1/accounts/{key}/data/bank_transactions/{first['id']}", auth=auth)
    assert one.status_code == 200 and one.json()["id"] == first["id"]
    source_id = first["source_url"].rstrip("/").rsplit("/", 1)[1]
    raw = http.get(f"/v1/accounts/{key}/data/source_records/{source_id}", auth=auth)
    assert raw.status_code == 200 and raw.json()["integration"] == "northbank"
    sheet = http.get(f"/v1/accounts/{key}/data/balance_sheet", params={"as_of": "2026-06-30"}, auth=auth)
    assert sheet.status_code == 200 and sheet.json()["as_of"] == "2026-06-30"
    detail = http.get(f"/v1/accounts/{key}", auth=auth).json()
    assert {c["integration"] for c in detail["connections"]} == {"ledgerly", "northbank"}


def test_scope_escapes_are_refused_end_to_end(world: dict[str, Any]) -> None:
    http, (key_a, key_b) = world["http"], world["keys"]
    bearer = {"Authorization": f"Bearer {world['token']}"}
    # The token for company A, naming company B every way there is.
    assert http.get("/v1/link/data/invoices", params={"X_ACCOUNT_KEY": key_b}, headers=bearer).status_code == 400
    via_header = http.get("/v1/link/data/invoices", headers={**bearer, "X-Account-Key": key_b})
    assert via_header.status_code == 200 and {r["id"] for r in via_header.json()} <= {
        r["id"] for r in read_all(http, f"/v1/accounts/{key_a}/data/invoices", auth=world["auth"])
    }
    assert http.get(f"/v1/accounts/{key_b}/data/invoices", headers=bearer).status_code == 401
    # Lender A reading lender B's company.
    response = http.get(f"/v1/accounts/{key_b}/data/invoices", auth=world["auth"])
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    # Another origin, and writes.
    assert http.get("/v1/link/data/invoices", headers={**bearer, "Origin": "https://evil.example"}).status_code == 403
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        written = http.request(method, "/v1/link/data/invoices", headers=bearer, json={})
        assert written.status_code == 405 and "GET" in written.headers["Allow"]


def test_path_tricks_end_to_end(world: dict[str, Any]) -> None:
    http = world["http"]
    bearer = {"Authorization": f"Bearer {world['token']}"}
    for raw in (
        "/v1/link/data/..%2F..%2Fapp%2Fapi.php",
        "/v1/link/data/%2e%2e",
        "/v1/link/data/invoices%5C..",
        "/v1/link/data/invoices/%0d%0aX:1",
        "/v1/link/data//app/api.php",
    ):
        response = http.get(httpx.URL(world["http"].base_url.join(raw)), headers=bearer)
        assert 400 <= response.status_code < 500 and response.json()["error"]["code"]


def test_readiness_sees_the_sandbox(world: dict[str, Any]) -> None:
    assert world["http"].get("/readyz").json()["checks"]["upstream:default"] == "ok"
