"""Data API against bad input on every parameter and path (always a 4xx in the one error shape), and its volumes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_support import DATA_HEADERS, SANDBOX_TEST_CONFIG, assert_error, basic

COLLECTIONS = ["invoices", "bills", "payments", "bank_transactions", "journal_entries", "trial_balances", "accounts"]
PATHS = [*(f"/api/{name}" for name in COLLECTIONS), "/api/balance_sheet", "/api/profit_and_loss", "/api/connections"]
ONE = ["/api/invoices/inv_nope", "/api/source_records/src_nope", "/api/connections/con_nope"]
DATED = ["/api/invoices", "/api/payments", "/api/bank_transactions", "/api/trial_balances", "/api/profit_and_loss"]
PAGED = [p for p in PATHS if not p.endswith(("balance_sheet", "profit_and_loss"))]
BAD_PAGES = ["0", "-1", "-0", "1000001", "9" * 30, "two", "1.0", "1,2", "%31", "1 ", "\u0663", "0x10", "[]"]
BAD_DATES = [
    "2026-13-01",
    "2026-02-30",
    "2026-1-1",
    "20260101",
    "01/31/2026",
    "2026-01-01T00:00:00",
    "2026-01-01T25:00:00Z",
    "2026-01-01 00:00:00Z",
    "now",
    "-1",
    "9" * 41,
    "",
]


@pytest.fixture(scope="module")
def company(
    tmp_path_factory: pytest.TempPathFactory, _seeded_sandbox_file: tuple[Path, str]
) -> Iterator[tuple[Any, str]]:
    """One read-only copy of the seeded company for the module (hundreds of requests: the 100 rps limit is raised)."""
    from sandbox import create_app

    path = tmp_path_factory.mktemp("input") / "sandbox.sqlite3"
    shutil.copyfile(_seeded_sandbox_file[0], path)
    app = create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}", "RATE_LIMIT": "100000 per second"})
    yield app.test_client(), _seeded_sandbox_file[1]
    app.extensions["sandbox"].close()


@pytest.fixture
def sandbox_client(company: tuple[Any, str]) -> Any:
    return company[0]


@pytest.fixture
def connected_company(company: tuple[Any, str]) -> str:
    return company[1]


def get(client: Any, path: str, key: str | None, headers: dict[str, str] | None = None, **params: str) -> Any:
    query = {**params, **({"X_ACCOUNT_KEY": key} if key is not None else {})}
    return client.get(path, query_string=query, headers={**DATA_HEADERS, **(headers or {})})


@pytest.mark.parametrize("path", PATHS + ONE)
@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": ""},
        basic(SANDBOX_TEST_CONFIG["API_USER"], "wrong-key"),
        basic(SANDBOX_TEST_CONFIG["API_KEY"], ""),  # the admin form of the credentials
        {"Authorization": "Bearer " + SANDBOX_TEST_CONFIG["API_KEY"]},
        {"Authorization": "Basic " + "A" * 5000},
    ],
    ids=["none", "wrong-key", "admin-form", "bearer", "garbage"],
)
def test_missing_or_wrong_credentials_are_401(sandbox_client: Any, connected_company: str, path: str, headers) -> None:
    response = sandbox_client.get(path, query_string={"X_ACCOUNT_KEY": connected_company}, headers=headers)
    assert_error(response, 401, "authentication_failed")


@pytest.mark.parametrize("path", PATHS + ONE)
@pytest.mark.parametrize(
    ("key", "status", "code"),
    [
        (None, 400, "account_key_required"),
        ("", 400, "account_key_required"),
        ("0" * 32, 403, "account_not_shared"),
        ("not-a-key", 403, "account_not_shared"),
        ("../../etc/passwd", 403, "account_not_shared"),
        ("k" * 129, 400, "invalid_parameter"),
    ],
    ids=["missing", "empty", "unknown", "malformed", "traversal", "too-long"],
)
def test_wrong_account_keys(sandbox_client: Any, connected_company: str, path: str, key, status, code) -> None:
    assert_error(get(sandbox_client, path, key), status, code)


@pytest.mark.parametrize("path", PATHS + ONE)
def test_account_key_of_another_case_or_with_spaces_is_not_the_company(
    sandbox_client: Any, connected_company: str, path: str
) -> None:
    for variant in (connected_company.upper(), f" {connected_company}", f"{connected_company}\n"):
        assert_error(get(sandbox_client, path, variant), 403, "account_not_shared")


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("page", BAD_PAGES)
def test_bad_pages_are_400(sandbox_client: Any, connected_company: str, path: str, page: str) -> None:
    assert_error(get(sandbox_client, path, connected_company, page=page), 400, "invalid_page")


@pytest.mark.parametrize("path", DATED)
@pytest.mark.parametrize("name", ["start", "end"])
@pytest.mark.parametrize("value", BAD_DATES)
def test_bad_dates_are_400(sandbox_client: Any, connected_company: str, path: str, name: str, value: str) -> None:
    error = assert_error(get(sandbox_client, path, connected_company, **{name: value}), 400, "invalid_date")
    assert error["message"].startswith(name)


@pytest.mark.parametrize("value", [*BAD_DATES, "2026-10-31T00:00:00Z"])
def test_bad_as_of_is_400(sandbox_client: Any, connected_company: str, value: str) -> None:
    assert_error(get(sandbox_client, "/api/balance_sheet", connected_company, as_of=value), 400, "invalid_date")


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/invoices", {"start": "2026-06-02", "end": "2026-06-01"}, "invalid_date_range"),
        ("/api/profit_and_loss", {"start": "2026-06-02", "end": "2026-06-01"}, "invalid_date_range"),
        ("/api/profit_and_loss", {"start": "1990-01-01", "end": "2026-01-01"}, "invalid_date_range"),
        ("/api/profit_and_loss", {"period": "week"}, "invalid_period"),
        ("/api/profit_and_loss", {"period": "x" * 5000}, "invalid_period"),
        ("/api/source_records", {}, "id_required"),
    ],
)
def test_other_bad_parameters_are_400(sandbox_client: Any, connected_company: str, path, params, code) -> None:
    assert_error(get(sandbox_client, path, connected_company, **params), 400, code)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/secrets", "unknown_object"),
        ("/api/Invoices", "unknown_object"),
        ("/api/" + "x" * 300, "unknown_object"),
        ("/api/invoices/" + "x" * 65, "not_found"),
        ("/api/invoices/%00", "not_found"),
        ("/api/integrations/nope", "not_found"),
        ("/api/balance_sheet/2026-10-31", "not_found"),
    ],
)
def test_unknown_objects_and_ids_are_404(sandbox_client: Any, connected_company: str, path: str, code: str) -> None:
    assert_error(get(sandbox_client, path, connected_company), 404, code)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/balance_sheet", "/api/source_records/src_1", "/api/connections"])
def test_writes_anywhere_are_405(sandbox_client: Any, connected_company: str, method: str, path: str) -> None:
    response = sandbox_client.open(
        path, method=method, query_string={"X_ACCOUNT_KEY": connected_company}, headers=DATA_HEADERS, data=b"{"
    )
    assert_error(response, 405, "read_only")
    assert response.headers["Allow"] == "GET, HEAD"


def test_a_page_past_the_end_and_a_range_with_nothing_are_empty(sandbox_client: Any, connected_company: str) -> None:
    assert get(sandbox_client, "/api/invoices", connected_company, page="1000000").get_json() == []
    assert get(sandbox_client, "/api/invoices", connected_company, start="2031-01-01").get_json() == []
    assert get(sandbox_client, "/api/invoices", connected_company, end="1999-12-31").get_json() == []
    later = get(sandbox_client, "/api/invoices", connected_company, start="2026-10-01", page="2").get_json()
    assert later and all(row["date"] >= "2026-10-01" for row in later)


def _count(client: Any, key: str, object_type: str) -> tuple[int, set[str]]:
    total, months, page = 0, set(), 1
    while batch := get(client, f"/api/{object_type}", key, page=str(page)).get_json():
        total += len(batch)
        months |= {row["date"][:7] for row in batch if row.get("date")}
        page += 1
    return total, months


@pytest.mark.parametrize(
    ("object_type", "minimum"),
    [
        ("accounts", 40),
        ("customers", 20),
        ("vendors", 15),
        ("invoices", 300),
        ("bills", 200),
        ("payments", 500),
        ("journal_entries", 1000),
        ("trial_balances", 12),
        ("bank_accounts", 2),
        ("bank_transactions", 800),
    ],
)
def test_a_connected_company_has_a_year_of_a_real_small_business(
    sandbox_client: Any, connected_company: str, object_type: str, minimum: int
) -> None:
    total, months = _count(sandbox_client, connected_company, object_type)
    assert total >= minimum
    if object_type in {"invoices", "bills", "payments", "bank_transactions", "journal_entries"}:
        assert len(months) >= 12, sorted(months)
