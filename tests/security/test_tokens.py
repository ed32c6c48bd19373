"""Link tokens: tampered, re-salted, expired, revoked, replayed after completion, or malformed tokens give 401."""

from __future__ import annotations

from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.broker_support import (
    ORIGIN,
    SECRET,
    FakeUpstream,
    FrozenClock,
    auth_headers,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)
from tests.security.support import Lender, refused

SESSION = "/v1/link/data/invoices"


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: _flip(t, len(t) - 3),  # signature
        lambda t: _flip(t, 5),  # payload
        lambda t: t.split(".")[0],  # signature cut off
        lambda t: t + ".",
        lambda t: t.upper(),
        lambda t: t[::-1],
        lambda t: "",
        lambda t: "x" * 5000,  # over-long
        lambda t: t + "\u00e9",
    ],
    ids=["signature", "payload", "no-signature", "extra-dot", "case", "reversed", "empty", "over-long", "non-ascii"],
)
def test_tampered_tokens_are_401(lender: Lender, caplog: Any, tamper: Any) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    answer = lender.http.get(SESSION, headers=bearer(tamper(token)))
    refused(answer, 401, "invalid_token", (*lender.secrets, token), caplog)
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert not lender.upstream.data_requests


def test_a_token_signed_for_another_purpose_is_401(lender: Lender, caplog: Any) -> None:
    good = URLSafeTimedSerializer(SECRET, salt="broker.link-token.v1")
    claims = good.loads(new_link_token(lender.app, lender.a, lender.key_a)["link_token"])
    forged = URLSafeTimedSerializer(SECRET, salt="broker.some-other-purpose").dumps(claims)
    refused(lender.http.get(SESSION, headers=bearer(forged)), 401, "invalid_token", (*lender.secrets, forged), caplog)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "bearer  ", "Token abc", "Bearer a b"])
def test_malformed_authorization_is_401(lender: Lender, caplog: Any, header: str) -> None:
    refused(lender.http.get(SESSION, headers={"Authorization": header}), 401, "invalid_token", lender.secrets, caplog)


def test_expired_and_revoked_tokens_are_refused_and_replay_after_complete_fails(tmp_path: Any, caplog: Any) -> None:
    clock = FrozenClock()
    with broker_app(tmp_path, FakeUpstream().transport, CLOCK=clock) as app:
        client = new_client(app)
        key = new_account(app, client)
        http = app.test_client()
        short = new_link_token(app, client, key, expires_in=60)["link_token"]
        clock.advance(61)
        refused(http.get(SESSION, headers=bearer(short)), 401, "invalid_token", (short,), caplog)
        minted = new_link_token(app, client, key)
        assert http.delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(client)).status_code == 204
        refused(http.get(SESSION, headers=bearer(minted["link_token"])), 401, "invalid_token", (key,), caplog)
        done = new_link_token(app, client, key)["link_token"]
        assert http.post("/v1/link/complete", headers=bearer(done)).status_code == 200
        for _replay in range(2):  # a succeeded session's token says so (an InvalidToken with its own code)
            refused(
                http.post("/v1/link/complete", headers=bearer(done)), 401, "link_session_succeeded", (done,), caplog
            )


def test_a_token_only_works_from_its_own_origin(lender: Lender, caplog: Any) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    for origin in ("https://evil.example", ORIGIN + ".evil.example", ORIGIN.upper(), "null", ORIGIN + ":443"):
        answer = lender.http.get(SESSION, headers={**bearer(token), "Origin": origin})
        refused(answer, 403, "origin_not_allowed", (*lender.secrets, token, lender.key_a), caplog)
    assert lender.http.get(SESSION, headers={**bearer(token), "Origin": ORIGIN}).status_code == 200


FRAME_CALL = "/v1/link/attempts/att_unknown"  # a widget endpoint that answers 404 without calling the upstream


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},  # the frame's GET, no parent named
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},  # the frame's POST, no parent named
        {"Sec-Fetch-Site": "same-origin", "X-LedgerLink-Parent-Origin": "https://other-lender.example"},
        {"X-LedgerLink-Parent-Origin": "https://other-lender.example"},
        {"X-LedgerLink-Parent-Origin": ORIGIN + ".evil.example"},
    ],
    ids=["frame-get", "frame-post", "other-parent", "other-parent-no-fetch-metadata", "lookalike-parent"],
)
def test_the_frame_is_refused_when_its_parent_page_is_not_the_tokens_origin(
    lender: Lender, caplog: Any, headers: dict[str, str]
) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    answer = lender.http.get(FRAME_CALL, headers={**bearer(token), **headers})
    refused(answer, 403, "origin_mismatch", (*lender.secrets, token, lender.key_a), caplog)


def test_the_frame_framed_by_the_tokens_origin_is_served(lender: Lender) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    frame = {"Sec-Fetch-Site": "same-origin", "X-LedgerLink-Parent-Origin": ORIGIN}
    for extra in ({}, {"Origin": "http://localhost"}):
        answer = lender.http.get(FRAME_CALL, headers={**bearer(token), **frame, **extra})
        assert answer.status_code == 404, answer.get_json()
    # A server-side caller (no browser headers) is not a frame: its token alone decides, as before.
    assert lender.http.get(FRAME_CALL, headers=bearer(token)).status_code == 404
