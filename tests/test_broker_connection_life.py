"""Connections that stay alive (issue 19) over HTTP against the real sandbox: update mode, reconnect in place,
coverage before success, resume later, and a success that cannot be replayed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from broker.webhooks.models import WebhookDelivery
from common import signing
from tests.broker_support import ORIGIN, SANDBOX_CONFIG, assert_error, bearer, new_link_token
from tests.review_support import ReviewWorld, review_world

pytestmark = pytest.mark.filterwarnings("error")
UPSTREAM_SECRET = "whsec_upstream_secret_for_connection_life"
NO_REQUIREMENTS = {"books_months": 0, "bank_months": 0, "mapped_percent": 0, "reliable_through_required": False}


@pytest.fixture(scope="module")
def world() -> Iterator[ReviewWorld]:
    yield from review_world(UPSTREAM_WEBHOOK_SECRETS=[UPSTREAM_SECRET])


@pytest.fixture
def client(world: ReviewWorld) -> Iterator[FlaskClient]:
    test_client = world.app.test_client()
    yield test_client
    reset = test_client.put("/v1/requirements", json=NO_REQUIREMENTS, headers=world.lender())
    assert reset.status_code == 200


def sandbox_admin(world: ReviewWorld, **body: Any) -> httpx.Response:
    region = world.app.config["REGIONS"]
    url = next(iter(region.values())).admin_url
    return httpx.post(
        f"{url}/app/api.php",
        json=body,
        auth=(SANDBOX_CONFIG["API_KEY"], ""),
        headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        timeout=60,
    )


def upstream_connection(world: ReviewWorld, key: str, integration: str) -> dict[str, Any]:
    url = next(iter(world.app.config["REGIONS"].values())).admin_url
    rows = httpx.get(
        f"{url}/app/api.php",
        params={"action": "connection_health", "account_key": key},
        auth=(SANDBOX_CONFIG["API_KEY"], ""),
        headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        timeout=30,
    ).json()["connections"]
    return dict(next(row for row in rows if row["integration"] == integration))


def connection(client: FlaskClient, world: ReviewWorld, key: str, integration: str) -> dict[str, Any]:
    detail = client.get(f"/v1/accounts/{key}", headers=world.lender()).get_json()
    return next(c for c in detail["connections"] if c["integration"] == integration)


def mint(client: FlaskClient, world: ReviewWorld, key: str, who: str = "a", **body: Any) -> Any:
    return client.post(
        "/v1/link_tokens", json={"account_key": key, "origin": ORIGIN, **body}, headers=world.lender(who)
    )


def new_company(client: FlaskClient, world: ReviewWorld, name: str) -> str:
    made = client.post("/v1/accounts", json={"name": name, "email": "o@example.test"}, headers=world.lender())
    assert made.status_code == 201
    return str(made.get_json()["account_key"])


def subscribe(client: FlaskClient, world: ReviewWorld, *events: str) -> str:
    made = client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.lender.example/life", "events": list(events)},
        headers=world.lender(),
    )
    assert made.status_code == 201, made.get_json()
    return str(made.get_json()["id"])


def delivered(client: FlaskClient, world: ReviewWorld, endpoint: str) -> list[str]:
    rows = client.get(f"/v1/webhooks/{endpoint}/deliveries", headers=world.lender()).get_json()["data"]
    client.delete(f"/v1/webhooks/{endpoint}", headers=world.lender())
    return [row["event_type"] for row in rows]


# -- update mode ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"mode": "update", "integration": "payday"}, 422, "integration_not_connected"),  # never connected
        ({"mode": "update", "integration": "shopwave"}, 422, "integration_not_connected"),
        ({"mode": "update"}, 422, "validation_failed"),
        ({"integration": "ledgerly"}, 422, "validation_failed"),
        ({"mode": "create", "integration": "ledgerly"}, 422, "validation_failed"),
        ({"mode": "update", "integration": "Ledgerly!"}, 422, "validation_failed"),
        ({"mode": "upgrade", "integration": "ledgerly"}, 422, "validation_failed"),
        ({"mode": 3, "integration": "ledgerly"}, 422, "validation_failed"),
    ],
)
def test_update_mode_is_refused_unless_the_company_has_that_connection(
    client: FlaskClient, world: ReviewWorld, body: dict[str, Any], status: int, code: str
) -> None:
    assert_error(mint(client, world, world.key_a, **body), status, code)


def test_update_mode_for_another_lenders_company_is_404(client: FlaskClient, world: ReviewWorld) -> None:
    answer = mint(client, world, world.key_b, mode="update", integration="ledgerly")
    assert_error(answer, 404)


def test_an_update_mode_session_may_only_reconnect_its_app(client: FlaskClient, world: ReviewWorld) -> None:
    minted = mint(client, world, world.key_a, mode="update", integration="northbank")
    assert minted.status_code == 201, minted.get_json()
    body = minted.get_json()
    assert (body["mode"], body["integration"]) == ("update", "northbank")
    token = body["link_token"]
    for other in ("ledgerly", "payday"):
        refused = client.post("/v1/link/attempts", json={"integration": other}, headers=bearer(token))
        assert_error(refused, 403, "integration_not_allowed")
    progress = client.get("/v1/link/progress", headers=bearer(token)).get_json()
    assert (progress["mode"], progress["integration"], progress["open_at"]) == ("update", "northbank", "connect")
    plain = new_link_token(world.app, world.a, world.key_a)
    assert (plain["mode"], plain["integration"]) == ("create", None)


def test_a_broken_bank_is_reconnected_in_place_and_the_lender_hears_it_restored(
    client: FlaskClient, world: ReviewWorld
) -> None:
    key = world.key_a
    hooks = subscribe(client, world, "connection.error", "connection.restored", "link.connected")
    mapping_token = world.token(key)
    first = client.get("/v1/link/mapping", headers=bearer(mapping_token)).get_json()["accounts"][0]
    saved = client.put(
        "/v1/link/mapping",
        json={"mappings": [{"account_id": first["id"], "category": first["suggestion"]["category"]}]},
        headers=bearer(mapping_token),
    )
    assert saved.status_code == 200
    before = upstream_connection(world, key, "northbank")

    broken = sandbox_admin(
        world, action="break_connection", account_key=key, integration="northbank", reason="password_changed"
    )
    assert broken.status_code == 200, broken.text
    shown = connection(client, world, key, "northbank")
    assert (shown["status"], shown["reason"]) == ("error", "password_changed") and shown["error"]
    forward_upstream_event(
        client, world, key, "connection.error", broken.json()["connection"]["id"], "password_changed"
    )

    token = mint(client, world, key, mode="update", integration="northbank").get_json()["link_token"]
    attempt = client.post("/v1/link/attempts", json={"integration": "northbank"}, headers=bearer(token))
    assert attempt.status_code == 201, attempt.get_json()
    attempt_id = attempt.get_json()["attempt_id"]
    signed_in = client.post(
        f"/v1/link/attempts/{attempt_id}/credentials",
        json={"username": "maple.owner", "password": "northbank-demo-1"},
        headers=bearer(token),
    ).get_json()
    assert signed_in["status"] == "mfa_required", signed_in
    done = client.post(f"/v1/link/attempts/{attempt_id}/mfa", json={"code": "123456"}, headers=bearer(token))
    assert done.get_json()["status"] == "connected", done.get_json()

    after = upstream_connection(world, key, "northbank")
    assert (after["status"], after["id"], after["created"]) == ("healthy", before["id"], before["created"])
    assert connection(client, world, key, "northbank")["reason"] is None
    detail = client.get(f"/v1/accounts/{key}", headers=world.lender()).get_json()
    assert [c["integration"] for c in detail["connections"]].count("northbank") == 1
    kept = client.get(f"/v1/accounts/{key}/mapping", headers=world.lender()).get_json()
    assert any(m["account_id"] == first["id"] for m in kept["mappings"])  # mappings survive the reconnect

    forward_upstream_event(client, world, key, "connection.restored", broken.json()["connection"]["id"], None)
    succeeded = client.post("/v1/link/complete", headers=bearer(token)).get_json()
    assert [c["integration"] for c in succeeded["connections"]] == ["northbank"]
    # The clock is frozen, so deliveries share one timestamp: compare them as a set with counts.
    with client.application.extensions["broker"].db.session() as session:
        [body] = session.scalars(select(WebhookDelivery.body).where(WebhookDelivery.event_type == "link.connected"))
    event = json.loads(body)  # one date format in one payload: the API's, with Z
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["data"]["connected_at"]), event
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["created"]), event
    assert sorted(delivered(client, world, hooks)) == ["connection.error", "connection.restored", "link.connected"]


def forward_upstream_event(
    client: FlaskClient, world: ReviewWorld, key: str, kind: str, connection_id: str, reason: str | None
) -> None:
    """Post the upstream's signed webhook to the broker as the sandbox would."""
    data = {"integration": "northbank", "connection_id": connection_id} | ({"reason": reason} if reason else {})
    body = json.dumps({"id": f"evt_{kind}_{connection_id}", "type": kind, "account_key": key, "data": data}).encode()
    answer = client.post(
        "/v1/upstream/webhooks",
        data=body,
        headers={
            signing.HEADER: signing.sign(UPSTREAM_SECRET, body, timestamp=int(world.clock.now)),
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code in (200, 202), answer.get_json()


# -- coverage ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {},
        {**NO_REQUIREMENTS, "books_months": -1},
        {**NO_REQUIREMENTS, "books_months": 121},
        {**NO_REQUIREMENTS, "books_months": "12"},
        {**NO_REQUIREMENTS, "books_months": 1.5},
        {**NO_REQUIREMENTS, "mapped_percent": 100.5},
        {**NO_REQUIREMENTS, "mapped_percent": "NaN"},
        {**NO_REQUIREMENTS, "reliable_through_required": "yes"},
        {key: value for key, value in NO_REQUIREMENTS.items() if key != "bank_months"},
        {**NO_REQUIREMENTS, "extra": 1},
        [],
    ],
)
def test_bad_requirements_are_422_and_change_nothing(client: FlaskClient, world: ReviewWorld, body: Any) -> None:
    assert_error(client.put("/v1/requirements", json=body, headers=world.lender()), 422, "validation_failed")
    assert client.get("/v1/requirements", headers=world.lender()).get_json()["books_months"] == 0


