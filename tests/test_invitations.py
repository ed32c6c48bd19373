"""Accountant invitations (issue 18): single use, short-lived, map and reconcile only, and the accountant is named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from broker.storage.models import AuditEntry
from tests.broker_support import (
    FakeUpstream,
    FrozenClock,
    assert_error,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(tmp_path: Any, clock: FrozenClock) -> Iterator[Flask]:
    overrides = {"CLOCK": clock, "WEBHOOK_DISPATCHER": False, "PUBLIC_URL": "https://broker.example"}
    with broker_app(tmp_path, FakeUpstream().transport, **overrides) as app:
        yield app


def owner_token(app: Flask, scopes: tuple[str, ...] = ("link", "map", "reconcile")) -> str:
    lender = new_client(app)
    return str(new_link_token(app, lender, new_account(app, lender), scopes=list(scopes))["link_token"])


def invite(app: Flask, token: str, **body: Any) -> dict[str, Any]:
    answer = app.test_client().post("/v1/link/invitations", json={"name": "Jane Ledger", **body}, headers=bearer(token))
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json())


def secret_of(invitation: dict[str, Any]) -> str:
    assert invitation["url"].startswith("https://broker.example/widget/v1/accountant#")
    return str(invitation["url"].split("#", 1)[1])


def accept(app: Flask, token: str) -> Any:
    return app.test_client().post("/v1/invitations/accept", json={"token": token})


def test_an_invitation_opens_one_map_and_reconcile_session_once(app: Flask) -> None:
    invitation = invite(app, owner_token(app))
    first = accept(app, secret_of(invitation))
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    session = first.get_json()
    assert session["scopes"] == ["map", "reconcile"] and session["accountant_name"] == "Jane Ledger"
    assert_error(accept(app, secret_of(invitation)), 409, "invitation_used")
    accountant = bearer(session["link_token"])
    assert_error(app.test_client().get("/v1/link/session", headers=accountant), 403, "insufficient_scope")
    assert_error(app.test_client().post("/v1/link/complete", headers=accountant), 403, "insufficient_scope")
    assert app.test_client().get("/v1/link/notes", headers=accountant).status_code == 200


@pytest.mark.parametrize(
    ("scopes", "ok"), [(("map",), True), (("reconcile",), True), (("link",), False), (("read",), False)]
)
def test_only_a_map_or_reconcile_session_invites(app: Flask, scopes: tuple[str, ...], ok: bool) -> None:
    response = app.test_client().post(
        "/v1/link/invitations", json={"name": "J"}, headers=bearer(owner_token(app, scopes))
    )
    if ok:
        assert response.status_code == 201
    else:
        assert_error(response, 403, "insufficient_scope")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": " "},
        {"name": "a\x00b"},
        {"name": "x" * 81},
        {"name": "J", "expires_in": 10},
        {"name": "J", "expires_in": "1h"},
    ],
)
def test_bad_invitations_are_422(app: Flask, body: dict[str, Any]) -> None:
    response = app.test_client().post("/v1/link/invitations", json=body, headers=bearer(owner_token(app)))
    assert_error(response, 422, "validation_failed")


def test_an_invitation_longer_than_the_maximum_is_refused(app: Flask) -> None:
    response = app.test_client().post(
        "/v1/link/invitations", json={"name": "J", "expires_in": 4 * 86400}, headers=bearer(owner_token(app))
    )
    error = assert_error(response, 422, "validation_failed")
    assert "expires_in" in error["details"]["fields"]


@pytest.mark.parametrize(("lifetime", "wait", "code"), [(3600, 3601, "invitation_expired"), (86400, 86401, None)])
def test_invitations_expire(app: Flask, clock: FrozenClock, lifetime: int, wait: int, code: str | None) -> None:
    invitation = invite(app, owner_token(app), expires_in=lifetime)
    clock.advance(wait)
    assert_error(accept(app, secret_of(invitation)), 400, code or "invitation_expired")


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-3] + "abc", lambda t: "x" + t, lambda t: "é", lambda t: "a" * 1025, lambda t: ""]
)
def test_a_forged_invitation_is_refused(app: Flask, mangle: Any) -> None:
    invitation = invite(app, owner_token(app))
    response = accept(app, mangle(secret_of(invitation)))
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"] in ("invalid_invitation", "validation_failed")


def test_the_accountant_is_named_in_history_and_audit_and_cannot_act_as_the_owner(app: Flask) -> None:
    session = accept(app, secret_of(invite(app, owner_token(app)))).get_json()
    accountant = bearer(session["link_token"])
    client = app.test_client()
    body = {"notes": [{"subject_kind": "bank_line", "subject_id": "bt_9", "reason": "personal_expense"}]}
    saved = client.put("/v1/link/notes", json=body, headers=accountant).get_json()
    assert saved["notes"][0]["updated_by"] == "accountant:Jane Ledger"
    assert saved["notes"][0]["history"][0]["actor"] == "accountant:Jane Ledger"
    attest = {"name": "Jane", "complete_through": "2026-01-31"}
    assert_error(client.post("/v1/link/attestation", json=attest, headers=accountant), 403, "owner_only")
    assert_error(client.post("/v1/link/invitations", json={"name": "X"}, headers=accountant), 403, "owner_only")
    with app.extensions["broker"].db.session() as db:
        actors = {(a.actor, a.action) for a in db.scalars(select(AuditEntry))}
    assert ("accountant:Jane Ledger", "invitation.accept") in actors
    assert ("accountant:Jane Ledger", "owner_notes.saved") in actors
