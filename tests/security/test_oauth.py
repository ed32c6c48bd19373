"""OAuth state and PKCE misuse against the sandbox's app authorization servers and its connector callback."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.sandbox_support import allow_lender, consent, create_company, open_connect, query
from tests.test_sandbox_oauth import CALLBACK, CLIENT_ID, CLIENT_SECRET, VERIFIER, authorize_url, exchange


@pytest.fixture
def company(sandbox_client: FlaskClient) -> str:
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    return key


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge_method": "plain", "code_challenge": VERIFIER},
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "S512"},
    ],
    ids=["downgrade-to-plain", "no-pkce", "unknown-method"],
)
def test_pkce_cannot_be_downgraded(sandbox_client: FlaskClient, company: str, overrides: dict[str, Any]) -> None:
    answer = sandbox_client.get(authorize_url(**overrides))
    assert answer.status_code == 302 and answer.headers["Location"].startswith(CALLBACK)
    assert query(answer.headers["Location"])["error"] == "invalid_request"


def test_a_code_is_bound_to_its_verifier_client_and_single_use(sandbox_client: FlaskClient, company: str) -> None:
    back = query(consent(sandbox_client, "http://localhost" + authorize_url(), "ledgerly"))
    stolen = exchange(sandbox_client, back["code"], "x" * 43)
    assert stolen.status_code == 400 and stolen.get_json()["error"] == "invalid_grant"
    other = exchange(sandbox_client, back["code"], VERIFIER, auth=("another-client", CLIENT_SECRET))
    assert other.status_code == 401 and other.get_json()["error"] == "invalid_client"
    good = exchange(sandbox_client, back["code"], VERIFIER, auth=(CLIENT_ID, CLIENT_SECRET))
    assert good.status_code in (200, 400)  # a failed attempt may already have burnt the code: never 5xx
    body = good.get_data(as_text=True)
    replay = exchange(sandbox_client, back["code"], VERIFIER, auth=(CLIENT_ID, CLIENT_SECRET))
    assert replay.status_code == 400 and replay.get_json()["error"] == "invalid_grant"
    assert CLIENT_SECRET not in body + replay.get_data(as_text=True)


@pytest.mark.parametrize(
    "state",
    ["forged-state", "", "x" * 5000, "s-1'\"<script>"],
    ids=["forged", "empty", "huge", "markup"],
)
def test_connector_callback_refuses_a_state_it_did_not_issue(
    sandbox_client: FlaskClient, company: str, state: str
) -> None:
    started = open_connect(sandbox_client, company, "ledgerly")
    assert started.status_code == 302
    answer = sandbox_client.get("/connect/ledgerly/callback", query_string={"code": "stolen", "state": state})
    assert answer.status_code < 500
    location = answer.headers.get("Location", "")
    if location:
        assert query(location).get("status") != "connected"
    assert "<script>" not in answer.get_data(as_text=True)


def test_a_callback_without_the_browser_session_cannot_finish(sandbox_client: FlaskClient, company: str) -> None:
    started = open_connect(sandbox_client, company, "ledgerly")
    back = consent(sandbox_client, started.headers["Location"], "ledgerly")
    stranger = sandbox_client.application.test_client()  # another browser: no connect session cookie
    answer = stranger.get(back.replace("http://localhost", ""))
    assert answer.status_code < 500 and "connected" not in answer.headers.get("Location", "")