def test_requirements_are_per_lender(client: FlaskClient, world: ReviewWorld) -> None:
    fresh = client.get("/v1/requirements", headers=world.lender("b")).get_json()
    assert fresh == {**NO_REQUIREMENTS, "updated_at": None}
    wanted = {"books_months": 12, "bank_months": 3, "mapped_percent": 95, "reliable_through_required": True}
    put = client.put("/v1/requirements", json=wanted, headers=world.lender())
    assert put.status_code == 200 and put.get_json()["updated_at"]
    assert {k: put.get_json()[k] for k in wanted} == wanted
    assert client.get("/v1/requirements", headers=world.lender("b")).get_json()["updated_at"] is None
    assert_error(client.get("/v1/requirements"), 401, "unauthorized")


def items(coverage: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in coverage["requirements"]}


def test_coverage_is_computed_from_the_company_data_with_fixes_in_plain_words(
    client: FlaskClient, world: ReviewWorld
) -> None:
    key = new_company(client, world, "Coverage Cafe")
    for integration in ("ledgerly", "northbank"):
        made = sandbox_admin(world, action="sandbox_connect", account_key=key, integration=integration)
        assert made.status_code == 201, made.text
    wanted = {"books_months": 120, "bank_months": 3, "mapped_percent": 95, "reliable_through_required": True}
    client.put("/v1/requirements", json=wanted, headers=world.lender())
    lender = client.get(f"/v1/accounts/{key}/coverage", headers=world.lender())
    assert lender.status_code == 200 and lender.headers["Cache-Control"] == "no-store"
    coverage = lender.get_json()
    found = items(coverage)
    assert not coverage["met"]
    books, bank = found["books_months"], found["bank_months"]
    assert 12 <= books["have"] < 120 and not books["met"] and books["fix"]["code"] == "more_books_history"
    assert books["fix"]["count"] == 120 - books["have"]
    assert bank["have"] >= 3 and bank["met"] and bank["fix"] is None
    mapped = found["mapped_percent"]
    assert mapped["have"] == 0 and mapped["fix"]["code"] == "map_accounts" and mapped["fix"]["count"] >= 1
    assert (
        mapped["fix"]["message"]
        == f"Map {mapped['fix']['count']} more account{'s' if mapped['fix']['count'] > 1 else ''}."
    )
    assert found["reliable_through"]["fix"]["code"] == "set_reliable_through"
    widget = client.get("/v1/link/coverage", headers=bearer(world.token(key))).get_json()
    assert {k: v for k, v in widget.items() if k != "checked_at"} == {
        k: v for k, v in coverage.items() if k != "checked_at"
    }


