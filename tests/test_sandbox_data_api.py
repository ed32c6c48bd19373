"""Data API of the sandbox: auth, company scoping, pagination, dates, read-only, traceability, reports, rate limit."""

from __future__ import annotations

import pytest

from tests.sandbox_support import (
    ADMIN_HEADERS,
    DATA_HEADERS,
    SANDBOX_TEST_CONFIG,
    assert_error,
    basic,
    create_company,
)


def get(client, path, key=None, headers=None, **params):
    query = dict(params)
    if key is not None:
        query["X_ACCOUNT_KEY"] = key
    return client.get(path, query_string=query, headers={**DATA_HEADERS, **(headers or {})})


def read_all(client, key, object_type, **params):
    rows, page = [], 1
    while True:
        response = get(client, f"/api/{object_type}", key, page=page, **params)
        assert response.status_code == 200, response.get_json()
        batch = response.get_json()
        assert isinstance(batch, list) and len(batch) <= 30
        if not batch:
            return rows
        rows.extend(batch)
        page += 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": ""},
        basic("tenant-user", "wrong"),
        basic("other", SANDBOX_TEST_CONFIG["API_KEY"]),
        {"Authorization": "Basic !!!notbase64"},
    ],
)
def test_data_api_requires_basic_credentials(sandbox_client, connected_company, headers):
    response = sandbox_client.get("/api/invoices", query_string={"X_ACCOUNT_KEY": connected_company}, headers=headers)
    assert_error(response, 401, "authentication_failed")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_account_key_is_required_and_must_be_shared(sandbox_client, connected_company):
    assert_error(get(sandbox_client, "/api/invoices"), 400, "account_key_required")
    assert_error(get(sandbox_client, "/api/invoices", "0" * 32), 403, "account_not_shared")
    assert_error(get(sandbox_client, "/api/invoices", connected_company.upper()), 403, "account_not_shared")
    private = create_company(sandbox_client, "private-co", datashare=False)
    assert_error(get(sandbox_client, "/api/invoices", private), 403, "account_not_shared")


def test_account_key_header_and_parameter(sandbox_client, connected_company):
    by_header = get(sandbox_client, "/api/invoices", headers={"X-Account-Key": connected_company})
    by_param = get(sandbox_client, "/api/invoices", connected_company)
    assert by_header.status_code == 200 and by_header.get_json() == by_param.get_json()
    clash = get(sandbox_client, "/api/invoices", connected_company, headers={"X-Account-Key": "0" * 32})
    assert_error(clash, 400, "invalid_parameter")


def test_pages_of_30_until_empty_without_overlap(sandbox_client, connected_company):
    first = get(sandbox_client, "/api/invoices", connected_company).get_json()
    assert len(first) == 30
    invoices = read_all(sandbox_client, connected_company, "invoices")
    assert len(invoices) >= 300
    ids = [row["id"] for row in invoices]
    assert len(set(ids)) == len(ids)
    assert ids[:30] == [row["id"] for row in first]
    dates = [row["date"] for row in invoices]
    assert dates == sorted(dates)
    assert get(sandbox_client, "/api/invoices", connected_company, page=9999).get_json() == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999", "\uff11", " 1", "1e3", "0x1"])
def test_bad_page_is_400(sandbox_client, connected_company, page):
    assert_error(get(sandbox_client, "/api/invoices", connected_company, page=page), 400, "invalid_page")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-13-01"}, "invalid_date"),
        ({"start": "2026-02-30"}, "invalid_date"),
        ({"end": "yesterday"}, "invalid_date"),
        ({"start": "2026-05-13T05:03:23"}, "invalid_date"),  # no zone
        ({"start": "x" * 500}, "invalid_date"),
        ({"start": "2026-06-01", "end": "2026-05-01"}, "invalid_date_range"),
    ],
)
def test_bad_dates_are_400(sandbox_client, connected_company, params, code):
    assert_error(get(sandbox_client, "/api/invoices", connected_company, **params), 400, code)


def test_date_shorthand_is_inclusive_and_matches_instants(sandbox_client, connected_company):
    everything = read_all(sandbox_client, connected_company, "invoices")
    month = read_all(sandbox_client, connected_company, "invoices", start="2026-06-01", end="2026-06-30")
    expected = [r["id"] for r in everything if "2026-06-01" <= r["date"] <= "2026-06-30"]
    assert [r["id"] for r in month] == expected and expected
    instants = read_all(
        sandbox_client,
        connected_company,
        "invoices",
        start="2026-06-01T00:00:00Z",
        end="2026-06-30T23:59:59Z",
    )
    assert [r["id"] for r in instants] == expected
    later_start = read_all(
        sandbox_client, connected_company, "invoices", start="2026-06-01T00:00:01Z", end="2026-06-30"
    )
    assert [r["id"] for r in later_start] == [r["id"] for r in month if r["date"] > "2026-06-01"]


def test_unknown_object_and_id(sandbox_client, connected_company):
    assert_error(get(sandbox_client, "/api/secrets", connected_company), 404, "unknown_object")
    assert_error(get(sandbox_client, "/api/invoices/does-not-exist", connected_company), 404, "not_found")
    assert_error(get(sandbox_client, "/api/invoices/" + "x" * 300, connected_company), 404, "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/invoices", "/api/invoices/inv_1"])
