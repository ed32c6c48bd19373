"""Issue 18 over the real sandbox: the accountant's mapping carries their name, the lender's reconciliation carries the
owner's notes and attestation, and the receipt states the attested period, apps and categories."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest
from flask.testing import FlaskClient

from tests.broker_support import assert_error, bearer
from tests.review_support import ReviewWorld, review_world


@pytest.fixture(scope="module")
def world() -> Iterator[ReviewWorld]:
    yield from review_world(PUBLIC_URL="https://broker.example")


@pytest.fixture
def client(world: ReviewWorld) -> FlaskClient:
    return world.app.test_client()


def test_the_accountants_mapping_changes_carry_their_name(client: FlaskClient, world: ReviewWorld) -> None:
    owner = world.token(world.key_a2)
    invitation = client.post("/v1/link/invitations", json={"name": "Jane Ledger"}, headers=bearer(owner)).get_json()
    session = client.post("/v1/invitations/accept", json={"token": invitation["url"].split("#")[1]}).get_json()
    accountant = bearer(session["link_token"])
    view = client.get("/v1/link/mapping", headers=accountant).get_json()
    one = next(a for a in view["accounts"] if a["suggestion"] and a["suggestion"].get("category"))
    body = {"mappings": [{"account_id": one["id"], "category": one["suggestion"]["category"]}]}
    assert client.put("/v1/link/mapping", json=body, headers=accountant).get_json()["changed"] == 1
    lender = client.get(f"/v1/accounts/{world.key_a2}/mapping", headers=world.lender()).get_json()
    assert [h["actor"] for h in lender["history"] if h["account_id"] == one["id"]] == ["accountant:Jane Ledger"]
    done = client.post("/v1/link/reconciliation", json={"reliable_through": "2026-08-31"}, headers=accountant)
    assert done.get_json()["completed"]
    reconciliation = client.get(f"/v1/accounts/{world.key_a2}/reconciliation", headers=world.lender()).get_json()
    assert reconciliation["completed_by"] == "accountant:Jane Ledger"
    assert {h["actor"] for h in reconciliation["history"]} == {"accountant:Jane Ledger"}


def test_the_lender_reads_the_owners_notes_and_attestation_with_the_reconciliation(
    client: FlaskClient, world: ReviewWorld
) -> None:
    token = world.token()
    note = {"subject_kind": "difference", "subject_id": "ba_1:2026-09", "reason": "loan_disbursement"}
    assert client.put("/v1/link/notes", json={"notes": [note]}, headers=bearer(token)).status_code == 200
    attestation = {"name": "Ada Owner", "complete_through": "2026-09-30"}
    assert client.post("/v1/link/attestation", json=attestation, headers=bearer(token)).status_code == 201
    assert_error(client.get(f"/v1/accounts/{world.key_a}/reconciliation", headers=world.lender()), 404)
    done = client.post("/v1/link/reconciliation", json={"reliable_through": "2026-09-30"}, headers=bearer(token))
    assert done.get_json()["completed"]
    lender = client.get(f"/v1/accounts/{world.key_a}/reconciliation", headers=world.lender()).get_json()
    assert [(n["subject_id"], n["reason"]) for n in lender["owner_notes"]] == [("ba_1:2026-09", "loan_disbursement")]
    assert lender["attestation"]["name"] == "Ada Owner"
    assert lender["attestation"]["text"].endswith("complete through 2026-09-30.")
    assert lender["reliable_through"] == "2026-09-30"  # the matcher's own answer is untouched
    other = client.get(f"/v1/accounts/{world.key_b}/reconciliation", headers=world.lender("b"))
    assert other.status_code == 404  # nothing of company A leaks into another lender's company

    consent = client.post("/v1/link/complete", headers=bearer(token)).get_json()["consent"]
    claims = jwt.decode(
        consent["receipt"],
        key=jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").get_json()).keys[0],
        algorithms=["ES256"],
        options={"verify_exp": False},
    )
    assert claims["period"] == {"start": "2025-10-01", "end": "2026-09-30"}
    assert claims["attestation"] == {"name": "Ada Owner", "complete_through": "2026-09-30"}
    assert {a["key"]: a["category"] for a in claims["apps"]} == {"ledgerly": "accounting", "northbank": "banking"}
    assert claims["categories"] == ["accounting", "banking"]