def test_a_company_without_a_bank_is_told_to_connect_one(client: FlaskClient, world: ReviewWorld) -> None:
    key = new_company(client, world, "No Bank Yet")
    client.put("/v1/requirements", json={**NO_REQUIREMENTS, "bank_months": 3}, headers=world.lender())
    found = items(client.get(f"/v1/accounts/{key}/coverage", headers=world.lender()).get_json())
    assert found["bank_months"]["have"] == 0 and found["bank_months"]["fix"]["code"] == "connect_bank"
    assert found["books_months"]["met"]


@pytest.mark.parametrize(("who", "key_of"), [("b", "key_a"), ("a", "key_b")])
def test_coverage_of_another_lenders_company_is_404(
    client: FlaskClient, world: ReviewWorld, who: str, key_of: str
) -> None:
    assert_error(client.get(f"/v1/accounts/{getattr(world, key_of)}/coverage", headers=world.lender(who)), 404)


def map_everything(client: FlaskClient, token: str) -> None:
    view = client.get("/v1/link/mapping", headers=bearer(token)).get_json()
    accounts, leaf = view["accounts"], view["chart"]["leaves"][0]["code"]
    items_ = [{"account_id": a["id"], "category": a["suggestion"]["category"] or leaf} for a in accounts]
    saved = client.put("/v1/link/mapping", json={"mappings": items_}, headers=bearer(token))
    assert saved.status_code == 200, saved.get_json()


