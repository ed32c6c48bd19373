"""Shared pytest fixtures: a sandbox app on a temporary SQLite file and helpers to call its two APIs."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.broker_support import FakeUpstream, broker_app

SANDBOX_TEST_CONFIG: dict[str, Any] = {
    "ENV": "test",
    "API_USER": "tenant-user",
    "API_KEY": "sk_test_sandbox_api_key_123456",
    "TENANT_KEY": "tenant_test_key_abcdef",
    "DATA_END": date(2026, 10, 31),
    "SYNC_IN_BACKGROUND": False,
}


def basic(user: str, password: str) -> dict[str, str]:
    """Return an HTTP Basic ``Authorization`` header."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN_HEADERS = {
    **basic(SANDBOX_TEST_CONFIG["API_KEY"], ""),
    "Account-Key": SANDBOX_TEST_CONFIG["TENANT_KEY"],
}
DATA_HEADERS = basic(SANDBOX_TEST_CONFIG["API_USER"], SANDBOX_TEST_CONFIG["API_KEY"])


@pytest.fixture(scope="session")
def _seeded_sandbox_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build once per run a sandbox database with a connected company; tests get a fresh copy of the file."""
    from sandbox import create_app

    path = tmp_path_factory.mktemp("seeded") / "sandbox.sqlite3"
    app = create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    client = app.test_client()
    key = create_company(client)
    sandbox_connect(client, key, "ledgerly")
    sandbox_connect(client, key, "northbank")
    app.extensions["sandbox"].close()  # closing the last connection folds the WAL into the file
    return path, key


@pytest.fixture
def sandbox_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    from sandbox import create_app

    path = tmp_path / "sandbox.sqlite3"
    if "connected_company" in request.fixturenames:
        shutil.copyfile(request.getfixturevalue("_seeded_sandbox_file")[0], path)
    app = create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    yield app
    app.extensions["sandbox"].close()


@pytest.fixture
def sandbox_client(sandbox_app: Flask) -> FlaskClient:
    return sandbox_app.test_client()


def create_company(client: FlaskClient, subdomain: str = "maple-rye", **extra: Any) -> str:
    """Create a company account through the Administration API and return its account key."""
    body = {
        "name": "Maple & Rye Café",
        "email_admin": "owner@maple-rye.test",
        "password": "correct horse 1",
        "subdomain": subdomain,
        "type": "standard",
        "datashare": True,
        **extra,
    }
    response = client.post("/app/api.php", json=body, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["account_key"])


def sandbox_connect(client: FlaskClient, account_key: str, integration: str, **extra: Any) -> dict[str, Any]:
    """Connect a simulated app without a browser and return the connection."""
    response = client.post(
        "/app/api.php",
        json={"action": "sandbox_connect", "account_key": account_key, "integration": integration, **extra},
        headers=ADMIN_HEADERS,
    )
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json()["connection"])


@pytest.fixture
def connected_company(sandbox_app: Flask, _seeded_sandbox_file: tuple[Path, str]) -> str:
    """A company with the Ledgerly accounting app and the Northbank bank connected (a copy of the seeded file)."""
    return _seeded_sandbox_file[1]


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a JSON error of the one shape, with the status (and code); return the error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert error.get("request_id")
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


@pytest.fixture(name="upstream")
def upstream_fixture() -> FakeUpstream:
    """Fixture ``upstream``: a fresh recording fake upstream (the broker's unit tests)."""
    return FakeUpstream()


@pytest.fixture(name="app")
def app_fixture(tmp_path: Any, upstream: FakeUpstream) -> Iterator[Flask]:
    """Fixture ``app``: a broker app on ``tmp_path`` talking to the ``upstream`` fixture."""
    with broker_app(tmp_path, upstream.transport) as app:
        yield app
