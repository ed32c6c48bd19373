"""The sandbox's sign-in and consent pages of every simulated app pass axe-core in Chromium, colour contrast included
(WCAG AA: 4.5:1 for text; white on Ledgerly's old green #1f8a3b was 4.41:1)."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.sandbox_pages import Sandbox, sign_in_to_app
from e2e.widget_fixtures import run_axe
from sandbox.apps.server.users import APP_OWNERS

pytestmark = pytest.mark.e2e

CONTRAST_ONLY = """() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})
  .then((result) => result.violations.flatMap(
    (v) => v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary)))"""


def check(page: Any, label: str) -> None:
    """Every serious or critical axe violation fails; colour contrast is listed node by node when it does."""
    run_axe(page, label)
    failures = page.evaluate(CONTRAST_ONLY)
    assert not failures, f"{label}: {failures}"


@pytest.mark.parametrize("integration", sorted(APP_OWNERS))
def test_oauth_sign_in_and_consent_pages_meet_aa_contrast(page: Any, sandbox: Sandbox, integration: str) -> None:
    key = sandbox.company(f"contrast-{integration}")
    page.goto(sandbox.connect_url(key, integration, f"state-contrast-{integration}"))
    page.get_by_label("Email").wait_for()
    check(page, f"{integration} sign-in")
    sign_in_to_app(page, integration, password="not-the-password")
    page.locator("[role=alert]").wait_for()
    check(page, f"{integration} sign-in error")
    sign_in_to_app(page, integration)
    page.get_by_role("button", name="Allow").wait_for()
    check(page, f"{integration} consent")


def test_bank_sign_in_page_meets_aa_contrast(page: Any, sandbox: Sandbox) -> None:
    key = sandbox.company("contrast-bank")
    page.goto(sandbox.connect_url(key, "northbank", "state-contrast-bank"))
    page.get_by_label("Username").wait_for()
    check(page, "northbank sign-in")