def test_success_waits_for_coverage_then_cannot_be_replayed(client: FlaskClient, world: ReviewWorld) -> None:
    key = world.key_a2
    hooks = subscribe(client, world, "link.succeeded")
    client.put(
        "/v1/requirements",
        json={"books_months": 12, "bank_months": 3, "mapped_percent": 95, "reliable_through_required": True},
        headers=world.lender(),
    )
    token = world.token(key)
    refused = client.post("/v1/link/complete", headers=bearer(token))
    error = assert_error(refused, 409, "coverage_not_met")
    missing = {item["name"] for item in error["details"]["coverage"]["requirements"] if not item["met"]}
    assert missing == {"mapped_percent", "reliable_through"}

    map_everything(client, token)
    still = assert_error(client.post("/v1/link/complete", headers=bearer(token)), 409, "coverage_not_met")
    assert [i["name"] for i in still["details"]["coverage"]["requirements"] if not i["met"]] == ["reliable_through"]
    stated = client.post("/v1/link/reconciliation", json={"reliable_through": "2026-09-30"}, headers=bearer(token))
    assert stated.status_code == 200

    done = client.post("/v1/link/complete", headers=bearer(token))
    assert done.status_code == 200, done.get_json()
    result = done.get_json()
    session_id = result["link_session_id"]
    assert set(result) == {"account_key", "connections", "link_session_id", "consent"}
    assert token not in done.get_data(as_text=True)

    # The token now reads its own session's status once, and does nothing else.
    assert_error(client.post("/v1/link/complete", headers=bearer(token)), 401, "link_session_succeeded")
    for method, path in (("get", "/v1/link/session"), ("get", "/v1/link/mapping"), ("get", "/v1/link/progress")):
        assert_error(getattr(client, method)(path, headers=bearer(token)), 401, "link_session_succeeded")
    status = client.get("/v1/link/status", headers=bearer(token))
    assert status.status_code == 200, status.get_json()
    assert status.get_json()["status"] == "succeeded" and status.get_json()["link_session_id"] == session_id
    assert_error(client.get("/v1/link/status", headers=bearer(token)), 401, "link_session_status_read")

    outcome = client.get(f"/v1/link_sessions/{session_id}", headers=world.lender())
    assert outcome.status_code == 200 and outcome.headers["Cache-Control"] == "no-store"
    body = outcome.get_json()
    assert body["status"] == "succeeded" and body["company"]["account_key"] == key
    assert body["coverage"]["met"] and "review" in body["steps_done"] and body["succeeded_at"]
    assert sorted(delivered(client, world, hooks)) == ["link.succeeded"]


