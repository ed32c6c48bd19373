"""Webhook signatures and replay: the broker's upstream receiver and the shared signing code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from common import signing
from tests.broker_support import FakeUpstream, FrozenClock, broker_app
from tests.security.support import BROKER_SECRETS, refused

HOOK_SECRET = "whsec_security_suite_0123456789abcdef"
PATH = "/v1/upstream/webhooks"


@pytest.fixture
def receiver(tmp_path: Any) -> Iterator[tuple[Flask, FrozenClock]]:
    clock = FrozenClock()
    with broker_app(tmp_path, FakeUpstream().transport, CLOCK=clock, UPSTREAM_WEBHOOK_SECRETS=[HOOK_SECRET]) as app:
        yield app, clock


def _event(event_id: str = "evt_1") -> bytes:
    return json.dumps({"id": event_id, "type": "sync.completed", "created": 1, "account_key": "k", "data": {}}).encode()


def _post(app: Flask, body: bytes, header: str | None) -> Any:
    headers = {"Content-Type": "application/json", **({signing.HEADER: header} if header is not None else {})}
    return app.test_client().post(PATH, data=body, headers=headers)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda b, t: None, "signature_missing"),
        (lambda b, t: "garbage", "signature_malformed"),
        (lambda b, t: f"t={t},v1=" + "0" * 64, "signature_invalid"),
        (lambda b, t: signing.sign("whsec_wrong_secret_000000000000", b, timestamp=t), "signature_invalid"),
        (lambda b, t: signing.sign(HOOK_SECRET, b, timestamp=t - 301), "signature_expired"),
        (lambda b, t: signing.sign(HOOK_SECRET, b, timestamp=t + 301), "signature_expired"),
        (lambda b, t: signing.sign(HOOK_SECRET, b + b" ", timestamp=t), "signature_invalid"),
        (lambda b, t: signing.sign(HOOK_SECRET, b, timestamp=t).replace("v1=", "v0="), "signature_malformed"),
    ],
    ids=["missing", "garbage", "zeros", "wrong-secret", "too-old", "future", "body-changed", "wrong-version"],
)
def test_bad_signatures_are_refused(receiver: Any, caplog: Any, make: Any, code: str) -> None:
    app, clock = receiver
    body = _event()
    answer = _post(app, body, make(body, int(clock())))
    assert answer.status_code in (400, 401)
    error = refused(answer, answer.status_code, None, (*BROKER_SECRETS, HOOK_SECRET), caplog)
    assert error["code"] in (code, "signature_invalid", "signature_malformed", "signature_missing")


def test_a_replayed_event_is_acknowledged_and_ignored(receiver: Any, caplog: Any) -> None:
    app, clock = receiver
    body = _event("evt_replayed")
    first = _post(app, body, signing.sign(HOOK_SECRET, body, timestamp=int(clock())))
    assert first.status_code == 200 and first.get_json() == {"received": True, "duplicate": False}
    clock.advance(60)
    again = _post(app, body, signing.sign(HOOK_SECRET, body, timestamp=int(clock())))  # re-signed later, same id
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    stale = _post(app, body, signing.sign(HOOK_SECRET, body, timestamp=int(clock()) - 400))  # captured and replayed
    assert stale.status_code == 401
    assert HOOK_SECRET not in caplog.text


def test_an_oversize_body_is_413_before_any_work(receiver: Any, caplog: Any) -> None:
    app, clock = receiver
    body = b'{"id": "' + b"x" * 200_000 + b'"}'
    answer = _post(app, body, signing.sign(HOOK_SECRET, body, timestamp=int(clock())))
    refused(answer, 413, None, (HOOK_SECRET,), caplog)


@pytest.mark.parametrize("skew", [0, 299, -299])
def test_signing_round_trip_within_tolerance(skew: int) -> None:
    body = _event()
    header = signing.sign(HOOK_SECRET, body, timestamp=1_000_000)
    assert signing.verify(HOOK_SECRET, body, header, now=1_000_000 + skew) == 1_000_000
    with pytest.raises(signing.SignatureError):
        signing.verify(HOOK_SECRET, body, header, now=1_000_000 + 301)
