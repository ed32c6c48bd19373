"""The simulated apps' authorization servers and the connector's OAuth client: PKCE, state, iss, refresh, revocation."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy import update

from sandbox.connect import connections
from sandbox.models import AppToken, Connection
from tests.sandbox_support import (
    ADMIN_HEADERS,
    DATA_HEADERS,
    SANDBOX_TEST_CONFIG,
    admin,
    allow_lender,
    basic,
    consent,
    create_company,
    csrf,
    health,
    local,
    oauth_connect,
    open_connect,
    query,
)

CLIENT_ID, CLIENT_SECRET = "ledgerlink-connector", "connector-dev-secret-change-me"
VERIFIER = "v" * 20 + "-verifier-of-forty-three-chars-or-more"
CALLBACK = "http://localhost/connect/ledgerly/callback"
ISSUER = "http://localhost/apps/ledgerly"


@pytest.fixture
def company(sandbox_client):
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    return key


def authorize_url(**overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": "accounting.read",
        "state": "s-1",
        "organisation": "maple-rye",
        "code_challenge": create_s256_code_challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }
    return "/apps/ledgerly/oauth/authorize?" + urlencode({k: v for k, v in params.items() if v is not None})


def exchange(client, code: str, verifier: str | None, auth=(CLIENT_ID, CLIENT_SECRET)):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        form["code_verifier"] = verifier
    return client.post("/apps/ledgerly/oauth/token", data=form, headers=basic(*auth) if auth else {})


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "PKCE is required"),
        ({"code_challenge_method": None}, "S256"),
        ({"code_challenge_method": "plain", "code_challenge": VERIFIER}, "S256"),
        ({"code_challenge": "short"}, "code_challenge"),
    ],
    ids=["no-challenge", "no-method", "plain-method", "malformed-challenge"],
)
def test_authorize_refuses_requests_without_s256_pkce(sandbox_client, company, overrides, description):
    response = sandbox_client.get(authorize_url(**overrides))
    assert response.status_code == 302
    back = query(response.headers["Location"])
    assert response.headers["Location"].startswith(CALLBACK)
    assert back["error"] == "invalid_request" and description in back["error_description"]
    assert back["state"] == "s-1" and back["iss"] == ISSUER


@pytest.mark.parametrize(
    ("overrides", "status"),
    [({"client_id": "someone-else"}, 400), ({"redirect_uri": "http://evil.test/cb"}, 400)],
    ids=["unknown-client", "foreign-redirect-uri"],
)
def test_authorize_never_redirects_to_an_unregistered_place(sandbox_client, company, overrides, status):
    response = sandbox_client.get(authorize_url(**overrides))
    assert response.status_code == status and "Location" not in response.headers
    assert "can't be completed" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("verifier", "auth", "status", "error"),
    [
        (None, (CLIENT_ID, CLIENT_SECRET), 400, "invalid_request"),
        ("w" * 50, (CLIENT_ID, CLIENT_SECRET), 400, "invalid_grant"),
        (VERIFIER, (CLIENT_ID, "wrong-secret"), 401, "invalid_client"),
        (VERIFIER, None, 401, "invalid_client"),
        (VERIFIER, (CLIENT_ID, CLIENT_SECRET), 200, None),
    ],
    ids=["no-verifier", "wrong-verifier", "wrong-secret", "no-client-auth", "right"],
)
def test_token_endpoint_checks_verifier_and_client(sandbox_client, company, verifier, auth, status, error):
    back = query(consent(sandbox_client, "http://localhost" + authorize_url(), "ledgerly"))
    assert back["iss"] == ISSUER and back["state"] == "s-1"
    response = exchange(sandbox_client, back["code"], verifier, auth)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    if error:
        assert body["error"] == error
        return
    assert body["token_type"].lower() == "bearer" and body["refresh_token"] and body["organisation"] == "maple-rye"
    assert body["expires_in"] == 3600
    again = exchange(sandbox_client, back["code"], verifier, auth)  # a code works once
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_client_secret_post_is_not_accepted(sandbox_client, company):
    back = query(consent(sandbox_client, "http://localhost" + authorize_url(), "ledgerly"))
    form = {
        "grant_type": "authorization_code",
        "code": back["code"],
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    response = sandbox_client.post("/apps/ledgerly/oauth/token", data=form)
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"


def test_consent_page_names_company_data_and_tenant_with_strict_csp(sandbox_client, company):
    started = open_connect(sandbox_client, company, "ledgerly")
    signin = sandbox_client.get(local(started.headers["Location"]))
    token = csrf(signin.get_data(as_text=True))
    wrong = sandbox_client.post(
        local(started.headers["Location"]),
        data={"csrf_token": token, "form": "signin", "email": "owner@ledgerly.test", "password": "nope"},
    )
    assert wrong.status_code == 401 and "match a user of Ledgerly" in wrong.get_data(as_text=True)
    forged = sandbox_client.post(local(started.headers["Location"]), data={"form": "consent", "decision": "allow"})
    assert forged.status_code == 400  # no CSRF token
    sandbox_client.post(
        local(started.headers["Location"]),
        data={"csrf_token": token, "form": "signin", "email": "owner@ledgerly.test", "password": "ledgerly-demo-1"},
    )
    page = sandbox_client.get(local(started.headers["Location"]))
    html = page.get_data(as_text=True)
    assert "Maple &amp; Rye Café" in html and SANDBOX_TEST_CONFIG.get("TENANT_NAME", "Demo Lender") in html
    assert "Invoice" in html and "Journal entry" in html and 'value="deny"' in html and 'value="allow"' in html
    policy = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "default-src 'none'" in policy and "<script" not in html
    assert "style=" not in html and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("integration", ["ledgerly", "xenon", "shopwave", "payday"])
def test_connect_pulls_the_raw_api_through_oauth_and_traces_objects(sandbox_app, sandbox_client, company, integration):
    outcome = oauth_connect(sandbox_client, company, integration)
    assert outcome == {"state": "tenant-state-1", "status": "connected", "integration": integration}
    assert health(sandbox_client, company)[integration]["status"] == "healthy"
    module = connections.app_module(integration)
    business = connections.business_for("ledgerlink:maple-rye", SANDBOX_TEST_CONFIG["DATA_END"], 1.0)
    expected = sum(len(rows) for rows in module.render(business).values())
    with sandbox_app.extensions["sandbox"].db.session() as session:
        from sqlalchemy import func, select

        from sandbox.models import SourceRecord

        stored = session.scalar(select(func.count()).select_from(SourceRecord))
    assert stored == len(module.raw_records(module.render(business))) and expected > 0
    token = _stored_token(sandbox_app, company, integration)
    fetched = sandbox_app.extensions["sandbox.connect.connector"].fetch_raw(integration, token, lambda _new: None)
    assert fetched == json.loads(json.dumps(module.render(business)))  # every page of every resource, untouched
    first_object = module.OBJECTS[0]
    rows = sandbox_client.get(f"/api/{first_object}", query_string={"X_ACCOUNT_KEY": company}, headers=DATA_HEADERS)
    row = rows.get_json()[0]
    raw = sandbox_client.get(local(row["source_url"]), query_string={"X_ACCOUNT_KEY": company}, headers=DATA_HEADERS)
    assert raw.status_code == 200 and raw.get_json()["integration"] == integration


def test_deny_ends_with_status_denied(sandbox_client, company):
    outcome = oauth_connect(sandbox_client, company, "ledgerly", decision="deny")
    assert outcome == {"state": "tenant-state-1", "status": "denied", "integration": "ledgerly"}
    assert health(sandbox_client, company) == {}


def _tamper(url: str, **changes: str | None) -> str:
    params = {**query(url), **changes}
    base = url.split("?", 1)[0]
    return base + "?" + urlencode({k: v for k, v in params.items() if v is not None})


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"state": "forged-state"}, "state_mismatch"),
        ({"state": None}, "state_mismatch"),
        ({"iss": "http://localhost/apps/xenon"}, "issuer_mismatch"),
        ({"iss": None}, "issuer_mismatch"),
        ({"code": "not-a-code"}, "code_exchange_failed"),
    ],
    ids=["forged-state", "no-state", "other-issuer", "no-issuer", "bad-code"],
)
def test_connector_refuses_a_tampered_redirect(sandbox_client, company, changes, error):
    started = open_connect(sandbox_client, company, "ledgerly")
    back = consent(sandbox_client, started.headers["Location"], "ledgerly")
    finished = sandbox_client.get(local(_tamper(back, **changes)))
    assert finished.status_code == 302
    assert query(finished.headers["Location"]) == {
        "state": "tenant-state-1",
        "status": "error",
        "integration": "ledgerly",
        "error": error,
    }
    assert health(sandbox_client, company) == {}
    replay = sandbox_client.get(local(back))  # the session is over: the genuine redirect cannot be replayed
    assert replay.status_code == 400


def _stored_token(app, account_key: str, integration: str) -> dict:
    connection = connections.get_connection(app.extensions["sandbox"].db, account_key, integration)
    assert connection is not None and connection.credentials
    return dict(connection.credentials["token"])


def _raw_api(client, token: str, resource: str = "Account"):
    return client.get(f"/apps/ledgerly/api/{resource}", headers={"Authorization": f"Bearer {token}"})


def test_expired_access_token_is_refreshed_and_stored(sandbox_app, sandbox_client, company):
    oauth_connect(sandbox_client, company, "ledgerly")
    before = _stored_token(sandbox_app, company, "ledgerly")
    assert _raw_api(sandbox_client, before["access_token"]).status_code == 200
    db = sandbox_app.extensions["sandbox"].db
    with db.session() as session:  # an hour passes: the app and the connector both see the token as expired
        session.execute(update(AppToken).values(issued_at=int(time.time()) - 7200))
        row = connections.get_connection(db, company, "ledgerly")
        assert row is not None
        credentials = dict(row.credentials or {})
        credentials["token"] = {**credentials["token"], "expires_at": int(time.time()) - 3600}
        session.execute(update(Connection).where(Connection.id == row.id).values(credentials=credentials))
    expired = _raw_api(sandbox_client, before["access_token"])
    assert expired.status_code == 401 and "Bearer" in expired.headers["WWW-Authenticate"]
    response = admin(sandbox_client, {"action": "sync", "account_key": company, "integration": "ledgerly"})
    assert response.status_code == 202
    after = _stored_token(sandbox_app, company, "ledgerly")
    assert after["access_token"] != before["access_token"] and after["refresh_token"] != before["refresh_token"]
    assert _raw_api(sandbox_client, after["access_token"]).status_code == 200
    assert health(sandbox_client, company)["ledgerly"]["status"] == "healthy"
    old_refresh = sandbox_client.post(
        "/apps/ledgerly/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": before["refresh_token"]},
        headers=basic(CLIENT_ID, CLIENT_SECRET),
    )
    assert old_refresh.status_code == 400 and old_refresh.get_json()["error"] == "invalid_grant"  # rotated


def test_revoked_grant_turns_health_to_error_and_emits_connection_error(sandbox_app, sandbox_client, company):
    admin(sandbox_client, {"action": "register_webhook", "url": "http://127.0.0.1:9/hooks"})
    oauth_connect(sandbox_client, company, "ledgerly")
    token = _stored_token(sandbox_app, company, "ledgerly")
    revoked = admin(sandbox_client, {"action": "revoke_app_token", "account_key": company, "integration": "ledgerly"})
    assert revoked.get_json() == {"revoked": 1}
    assert _raw_api(sandbox_client, token["access_token"]).status_code == 401
    admin(sandbox_client, {"action": "sync", "account_key": company, "integration": "ledgerly"})
    row = health(sandbox_client, company)["ledgerly"]
    assert row["status"] == "error" and "connect it again" in row["error"]
    log = sandbox_client.get("/app/api.php?action=webhook_deliveries", headers=ADMIN_HEADERS)
    assert "connection.error" in [d["event_type"] for d in log.get_json()]


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer not-a-token"}, 401), ({"Authorization": "Basic abc"}, 401)],
    ids=["missing", "unknown", "not-bearer"],
)
def test_raw_api_requires_a_bearer_token(sandbox_client, headers, status):
    response = sandbox_client.get("/apps/ledgerly/api/Account", headers=headers)
    assert response.status_code == status and response.get_json()["error"] == "invalid_token"


def test_authorization_server_metadata_announces_s256_and_iss(sandbox_client):
    body = sandbox_client.get("/apps/xenon/.well-known/oauth-authorization-server").get_json()
    assert body["issuer"] == "http://localhost/apps/xenon"
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["authorization_response_iss_parameter_supported"] is True