def test_a_session_without_requirements_succeeds_without_reading_the_books(
    client: FlaskClient, world: ReviewWorld
) -> None:
    key = new_company(client, world, "Quick Success")
    token = world.token(key)
    done = client.post("/v1/link/complete", headers=bearer(token))
    assert done.status_code == 200, done.get_json()
    outcome = client.get(f"/v1/link_sessions/{done.get_json()['link_session_id']}", headers=world.lender()).get_json()
    assert outcome["coverage"]["met"] and outcome["apps_connected"] == []


@pytest.mark.parametrize(
    ("who", "session_id"),
    [("b", None), ("a", "lks_does_not_exist"), ("a", "x" * 41), ("a", "%00")],
)
def test_another_clients_or_an_unknown_session_is_404(
    client: FlaskClient, world: ReviewWorld, who: str, session_id: str | None
) -> None:
    token = world.token(world.key_a)
    own = client.get("/v1/link/progress", headers=bearer(token)).get_json()["link_session_id"]
    answer = client.get(f"/v1/link_sessions/{session_id or own}", headers=world.lender(who))
    assert_error(answer, 404, "link_session_not_found")
    assert client.get(f"/v1/link_sessions/{own}", headers=world.lender()).status_code == 200


def test_a_session_of_another_lender_is_not_readable_with_its_token_either(
    client: FlaskClient, world: ReviewWorld
) -> None:
    token = world.token(world.key_a)
    assert_error(client.get("/v1/link/status", headers={"Authorization": "Bearer nope"}), 401, "invalid_token")
    assert_error(client.get("/v1/link/status", headers=bearer(token) | {"Origin": "https://evil.example"}), 403)
    assert client.get("/v1/link/status", headers=bearer(token)).get_json()["status"] == "open"


# -- resume later --------------------------------------------------------------------------------------------------
def test_a_new_token_resumes_where_the_owner_left(client: FlaskClient, world: ReviewWorld) -> None:
    key = new_company(client, world, "Resume Bakery")
    hooks = subscribe(client, world, "link.resumed")
    first = world.token(key)
    opened = client.get("/v1/link/progress", headers=bearer(first)).get_json()
    assert (opened["open_at"], opened["resumable"], opened["resume"]["available"]) == ("connect", False, False)
    saved = client.put("/v1/link/progress", json={"step": "map", "done": ["connect"]}, headers=bearer(first))
    assert saved.get_json()["steps_done"] == ["connect"]
    left = client.post("/v1/link/exit", json={"step": "map"}, headers=bearer(first)).get_json()
    assert left["resumable"] is True and left["step"] == "map"

    second = world.token(key)
    offer = client.get("/v1/link/progress", headers=bearer(second)).get_json()
    assert offer["resume"]["available"] and offer["open_at"] == "map"
    assert offer["resume"]["link_session_id"] == left["link_session_id"]
    resumed = client.post("/v1/link/resume", headers=bearer(second))
    assert resumed.status_code == 200, resumed.get_json()
    view = resumed.get_json()
    assert (view["step"], view["steps_done"], view["resumed_from"]) == ("map", ["connect"], left["link_session_id"])
    again = client.post("/v1/link/resume", headers=bearer(second)).get_json()
    assert again["resumed_from"] == left["link_session_id"]  # idempotent: no second webhook

    earlier = client.get(f"/v1/link_sessions/{left['link_session_id']}", headers=world.lender()).get_json()
    assert earlier["status"] == "resumed" and earlier["resumed_by"] == view["link_session_id"]
    assert delivered(client, world, hooks) == ["link.resumed"]


