"""Map and reconcile over HTTP against the real sandbox: scopes, bad input, saving, learning, statements, webhooks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from broker.mapping import default_chart
from tests.broker_support import ORIGIN, OTHER_ORIGIN, assert_error, bearer, broker_app
from tests.review_support import ReviewWorld, review_world

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def world() -> Iterator[ReviewWorld]:
    yield from review_world()


@pytest.fixture
def client(world: ReviewWorld) -> FlaskClient:
    return world.app.test_client()


def mapping(client: FlaskClient, token: str) -> dict[str, Any]:
    answer = client.get("/v1/link/mapping", headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["Cache-Control"]
    return dict(answer.get_json())


def save_suggestions(client: FlaskClient, token: str, **overrides: str) -> dict[str, Any]:
    """Save every suggestion, with some categories overridden by account name."""
    accounts = mapping(client, token)["accounts"]
    items = [
        {"account_id": a["id"], "category": overrides.get(a["name"], a["suggestion"]["category"])}
        for a in accounts
        if a["suggestion"]["category"]
    ]
    answer = client.put("/v1/link/mapping", json={"mappings": items}, headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json())


def first_match(client: FlaskClient, token: str, month: str | None = None) -> dict[str, Any]:
    query = f"?month={month}" if month else ""
    answer = client.get(f"/v1/link/reconciliation{query}", headers=bearer(token))
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["accounts"][0]["matches"][0])


def decision(match: dict[str, Any], value: str) -> dict[str, Any]:
    return {"bank_ids": [b["id"] for b in match["bank"]], "ledger_ids": [x["id"] for x in match["ledger"]]} | {
        "decision": value
    }


# -- who may do what -----------------------------------------------------------------------------------------------
SCOPE_CASES: list[tuple[str, str, Any, tuple[str, ...]]] = [
    ("get", "/v1/link/mapping", None, ("link", "reconcile", "read")),
    ("put", "/v1/link/mapping", {"mappings": [{"account_id": "x", "category": "cash"}]}, ("link", "reconcile")),
    ("get", "/v1/link/reconciliation", None, ("link", "map", "read")),
    ("post", "/v1/link/reconciliation", {"decisions": []}, ("link", "map")),
    ("get", "/v1/link/statements", None, ("link", "reconcile", "read")),
]


@pytest.mark.parametrize(("method", "path", "body", "scopes"), SCOPE_CASES)
def test_a_token_without_the_scope_is_refused(
    client: FlaskClient, world: ReviewWorld, method: str, path: str, body: Any, scopes: tuple[str, ...]
) -> None:
    token = world.token(scopes=scopes)
    answer = getattr(client, method)(path, json=body, headers=bearer(token))
    assert_error(answer, 403, "insufficient_scope")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "invalid_token"),
        ({"Authorization": "Bearer not-a-token"}, 401, "invalid_token"),
        ({"Authorization": "Basic abc"}, 401, "invalid_token"),
        ({"Origin": OTHER_ORIGIN}, 403, "origin_not_allowed"),
    ],
)
def test_widget_endpoints_need_a_good_token_from_a_good_origin(
    client: FlaskClient, world: ReviewWorld, headers: dict[str, str], status: int, code: str
) -> None:
    sent = {**bearer(world.token()), **headers} if "Authorization" not in headers and headers else headers
    for path in ("/v1/link/mapping", "/v1/link/reconciliation"):
        assert_error(client.get(path, headers=sent), status, code)


@pytest.mark.parametrize("path", ["mapping", "statements", "reconciliation"])
def test_a_lender_cannot_read_another_lenders_company(client: FlaskClient, world: ReviewWorld, path: str) -> None:
    assert_error(client.get(f"/v1/accounts/{world.key_b}/{path}", headers=world.lender("a")), 404, "not_found")
    assert_error(client.get(f"/v1/accounts/{world.key_a}/{path}", headers=world.lender("b")), 404, "not_found")
    assert_error(client.get(f"/v1/accounts/{world.key_a}/{path}"), 401, "unauthorized")


# -- saving a mapping ----------------------------------------------------------------------------------------------
BAD_MAPPINGS = [
    pytest.param("not json", 400, id="not-json"),
    pytest.param({}, 422, id="no-mappings"),
    pytest.param({"mappings": []}, 422, id="empty"),
    pytest.param({"mappings": [{"account_id": "acct_nope", "category": "cash"}]}, 422, id="unknown-account"),
    pytest.param({"mappings": [{"account_id": "A", "category": "assets"}]}, 422, id="not-a-leaf"),
    pytest.param({"mappings": [{"account_id": "A", "category": "nonsense"}]}, 422, id="unknown-category"),
    pytest.param({"mappings": [{"account_id": "A", "category": "cash"}] * 2}, 422, id="twice"),
    pytest.param({"mappings": [{"account_id": "A"}]}, 422, id="no-category"),
    pytest.param({"mappings": [{"account_id": "A" * 65, "category": "cash"}]}, 422, id="long-id"),
    pytest.param({"mappings": "cash"}, 422, id="not-a-list"),
]


@pytest.mark.parametrize(("body", "status"), BAD_MAPPINGS)
def test_bad_mappings_are_refused_and_nothing_is_saved(
    client: FlaskClient, world: ReviewWorld, body: Any, status: int
) -> None:
    token = world.token()
    first = mapping(client, token)["accounts"][0]["id"]
    if isinstance(body, dict) and isinstance(body.get("mappings"), list):
        body = {
            "mappings": [
                {**item, "account_id": first if item["account_id"] == "A" else item["account_id"]}
                for item in body["mappings"]
            ]
        }
    sent = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
    before = mapping(client, token)["progress"]
    error = assert_error(client.put("/v1/link/mapping", headers=bearer(token), **sent), status)
    assert error["code"] in ("validation_failed", "invalid_json", "bad_request")
    assert mapping(client, token)["progress"] == before


def test_mapping_saves_are_idempotent_flag_new_accounts_and_survive_a_restart(
    client: FlaskClient, world: ReviewWorld, tmp_path: Any
) -> None:
    token = world.token()
    saved = save_suggestions(client, token)
    assert saved["progress"]["mapped"] == saved["progress"]["total"] > 40
    again = save_suggestions(client, token)
    assert again["changed"] == 0
    view = mapping(client, token)
    assert view["progress"] == saved["progress"] and view["saved_at"]
    assert all(not a["flags"]["unmapped"] and not a["flags"]["new"] for a in view["accounts"])
    one = view["accounts"][0]
    answer = client.put(
        "/v1/link/mapping", json={"mappings": [{"account_id": one["id"], "category": None}]}, headers=bearer(token)
    )
    assert answer.get_json()["changed"] == 1
    flagged = next(a for a in mapping(client, token)["accounts"] if a["id"] == one["id"])
    assert flagged["flags"] == {**flagged["flags"], "unmapped": True, "new": True} and flagged["category"] is None
    client.put(
        "/v1/link/mapping",
        json={"mappings": [{"account_id": one["id"], "category": one["category"]}]},
        headers=bearer(token),
    )
    lender = client.get(f"/v1/accounts/{world.key_a}/mapping", headers=world.lender()).get_json()
    assert len(lender["mappings"]) == saved["progress"]["total"]
    changes = [h for h in lender["history"] if h["account_id"] == one["id"]]
    assert [(h["old_category"], h["new_category"]) for h in changes[:2]] == [
        (None, one["category"]),
        (one["category"], None),
    ]
    assert all(h["actor"].startswith("link:") for h in lender["history"])
    # A second broker process on the same database (a restart) sees every saved row.
    url = world.app.config["DATABASE_URL"]
    with broker_app(tmp_path, DATABASE_URL=url, UPSTREAM_TRANSPORT=None) as restarted:
        again_lender = restarted.test_client().get(f"/v1/accounts/{world.key_a}/mapping", headers=world.lender())
        assert again_lender.get_json()["mappings"] == lender["mappings"]


def test_confirmed_mappings_teach_the_same_lenders_other_companies(client: FlaskClient, world: ReviewWorld) -> None:
    token = world.token()
    rent = next(a for a in mapping(client, token)["accounts"] if a["name"] == "Loyer")
    assert rent["suggestion"]["category"] == "rent_occupancy"
    save_suggestions(client, token, Loyer="general_admin")
    other = next(a for a in mapping(client, world.token(world.key_a2))["accounts"] if a["name"] == "Loyer")
    assert other["suggestion"]["category"] == "general_admin"
    assert "another company of this lender" in other["suggestion"]["reason"]
    # The widget translates the code with its parameters; the English sentence stays for the lender.
    assert other["suggestion"]["reason_code"] == "learned"
    assert other["suggestion"]["reason_params"] == {"category": "general_admin"}
    assert rent["suggestion"]["reason_code"] == "keyword"
    assert rent["suggestion"]["reason_params"]["phrase"] == "loyer"
    save_suggestions(client, token, Loyer="rent_occupancy")  # back to the truth for the other tests


def test_saving_a_mapping_sends_the_mapping_saved_webhook(client: FlaskClient, world: ReviewWorld) -> None:
    made = client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.lender.example/in", "events": ["mapping.saved"]},
        headers=world.lender(),
    )
    assert made.status_code == 201, made.get_json()
    token = world.token()
    one = mapping(client, token)["accounts"][1]
    for category in ("other_assets", one["category"]):
        client.put(
            "/v1/link/mapping",
            json={"mappings": [{"account_id": one["id"], "category": category}]},
            headers=bearer(token),
        )
    deliveries = client.get(f"/v1/webhooks/{made.get_json()['id']}/deliveries", headers=world.lender()).get_json()
    assert [d["event_type"] for d in deliveries["data"]] == ["mapping.saved", "mapping.saved"]
    client.delete(f"/v1/webhooks/{made.get_json()['id']}", headers=world.lender())


# -- statements ----------------------------------------------------------------------------------------------------
def test_statements_wait_for_a_saved_mapping(client: FlaskClient, world: ReviewWorld) -> None:
    answer = client.get(f"/v1/accounts/{world.key_a2}/statements", headers=world.lender())
    assert_error(answer, 404, "mapping_not_saved")
    assert_error(client.get(f"/v1/accounts/{world.key_a2}/mapping", headers=world.lender()), 404, "mapping_not_saved")


@pytest.mark.parametrize(
    "query",
    [
        "period=week",
        "start=2026-13-01",
        "start=2026-05-01&end=2026-01-01",
        "as_of=yesterday",
        "format=xml",
        "colour=blue",
        "start=1900-01-01&end=2026-10-31&period=month",
    ],
)
def test_bad_statement_queries_are_422(client: FlaskClient, world: ReviewWorld, query: str) -> None:
    save_suggestions(client, world.token())
    answer = client.get(f"/v1/accounts/{world.key_a}/statements?{query}", headers=world.lender())
    assert_error(answer, 422)


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_mapped_statements_tie_to_the_upstream_reports(client: FlaskClient, world: ReviewWorld, period: str) -> None:
    save_suggestions(client, world.token())
    query = f"start=2025-11-01&end=2026-10-31&period={period}"
    ours = client.get(f"/v1/accounts/{world.key_a}/statements?{query}", headers=world.lender()).get_json()
    theirs = client.get(f"/v1/accounts/{world.key_a}/data/profit_and_loss?{query}", headers=world.lender()).get_json()
    assert ours["completeness"]["complete"] and ours["currency"] == "USD"
    assert [p["totals"]["net_income"] for p in ours["profit_and_loss"]] == [p["net_income"] for p in theirs["periods"]]
    assert [p["totals"]["revenue"] for p in ours["profit_and_loss"]] == [p["revenue"] for p in theirs["periods"]]
    sheet = client.get(f"/v1/accounts/{world.key_a}/data/balance_sheet?as_of=2026-10-31", headers=world.lender())
    last = ours["balance_sheets"][-1]
    assert last["balanced"] and last["totals"]["total_assets"] == sheet.get_json()["assets"]["total"]
    assert {"current_ratio", "debt_to_assets", "gross_margin", "operating_margin", "dscr"} <= set(ours["ratios"][0])


def test_the_owner_previews_the_statements_the_lender_reads(client: FlaskClient, world: ReviewWorld) -> None:
    token = world.token()
    assert_error(client.get("/v1/link/statements", headers=bearer(world.token(world.key_a2))), 404)
    save_suggestions(client, token)
    answer = client.get("/v1/link/statements", headers=bearer(token))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    ours = answer.get_json()
    lender = client.get(f"/v1/accounts/{world.key_a}/statements", headers=world.lender()).get_json()
    assert ours == lender
    assert len(ours["profit_and_loss"]) == 12 and len(ours["balance_sheets"]) == 12 and ours["ratios"]


def test_statements_download_as_csv(client: FlaskClient, world: ReviewWorld) -> None:
    save_suggestions(client, world.token())
    for extra in ({"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        headers = {**world.lender(), **extra.get("headers", {})}
        answer = client.get(
            f"/v1/accounts/{world.key_a}/statements", headers=headers, query_string=extra.get("query_string")
        )
        assert answer.status_code == 200 and answer.mimetype == "text/csv"
        assert "attachment" in answer.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
        assert {"profit_and_loss", "balance_sheet", "ratios"} <= {r["statement"] for r in rows}


# -- the standard chart --------------------------------------------------------------------------------------------
def _chart(*changes: Any) -> dict[str, Any]:
    chart = default_chart().to_dict()
    for change in changes:
        change(chart)
    return chart


BAD_CHARTS = [
    pytest.param({}, id="empty"),
    pytest.param({"roots": "x"}, id="roots-not-list"),
    pytest.param(_chart(lambda c: c["roots"].pop()), id="no-profit-and-loss"),
    pytest.param(
        _chart(lambda c: c["roots"][0]["children"][0]["children"][0]["children"][0].update(code="revenue")), id="dup"
    ),
    pytest.param(
        _chart(lambda c: c["roots"][0]["children"].append({"code": "misc", "name": "Misc"})), id="leaf-without-side"
    ),
    pytest.param(_chart(lambda c: c["roots"][0]["children"][0].update(side="income")), id="wrong-side"),
    pytest.param(_chart(lambda c: c["roots"][0].update(code="Bad Code")), id="bad-code"),
    pytest.param({"roots": [], "extra": 1}, id="unknown-field"),
]


@pytest.mark.parametrize("chart", BAD_CHARTS)
def test_an_invalid_standard_chart_is_422_with_details(client: FlaskClient, world: ReviewWorld, chart: Any) -> None:
    answer = client.put("/v1/standard_chart", json=chart, headers=world.lender("b"))
    error = assert_error(answer, 422)
    assert error.get("details"), error
    assert client.get("/v1/standard_chart", headers=world.lender("b")).get_json()["custom"] is False


def test_a_lender_replaces_its_chart_for_its_companies_only(client: FlaskClient, world: ReviewWorld) -> None:
    chart = _chart(
        lambda c: c["roots"][0]["children"][0]["children"][0]["children"].append({"code": "crypto", "name": "Crypto"})
    )
    answer = client.put("/v1/standard_chart", json=chart, headers=world.lender("b"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["custom"] is True
    leaves_b = {
        leaf["code"] for leaf in client.get("/v1/standard_chart", headers=world.lender("b")).get_json()["leaves"]
    }
    leaves_a = {
        leaf["code"] for leaf in client.get("/v1/standard_chart", headers=world.lender("a")).get_json()["leaves"]
    }
    assert "crypto" in leaves_b and "crypto" not in leaves_a
    token_b = client.post(
        "/v1/link_tokens",
        json={"account_key": world.key_b, "origin": ORIGIN, "scopes": ["map"]},
        headers=world.lender("b"),
    ).get_json()["link_token"]
    assert "crypto" in {leaf["code"] for leaf in mapping(client, token_b)["chart"]["leaves"]}


# -- reconciliation ------------------------------------------------------------------------------------------------
BAD_DECISIONS = [
    pytest.param(
        {"decisions": [{"bank_ids": ["btx_x"], "ledger_ids": ["je_x"], "decision": "confirmed"}]}, id="unknown"
    ),
    pytest.param({"decisions": [{"bank_ids": [], "ledger_ids": ["je_x"], "decision": "confirmed"}]}, id="no-bank"),
    pytest.param({"decisions": [{"bank_ids": ["a"], "ledger_ids": ["b"], "decision": "maybe"}]}, id="bad-value"),
    pytest.param({"reliable_through": "2099-01-01"}, id="future"),
    pytest.param({"reliable_through": "31/10/2026"}, id="bad-date"),
    pytest.param({"decisions": "all"}, id="not-a-list"),
]


@pytest.mark.parametrize("body", BAD_DECISIONS)
def test_bad_decisions_are_refused(client: FlaskClient, world: ReviewWorld, body: dict[str, Any]) -> None:
    token = world.token(world.key_a2)
    assert_error(client.post("/v1/link/reconciliation", json=body, headers=bearer(token)), 422)
    assert_error(client.get(f"/v1/accounts/{world.key_a2}/reconciliation", headers=world.lender()), 404)


@pytest.mark.parametrize("month", ["2026-13", "26-01", "2026-1", "x"])
def test_a_bad_month_is_422(client: FlaskClient, world: ReviewWorld, month: str) -> None:
    answer = client.get(f"/v1/link/reconciliation?month={month}", headers=bearer(world.token()))
    assert_error(answer, 422)


def test_decisions_are_idempotent_and_complete_the_reconciliation(client: FlaskClient, world: ReviewWorld) -> None:
    made = client.post(
        "/v1/webhooks",
        json={"url": "https://hooks.lender.example/r", "events": ["reconciliation.completed"]},
        headers=world.lender(),
    ).get_json()
    token = world.token()
    view = client.get("/v1/link/reconciliation?month=2026-03", headers=bearer(token)).get_json()
    assert view["month"] == "2026-03" and len(view["months"]) == 12
    # Each company's data is seeded from its own key: take the bank account with the most matches this month
    # (the operating account), not whichever sorts first (a savings account may have a single transfer).
    account = max(view["accounts"], key=lambda a: len(a["matches"]))
    assert account["paired"] and account["balance"]["month"] == "2026-03"
    assert len(account["matches"]) >= 2
    assert all(m["date"].startswith("2026-03") and m["decision"] == "pending" for m in account["matches"])
    assert all(0 < m["score"] <= 1 and m["reason"] for m in account["matches"])
    one, two = account["matches"][:2]
    body = {"decisions": [decision(one, "confirmed"), decision(two, "rejected")]}
    first = client.post("/v1/link/reconciliation", json=body, headers=bearer(token)).get_json()
    again = client.post("/v1/link/reconciliation", json=body, headers=bearer(token)).get_json()
    assert (first["changed"], again["changed"]) == (2, 0)
    assert again["summary"]["confirmed"] == 1 and again["summary"]["rejected"] == 1 and not again["completed"]
    assert_error(client.get(f"/v1/accounts/{world.key_a}/reconciliation", headers=world.lender()), 404)
    shown_accounts = client.get("/v1/link/reconciliation?month=2026-03", headers=bearer(token)).get_json()["accounts"]
    shown = next(a for a in shown_accounts if a["bank_account_id"] == account["bank_account_id"])
    assert [m["decision"] for m in shown["matches"][:2]] == ["confirmed", "rejected"]
    done = client.post("/v1/link/reconciliation", json={"reliable_through": "2026-09-30"}, headers=bearer(token))
    assert done.get_json()["completed"] and done.get_json()["reliable_through"] == "2026-09-30"
    lender = client.get(f"/v1/accounts/{world.key_a}/reconciliation", headers=world.lender()).get_json()
    assert lender["reliable_through"] == "2026-09-30" and lender["completed_at"]
    assert 0.9 < lender["match_rate"]["count"] < 1 and 0.9 < lender["match_rate"]["amount"] <= 1
    assert sorted(d["decision"] for d in lender["decisions"]) == ["confirmed", "rejected"]
    assert {h["kind"] for h in lender["history"]} == {"decision", "reliable_through"}
    assert all(d["closing_difference"] != 0 and d["reason"] for d in lender["unexplained_differences"])
    flip = client.post(
        "/v1/link/reconciliation", json={"decisions": [decision(two, "confirmed")]}, headers=bearer(token)
    )
    assert flip.get_json()["changed"] == 1 and flip.get_json()["summary"]["rejected"] == 0
    deliveries = client.get(f"/v1/webhooks/{made['id']}/deliveries", headers=world.lender()).get_json()["data"]
    assert [d["event_type"] for d in deliveries] == ["reconciliation.completed"]


def test_review_endpoints_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    for path, methods in {
        "/v1/link/mapping": {"get", "put"},
        "/v1/link/reconciliation": {"get", "post"},
        "/v1/link/statements": {"get"},
        "/v1/standard_chart": {"get", "put"},
        "/v1/accounts/{account_key}/mapping": {"get"},
        "/v1/accounts/{account_key}/statements": {"get"},
        "/v1/accounts/{account_key}/reconciliation": {"get"},
    }.items():
        assert methods <= set(paths[path]), path


def test_the_books_cache_reads_a_company_again_once_an_app_connects() -> None:
    from types import SimpleNamespace

    from broker.review.books import BooksCache

    asked: list[str] = []

    class Upstream:
        def get_data(self, account_key: str, name: str, params: Any) -> Any:
            asked.append(name)
            return SimpleNamespace(content=b"[]")

    cache, upstream = BooksCache(ttl=60, clock=lambda: 0.0), Upstream()
    cache.get(upstream, "acc_1")  # type: ignore[arg-type]
    cache.get(upstream, "acc_1")  # type: ignore[arg-type]
    assert sorted(asked) == ["accounts", "bank_accounts", "bank_transactions", "journal_entries"]
    cache.forget("acc_1")
    cache.forget("acc_unknown")
    cache.get(upstream, "acc_1")  # type: ignore[arg-type]
    assert len(asked) == 8
