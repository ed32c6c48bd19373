"""The owner's word on the books (issue 18): notes with a closed list of reasons and history, and the attestation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

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
    with broker_app(tmp_path, FakeUpstream().transport, CLOCK=clock, WEBHOOK_DISPATCHER=False) as app:
        yield app


def owner_token(app: Flask, scopes: tuple[str, ...] = ("link", "map", "reconcile")) -> str:
    lender = new_client(app)
    return str(new_link_token(app, lender, new_account(app, lender), scopes=list(scopes))["link_token"])


def note(**fields: Any) -> dict[str, Any]:
    return {"subject_kind": "difference", "subject_id": "ba_1:2026-03", "reason": "timing", **fields}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": []}, "notes"),
        ({"notes": [note(reason="because")]}, "reason"),
        ({"notes": [note(subject_kind="invoice")]}, "subject_kind"),
        ({"notes": [note(subject_id="has space")]}, "subject_id"),
        ({"notes": [note(subject_id="x" * 129)]}, "subject_id"),
        ({"notes": [note(text="x" * 501)]}, "text"),
        ({"notes": [note(text="nul\x00")]}, "text"),
        ({"notes": [note(reason="other")]}, "text"),
        ({"notes": [note(reason="other", text="   ")]}, "text"),
        ({"notes": [note()] * 201}, "notes"),
        ({"notes": "timing"}, "notes"),
    ],
)
def test_bad_notes_are_refused_and_nothing_is_saved(app: Flask, body: dict[str, Any], field: str) -> None:
    token = owner_token(app)
    error = assert_error(app.test_client().put("/v1/link/notes", json=body, headers=bearer(token)), 422)
    assert field in str(error["details"]["fields"])
    assert app.test_client().get("/v1/link/notes", headers=bearer(token)).get_json()["owner_notes"] == []


@pytest.mark.parametrize("reason", ["cash_deposit_not_recorded", "personal_expense", "timing", "loan_disbursement"])
def test_each_listed_reason_is_accepted_without_text(app: Flask, reason: str) -> None:
    answer = app.test_client().put(
        "/v1/link/notes", json={"notes": [note(reason=reason)]}, headers=bearer(owner_token(app))
    )
    assert answer.status_code == 200 and answer.get_json()["notes"][0]["reason"] == reason


def test_notes_keep_their_history_and_a_same_save_changes_nothing(app: Flask, clock: FrozenClock) -> None:
    token = owner_token(app)
    client = app.test_client()
    first = client.put("/v1/link/notes", json={"notes": [note()]}, headers=bearer(token)).get_json()
    again = client.put("/v1/link/notes", json={"notes": [note()]}, headers=bearer(token)).get_json()
    assert (first["changed"], again["changed"]) == (1, 0)
    clock.advance(60)
    changed = note(reason="other", text="Owner paid supplier in cash, receipt in drawer")
    client.put("/v1/link/notes", json={"notes": [changed]}, headers=bearer(token))
    (saved,) = client.get("/v1/link/notes", headers=bearer(token)).get_json()["owner_notes"]
    assert saved["reason"] == "other" and saved["text"].startswith("Owner paid")
    assert saved["updated_by"].startswith("link:")
    newest, oldest = saved["history"]
    assert (oldest["old_reason"], oldest["new_reason"]) == (None, "timing")
    assert (newest["old_reason"], newest["new_reason"], newest["new_text"]) == ("timing", "other", changed["text"])
    assert newest["at"] > oldest["at"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/link/notes", None),
        ("put", "/v1/link/notes", {"notes": [note()]}),
        ("post", "/v1/link/attestation", {"name": "A", "complete_through": "2026-01-31"}),
    ],
)
@pytest.mark.parametrize(("scopes", "status"), [(("link", "map"), 403), (("read",), 403), (("reconcile",), None)])
def test_the_reconcile_scope_is_needed(
    app: Flask, method: str, path: str, body: Any, scopes: tuple[str, ...], status: int | None
) -> None:
    response = getattr(app.test_client(), method)(path, json=body, headers=bearer(owner_token(app, scopes)))
    if status is None:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert_error(response, status, "insufficient_scope")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "To the best of my knowledge these books are complete through 2026-04-30."),
        ("fr", "À ma connaissance, cette comptabilité est complète jusqu'au 2026-04-30."),
    ],
)
def test_the_attestation_stores_who_when_and_the_exact_words(
    app: Flask, clock: FrozenClock, language: str, text: str
) -> None:
    token = owner_token(app)
    body = {"name": "Ada Owner", "complete_through": "2026-04-30", "language": language}
    answer = app.test_client().post("/v1/link/attestation", json=body, headers=bearer(token))
    assert answer.status_code == 201
    stored = app.test_client().get("/v1/link/notes", headers=bearer(token)).get_json()["attestation"]
    assert stored == answer.get_json()
    assert stored["text"] == text and stored["name"] == "Ada Owner"
    assert stored["at"] == datetime.fromtimestamp(clock.now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "complete_through": "2999-01-01"},
        {"name": "", "complete_through": "2026-01-01"},
        {"name": "   ", "complete_through": "2026-01-01"},
        {"name": "A" * 121, "complete_through": "2026-01-01"},
        {"name": "A", "complete_through": "31/01/2026"},
        {"name": "A", "complete_through": "2026-01-01", "language": "de"},
    ],
)
def test_bad_attestations_are_422(app: Flask, body: dict[str, Any]) -> None:
    response = app.test_client().post("/v1/link/attestation", json=body, headers=bearer(owner_token(app)))
    assert_error(response, 422, "validation_failed")


def test_two_saves_creating_one_note_at_once_both_succeed_with_history(app: Flask, clock: FrozenClock) -> None:
    from sqlalchemy import event, select

    from broker.owner_notes import store
    from broker.storage.models import Account

    lender = new_client(app)
    key = new_account(app, lender)
    db = app.extensions["broker"].db
    now = datetime.fromtimestamp(clock.now, UTC)
    with db.session() as mine:
        account = mine.scalars(select(Account).where(Account.account_key == key)).one()
        rivals: list[dict[str, Any]] = []

        @event.listens_for(mine, "before_flush")
        def rival_first(*_args: Any) -> None:  # the other request inserts between our look-up and our insert
            if not rivals:
                with db.session() as theirs:
                    rivals.append(
                        store.save_notes(theirs, theirs.get(Account, account.id), [note()], actor="link:b", now=now)
                    )

        saved = store.save_notes(mine, account, [note(reason="personal_expense")], actor="link:a", now=now)
    assert rivals and rivals[0]["changed"] == 1
    (only,) = saved["notes"]
    assert only["reason"] == "personal_expense" and only["updated_by"] == "link:a"
    assert [(h["old_reason"], h["new_reason"]) for h in only["history"]][-1] == (None, "timing")
    assert len(only["history"]) == 2