@pytest.mark.parametrize(
    "before",
    [
        [],  # no earlier session
        [("put", {"step": "connect", "done": []}), ("exit", {})],  # an earlier session that did nothing
    ],
)
def test_nothing_to_resume_is_409(client: FlaskClient, world: ReviewWorld, before: list[Any]) -> None:
    key = new_company(client, world, "Nothing Yet")
    earlier = world.token(key)
    for action, body in before:
        path = "/v1/link/progress" if action == "put" else "/v1/link/exit"
        call = client.put if action == "put" else client.post
        assert call(path, json=body, headers=bearer(earlier)).status_code == 200
    if before:
        assert client.post("/v1/link/exit", json={}, headers=bearer(earlier)).get_json()["resumable"] is False
    assert_error(client.post("/v1/link/resume", headers=bearer(world.token(key))), 409, "nothing_to_resume")


def test_a_succeeded_session_is_not_offered_for_resume(client: FlaskClient, world: ReviewWorld) -> None:
    key = new_company(client, world, "Done Already")
    first = world.token(key)
    client.put("/v1/link/progress", json={"step": "review", "done": ["connect", "map"]}, headers=bearer(first))
    assert client.post("/v1/link/complete", headers=bearer(first)).status_code == 200
    offer = client.get("/v1/link/progress", headers=bearer(world.token(key))).get_json()
    assert offer["resume"]["available"] is False


@pytest.mark.parametrize(
    "body",
    [{"step": "nowhere"}, {"step": "map", "done": ["map", "flying"]}, {}, {"step": 3}, {"step": "map", "done": "map"}],
)
def test_bad_progress_is_422(client: FlaskClient, world: ReviewWorld, body: dict[str, Any]) -> None:
    answer = client.put("/v1/link/progress", json=body, headers=bearer(world.token(world.key_a2)))
    assert_error(answer, 422, "validation_failed")


def test_new_endpoints_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in (
        "/v1/requirements",
        "/v1/accounts/{account_key}/coverage",
        "/v1/link/coverage",
        "/v1/link/progress",
        "/v1/link/resume",
        "/v1/link/exit",
        "/v1/link/status",
        "/v1/link_sessions/{session_id}",
    ):
        assert path in paths, path


# -- reconnecting an OAuth app through the popup -------------------------------------------------------------------
def popup_sign_in(connect_url: str, integration: str) -> str:
    """Play the owner's popup against the live sandbox: sign in, allow, and return the broker callback URL."""
    from sandbox.apps.server.users import APP_OWNERS
    from tests.sandbox_support import csrf

    email, password = APP_OWNERS[integration]
    with httpx.Client(timeout=60) as browser:
        started = browser.get(connect_url)
        assert started.status_code == 302, started.text[:300]
        authorize = str(httpx.URL(connect_url).join(started.headers["Location"]))
        token = csrf(browser.get(authorize).text)
        signed = browser.post(
            authorize, data={"csrf_token": token, "form": "signin", "email": email, "password": password}
        )
        assert signed.status_code == 303
        browser.get(str(httpx.URL(authorize).join(signed.headers["Location"])))
        allowed = browser.post(authorize, data={"csrf_token": token, "form": "consent", "decision": "allow"})
        assert allowed.status_code == 302, allowed.text[:300]
        back = browser.get(str(httpx.URL(authorize).join(allowed.headers["Location"])))
        assert back.status_code in (302, 303), back.text[:300]
        return str(back.headers["Location"])


