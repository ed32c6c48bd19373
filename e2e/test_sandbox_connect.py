"""The sandbox's own connect pages in Chromium at 320 px: OAuth allow and deny, bank sign-in with MFA, CSV upload.

No broker here: the browser opens ``/connect/<integration>?embed=..&state=..&redirect=..`` exactly as a tenant's popup
would, and a tiny lender app on another loopback origin receives the redirect. Where the app was connected, the data
is then read from the Data API and followed to its raw record.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from flask import Flask, request

from e2e.widget_fixtures import ARTIFACTS, SAMPLES, browser, keep_failure_artifacts
from sandbox.apps.server.users import APP_OWNERS, BANK_MFA_CODE, BANK_USERS
from tests.live_server import live_server

__all__ = ["browser"]
pytestmark = pytest.mark.e2e

CONFIG: dict[str, Any] = {
    "ENV": "test",
    "API_USER": "tenant-user",
    "API_KEY": "sk_test_sandbox_api_key_123456",
    "TENANT_KEY": "tenant_test_key_abcdef",
    "DATA_END": date(2026, 10, 31),
    "SYNC_IN_BACKGROUND": True,
    "TENANT_NAME": "Acme Capital",
}
PHONE = {"width": 320, "height": 740}
BANK_USER = "maple.owner"


def lender_app() -> Flask:
    """The tenant's page that the connect flow returns to: it shows what it received."""
    app = Flask("e2e_lender")

    @app.get("/link/callback")
    def callback() -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(request.args.items()))
        return f"<!doctype html><title>Acme Capital</title><h1>Back at Acme Capital</h1><p id='result'>{shown}</p>"

    return app


