"""Helpers for the broker's tests: settings, a frozen clock, a recording fake upstream, app fixtures and factories."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from flask import Flask

from tests.live_server import live_server
from tests.sandbox_support import SANDBOX_TEST_CONFIG

API_KEY = "sk_live_upstream_api_key_0123456789"
API_USER = "tenant-api-user"
TENANT_KEY = "tenant_key_abcdef123456"
SECRET = "test-secret-key-0123456789abcdefghijklmnop"
ORIGIN = "https://lender.example"
OTHER_ORIGIN = "https://evil.example"
UPSTREAM = "http://upstream.test"
SANDBOX_CONFIG = SANDBOX_TEST_CONFIG  # the sandbox the broker talks to in tests is the sandbox tests' own


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    """Return whether something listens on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.3):
        return True
    return False


class FrozenClock:
    """A clock that moves only when told to; ``clock()`` returns Unix seconds."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeUpstream:
    """A MockTransport handler speaking the wire protocol; it records every request and can be scripted to fail."""

    def __init__(self, items_per_collection: int = 45) -> None:
        self.requests: list[httpx.Request] = []
        self.companies: dict[str, dict[str, Any]] = {}
        self.script: list[Reply] = []
        self.items = items_per_collection

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def data_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/api/")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            reply = self.script.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply(request) if callable(reply) else reply
        if request.url.path == "/app/api.php":
            return self._admin(request)
        return self._data(request)

    def _admin(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Account-Key") != TENANT_KEY:
            return httpx.Response(401, json={"error": {"code": "unauthorized", "message": "no"}})
        if request.method == "POST":
            body = json.loads(request.content)
            key = "ak_" + uuid.uuid4().hex
            self.companies[key] = body
            return httpx.Response(
                201, json={"account_key": key, "subdomain": body["subdomain"], "account_domain": "x.example"}
            )
        action = request.url.params.get("action")
        if action == "connection_health":
            key = request.url.params.get("account_key", "")
            return httpx.Response(
                200,
                json={
                    "connections": [
                        {
                            "account_key": key,
                            "integration": "ledgerly",
                            "status": "healthy",
                            "created": "2026-01-01T00:00:00Z",
                            "last_sync": None,
                            "last_full_sync": None,
                        }
                    ]
                },
            )
        return httpx.Response(400, json={"error": {"code": "unknown_action", "message": "?"}})

    def _data(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("X-Account-Key", "")
        if key not in self.companies:
            return httpx.Response(403, json={"error": {"code": "account_not_shared", "message": "secret " + key}})
        parts = request.url.path.split("/")[2:]
        if len(parts) == 2:
            return httpx.Response(200, json={"id": parts[1], "object": parts[0], "company": key})
        page = int(request.url.params.get("page", "1"))
        first = (page - 1) * 30
        rows = [{"id": f"{parts[0]}_{i}", "company": key} for i in range(first, min(first + 30, self.items))]
        return httpx.Response(200, json=rows, headers={"X-API-Version": "1.0"})


def settings(tmp_path: Any, transport: httpx.BaseTransport | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a complete broker test configuration on an SQLite file under ``tmp_path``."""
    config: dict[str, Any] = {
        "ENV": "testing",
        "SECRET_KEYS": [SECRET],
        "UPSTREAM_ADMIN_URL": UPSTREAM,
        "UPSTREAM_DATA_URL": UPSTREAM,
        "UPSTREAM_API_USER": API_USER,
        "UPSTREAM_API_KEY": API_KEY,
        "UPSTREAM_TENANT_KEY": TENANT_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'broker.sqlite3'}",
        "UPSTREAM_BACKOFF_BASE": 0.001,
        "UPSTREAM_BACKOFF_MAX": 0.005,
        "UPSTREAM_DEADLINE": 3.0,
        "REDIS_URL": None,
        "CLIENT_SECRET_HASH_COST": 4,  # scrypt at full cost would dominate the test run
        "UPSTREAM_TRANSPORT": transport,
    }
    config.update(overrides)
    return config


@contextlib.contextmanager
def broker_app(tmp_path: Any, transport: httpx.BaseTransport | None = None, **overrides: Any) -> Iterator[Flask]:
    """Create a broker app for a test and release its pools afterwards."""
    from broker import create_app

    app = create_app(settings(tmp_path, transport, **overrides))
    try:
        yield app
    finally:
        app.extensions["broker"].close()


@dataclass
class SandboxBroker:
    """The sandbox's app and loopback URL, and a broker app pointed at it (not served: wrap it in ``live_server``)."""

    sandbox: Flask
    sandbox_url: str
    broker: Flask


@contextlib.contextmanager
def sandbox_and_broker(
    folder: Path, sandbox_config: dict[str, Any] | None = None, **broker_overrides: Any
) -> Iterator[SandboxBroker]:
    """Serve the sandbox on loopback and create a broker app using it with the sandbox's tenant credentials."""
    import sandbox

    config = SANDBOX_CONFIG if sandbox_config is None else sandbox_config
    upstream_app = sandbox.create_app({**config, "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}"})
    try:
        with (
            live_server(upstream_app) as upstream,
            broker_app(
                folder,
                UPSTREAM_ADMIN_URL=upstream.url,
                UPSTREAM_DATA_URL=upstream.url,
                UPSTREAM_API_USER=config["API_USER"],
                UPSTREAM_API_KEY=config["API_KEY"],
                UPSTREAM_TENANT_KEY=config["TENANT_KEY"],
                **broker_overrides,
            ) as app,
        ):
            yield SandboxBroker(upstream_app, upstream.url, app)
    finally:
        upstream_app.extensions["sandbox"].close()


def create_lender(app: Flask, name: str, origin: str) -> dict[str, str]:
    """Create a lender with the broker's ``flask create-client`` command; return its JSON output."""
    result = app.test_cli_runner().invoke(args=["create-client", name, "--origin", origin])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


def basic(user: str, password: str) -> dict[str, str]:
    """Return an HTTP Basic ``Authorization`` header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_client(app: Flask, name: str = "Lender", origins: tuple[str, ...] = (ORIGIN,)) -> dict[str, str]:
    """Create a broker client directly; return Basic headers for it plus its id."""
    from broker.lender import clients

    state = app.extensions["broker"]
    with state.db.session() as session:
        client, secret = clients.create_client(
            session, name, origins, datetime.now(UTC), app.config["CLIENT_SECRET_HASH_COST"]
        )
    return {**basic(client.id, secret), "client_id": client.id, "secret": secret}


def auth_headers(client: dict[str, str]) -> dict[str, str]:
    return {"Authorization": client["Authorization"]}


def new_account(app: Flask, client: dict[str, str], **body: Any) -> str:
    """Create an account through the API and return its key."""
    response = app.test_client().post(
        "/v1/accounts", json={"name": "Maple & Rye", "email": "owner@maple.test", **body}, headers=auth_headers(client)
    )
    assert response.status_code in (200, 201), response.get_json()
    return str(response.get_json()["account_key"])


def new_link_token(app: Flask, client: dict[str, str], account_key: str, **body: Any) -> dict[str, Any]:
    """Mint a link token through the API and return the response body."""
    response = app.test_client().post(
        "/v1/link_tokens", json={"account_key": account_key, "origin": ORIGIN, **body}, headers=auth_headers(client)
    )
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a JSON error of the one shape with this status (and code); return the error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["message"] and error["request_id"]
    if code is not None:
        assert error["code"] == code, error
    return dict(error)
