"""The upload app's multipart API: what the broker calls when the owner uploads CSV files inside the widget."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox_support import allow_lender, create_company, embed_token, health

SAMPLES = Path(__file__).resolve().parent.parent / "sandbox" / "static" / "samples"
JSON = {"Accept": "application/json"}


@pytest.fixture
def company(sandbox_client: Any) -> str:
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    return str(key)


def _files(*names: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"trial_balances": []}
    for name in names:
        handle = (io.BytesIO((SAMPLES / name).read_bytes()), name)
        if name.startswith("chart"):
            fields["chart"] = handle
        else:
            fields["trial_balances"].append(handle)
    return fields


def test_good_files_connect_the_upload_app(sandbox_client: Any, company: str) -> None:
    data = {"embed": embed_token(sandbox_client, company), "state": "s1"}
    data.update(_files("chart_of_accounts.csv", "trial_balance_2026-09.csv", "trial_balance_2026-10.csv"))
    response = sandbox_client.post("/connect/csv_upload", data=data, headers=JSON, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "connected"
    assert body["connection"]["integration"] == "csv_upload"
    assert "csv_upload" in health(sandbox_client, company)


@pytest.mark.parametrize(
    ("names", "status"),
    [(("trial_balance_2026-10.csv",), "rejected"), (("chart_of_accounts.csv",), "rejected"), ((), "rejected")],
    ids=["no-chart", "no-trial-balance", "nothing"],
)
def test_missing_files_are_rejected_with_reasons(
    sandbox_client: Any, company: str, names: tuple[str, ...], status: str
) -> None:
    data = {"embed": embed_token(sandbox_client, company), "state": "s2", **_files(*names)}
    response = sandbox_client.post("/connect/csv_upload", data=data, headers=JSON, content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == status
    assert body["errors"] and all(error["message"] for error in body["errors"])


@pytest.mark.parametrize(
    ("integration", "embed", "status", "code"),
    [
        ("csv_upload", "made-up", 401, "invalid_embed_token"),
        ("ledgerly", None, 400, None),
        ("no_such_app", None, 404, None),
    ],
    ids=["bad-embed-token", "oauth-app", "unknown-app"],
)
def test_bad_upload_requests(
    sandbox_client: Any, company: str, integration: str, embed: str | None, status: int, code: str | None
) -> None:
    data = {"embed": embed or embed_token(sandbox_client, company), "state": "s3"}
    data.update(_files("chart_of_accounts.csv", "trial_balance_2026-10.csv"))
    response = sandbox_client.post(
        f"/connect/{integration}", data=data, headers=JSON, content_type="multipart/form-data"
    )
    assert response.status_code == status
    if code:
        assert response.get_json()["error"]["code"] == code


def test_an_embed_token_uploads_once(sandbox_client: Any, company: str) -> None:
    token = embed_token(sandbox_client, company)
    for expected in (200, 401):
        data = {"embed": token, "state": "s4", **_files("chart_of_accounts.csv", "trial_balance_2026-10.csv")}
        response = sandbox_client.post(
            "/connect/csv_upload", data=data, headers=JSON, content_type="multipart/form-data"
        )
        assert response.status_code == expected