@dataclass
class Sandbox:
    """A sandbox on loopback, its two APIs, and the lender's callback URL (on an allowed origin)."""

    url: str
    callback: str
    admin: httpx.Client = field(repr=False)
    data: httpx.Client = field(repr=False)

    def company(self, subdomain: str) -> str:
        body = {
            "name": "Maple & Rye Café",
            "email_admin": f"owner@{subdomain}.test",
            "password": "correct horse 1",
            "subdomain": subdomain,
        }
        answer = self.admin.post("/app/api.php", json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["account_key"])

    def connect_url(self, account_key: str, integration: str, state: str) -> str:
        token = self.admin.get("/app/api.php", params={"action": "embed_token", "account_key": account_key})
        query = {"embed": token.json()["token"], "state": state, "redirect": self.callback}
        return f"{self.url}/connect/{integration}?{urlencode(query)}"

    def health(self, account_key: str) -> dict[str, dict[str, Any]]:
        answer = self.admin.get("/app/api.php", params={"action": "connection_health", "account_key": account_key})
        return {row["integration"]: row for row in answer.json()["connections"]}

    def wait_healthy(self, account_key: str, integration: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            row = self.health(account_key).get(integration)
            if row and row["status"] == "healthy":
                assert row["sync_progress"] == 100
                return row
            assert row is None or row["status"] in {"syncing", "healthy"}, row
            if time.monotonic() > deadline:
                raise AssertionError(f"{integration} not healthy within {timeout} s: {row}")
            time.sleep(0.2)

    def traced(self, account_key: str, object_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the first object of a collection and the raw record its ``source_url`` leads to."""
        answer = self.data.get(f"/api/{object_type}", params={"X_ACCOUNT_KEY": account_key, "page": 1})
        assert answer.status_code == 200, answer.text
        first = answer.json()[0]
        assert first["source_url"].startswith(f"{self.url}/api/source_records/")
        raw = self.data.get(first["source_url"], headers={"X-Account-Key": account_key})
        assert raw.status_code == 200, raw.text
        return first, raw.json()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    import sandbox as sandbox_package

    with tempfile.TemporaryDirectory() as folder, live_server(lender_app()) as lender:
        app = sandbox_package.create_app({**CONFIG, "DATABASE_URL": f"sqlite:///{Path(folder) / 'sandbox.sqlite3'}"})
        with (
            live_server(app) as server,
            httpx.Client(
                base_url=server.url, auth=(CONFIG["API_KEY"], ""), headers={"Account-Key": CONFIG["TENANT_KEY"]}
            ) as admin,
            httpx.Client(base_url=server.url, auth=(CONFIG["API_USER"], CONFIG["API_KEY"])) as data,
        ):
            origin = f"http://localhost:{lender.port}"  # another site than the sandbox's 127.0.0.1
            allowed = admin.post("/app/api.php", json={"action": "allow_url", "url": origin})
            assert allowed.status_code == 200, allowed.text
            yield Sandbox(server.url, origin + "/link/callback", admin, data)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh profile with a phone-sized window; screenshots and a trace are kept when the test fails."""
    ctx = browser.new_context(locale="en-US", viewport=PHONE)
    ctx.set_default_timeout(15_000)
    ctx.tracing.start(screenshots=True, snapshots=True)
    yield ctx.new_page()
    keep_failure_artifacts(ctx, request.node)
    ctx.close()


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot under e2e/artifacts/ and check nothing overflows the 320 px width."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sandbox-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide at {PHONE['width']} px"


def back_at_lender(page: Any, sandbox: Sandbox) -> dict[str, str]:
    """Wait for the redirect to the lender and return its query."""
    page.wait_for_url(sandbox.callback + "?*")
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def alert(page: Any) -> str:
    return str(page.locator("[role=alert]").inner_text())


def sign_in_to_app(page: Any, integration: str, password: str | None = None) -> None:
    email, right = APP_OWNERS[integration]
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password or right)
    page.get_by_role("button", name="Sign in").click()


def test_oauth_app_allow_connects_and_data_traces_to_raw_records(page: Any, sandbox: Sandbox) -> None:
    key = sandbox.company("allow-co")
    page.goto(sandbox.connect_url(key, "ledgerly", "state-allow-1"))
    assert "/apps/ledgerly/oauth/authorize" in page.url
    sign_in_to_app(page, "ledgerly", password="not-the-password")
    assert "don't match a user of Ledgerly" in alert(page)
    shoot(page, "01-app-signin-error")
    sign_in_to_app(page, "ledgerly")
    page.get_by_role("button", name="Allow").wait_for()
    text = page.inner_text("main")
    assert "Acme Capital" in text and "Maple & Rye Café" in text and "read-only" in text
    assert "Invoice" in text and "Account" in text  # the data requested, named
    shoot(page, "02-consent")
    page.get_by_role("button", name="Allow").click()
    outcome = back_at_lender(page, sandbox)
    assert outcome == {"state": "state-allow-1", "status": "connected", "integration": "ledgerly"}
    sandbox.wait_healthy(key, "ledgerly")
    invoice, raw = sandbox.traced(key, "invoices")
    assert invoice["integration"] == "ledgerly" and raw["integration"] == "ledgerly"
    assert raw["source_id"] == invoice["source_id"] and raw["raw"]["TotalAmt"]


def test_oauth_app_deny_comes_back_denied_with_nothing_connected(page: Any, sandbox: Sandbox) -> None:
    key = sandbox.company("deny-co")
    page.goto(sandbox.connect_url(key, "xenon", "state-deny-1"))
    sign_in_to_app(page, "xenon")
    page.get_by_role("button", name="Deny").click()
    outcome = back_at_lender(page, sandbox)
    assert outcome == {"state": "state-deny-1", "status": "denied", "integration": "xenon"}
    assert sandbox.health(key) == {}


def test_bank_credentials_then_a_wrong_code_then_the_right_one(page: Any, sandbox: Sandbox) -> None:
    key = sandbox.company("bank-co")
    page.goto(sandbox.connect_url(key, "northbank", "state-bank-1"))
    assert "Maple & Rye Café" in page.inner_text("main")
    shoot(page, "03-bank-signin")
    page.get_by_label("Username").fill(BANK_USER)
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Continue").click()
    assert "don't match a Northbank online banking user" in alert(page)
    assert page.get_by_label("Username").input_value() == BANK_USER  # kept, the password is not
    shoot(page, "04-bank-wrong-password")
    page.get_by_label("Password").fill(BANK_USERS[BANK_USER])
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("6-digit code").wait_for()
    shoot(page, "05-mfa")
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    assert "That code isn't right" in alert(page)
    shoot(page, "06-mfa-wrong-code")
    page.get_by_label("6-digit code").fill(BANK_MFA_CODE)
    page.get_by_role("button", name="Verify").click()
    outcome = back_at_lender(page, sandbox)
    assert outcome == {"state": "state-bank-1", "status": "connected", "integration": "northbank"}
    sandbox.wait_healthy(key, "northbank")
    line, raw = sandbox.traced(key, "bank_transactions")
    assert line["integration"] == "northbank" and raw["source_id"] == line["source_id"]


def test_locked_bank_user_gets_its_own_page_and_an_error_back(page: Any, sandbox: Sandbox) -> None:
    key = sandbox.company("locked-co")
    page.goto(sandbox.connect_url(key, "northbank", "state-locked-1"))
    page.get_by_label("Username").fill("locked.owner")
    page.get_by_label("Password").fill(BANK_USERS["locked.owner"])
    page.get_by_role("button", name="Continue").click()
    assert "locked" in alert(page)
    shoot(page, "07-bank-locked")
    page.get_by_role("link", name="Return to Acme Capital").click()
    outcome = back_at_lender(page, sandbox)
    assert outcome == {
        "state": "state-locked-1",
        "status": "error",
        "integration": "northbank",
        "error": "account_locked",
    }


def test_csv_upload_reports_row_errors_then_connects(page: Any, sandbox: Sandbox, tmp_path: Path) -> None:
    key = sandbox.company("upload-co")
    page.goto(sandbox.connect_url(key, "csv_upload", "state-upload-1"))
    shoot(page, "08-upload")
    broken = tmp_path / "trial_balance_2026-09.csv"
    text = (SAMPLES / "trial_balance_2026-09.csv").read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("1010", "9999", 1)  # row 3 names an account that is not in the chart
    broken.write_text("\n".join(text) + "\n", encoding="utf-8")
    page.get_by_label("Chart of accounts").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    page.get_by_label("Monthly trial balances").set_input_files(str(broken))
    page.get_by_role("button", name="Upload").click()
    problems = alert(page)
    assert "nothing was imported" in problems and "'9999' is not in the chart of accounts" in problems
    row = page.locator("table.errors tbody tr").first.inner_text()
    assert "trial_balance_2026-09.csv" in row and "3" in row
    shoot(page, "09-upload-row-errors")
    months = [SAMPLES / "trial_balance_2026-09.csv", SAMPLES / "trial_balance_2026-10.csv"]
    page.get_by_label("Chart of accounts").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    page.get_by_label("Monthly trial balances").set_input_files([str(p) for p in months])
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("heading", name="Upload accepted").wait_for()
    shoot(page, "10-upload-accepted")
    page.get_by_role("link", name="Continue to Acme Capital").click()
    outcome = back_at_lender(page, sandbox)
    assert outcome == {"state": "state-upload-1", "status": "connected", "integration": "csv_upload"}
    assert sandbox.health(key)["csv_upload"]["status"] == "healthy"
    balance, raw = sandbox.traced(key, "trial_balances")
    assert balance["end"] == "2026-09-30" and sum(line["balance"] for line in balance["lines"]) == 0
    assert raw["raw"]["file"] == "trial_balance_2026-09.csv" and raw["raw"]["period_end"] == "2026-09-30"
    account, raw_row = sandbox.traced(key, "accounts")
    assert raw_row["raw"]["file"] == "chart_of_accounts.csv" and raw_row["raw"]["values"]["code"] == account["code"]