def test_writes_are_405_with_allow(sandbox_client, connected_company, method, path):
    response = sandbox_client.open(
        path,
        method=method,
        query_string={"X_ACCOUNT_KEY": connected_company},
        headers=DATA_HEADERS,
        json={"total": 1},
    )
    assert_error(response, 405, "read_only")
    assert response.headers["Allow"] == "GET, HEAD"


def test_every_object_is_traceable_to_its_raw_record(sandbox_client, connected_company):
    invoice = get(sandbox_client, "/api/invoices", connected_company).get_json()[0]
    assert invoice["integration"] == "ledgerly" and invoice["source_id"]
    assert isinstance(invoice["total"], int) and invoice["currency"] == "USD"
    assert invoice["source_url"].startswith("http://localhost/api/source_records/src_")
    one = get(sandbox_client, f"/api/invoices/{invoice['id']}", connected_company).get_json()
    assert one == invoice
    path = invoice["source_url"].removeprefix("http://localhost")
    record = get(sandbox_client, path, connected_company).get_json()
    assert record["integration"] == "ledgerly" and record["source_id"] == invoice["source_id"]
    assert "TotalAmt" in record["raw"]  # the vendor's own shape, untouched


def test_other_company_cannot_read_a_raw_record(sandbox_client, connected_company):
    other = create_company(sandbox_client, "other-co")
    invoice = get(sandbox_client, "/api/invoices", connected_company).get_json()[0]
    path = invoice["source_url"].removeprefix("http://localhost")
    assert_error(get(sandbox_client, path, other), 404, "not_found")
    assert_error(get(sandbox_client, f"/api/invoices/{invoice['id']}", other), 404, "not_found")


def test_api_version_header_and_platform_objects(sandbox_client, connected_company):
    response = get(sandbox_client, "/api/connections", connected_company)
    assert response.headers["X-API-Version"]
    assert sorted(c["integration"] for c in response.get_json()) == ["ledgerly", "northbank"]
    catalogue = get(sandbox_client, "/api/integrations").get_json()
    kinds = {row["auth_type"] for row in catalogue}
    assert {"oauth2", "credentials", "upload"} <= kinds
    assert {row["category"] for row in catalogue} >= {"accounting", "banking", "commerce", "payroll"}


@pytest.mark.parametrize(
    "object_type",
    [
        "accounts",
        "bank_accounts",
        "bank_transactions",
        "journal_entries",
        "trial_balances",
        "payments",
        "bills",
        "customers",
        "vendors",
    ],
)
def test_collections_are_filled(sandbox_client, connected_company, object_type):
    rows = get(sandbox_client, f"/api/{object_type}", connected_company).get_json()
    assert rows and all({"id", "integration", "source_id", "source_url"} <= set(r) for r in rows)


def test_reports_balance_and_cover_twelve_months(sandbox_client, connected_company):
    sheet = get(sandbox_client, "/api/balance_sheet", connected_company, as_of="2026-10-31").get_json()
    assert sheet["assets"]["total"] == sheet["liabilities"]["total"] + sheet["equity"]["total"]
    assert sheet["assets"]["total"] > 0
    pnl = get(
        sandbox_client,
        "/api/profit_and_loss",
        connected_company,
        start="2025-11-01",
        end="2026-10-31",
        period="month",
    ).get_json()
    assert len(pnl["periods"]) == 12 and pnl["periods"][0]["start"] == "2025-11-01"
    assert_error(get(sandbox_client, "/api/profit_and_loss", connected_company, period="week"), 400, "invalid_period")
    assert_error(get(sandbox_client, "/api/balance_sheet", connected_company, as_of="31/10/2026"), 400, "invalid_date")


def test_disconnect_hides_data(sandbox_client, connected_company):
    assert get(sandbox_client, "/api/bank_transactions", connected_company).get_json()
    sandbox_client.post(
        "/app/api.php",
        headers=ADMIN_HEADERS,
        json={"action": "disconnect", "account_key": connected_company, "integration": "northbank"},
    )
    assert get(sandbox_client, "/api/bank_transactions", connected_company).get_json() == []
    assert get(sandbox_client, "/api/invoices", connected_company).get_json()


def test_rate_limit_is_100_per_second_per_company(tmp_path):
    from sandbox import create_app
    from sandbox.config import load_config

    assert load_config({"ENV": "test"}, environ={})["RATE_LIMIT"] == "100 per second"
    # The same 100 requests over a longer window: a loaded machine could not send 100 within one second.
    app = create_app(
        {
            **SANDBOX_TEST_CONFIG,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'rl.sqlite3'}",
            "RATE_LIMIT": "100 per 30 seconds",
        }
    )
    client = app.test_client()
    busy, other = create_company(client, "busy-co"), create_company(client, "second-co")
    statuses = []
    for _ in range(150):
        response = get(client, "/api/connections", busy)
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses == [200] * 100 + [429]
    error = assert_error(response, 429, "rate_limited")
    assert "100 requests per second" in error["message"]
    assert 0 < int(response.headers["Retry-After"]) <= 30
    assert get(client, "/api/connections", other).status_code == 200  # per company, not global
    app.extensions["sandbox"].close()
