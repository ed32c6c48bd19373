"""The connect flow: redirects, embed tokens, background sync, disconnect, reconnect, the bank's credentials + MFA."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from common.dates import utcnow
from sandbox import create_app
from sandbox.apps.server import bank
from sandbox.models import ConnectSession, EmbedToken
from tests.sandbox_support import (
    ADMIN_HEADERS,
    DATA_HEADERS,
    LENDER,
    REDIRECT,
    SANDBOX_TEST_CONFIG,
    admin,
    allow_lender,
    create_company,
    csrf,
    embed_token,
    health,
    oauth_connect,
    open_connect,
    query,
)

PASSWORD = "northbank-demo-1"


@pytest.fixture
def company(sandbox_client):
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    return key


@pytest.mark.parametrize(
    "redirect",
    [None, "http://evil.test/cb", LENDER + ".evil.test/cb", "javascript:alert(1)", "http://evil.test/?" + REDIRECT],
    ids=["missing", "foreign", "lookalike-host", "javascript", "allowed-url-in-query"],
)
def test_redirect_outside_the_allowed_origins_gets_a_page_not_a_redirect(sandbox_client, company, redirect):
    params = {"embed": embed_token(sandbox_client, company), "state": "s"}
    if redirect is not None:
        params["redirect"] = redirect
    response = sandbox_client.get("/connect/ledgerly", query_string=params)
    assert response.status_code == 400 and "Location" not in response.headers
    assert response.mimetype == "text/html" and "not allowed" in response.get_data(as_text=True)


def _expire(app, token: str) -> None:
    from sandbox.accounts import hash_token

    with app.extensions["sandbox"].db.session() as session:
        session.execute(
            update(EmbedToken)
            .where(EmbedToken.token_hash == hash_token(token))
            .values(expires=utcnow() - timedelta(seconds=1))
        )


@pytest.mark.parametrize("case", ["reused", "expired", "unknown", "unbound"])
def test_bad_embed_tokens_come_back_as_errors_with_the_same_state(sandbox_app, sandbox_client, company, case):
    token = embed_token(sandbox_client, company)
    if case == "reused":
        sandbox_client.get("/connect/northbank", query_string={"embed": token, "state": "s", "redirect": REDIRECT})
    elif case == "expired":
        _expire(sandbox_app, token)
    elif case == "unknown":
        token = "made-up-token"
    else:
        token = sandbox_client.get("/app/api.php?action=embed_token", headers=ADMIN_HEADERS).get_json()["token"]
    response = sandbox_client.get(
        "/connect/ledgerly", query_string={"embed": token, "state": "st-9", "redirect": REDIRECT}
    )
    expected_error = "embed_token_not_bound" if case == "unbound" else "invalid_embed_token"
    assert response.status_code == 302
    assert query(response.headers["Location"]) == {
        "state": "st-9",
        "status": "error",
        "integration": "ledgerly",
        "error": expected_error,
    }


def test_unknown_app_redirects_with_an_error_and_keeps_the_token(sandbox_client, company):
    token = embed_token(sandbox_client, company)
    response = sandbox_client.get("/connect/nope", query_string={"embed": token, "state": "s", "redirect": REDIRECT})
    assert query(response.headers["Location"])["error"] == "unknown_integration"
    used = sandbox_client.get("/connect/ledgerly", query_string={"embed": token, "state": "s", "redirect": REDIRECT})
    assert used.headers["Location"].startswith("http://localhost/apps/ledgerly/oauth/authorize?")


def test_redirect_keeps_its_own_query(sandbox_client, company):
    allow_lender(sandbox_client, "http://127.0.0.1:8001")
    outcome = open_connect(sandbox_client, company, "nope", redirect="http://127.0.0.1:8001/cb?popup=1&state=old")
    assert query(outcome.headers["Location"]) == {
        "popup": "1",
        "state": "tenant-state-1",
        "status": "error",
        "integration": "nope",
        "error": "unknown_integration",
    }


@pytest.fixture
def background_client(tmp_path):
    app = create_app(
        {**SANDBOX_TEST_CONFIG, "SYNC_IN_BACKGROUND": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'bg.sqlite3'}"}
    )
    yield app.test_client()
    app.extensions["sandbox"].close()


def test_first_sync_runs_in_the_background_with_visible_progress(background_client):
    client = background_client
    key = create_company(client)
    allow_lender(client)
    admin(client, {"action": "faults", "latency_ms": 25, "targets": ["apps"]})  # slow the app down to watch
    assert oauth_connect(client, key, "ledgerly")["status"] == "connected"
    row = health(client, key)["ledgerly"]
    assert row["status"] == "syncing" and 0 <= row["sync_progress"] < 100
    listed = client.get("/api/connections", query_string={"X_ACCOUNT_KEY": key}, headers=DATA_HEADERS).get_json()
    assert listed[0]["status"] == "syncing"
    deadline = time.monotonic() + 30
    while health(client, key)["ledgerly"]["status"] == "syncing" and time.monotonic() < deadline:
        time.sleep(0.1)
    row = health(client, key)["ledgerly"]
    assert row["status"] == "healthy" and row["sync_progress"] == 100 and row["last_sync"]
    invoices = client.get("/api/invoices", query_string={"X_ACCOUNT_KEY": key}, headers=DATA_HEADERS).get_json()
    assert len(invoices) == 30 and invoices[0]["integration"] == "ledgerly"


def test_disconnect_revokes_at_the_app_hides_data_and_reconnect_does_not_duplicate(
    sandbox_app, sandbox_client, company
):
    admin(sandbox_client, {"action": "register_webhook", "url": "http://127.0.0.1:9/hooks"})
    oauth_connect(sandbox_client, company, "xenon")
    db = sandbox_app.extensions["sandbox"].db
    from sandbox.connect.connections import get_connection

    first = get_connection(db, company, "xenon")
    assert first is not None and first.credentials
    token = first.credentials["token"]["access_token"]
    assert (
        sandbox_client.get("/apps/xenon/api/Accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    gone = admin(sandbox_client, {"action": "disconnect", "account_key": company, "integration": "xenon"})
    assert gone.status_code == 200 and gone.get_json()["connection"]["status"] == "inactive"
    assert (
        sandbox_client.get("/apps/xenon/api/Accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    data = sandbox_client.get("/api/invoices", query_string={"X_ACCOUNT_KEY": company}, headers=DATA_HEADERS)
    assert data.get_json() == []
    assert oauth_connect(sandbox_client, company, "xenon")["status"] == "connected"
    rows = health(sandbox_client, company)
    assert list(rows) == ["xenon"] and rows["xenon"]["id"] == first.id and rows["xenon"]["status"] == "healthy"
    assert sandbox_client.get("/api/invoices", query_string={"X_ACCOUNT_KEY": company}, headers=DATA_HEADERS).get_json()
    events = [d["event_type"] for d in admin_log(sandbox_client)]
    assert events.count("connection.created") == 1 and events.count("sync.completed") == 2


def admin_log(client):
    return client.get("/app/api.php?action=webhook_deliveries", headers=ADMIN_HEADERS).get_json()


# The bank: credentials + MFA through the JSON API of UPSTREAM.md.


def bank_post(client, body):
    return client.post("/connect/northbank", json=body)


def bank_start(client, key, username="maple.owner", password=PASSWORD):
    return bank_post(
        client, {"embed": embed_token(client, key), "state": "j", "username": username, "password": password}
    )


def test_bank_json_api_wrong_password_then_right_then_wrong_code_then_right(sandbox_client, company):
    wrong = bank_start(sandbox_client, company, password="nope").get_json()
    assert (
        wrong["status"] == "invalid_credentials" and wrong["attempts_left"] == 2 and "don't match" in wrong["message"]
    )
    retry = bank_post(sandbox_client, {"session": wrong["session"], "username": "maple.owner", "password": PASSWORD})
    challenge = retry.get_json()
    assert challenge["status"] == "mfa_required" and challenge["challenge_id"]
    bad = bank_post(sandbox_client, {"challenge_id": challenge["challenge_id"], "code": "000000"}).get_json()
    assert bad["status"] == "invalid_code" and bad["attempts_left"] == 2 and "isn't right" in bad["message"]
    good = bank_post(sandbox_client, {"challenge_id": challenge["challenge_id"], "code": bank.BANK_MFA_CODE}).get_json()
    assert good["status"] == "connected" and good["connection"]["integration"] == "northbank"
    assert health(sandbox_client, company)["northbank"]["status"] == "healthy"
    again = bank_post(sandbox_client, {"challenge_id": challenge["challenge_id"], "code": bank.BANK_MFA_CODE})
    assert again.status_code == 404  # the step is over
    rows = sandbox_client.get("/api/bank_transactions", query_string={"X_ACCOUNT_KEY": company}, headers=DATA_HEADERS)
    assert rows.get_json()[0]["integration"] == "northbank"


def test_bank_locked_user_and_lock_after_three_wrong_passwords(sandbox_client, company):
    locked = bank_start(sandbox_client, company, username="locked.owner").get_json()
    assert locked["status"] == "locked" and "locked" in locked["message"]
    answers = [bank_start(sandbox_client, company, password=f"wrong-{n}").get_json()["status"] for n in range(3)]
    assert answers == ["invalid_credentials", "invalid_credentials", "locked"]
    assert bank_start(sandbox_client, company).get_json()["status"] == "locked"  # even with the right password


def test_bank_expired_code_has_its_own_message(sandbox_app, sandbox_client, company):
    challenge = bank_start(sandbox_client, company).get_json()["challenge_id"]
    db = sandbox_app.extensions["sandbox"].db
    with db.session() as session:
        bank_challenge = session.get(ConnectSession, challenge).challenge_id
    bank.expire_challenge(db, bank_challenge)
    expired = bank_post(sandbox_client, {"challenge_id": challenge, "code": bank.BANK_MFA_CODE}).get_json()
    assert expired["status"] == "code_expired" and "expired" in expired["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"embed": "made-up", "username": "u", "password": "p"}, 401, "invalid_embed_token"),
        ({"username": "u", "password": "p"}, 400, "invalid_embed_token"),
        ({"challenge_id": "cs_unknown", "code": "123456"}, 404, "unknown_challenge"),
    ],
)
def test_bank_json_api_bad_requests(sandbox_client, company, body, status, code):
    response = bank_post(sandbox_client, body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code


def test_oauth_apps_are_not_connected_through_the_json_api(sandbox_client, company):
    response = sandbox_client.post("/connect/ledgerly", json={"embed": embed_token(sandbox_client, company)})
    assert response.status_code == 400


def test_passwords_are_never_stored_or_logged(sandbox_app, sandbox_client, company, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    secret = "wrong-but-secret-password-xyz"
    bank_start(sandbox_client, company, password=secret)
    bank_start(sandbox_client, company, password=PASSWORD)
    database = Path(sandbox_app.extensions["sandbox"].db.engine.url.database)
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert secret.encode() not in stored and PASSWORD.encode() not in stored
    assert secret not in caplog.text and PASSWORD not in caplog.text


# The bank through its browser pages.


def _form(client, path, data):
    return client.post(path, data=data)


def test_bank_pages_wrong_password_wrong_code_expired_code_then_connected(sandbox_app, sandbox_client, company):
    page = open_connect(sandbox_client, company, "northbank")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Maple &amp; Rye Café" in html and "Demo Lender" in html
    assert "<title>Sign in to Northbank</title>" in html  # the title is words, not the page's forms
    token, session_id = csrf(html), html.split('name="session" value="')[1].split('"')[0]
    base = {"csrf_token": token, "session": session_id}
    wrong = _form(sandbox_client, "/connect/northbank", {**base, "username": "maple.owner", "password": "nope"})
    assert wrong.status_code == 401 and "match a Northbank" in wrong.get_data(as_text=True)
    mfa = _form(sandbox_client, "/connect/northbank", {**base, "username": "maple.owner", "password": PASSWORD})
    assert mfa.status_code == 200 and "one-time code" in mfa.get_data(as_text=True)
    assert "<title>Northbank: enter your code</title>" in mfa.get_data(as_text=True)
    assert mfa.get_data(as_text=True).count("Cancel and go back") == 1
    bad = _form(sandbox_client, "/connect/northbank/mfa", {**base, "action": "verify", "code": "111111"})
    assert bad.status_code == 401 and "isn&#39;t right" in bad.get_data(as_text=True)
    db = sandbox_app.extensions["sandbox"].db
    with db.session() as session:
        bank.expire_challenge(db, session.get(ConnectSession, session_id).challenge_id)
    expired = _form(sandbox_client, "/connect/northbank/mfa", {**base, "action": "verify", "code": bank.BANK_MFA_CODE})
    assert expired.status_code == 401 and "has expired" in expired.get_data(as_text=True)
    resent = _form(sandbox_client, "/connect/northbank/mfa", {**base, "action": "resend"})
    assert resent.status_code == 200 and "new code" in resent.get_data(as_text=True)
    done = _form(sandbox_client, "/connect/northbank/mfa", {**base, "action": "verify", "code": bank.BANK_MFA_CODE})
    assert done.status_code == 303
    assert query(done.headers["Location"]) == {
        "state": "tenant-state-1",
        "status": "connected",
        "integration": "northbank",
    }
    assert health(sandbox_client, company)["northbank"]["status"] == "healthy"


def test_bank_pages_locked_user_and_cancel(sandbox_client, company):
    page = open_connect(sandbox_client, company, "northbank")
    html = page.get_data(as_text=True)
    base = {"csrf_token": csrf(html), "session": html.split('name="session" value="')[1].split('"')[0]}
    locked = _form(sandbox_client, "/connect/northbank", {**base, "username": "locked.owner", "password": PASSWORD})
    text = locked.get_data(as_text=True)
    assert locked.status_code == 423 and "is locked" in text and "error=account_locked" in text
    cancelled = open_connect(sandbox_client, company, "northbank", state="second")
    html = cancelled.get_data(as_text=True)
    base = {"csrf_token": csrf(html), "session": html.split('name="session" value="')[1].split('"')[0]}
    back = _form(sandbox_client, "/connect/northbank/cancel", base)
    assert query(back.headers["Location"]) == {"state": "second", "status": "denied", "integration": "northbank"}


def test_a_form_from_another_browser_finds_nothing(sandbox_app, sandbox_client, company):
    victim = open_connect(sandbox_client, company, "northbank").get_data(as_text=True)
    victim_session = victim.split('name="session" value="')[1].split('"')[0]
    stranger = sandbox_app.test_client()
    own = open_connect(stranger, company, "northbank").get_data(as_text=True)
    response = stranger.post(
        "/connect/northbank",
        data={"csrf_token": csrf(own), "session": victim_session, "username": "maple.owner", "password": PASSWORD},
    )
    assert response.status_code == 400 and "has ended" in response.get_data(as_text=True)


def test_closing_the_sandbox_lets_background_syncs_finish(sandbox_app) -> None:
    """A teardown (or a server's exit) waits for the syncs in flight instead of pulling the database from under them."""
    state = sandbox_app.extensions["sandbox"]
    finished: list[str] = []

    def slow_sync() -> None:
        time.sleep(0.3)
        finished.append("done")

    state.run(slow_sync, "sync-test", background=True)
    assert finished == []
    assert state.background.wait(timeout=0) is False
    state.close()
    assert finished == ["done"]
    assert state.background.wait(timeout=0) is True
