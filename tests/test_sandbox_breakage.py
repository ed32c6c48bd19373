"""Breaking a connection on demand in the sandbox, and connecting it again in place (issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.sandbox_support import ADMIN_HEADERS, DATA_HEADERS, SANDBOX_TEST_CONFIG, assert_error, create_company

REASONS = ("token_revoked", "password_changed", "consent_withdrawn")


def admin(client: FlaskClient, **body: Any) -> Any:
    return client.post("/app/api.php", json=body, headers=ADMIN_HEADERS)


def health(client: FlaskClient, key: str, integration: str) -> dict[str, Any]:
    rows = client.get(f"/app/api.php?action=connection_health&account_key={key}", headers=ADMIN_HEADERS).get_json()
    return next(row for row in rows["connections"] if row["integration"] == integration)


def data_ids(client: FlaskClient, key: str, object_name: str) -> list[str]:
    rows = client.get(f"/api/{object_name}?page=1", headers={**DATA_HEADERS, "X-Account-Key": key}).get_json()
    return [row["id"] for row in rows]


def event_types(client: FlaskClient) -> list[str]:
    rows = client.get("/app/api.php?action=webhook_deliveries", headers=ADMIN_HEADERS).get_json()
    return [row["event_type"] for row in reversed(rows)]  # oldest first


@pytest.fixture
def world(sandbox_app: Flask, connected_company: str) -> tuple[FlaskClient, str]:
    client = sandbox_app.test_client()
    hook = admin(client, action="register_webhook", url="http://127.0.0.1:9/hooks")  # nobody listens: the log is enough
    assert hook.status_code == 201
    return client, connected_company


@pytest.mark.parametrize("integration", ["ledgerly", "northbank"])
@pytest.mark.parametrize("reason", REASONS)
def test_a_broken_connection_shows_in_health_and_reconnecting_restores_it_in_place(
    world: tuple[FlaskClient, str], integration: str, reason: str
) -> None:
    client, key = world
    before = health(client, key, integration)
    objects = "bank_transactions" if integration == "northbank" else "journal_entries"
    ids = data_ids(client, key, objects)
    assert before["status"] == "healthy" and ids

    broken = admin(client, action="break_connection", account_key=key, integration=integration, reason=reason)
    assert broken.status_code == 200, broken.get_json()
    row = health(client, key, integration)
    assert (row["status"], row["reason"], row["id"]) == ("error", reason, before["id"])
    assert (
        row["error"]
        and {"token_revoked": "token", "password_changed": "password", "consent_withdrawn": "consent"}[reason]
        in row["error"]
    )
    assert data_ids(client, key, objects) == ids  # the history stays readable while broken
    assert event_types(client)[-1] == "connection.error"

    again = admin(client, action="sandbox_connect", account_key=key, integration=integration)
    assert again.status_code == 201
    restored = health(client, key, integration)
    assert (restored["status"], restored["reason"], restored["error"]) == ("healthy", None, None)
    assert restored["id"] == before["id"] and restored["created"] == before["created"]
    assert (
        len(
            [
                c
                for c in client.get(
                    f"/app/api.php?action=connection_health&account_key={key}", headers=ADMIN_HEADERS
                ).get_json()["connections"]
                if c["integration"] == integration
            ]
        )
        == 1
    )
    assert data_ids(client, key, objects) == ids
    assert event_types(client)[-2:] == ["sync.completed", "connection.restored"]


def test_reconnecting_a_healthy_connection_sends_no_restored_event(world: tuple[FlaskClient, str]) -> None:
    client, key = world
    assert admin(client, action="sandbox_connect", account_key=key, integration="ledgerly").status_code == 201
    assert "connection.restored" not in event_types(client)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"integration": "ledgerly", "reason": "gremlins"}, 422, "validation_failed"),
        ({"integration": "ledgerly"}, 422, "validation_failed"),
        ({"integration": "payday", "reason": "token_revoked"}, 404, "not_connected"),
        ({"integration": "LEDGERLY", "reason": "token_revoked"}, 422, "validation_failed"),
    ],
)
def test_bad_break_requests_are_refused(
    world: tuple[FlaskClient, str], body: dict[str, Any], status: int, code: str
) -> None:
    client, key = world
    assert_error(admin(client, action="break_connection", account_key=key, **body), status, code)


def test_an_unknown_company_is_404(sandbox_client: FlaskClient) -> None:
    response = admin(
        sandbox_client, action="break_connection", account_key="0" * 32, integration="ledgerly", reason="token_revoked"
    )
    assert_error(response, 404, "unknown_account")


def test_a_disconnected_connection_cannot_be_broken(world: tuple[FlaskClient, str]) -> None:
    client, key = world
    assert admin(client, action="disconnect", account_key=key, integration="ledgerly").status_code == 200
    response = admin(client, action="break_connection", account_key=key, integration="ledgerly", reason="token_revoked")
    assert_error(response, 404, "not_connected")


def test_production_refuses_breaking_connections(tmp_path: Path) -> None:
    from sandbox import create_app

    production = create_app(
        {
            **SANDBOX_TEST_CONFIG,
            "ENV": "production",
            "CONNECTOR_CLIENT_SECRET": "a-real-secret-for-production-1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        }
    )
    try:
        client = production.test_client()
        key = create_company(client)
        response = admin(
            client, action="break_connection", account_key=key, integration="ledgerly", reason="token_revoked"
        )
        assert_error(response, 403, "sandbox_only")
    finally:
        production.extensions["sandbox"].close()


def test_an_upload_connection_is_restored_by_uploading_again(sandbox_client: FlaskClient) -> None:
    from tests.sandbox_support import allow_lender, embed_token
    from tests.test_sandbox_upload_api import _files

    key = create_company(sandbox_client, subdomain="upload-bakery")
    allow_lender(sandbox_client)
    assert admin(sandbox_client, action="register_webhook", url="http://127.0.0.1:9/hooks").status_code == 201

    def upload() -> Any:
        data = {"embed": embed_token(sandbox_client, key), "state": "s1"}
        data.update(_files("chart_of_accounts.csv", "trial_balance_2026-09.csv", "trial_balance_2026-10.csv"))
        answer = sandbox_client.post(
            "/connect/csv_upload", data=data, headers={"Accept": "application/json"}, content_type="multipart/form-data"
        )
        assert answer.status_code == 200 and answer.get_json()["status"] == "connected"
        return answer

    upload()
    first = health(sandbox_client, key, "csv_upload")
    broken = admin(
        sandbox_client, action="break_connection", account_key=key, integration="csv_upload", reason="token_revoked"
    )
    assert broken.status_code == 200
    upload()
    again = health(sandbox_client, key, "csv_upload")
    assert (again["status"], again["id"]) == ("healthy", first["id"])
    assert event_types(sandbox_client)[-1] == "connection.restored"
