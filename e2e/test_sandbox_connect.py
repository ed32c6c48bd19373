"""The sandbox's own connect pages in Chromium at 320 px: OAuth allow and deny, bank sign-in with MFA, CSV upload.

No broker here: the browser opens ``/connect/<integration>?embed=..&state=..&redirect=..`` exactly as a tenant's popup
would, and a tiny lender app on another loopback origin receives the redirect. Where the app was connected, the data
is then read from the Data API and followed to its raw record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from e2e.sandbox_pages import PHONE, Sandbox, sign_in_to_app
from e2e.widget_fixtures import ARTIFACTS, SAMPLES
from sandbox.apps.server.users import BANK_MFA_CODE, BANK_USERS

pytestmark = pytest.mark.e2e

BANK_USER = "maple.owner"


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
