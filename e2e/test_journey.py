"""The whole journey as a lender and an applicant live it, in Chromium, against the stack `make demo` runs."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from e2e.journey import (
    another_app,
    check_axe,
    connect_bank,
    connect_oauth,
    create_company,
    host_events,
    host_pages_axe,
    map_accounts,
    open_widget,
    reconcile_books,
    share,
    shoot_step,
    wait_for_host_event,
    wait_synced_and_continue,
)
from e2e.widget_fixtures import ARTIFACTS
from scripts.stack import Stack

pytestmark = pytest.mark.e2e


def test_whole_journey(new_context: Any, stack: Stack) -> None:
    context = new_context()
    page = context.new_page()
    account_key = create_company(page, stack, "Birch & Bolt Bikes")
    shoot_step(page, "01-applicant")
    host_pages_axe(page, "applicant page")

    frame = open_widget(page)
    check_axe(page, "catalogue")
    connect_oauth(page, frame, "ledgerly", "Ledgerly")
    shoot_step(page, "02-ledgerly-connected")
    another_app(frame)
    connect_bank(frame)
    another_app(frame)
    connect_oauth(page, frame, "payday", "Payday")
    shoot_step(page, "03-three-connected")
    wait_synced_and_continue(frame)
    mapped = map_accounts(page, frame, "journey")
    assert mapped >= 40
    reconcile_books(page, frame, "2026-10-31", "journey")

    share(page, frame)
    wait_for_host_event(page, "onSuccess")
    shoot_step(page, "04-success")
    names = host_events(page)
    assert names[0] == "onEvent: open"
    assert names.count("onEvent: connected") == 3
    assert "onEvent: mapping_saved" in names and "onEvent: reconciled" in names
    assert names[-2:] == ["onEvent: success", "onSuccess"]
    assert page.locator("#result-count").inner_text() == "3"

    page.locator("#result-credit").click()
    page.wait_for_url(f"**/companies/{account_key}")
    health = page.locator("table").first
    for app in ("Ledgerly", "Northbank", "Payday"):  # the apps' names, not their keys
        row = health.locator("tr", has_text=re.compile(rf"^\s*{app}\b"))
        assert row.locator(".badge").inner_text() in ("healthy", "syncing")
    assert page.locator("#statements-unavailable").count() == 0
    assert page.locator("figure.chart svg rect.bar").count() >= 12
    assert page.get_by_role("heading", name="Ratios").count() == 1
    assert "Current ratio" in page.locator("section", has_text="Ratios").inner_text()
    recon = page.locator("section[aria-labelledby=reconciliation-heading]")
    assert recon.locator("#reconciliation-unavailable").count() == 0
    assert "31 Oct 2026" in recon.inner_text()
    page.screenshot(path=str(artifact("journey-05-credit-view")), full_page=True)
    host_pages_axe(page, "credit view")

    page.get_by_role("link", name="Data explorer").click()
    page.select_option("#object", "invoices")
    page.fill("#start", "2026-03-01")
    page.fill("#end", "2026-03-31")
    page.get_by_role("button", name="Show").click()
    dates = page.locator("table tbody tr").all_inner_texts()
    assert 0 < len(dates) <= 30 and all("Mar 2026" in row for row in dates), dates[:3]
    host_pages_axe(page, "data explorer")
    page.locator("table tbody tr a").first.click()
    assert page.get_by_role("heading", name=re.compile("returned it$")).count() == 1
    assert page.get_by_label("Raw source record").count() == 1
    shoot_step(page, "05b-record")
    host_pages_axe(page, "record")

    page.get_by_role("link", name="Webhook events").first.click()
    received = webhook_types(page, until="link.succeeded")
    assert received.count("link.connected") == 3, received
    for kind in ("mapping.saved", "reconciliation.completed", "link.succeeded"):
        assert received.count(kind) == 1, received
    host_pages_axe(page, "webhook events")
    page.get_by_role("link", name="Companies").first.click()
    assert page.locator("main", has_text="Birch & Bolt Bikes").count() == 1
    host_pages_axe(page, "companies")
    shoot_step(page, "06-webhooks")


def webhook_types(page: Any, until: str, timeout: float = 30.0) -> list[str]:
    """The event types on the host's webhook page, reloaded until ``until`` shows (webhooks arrive a moment later)."""
    deadline = time.monotonic() + timeout
    while True:
        types = [t.strip() for t in page.locator(".event .badge.type").all_inner_texts()]
        if until in types or time.monotonic() > deadline:
            return types
        time.sleep(0.5)
        page.reload()


def artifact(name: str) -> Any:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