def test_an_oauth_app_is_reconnected_in_place_through_the_popup(client: FlaskClient, world: ReviewWorld) -> None:
    key = world.key_a2
    before = upstream_connection(world, key, "ledgerly")
    broken = sandbox_admin(
        world, action="break_connection", account_key=key, integration="ledgerly", reason="consent_withdrawn"
    )
    assert broken.status_code == 200, broken.text
    token = mint(client, world, key, mode="update", integration="ledgerly").get_json()["link_token"]

    # The popup's query string alone is no proof: a "connected" callback while the connection is still in error fails.
    forged = client.post("/v1/link/attempts", json={"integration": "ledgerly"}, headers=bearer(token)).get_json()
    state = httpx.URL(forged["connect_url"]).params["state"]
    client.get("/v1/link/callback", query_string={"state": state, "status": "connected", "integration": "ledgerly"})
    settled = client.get(f"/v1/link/attempts/{forged['attempt_id']}", headers=bearer(token)).get_json()
    assert (settled["status"], settled["error"]) == ("error", "not_confirmed")

    attempt = client.post("/v1/link/attempts", json={"integration": "ledgerly"}, headers=bearer(token)).get_json()
    callback = httpx.URL(popup_sign_in(attempt["connect_url"], "ledgerly"))
    page = client.get(callback.path, query_string=dict(callback.params))
    assert page.status_code == 200 and 'data-status="connected"' in page.get_data(as_text=True)
    after = upstream_connection(world, key, "ledgerly")
    assert (after["status"], after["id"], after["created"], after["reason"]) == (
        "healthy",
        before["id"],
        before["created"],
        None,
    )
    progress = client.get("/v1/link/progress", headers=bearer(token)).get_json()
    assert [app["integration"] for app in progress["apps_connected"]] == ["ledgerly"]


def connect_bank(client: FlaskClient, token: str) -> None:
    attempt = client.post("/v1/link/attempts", json={"integration": "northbank"}, headers=bearer(token)).get_json()
    path = f"/v1/link/attempts/{attempt['attempt_id']}"
    signed = client.post(
        f"{path}/credentials", json={"username": "maple.owner", "password": "northbank-demo-1"}, headers=bearer(token)
    )
    assert signed.get_json()["status"] == "mfa_required", signed.get_json()
    done = client.post(f"{path}/mfa", json={"code": "123456"}, headers=bearer(token))
    assert done.get_json()["status"] == "connected", done.get_json()


def test_what_an_earlier_session_connected_is_kept_and_shared_by_the_session_that_resumes_it(
    client: FlaskClient, world: ReviewWorld
) -> None:
    key = new_company(client, world, "Resume Florist")
    first = world.token(key)
    connect_bank(client, first)
    left = client.post("/v1/link/exit", json={"step": "connect"}, headers=bearer(first)).get_json()
    assert left["resumable"] is True  # an app connected is something to resume, even on the first step

    second = world.token(key)
    offer = client.get("/v1/link/progress", headers=bearer(second)).get_json()
    assert [app["integration"] for app in offer["resume"]["apps_connected"]] == ["northbank"]
    resumed = client.post("/v1/link/resume", headers=bearer(second)).get_json()
    assert [app["integration"] for app in resumed["apps_connected"]] == ["northbank"]
    shared = client.post("/v1/link/complete", headers=bearer(second)).get_json()
    assert [c["integration"] for c in shared["connections"]] == ["northbank"]
    outcome = client.get(f"/v1/link_sessions/{shared['link_session_id']}", headers=world.lender()).get_json()
    assert outcome["resumed_from"] == left["link_session_id"] and outcome["apps_connected"][0]["connected_at"]
