"""``GET /v1/link/bootstrap``: the widget's session and catalogue in one call, the same as the two endpoints it
replaces (which keep working), with one connection-health call upstream and the region's app catalogue remembered
briefly (broker/link/catalogue.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask

from broker.link.catalogue import CACHE_SECONDS, CatalogueCache
from broker.link.views import CATALOGUES
from tests.broker_support import (
    FakeUpstream,
    assert_error,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)

APPS = [
    {"key": "ledgerly", "name": "Ledgerly", "category": "accounting", "auth_type": "oauth2"},
    {"key": "northbank", "name": "Northbank", "category": "banking", "auth_type": "credentials"},
]


class CatalogueUpstream(FakeUpstream):
    """The fake upstream with a two-app catalogue (``apps``, which a test may change); the companies in ``bare`` have
    no connection."""

    def __init__(self) -> None:
        super().__init__()
        self.apps: list[dict[str, Any]] = list(APPS)
        self.bare: set[str] = set()

    def _admin(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("account_key") in self.bare:
            return httpx.Response(200, json={"connections": []})
        return super()._admin(request)

    def _data(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/integrations":
            page = int(request.url.params.get("page", "1"))
            return httpx.Response(200, json=self.apps if page == 1 else [])
        return super()._data(request)


@pytest.fixture
def upstream() -> CatalogueUpstream:
    return CatalogueUpstream()


@pytest.fixture
def app(tmp_path: Any, upstream: CatalogueUpstream) -> Iterator[Flask]:
    with broker_app(tmp_path, upstream.transport) as flask_app:
        yield flask_app


def _catalogue_reads(upstream: FakeUpstream) -> int:
    return sum(1 for r in upstream.requests if r.url.path == "/api/integrations")


def _health_calls(upstream: FakeUpstream) -> int:
    return sum(1 for r in upstream.requests if r.url.params.get("action") == "connection_health")


def test_bootstrap_is_the_session_and_the_catalogue_in_one_call(app: Flask, upstream: CatalogueUpstream) -> None:
    lender = new_client(app)
    token = new_link_token(app, lender, new_account(app, lender))["link_token"]
    client = app.test_client()
    before = _health_calls(upstream)
    answer = client.get("/v1/link/bootstrap", headers=bearer(token))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert _health_calls(upstream) - before == 1
    body = answer.get_json()
    assert set(body) == {"session", "integrations", "progress"}
    assert body["session"] == client.get("/v1/link/session", headers=bearer(token)).get_json()
    assert body["progress"] == client.get("/v1/link/progress", headers=bearer(token)).get_json()
    assert body["progress"]["mode"] == "create" and body["progress"]["open_at"] == "connect"
    assert body["integrations"] == client.get("/v1/link/integrations", headers=bearer(token)).get_json()["integrations"]
    assert [a["key"] for a in body["integrations"]] == ["ledgerly", "northbank"]
    assert [a["connected"] for a in body["integrations"]] == [True, False]
    assert body["session"]["connections"][0]["integration"] == "ledgerly"


def test_bootstrap_says_update_mode_and_the_app_to_reconnect(app: Flask) -> None:
    lender = new_client(app)
    key = new_account(app, lender)
    token = new_link_token(app, lender, key, mode="update", integration="ledgerly")["link_token"]
    progress = app.test_client().get("/v1/link/bootstrap", headers=bearer(token)).get_json()["progress"]
    assert (progress["mode"], progress["integration"], progress["resume"]["available"]) == ("update", "ledgerly", False)


def test_bootstrap_offers_to_resume_where_an_earlier_token_left(app: Flask) -> None:
    lender = new_client(app)
    key = new_account(app, lender)
    client = app.test_client()
    first = new_link_token(app, lender, key, scopes=["link", "map"])["link_token"]
    assert (
        client.get("/v1/link/bootstrap", headers=bearer(first)).get_json()["progress"]["resume"]["available"] is False
    )
    saved = client.put("/v1/link/progress", json={"step": "map", "done": ["connect"]}, headers=bearer(first))
    assert saved.status_code == 200 and saved.get_json()["resumable"] is True
    second = new_link_token(app, lender, key, scopes=["link", "map"])["link_token"]
    progress = client.get("/v1/link/bootstrap", headers=bearer(second)).get_json()["progress"]
    assert progress["resume"]["available"] is True
    assert (progress["resume"]["step"], progress["resume"]["steps_done"], progress["open_at"]) == (
        "map",
        ["connect"],
        "map",
    )


def test_an_update_mode_session_is_never_resumable(app: Flask) -> None:
    lender = new_client(app)
    key = new_account(app, lender)
    client = app.test_client()
    token = new_link_token(app, lender, key, mode="update", integration="ledgerly")["link_token"]
    saved = client.put("/v1/link/progress", json={"step": "map", "done": ["connect"]}, headers=bearer(token))
    assert saved.status_code == 200 and saved.get_json()["resumable"] is False
    left = client.post("/v1/link/exit", json={"step": "map"}, headers=bearer(token))
    assert left.status_code == 200 and left.get_json()["resumable"] is False
    later = new_link_token(app, lender, key)["link_token"]
    progress = client.get("/v1/link/bootstrap", headers=bearer(later)).get_json()["progress"]
    assert progress["resume"]["available"] is False


def test_bootstrap_needs_a_link_token_with_the_link_scope(app: Flask) -> None:
    lender = new_client(app)
    key = new_account(app, lender)
    client = app.test_client()
    assert_error(client.get("/v1/link/bootstrap"), 401)
    read_only = new_link_token(app, lender, key, scopes=["read"])["link_token"]
    assert_error(client.get("/v1/link/bootstrap", headers=bearer(read_only)), 403)


def test_bootstrap_is_in_the_openapi_document(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").get_json()
    operation = spec["paths"]["/v1/link/bootstrap"]["get"]
    assert operation["security"] == [{"linkToken": []}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["session", "integrations", "progress"]
    assert schema["properties"]["progress"] == {"$ref": "#/components/schemas/LinkProgress"}


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_catalogue_is_read_once_a_minute_per_region_for_every_company(
    app: Flask, upstream: CatalogueUpstream
) -> None:
    clock = Clock()
    app.extensions[CATALOGUES] = CatalogueCache(CACHE_SECONDS, clock=clock)
    lender = new_client(app)
    keys = [new_account(app, lender) for _ in range(2)]
    upstream.bare.add(keys[1])
    tokens = [new_link_token(app, lender, key)["link_token"] for key in keys]
    client = app.test_client()
    first = client.get("/v1/link/bootstrap", headers=bearer(tokens[0])).get_json()
    reads = _catalogue_reads(upstream)
    health = _health_calls(upstream)
    # Another company of the same region, a moment later: its connections are asked for, the catalogue is not.
    clock.now += CACHE_SECONDS - 1
    upstream.apps = [*APPS, {"key": "xenon", "name": "Xenon", "category": "accounting", "auth_type": "oauth2"}]
    second = client.get("/v1/link/bootstrap", headers=bearer(tokens[1])).get_json()
    assert _catalogue_reads(upstream) == reads and _health_calls(upstream) == health + 1
    assert [a["key"] for a in second["integrations"]] == [a["key"] for a in first["integrations"]]
    assert [a["connected"] for a in first["integrations"]] == [True, False]
    assert [a["connected"] for a in second["integrations"]] == [False, False]  # its own connections, not the first's
    # Once the minute is over, the app the platform added shows.
    clock.now += 2
    third = client.get("/v1/link/bootstrap", headers=bearer(tokens[1])).get_json()
    assert _catalogue_reads(upstream) > reads
    assert [a["key"] for a in third["integrations"]] == ["ledgerly", "northbank", "xenon"]


@pytest.mark.parametrize("answer", [httpx.Response(403, json={"error": {"code": "forbidden", "message": "no"}}), []])
def test_a_failed_or_empty_catalogue_is_not_remembered(
    app: Flask, upstream: CatalogueUpstream, answer: httpx.Response | list[Any]
) -> None:
    lender = new_client(app)
    token = new_link_token(app, lender, new_account(app, lender))["link_token"]
    client = app.test_client()
    if isinstance(answer, list):
        upstream.apps = answer
    else:
        upstream.script = [_health_reply(upstream), answer]
    client.get("/v1/link/bootstrap", headers=bearer(token))
    upstream.apps = list(APPS)
    body = client.get("/v1/link/bootstrap", headers=bearer(token)).get_json()
    assert [a["key"] for a in body["integrations"]] == ["ledgerly", "northbank"]


def _health_reply(upstream: CatalogueUpstream) -> Any:
    """Answer the next request as the fake upstream would (the connection-health call before the catalogue's)."""
    return lambda request: upstream._admin(request)


def test_a_zero_lifetime_reads_the_catalogue_every_time(tmp_path: Any, upstream: CatalogueUpstream) -> None:
    with broker_app(tmp_path, upstream.transport, CATALOGUE_CACHE_SECONDS=0) as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender))["link_token"]
        client = app.test_client()
        client.get("/v1/link/bootstrap", headers=bearer(token))
        reads = _catalogue_reads(upstream)
        client.get("/v1/link/bootstrap", headers=bearer(token))
        assert _catalogue_reads(upstream) == 2 * reads
