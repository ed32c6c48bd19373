"""Consents (issue 18): receipts verified by an independent JOSE library, terms, access that ends, the owner's revoke.

The independent verifier is PyJWT (``jwt``), not the broker's joserfc code path: it reads ``/.well-known/jwks.json``
like anyone would, and a receipt tampered with in any part fails it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from flask import Flask

from broker import webhooks
from broker.consents.keys import generate_entry
from broker.errors import ConfigurationError
from common import signing
from tests.broker_support import (
    FakeUpstream,
    FrozenClock,
    assert_error,
    auth_headers,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
)

HOOK_URL = "https://hooks.lender.example/ledgerlink"
PRODUCTION = {
    "CLIENT_SECRET_HASH_COST": 14,
    "UPSTREAM_ADMIN_URL": "https://u.test",
    "UPSTREAM_DATA_URL": "https://u.test",
}
DAY = 86400


class ConsentUpstream(FakeUpstream):
    """The fake upstream, with connections that name their app and category and a Disconnect action it records."""

    def __init__(self) -> None:
        super().__init__()
        self.disconnected: list[tuple[str, str]] = []

    def _admin(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and json.loads(request.content).get("action") == "disconnect":
            body = json.loads(request.content)
            self.disconnected.append((body["account_key"], body["integration"]))
            return httpx.Response(200, json={"disconnected": True})
        if request.url.params.get("action") == "connection_health":
            key = request.url.params.get("account_key", "")
            rows = [
                {"account_key": key, "integration": "ledgerly", "name": "Ledgerly", "category": "accounting"},
                {"account_key": key, "integration": "northbank", "name": "North Bank", "category": "banking"},
            ]
            live = [r | {"status": "healthy"} for r in rows if (key, r["integration"]) not in self.disconnected]
            return httpx.Response(200, json={"connections": live})
        return super()._admin(request)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"ok": True})


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def upstream() -> ConsentUpstream:
    return ConsentUpstream()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(tmp_path: Any, upstream: ConsentUpstream, clock: FrozenClock, receiver: Receiver) -> Iterator[Flask]:
    with broker_app(
        tmp_path,
        upstream.transport,
        CLOCK=clock,
        WEBHOOK_TRANSPORT=httpx.MockTransport(receiver),
        WEBHOOK_DISPATCHER=False,
        PUBLIC_URL="https://broker.example",
    ) as app:
        yield app


def iso_at(clock: FrozenClock, seconds: float) -> str:
    return datetime.fromtimestamp(clock.now + seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def share(app: Flask, lender: dict[str, str], **terms: Any) -> tuple[str, dict[str, Any]]:
    """Create a company with terms, run a link session to success; return the account key and the consent."""
    key = new_account(app, lender, **terms)
    token = new_link_token(app, lender, key, scopes=["link", "map", "reconcile"])["link_token"]
    done = app.test_client().post("/v1/link/complete", headers=bearer(token))
    assert done.status_code == 200, done.get_json()
    return key, done.get_json()["consent"]


def link_token_of(consent: dict[str, Any]) -> str:
    url = consent["receipt_url"]
    assert url.startswith("https://broker.example/widget/v1/receipt#")
    return str(url.split("#", 1)[1])


def independent_verify(app: Flask, receipt: str) -> dict[str, Any]:
    """Verify with PyJWT against the published JWKS, the way a third party would."""
    keys = jwt.PyJWKSet.from_dict(app.test_client().get("/.well-known/jwks.json").get_json())
    kid = jwt.get_unverified_header(receipt)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    # The receipt's exp is checked by the broker's status; a third party checks it too (verify_exp) at real time.
    return dict(jwt.decode(receipt, key=key, algorithms=["ES256"], options={"verify_exp": False}))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tamper(receipt: str, part: str) -> str:
    header, payload, signature = receipt.split(".")
    if part == "payload":
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["purpose"] = "anything the lender likes"
        payload = _b64(json.dumps(claims).encode())
    elif part == "header":
        payload_header = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        payload_header["kid"] = "someone-else"
        header = _b64(json.dumps(payload_header).encode())
    elif part == "signature":
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[0] ^= 0x01
        signature = _b64(bytes(raw))
    elif part == "alg_none":
        unsigned = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) | {"alg": "none"}
        header, signature = _b64(json.dumps(unsigned).encode()), ""
    return f"{header}.{payload}.{signature}"


# -- receipts ------------------------------------------------------------------------------------------------------
def test_success_issues_a_receipt_a_standard_library_verifies_without_the_account_key(
    app: Flask, clock: FrozenClock
) -> None:
    lender = new_client(app, "Harbor Credit")
    key, consent = share(app, lender, purpose="Working-capital loan review", access_expires_at=iso_at(clock, 90 * DAY))
    claims = independent_verify(app, consent["receipt"])
    assert claims["jti"] == consent["id"] and claims["iss"] == "https://broker.example"
    assert claims["lender"] == {"client_id": lender["client_id"], "name": "Harbor Credit"}
    assert claims["company"]["name"] == "Maple & Rye" and claims["company"]["ref"].startswith("co_")
    assert [a["key"] for a in claims["apps"]] == ["ledgerly", "northbank"]
    assert claims["categories"] == ["accounting", "banking"]
    assert claims["purpose"] == "Working-capital loan review"
    assert claims["access_expires_at"] == iso_at(clock, 90 * DAY)
    assert claims["iat"] == int(clock.now) and claims["exp"] == int(clock.now + 90 * DAY)
    assert set(claims["period"]) == {"start", "end"}
    assert key not in consent["receipt"] and key not in json.dumps(claims)  # the account key stays a secret


@pytest.mark.parametrize("part", ["payload", "header", "signature", "alg_none"])
def test_a_tampered_receipt_fails_the_independent_library_and_the_broker(app: Flask, part: str) -> None:
    _key, consent = share(app, new_client(app))
    forged = _tamper(consent["receipt"], part)
    with pytest.raises(jwt.PyJWTError if part != "header" else StopIteration):
        independent_verify(app, forged)
    answer = app.test_client().post("/consents/verify", json={"receipt": forged}).get_json()
    assert answer == {"genuine": False, "in_force": False, "status": "invalid", "checked_at": answer["checked_at"]}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"receipt": 12}, 422),
        ({"receipt": "x" * 9000}, 422),
        ({"receipt": "not.a.jws"}, 200),
        ({"receipt": "é.é.é"}, 200),
        ({"receipt": "...."}, 200),
    ],
)
def test_verify_never_fails_on_junk(app: Flask, body: dict[str, Any], status: int) -> None:
    response = app.test_client().post("/consents/verify", json=body)
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["genuine"] is False


def test_rotation_newest_key_signs_and_every_listed_key_verifies(tmp_path: Any) -> None:
    old, new = generate_entry("2026-01"), generate_entry("2026-12")
    upstream = ConsentUpstream()
    with broker_app(tmp_path / "a", upstream.transport, CONSENT_SIGNING_KEYS=json.dumps([old])) as first:
        _key, consent = share(first, new_client(first))
    assert jwt.get_unverified_header(consent["receipt"])["kid"] == "2026-01"
    # The same database, the keys rotated: the old receipt still verifies, a new one is signed by the new key.
    (tmp_path / "b").mkdir()
    db = {"DATABASE_URL": f"sqlite:///{tmp_path / 'a' / 'broker.sqlite3'}"}
    with broker_app(tmp_path / "b", upstream.transport, CONSENT_SIGNING_KEYS=[new, old], **db) as second:
        assert [k["kid"] for k in second.test_client().get("/.well-known/jwks.json").get_json()["keys"]] == [
            "2026-12",
            "2026-01",
        ]
        assert independent_verify(second, consent["receipt"])["jti"] == consent["id"]
        answer = second.test_client().post("/consents/verify", json={"receipt": consent["receipt"]}).get_json()
        assert answer["genuine"] and answer["status"] == "in_force"
        _key, later = share(second, new_client(second))
        assert jwt.get_unverified_header(later["receipt"])["kid"] == "2026-12"
    with broker_app(tmp_path / "b", upstream.transport, CONSENT_SIGNING_KEYS=[new], **db) as retired:
        answer = retired.test_client().post("/consents/verify", json={"receipt": consent["receipt"]}).get_json()
        assert not answer["genuine"]  # a key dropped from the list no longer vouches for what it signed


def test_jwks_publishes_only_public_parts(app: Flask) -> None:
    response = app.test_client().get("/.well-known/jwks.json")
    (key,) = response.get_json()["keys"]
    assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"} and key["alg"] == "ES256"
    assert "d" not in key and response.headers["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    ("env", "keys", "message"),
    [
        ("production", None, "BROKER_CONSENT_SIGNING_KEYS is required"),
        ("production", "[{", "not valid JSON"),
        ("testing", [{"kid": "a", "private_key": "nope"}], "is not an EC P-256 private key"),
        ("testing", [{"private_key": "x"}], "unique kid"),
        ("production", [{"kid": "dev-only-2026", "private_key": "x"}], "dev-only key"),
    ],
)
def test_missing_or_unusable_keys_stop_start_up(tmp_path: Any, env: str, keys: Any, message: str) -> None:
    config: dict[str, Any] = {"ENV": env, "SECRET_KEYS": ["k" * 40], **PRODUCTION}
    if keys is not None:
        config["CONSENT_SIGNING_KEYS"] = keys
    with pytest.raises(ConfigurationError, match=message), broker_app(tmp_path, FakeUpstream().transport, **config):
        pass


def test_development_signs_with_the_dev_key_and_production_with_the_configured_one(tmp_path: Any) -> None:
    with broker_app(tmp_path / "d", FakeUpstream().transport, ENV="development") as dev:
        assert dev.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]["kid"] == "dev-only-2026"
    prod = {"ENV": "production", "SECRET_KEYS": ["k" * 40], **PRODUCTION}
    prod["CONSENT_SIGNING_KEYS"] = [generate_entry("p1")]
    with broker_app(tmp_path / "p", FakeUpstream().transport, **prod) as app:
        assert app.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]["kid"] == "p1"


def test_the_lender_lists_its_companys_receipts_only(app: Flask, clock: FrozenClock) -> None:
    lender, other = new_client(app), new_client(app, "Other")
    key, first = share(app, lender, purpose="Loan")
    clock.advance(60)
    token = new_link_token(app, lender, key, scopes=["link"])["link_token"]
    second = app.test_client().post("/v1/link/complete", headers=bearer(token)).get_json()["consent"]
    listed = app.test_client().get(f"/v1/accounts/{key}/consents", headers=auth_headers(lender))
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    body = listed.get_json()
    assert [c["id"] for c in body["data"]] == [second["id"], first["id"]]
    assert all(c["status"] == "in_force" and c["receipt_url"].count("#") == 1 for c in body["data"])
    assert body["terms"] == {"purpose": "Loan", "access_expires_at": None}
    assert_error(app.test_client().get(f"/v1/accounts/{key}/consents", headers=auth_headers(other)), 404, "not_found")


# -- terms and access that ends ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("purpose", "Credit line renewal", True),
        ("purpose", "", False),
        ("purpose", "x" * 501, False),
        ("purpose", "nul\x00byte", False),
        ("purpose", "two\nlines\tand a tab", True),
        ("access_expires_at", "in-future", True),
        ("access_expires_at", "past", False),
        ("access_expires_at", "2026-13-01T00:00:00Z", False),
        ("access_expires_at", "2030-01-01T00:00:00", False),  # no time zone
        ("access_expires_at", 12, False),
        ("access_expires_at", "2040-01-01T00:00:00Z", False),  # more than ten years ahead
        ("access_expires_at", "9999-12-31T23:59:59-01:00", False),  # would overflow once in UTC
    ],
)
@pytest.mark.parametrize("endpoint", ["accounts", "link_tokens"])
def test_terms_are_accepted_by_both_endpoints_and_checked(
    app: Flask, clock: FrozenClock, endpoint: str, field: str, value: Any, ok: bool
) -> None:
    lender = new_client(app)
    value = {"in-future": iso_at(clock, DAY), "past": iso_at(clock, -1)}.get(value, value)
    client = app.test_client()
    if endpoint == "accounts":
        response = client.post(
            "/v1/accounts", json={"name": "Co", "email": "o@co.test", field: value}, headers=auth_headers(lender)
        )
        key = (response.get_json() or {}).get("account_key")
    else:
        key = new_account(app, lender)
        body = {"account_key": key, "origin": "https://lender.example", field: value}
        response = client.post("/v1/link_tokens", json=body, headers=auth_headers(lender))
    if not ok:
        assert_error(response, 422, "validation_failed")
        assert field in response.get_json()["error"]["details"]["fields"]
        return
    assert response.status_code == 201, response.get_json()
    terms = client.get(f"/v1/accounts/{key}/consents", headers=auth_headers(lender)).get_json()["terms"]
    assert terms[field] == value


LENDER_READS = [
    "/v1/accounts/{key}/data/invoices",
    "/v1/accounts/{key}/data/invoices/inv_1",
    "/v1/accounts/{key}/statements",
    "/v1/accounts/{key}/reconciliation",
    "/v1/accounts/{key}/mapping",
]


@pytest.mark.parametrize("path", LENDER_READS)
@pytest.mark.parametrize("shared", [True, False])
def test_every_lender_read_ends_at_access_expires_at(app: Flask, clock: FrozenClock, path: str, shared: bool) -> None:
    lender = new_client(app)
    terms = {"access_expires_at": iso_at(clock, 30 * DAY)}
    key = share(app, lender, **terms)[0] if shared else new_account(app, lender, **terms)
    url = path.format(key=key)
    assert app.test_client().get(url, headers=auth_headers(lender)).status_code != 403
    clock.advance(30 * DAY)
    error = assert_error(app.test_client().get(url, headers=auth_headers(lender)), 403, "access_expired")
    assert key not in error["message"]


def test_the_receipt_says_when_access_has_expired_and_its_own_expiry(app: Flask, clock: FrozenClock) -> None:
    lender = new_client(app)
    key, consent = share(app, lender, access_expires_at=iso_at(clock, 10 * DAY))
    _other, open_ended = share(app, lender)

    def status(receipt: str) -> tuple[bool, bool, str]:
        answer = app.test_client().post("/consents/verify", json={"receipt": receipt}).get_json()
        return answer["genuine"], answer["in_force"], answer["status"]

    assert status(consent["receipt"]) == (True, True, "in_force")
    clock.advance(10 * DAY)
    assert status(consent["receipt"]) == (True, False, "access_expired")
    assert status(open_ended["receipt"]) == (True, True, "in_force")
    clock.advance(365 * DAY)
    assert status(open_ended["receipt"]) == (True, False, "expired")  # CONSENT_DEFAULT_DAYS, no stated end
    assert key


def test_a_lender_can_shorten_access_but_not_extend_it_without_a_new_share(app: Flask, clock: FrozenClock) -> None:
    lender = new_client(app)
    key, _consent = share(app, lender, access_expires_at=iso_at(clock, 10 * DAY))
    url = f"/v1/accounts/{key}/data/invoices"
    new_link_token(app, lender, key, access_expires_at=iso_at(clock, 100 * DAY))  # terms change, no new share
    clock.advance(10 * DAY)
    assert_error(app.test_client().get(url, headers=auth_headers(lender)), 403, "access_expired")
    new_link_token(app, lender, key, access_expires_at=iso_at(clock, 1))  # shorter still: allowed, and it binds
    token = new_link_token(app, lender, key, scopes=["link"], access_expires_at=iso_at(clock, 50 * DAY))
    app.test_client().post("/v1/link/complete", headers=bearer(token["link_token"]))  # the owner shares again
    assert app.test_client().get(url, headers=auth_headers(lender)).status_code == 200


# -- revoke --------------------------------------------------------------------------------------------------------
def _register_hook(app: Flask, lender: dict[str, str]) -> dict[str, Any]:
    response = app.test_client().post(
        "/v1/webhooks", json={"url": HOOK_URL, "events": ["consent.revoked"]}, headers=auth_headers(lender)
    )
    assert response.status_code == 201
    return dict(response.get_json())


def test_the_receipt_page_shows_plain_content_from_its_link(app: Flask) -> None:
    lender = new_client(app, "Harbor Credit")
    _key, consent = share(app, lender, purpose="Loan review")
    page = app.test_client().post("/consents/receipt", json={"token": link_token_of(consent)})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = page.get_json()
    assert body["lender_name"] == "Harbor Credit" and body["company_name"] == "Maple & Rye"
    assert body["purpose"] == "Loan review" and body["status"] == "in_force" and body["can_revoke"]
    assert [a["name"] for a in body["apps"]] == ["Ledgerly", "North Bank"]
    assert body["receipt"] == consent["receipt"]


def test_revoke_refuses_reads_disconnects_apps_and_sends_one_signed_webhook(
    app: Flask, upstream: ConsentUpstream, receiver: Receiver, clock: FrozenClock
) -> None:
    lender = new_client(app)
    endpoint = _register_hook(app, lender)
    key, consent = share(app, lender)
    link = link_token_of(consent)
    client = app.test_client()
    revoked = client.post("/consents/revoke", json={"token": link})
    assert revoked.status_code == 200, revoked.get_json()
    assert revoked.get_json()["status"] == "revoked" and revoked.get_json()["disconnected"] == ["ledgerly", "northbank"]
    assert upstream.disconnected == [(key, "ledgerly"), (key, "northbank")]
    for path in LENDER_READS:
        assert_error(client.get(path.format(key=key), headers=auth_headers(lender)), 403, "consent_revoked")
    again = client.post("/consents/revoke", json={"token": link})  # single use
    assert_error(again, 409, "consent_already_revoked")
    service: webhooks.WebhookService = app.extensions[webhooks.EXTENSION]
    assert service.dispatcher.send_due() == 1
    assert service.dispatcher.send_due() == 0
    (request,) = receiver.requests
    signing.verify(endpoint["secret"], request.content, request.headers[signing.HEADER])
    event = json.loads(request.content)
    assert event["type"] == "consent.revoked" and event["account_key"] == key
    assert event["data"]["consent_id"] == consent["id"] and event["data"]["disconnected"] == ["ledgerly", "northbank"]
    verdict = client.post("/consents/verify", json={"receipt": consent["receipt"]}).get_json()
    assert (verdict["genuine"], verdict["in_force"], verdict["status"]) == (True, False, "revoked")
    assert verdict["revoked_at"]
    page = client.post("/consents/receipt", json={"token": link}).get_json()
    assert page["status"] == "revoked" and not page["can_revoke"]
    listed = client.get(f"/v1/accounts/{key}/consents", headers=auth_headers(lender)).get_json()
    assert listed["data"][0]["status"] == "revoked"


def test_revoke_still_ends_access_when_the_upstream_cannot_disconnect(app: Flask, upstream: ConsentUpstream) -> None:
    lender = new_client(app)
    key, consent = share(app, lender)
    upstream.script = [httpx.Response(400, json={"error": {"code": "bad", "message": "no"}})]
    answer = app.test_client().post("/consents/revoke", json={"token": link_token_of(consent)})
    assert answer.status_code == 200 and answer.get_json()["disconnect_failed"] == ["*"]
    url = f"/v1/accounts/{key}/data/invoices"
    assert_error(app.test_client().get(url, headers=auth_headers(lender)), 403, "consent_revoked")


@pytest.mark.parametrize(
    ("mangle", "status", "code"),
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), 400, "invalid_consent_link"),
        (lambda t: "", 422, None),
        (lambda t: "x" * 2000, 422, None),
        (lambda t: "é" * 10, 400, "invalid_consent_link"),
    ],
)
@pytest.mark.parametrize("endpoint", ["/consents/receipt", "/consents/revoke"])
def test_receipt_links_must_be_genuine(app: Flask, endpoint: str, mangle: Any, status: int, code: str | None) -> None:
    _key, consent = share(app, new_client(app))
    assert_error(app.test_client().post(endpoint, json={"token": mangle(link_token_of(consent))}), status, code)


def test_receipt_links_expire(app: Flask, clock: FrozenClock) -> None:
    _key, consent = share(app, new_client(app))
    clock.advance(30 * DAY + 1)
    response = app.test_client().post("/consents/revoke", json={"token": link_token_of(consent)})
    assert_error(response, 400, "consent_link_expired")


def test_a_link_of_another_purpose_is_not_a_receipt_link(app: Flask) -> None:
    lender = new_client(app)
    key, _consent = share(app, lender)
    link_token = new_link_token(app, lender, key)["link_token"]  # same secret keys, another salt
    assert_error(app.test_client().post("/consents/revoke", json={"token": link_token}), 400, "invalid_consent_link")


def test_the_widget_reads_the_terms_to_show_the_owner(app: Flask, clock: FrozenClock) -> None:
    lender = new_client(app, "Harbor Credit")
    key = new_account(app, lender, purpose="Loan", access_expires_at=iso_at(clock, DAY))
    token = new_link_token(app, lender, key, scopes=["link"])["link_token"]
    answer = app.test_client().get("/v1/link/consent_terms", headers=bearer(token)).get_json()
    assert answer == {"purpose": "Loan", "access_expires_at": iso_at(clock, DAY), "lender_name": "Harbor Credit"}
    read_only = new_link_token(app, lender, key, scopes=["read"])["link_token"]
    assert_error(app.test_client().get("/v1/link/consent_terms", headers=bearer(read_only)), 403, "insufficient_scope")


def test_a_read_only_link_token_is_a_lender_read_and_the_owners_session_is_not(app: Flask, clock: FrozenClock) -> None:
    lender = new_client(app)
    key, consent = share(app, lender)
    app.test_client().post("/consents/revoke", json={"token": link_token_of(consent)})
    read_only = new_link_token(app, lender, key, scopes=["read"])["link_token"]
    owner = new_link_token(app, lender, key, scopes=["link", "map"])["link_token"]
    assert_error(app.test_client().get("/v1/link/data/invoices", headers=bearer(read_only)), 403, "consent_revoked")
    assert app.test_client().get("/v1/link/data/invoices", headers=bearer(owner)).status_code == 200
    assert timedelta(0) < timedelta(seconds=clock.now)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/consents/verify", {"receipt": "a.b.c"}),
        ("/consents/receipt", {"token": "nope"}),
        ("/consents/revoke", {"token": "nope"}),
        ("/v1/invitations/accept", {"token": "nope"}),
    ],
)
def test_the_unauthenticated_endpoints_are_rate_limited_per_address(tmp_path: Any, path: str, body: Any) -> None:
    with broker_app(tmp_path, FakeUpstream().transport, CONSENT_VERIFY_RATELIMIT="2 per minute") as app:
        client = app.test_client()
        assert [client.post(path, json=body).status_code for _ in range(2)] != [429, 429]
        error = assert_error(client.post(path, json=body), 429, "rate_limited")
        assert error and client.post(path, json=body).headers["Retry-After"]


def test_the_documented_command_verifies_a_receipt_and_sees_its_revocation(tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from tests.live_server import LiveServer

    script = Path(__file__).resolve().parent.parent / "scripts" / "verify_receipt.py"
    upstream = ConsentUpstream()
    with broker_app(tmp_path, upstream.transport, WEBHOOK_DISPATCHER=False) as app:
        _key, consent = share(app, new_client(app))
        server = LiveServer(app).start()
        try:

            def run(receipt: str) -> subprocess.CompletedProcess[str]:
                command = [sys.executable, str(script), server.url, receipt]
                return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

            good = run(consent["receipt"])
            assert good.returncode == 0, good.stderr
            assert "Signature: genuine" in good.stdout and "Status at the broker: in_force" in good.stdout
            assert run(_tamper(consent["receipt"], "payload")).returncode == 1
            link = consent["receipt_url"].split("#", 1)[1]
            assert app.test_client().post("/consents/revoke", json={"token": link}).status_code == 200
            revoked = run(consent["receipt"])
            assert revoked.returncode == 1 and "Status at the broker: revoked" in revoked.stdout
        finally:
            server.stop()


def test_no_account_key_in_what_the_owner_or_anyone_sees_and_no_link_token_in_logs(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    lender = new_client(app)
    key, consent = share(app, lender, purpose="Loan")
    link = link_token_of(consent)
    client = app.test_client()
    with caplog.at_level("DEBUG"):
        seen = [
            client.post("/consents/receipt", json={"token": link}).get_data(as_text=True),
            client.post("/consents/verify", json={"receipt": consent["receipt"]}).get_data(as_text=True),
            client.post("/consents/revoke", json={"token": link}).get_data(as_text=True),
            client.get("/.well-known/jwks.json").get_data(as_text=True),
        ]
    assert all(key not in text for text in seen)
    assert link not in caplog.text and key not in caplog.text


@pytest.mark.parametrize(
    ("value", "env", "problem"),
    [
        ("ftp://broker.example", "testing", "must be an origin"),
        ("https://broker.example/path", "testing", "must be an origin"),
        ("https://broker.example/?q=1", "testing", "must be an origin"),
        ("http://broker.example", "production", "https in production"),
    ],
)
def test_a_bad_public_url_stops_start_up(tmp_path: Any, value: str, env: str, problem: str) -> None:
    config: dict[str, Any] = {"ENV": env, "PUBLIC_URL": value, "SECRET_KEYS": ["k" * 40], **PRODUCTION}
    config["CONSENT_SIGNING_KEYS"] = [generate_entry("p1")]
    with pytest.raises(ConfigurationError, match=problem), broker_app(tmp_path, FakeUpstream().transport, **config):
        pass


def test_the_issuer_and_links_use_the_public_url_from_the_environment(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_PUBLIC_URL", "https://link.lender-broker.example/")
    with broker_app(tmp_path, ConsentUpstream().transport, WEBHOOK_DISPATCHER=False) as app:
        _key, consent = share(app, new_client(app))
    claims = jwt.decode(consent["receipt"], options={"verify_signature": False})
    assert claims["iss"] == "https://link.lender-broker.example"
    assert consent["receipt_url"].startswith("https://link.lender-broker.example/widget/v1/receipt#")
