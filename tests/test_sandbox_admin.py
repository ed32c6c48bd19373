"""Administration API of the sandbox: auth, company accounts, embed tokens, origins, health, disconnect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.dates import utcnow
from sandbox import accounts
from tests.sandbox_support import (
    ADMIN_HEADERS,
    SANDBOX_TEST_CONFIG,
    assert_error,
    basic,
    create_company,
    sandbox_connect,
)

API_KEY, TENANT = SANDBOX_TEST_CONFIG["API_KEY"], SANDBOX_TEST_CONFIG["TENANT_KEY"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(API_KEY, ""),  # no tenant key
        {**basic(API_KEY, "not-empty"), "Account-Key": TENANT},
        {**basic("wrong", ""), "Account-Key": TENANT},
        {**basic(API_KEY, ""), "Account-Key": "wrong"},
        {"Authorization": "Bearer " + API_KEY, "Account-Key": TENANT},
    ],
)
def test_admin_requires_api_key_and_tenant_key(sandbox_client, headers):
    response = sandbox_client.get("/app/api.php?action=accounts", headers=headers)
    assert_error(response, 401, "authentication_failed")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert API_KEY not in response.get_data(as_text=True)


def test_create_company_returns_domain_and_key(sandbox_client):
    response = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={
            "name": "Maple",
            "email_admin": "a@b.test",
            "password": "long enough",
            "subdomain": "Maple-Rye",
            "type": "standard",
            "datashare": True,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["subdomain"] == "maple-rye"
    assert body["account_domain"] == "maple-rye.sandbox.localhost"
    assert len(body["account_key"]) == 32
    listed = sandbox_client.get("/app/api.php?action=accounts&page=1", headers=ADMIN_HEADERS).get_json()
    assert [row["account_key"] for row in listed] == [body["account_key"]]
    assert "password" not in str(listed) and "password_hash" not in str(listed)


def test_taken_subdomain_is_a_conflict(sandbox_client):
    create_company(sandbox_client, "taken")
    response = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"name": "Other", "email_admin": "o@b.test", "password": "long enough", "subdomain": "TAKEN"},
    )
    assert_error(response, 409, "subdomain_taken")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email_admin": "a@b.test", "password": "long enough", "subdomain": "x"}, "name"),
        (
            {"name": "N", "email_admin": "not-an-email", "password": "long enough", "subdomain": "x"},
            "email_admin",
        ),
        ({"name": "N", "email_admin": "a@b.test", "password": "short", "subdomain": "x"}, "password"),
        (
            {
                "name": "N",
                "email_admin": "a@b.test",
                "password": "long enough",
                "subdomain": "x",
                "type": "premium",
            },
            "type",
        ),
        ({"name": "N" * 300, "email_admin": "a@b.test", "password": "long enough", "subdomain": "x"}, "name"),
        ({"name": 5, "email_admin": "a@b.test", "password": "long enough", "subdomain": "x"}, "name"),
    ],
)
def test_create_company_validates_fields(sandbox_client, body, field):
    error = assert_error(
        sandbox_client.post("/app/api.php", headers=ADMIN_HEADERS, json=body), 422, "validation_failed"
    )
    assert field in error["details"]["fields"]


@pytest.mark.parametrize("subdomain", ["-bad", "bad-", "a b", "é", "a" * 64, "a.b"])
def test_create_company_rejects_bad_subdomains(sandbox_client, subdomain):
    response = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"name": "N", "email_admin": "a@b.test", "password": "long enough", "subdomain": subdomain},
    )
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'"text"', b""])
def test_admin_post_needs_a_json_object(sandbox_client, body):
    response = sandbox_client.post(
        "/app/api.php", headers={**ADMIN_HEADERS, "Content-Type": "application/json"}, data=body
    )
    assert_error(response, 400, "invalid_json")


def test_unknown_actions_are_400(sandbox_client):
    assert_error(sandbox_client.get("/app/api.php?action=drop_tables", headers=ADMIN_HEADERS), 400, "unknown_action")
    assert_error(
        sandbox_client.post("/app/api.php", headers=ADMIN_HEADERS, json={"action": "nope"}),
        400,
        "unknown_action",
    )


def test_embed_token_is_single_use_and_bound(sandbox_app, sandbox_client):
    key = create_company(sandbox_client)
    token = sandbox_client.get(f"/app/api.php?action=embed_token&account_key={key}", headers=ADMIN_HEADERS).get_json()[
        "token"
    ]
    db = sandbox_app.extensions["sandbox"].db
    grant = accounts.consume_embed_token(db, token)
    assert grant is not None and grant.account_key == key
    assert accounts.consume_embed_token(db, token) is None  # single use


def test_embed_token_expires_after_an_hour(sandbox_app, sandbox_client):
    key = create_company(sandbox_client)
    token = sandbox_client.get(f"/app/api.php?action=embed_token&account_key={key}", headers=ADMIN_HEADERS).get_json()[
        "token"
    ]
    db = sandbox_app.extensions["sandbox"].db
    assert accounts.consume_embed_token(db, token, now=utcnow() + timedelta(minutes=61)) is None
    assert accounts.consume_embed_token(db, token, now=utcnow() + timedelta(minutes=59)) is not None


@pytest.mark.parametrize("account_key", ["0" * 32, "not-a-key", "../etc"])
def test_embed_token_for_unknown_company_is_404(sandbox_client, account_key):
    response = sandbox_client.get(f"/app/api.php?action=embed_token&account_key={account_key}", headers=ADMIN_HEADERS)
    assert_error(response, 404, "unknown_account")


def test_allow_url_and_redirect_check(sandbox_app, sandbox_client):
    response = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"action": "allow_url", "url": "http://127.0.0.1:8001/", "environment": "sandbox"},
    )
    assert response.status_code == 200
    db = sandbox_app.extensions["sandbox"].db
    assert accounts.redirect_allowed(db, "http://127.0.0.1:8001/v1/link/callback")
    assert not accounts.redirect_allowed(db, "http://127.0.0.1:8001.evil.test/cb")
    assert not accounts.redirect_allowed(db, "http://evil.test/?http://127.0.0.1:8001/")
    bad = sandbox_client.post(
        "/app/api.php", headers=ADMIN_HEADERS, json={"action": "allow_url", "url": "javascript:1"}
    )
    assert_error(bad, 422, "validation_failed")


def test_connection_health_and_disconnect(sandbox_client):
    key = create_company(sandbox_client)
    sandbox_connect(sandbox_client, key, "ledgerly")
    health = sandbox_client.get(
        f"/app/api.php?action=connection_health&account_key={key}", headers=ADMIN_HEADERS
    ).get_json()["connections"]
    assert [(c["integration"], c["status"], c["sync_progress"]) for c in health] == [("ledgerly", "healthy", 100)]
    assert {"account_key", "integration", "status", "created", "last_sync", "last_full_sync"} <= set(health[0])

    gone = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"action": "disconnect", "account_key": key, "integration": "ledgerly"},
    )
    assert gone.status_code == 200 and gone.get_json()["connection"]["status"] == "inactive"
    again = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"action": "disconnect", "account_key": key, "integration": "payday"},
    )
    assert_error(again, 404, "not_connected")

    sandbox_connect(sandbox_client, key, "ledgerly")  # reconnect reuses the connection
    health = sandbox_client.get(
        f"/app/api.php?action=connection_health&account_key={key}", headers=ADMIN_HEADERS
    ).get_json()["connections"]
    assert len(health) == 1 and health[0]["status"] == "healthy"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"action": "sandbox_connect", "account_key": "0" * 32, "integration": "ledgerly"},
            404,
            "unknown_account",
        ),
        (
            {"action": "sandbox_connect", "account_key": None, "integration": "ledgerly"},
            422,
            "validation_failed",
        ),
        ({"action": "sandbox_connect", "integration": "ledgerly"}, 422, "validation_failed"),
        ({"action": "sandbox_connect", "account_key": "KEY", "integration": "x"}, 422, "validation_failed"),
    ],
)
def test_sandbox_connect_bad_input(sandbox_client, body, status, code):
    assert_error(sandbox_client.post("/app/api.php", headers=ADMIN_HEADERS, json=body), status, code)


def test_sandbox_connect_unknown_app(sandbox_client):
    key = create_company(sandbox_client)
    response = sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"action": "sandbox_connect", "account_key": key, "integration": "nope"},
    )
    assert_error(response, 404, "unknown_integration")


def test_restart_keeps_accounts_and_connections(tmp_path):
    from sandbox import create_app

    config = {**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'persist.sqlite3'}"}
    first = create_app(config).test_client()
    key = create_company(first)
    sandbox_connect(first, key, "northbank")
    second = create_app(config).test_client()
    listed = second.get("/app/api.php?action=accounts", headers=ADMIN_HEADERS).get_json()
    assert [row["account_key"] for row in listed] == [key]
    health = second.get(f"/app/api.php?action=connection_health&account_key={key}", headers=ADMIN_HEADERS).get_json()[
        "connections"
    ]
    assert [c["integration"] for c in health] == ["northbank"]
