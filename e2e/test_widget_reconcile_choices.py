"""The reconcile step in Chromium: the evidence of each match, and the owner choosing among candidates by keyboard.

The sandbox's books have no line the evidence leaves undecided, so this test gives the broker's cache of books a
small company of its own (three memberships of $850 and one anonymous deposit, a cheque, a near amount); the frame,
the broker's HTTP API, its database and the decisions are the real ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from broker.review.books import Books
from broker.review.views import BOOKS
from e2e.widget_fixtures import (
    SANDBOX_CONFIG,
    World,
    _ensure_axe,
    _LateApp,
    check_axe,
    frame_handle,
    host_app,
    shoot,
    widget_frame,
)
from tests.broker_support import create_lender, sandbox_and_broker
from tests.labelled_books import _Builder
from tests.live_server import live_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[World, Any]]:
    """Sandbox, broker and host page on loopback, with the broker app at hand to seed its cache of books."""
    from broker.widget.views import loader_asset

    _ensure_axe()
    host = _LateApp()
    with tempfile.TemporaryDirectory() as folder, live_server(host) as host_server:
        host_url = f"http://localhost:{host_server.port}"
        with (
            sandbox_and_broker(Path(folder), SANDBOX_CONFIG, RATELIMIT_PER_ADDRESS="100000 per minute") as running,
            live_server(running.broker) as broker,
            httpx.Client(timeout=30) as http,
        ):
            lender = create_lender(running.broker, "Acme Capital", host_url)
            host.app = host_app(broker.url, loader_asset().integrity, running.sandbox_url)
            world = World(running.sandbox_url, broker.url, host_url, lender["client_id"], lender["client_secret"], http)
            yield world, running.broker


def choice_books() -> Books:
    b = _Builder("e2e", 1)
    day = date(2026, 10, 9)
    for name in ("Nina Lee", "Tom Roy", "Ana Gagnon"):
        b.entry(day, 85000, f"Membership {name}")
    b.bank(date(2026, 10, 10), 85000, "MOBILE DEPOSIT")
    b.entry(date(2026, 10, 2), -120000, "Cheque 3035 to Nina Lee")
    b.bank(date(2026, 10, 16), -120000, "CHEQUE 3035")
    b.entry(date(2026, 10, 20), -120000, "Acme Supplies bill BL-77 (USD)")
    b.bank(date(2026, 10, 21), -121350, "WIRE ACME SUPPLIES USD")
    books = b.books
    return Books(books.accounts, books.journal_entries, books.bank_accounts, books.bank_transactions)


def company(world: World, app: Any) -> str:
    account_key = world.company()
    for integration in ("ledgerly", "northbank"):
        world.sandbox_connect(account_key, integration)
    cache = app.extensions[BOOKS]
    cache.ttl = 3600.0
    cache._items[account_key] = (cache.clock(), choice_books())
    return account_key


def open_reconcile(page: Any, world: World, token: str, done: str = "Done", **params: str) -> Any:
    """Open the widget, leave the catalogue by keyboard (the apps are connected) and wait for the reconcile step."""
    page.goto(world.page_url(token, **params))
    page.focus("#connect")
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    done = frame.get_by_role("button", name=done)
    done.focus()
    page.keyboard.press("Enter")
    frame.locator(".recon-choice").first.wait_for(timeout=30_000)
    return frame


def test_the_owner_sees_the_evidence_and_picks_among_candidates_by_keyboard(
    browser: Any, stack: tuple[World, Any]
) -> None:
    world, app = stack
    account_key = company(world, app)
    token = world.token(account_key, scopes=["link", "reconcile"], expires_in=3600)["link_token"]
    ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        frame = open_reconcile(page, world, token)
        # Each suggestion says what it rests on; the near one says by how much it differs.
        cheque = frame.locator(".recon-match", has_text="CHEQUE 3035")
        assert "cheque 3035 · 14 days apart" in cheque.locator(".recon-reason").inner_text()
        near = frame.locator(".recon-match", has_text="WIRE ACME")
        assert "Near match (exchange or rounding): the bank differs by" in near.locator(".recon-type").inner_text()
        cheque.scroll_into_view_if_needed()
        shots = [shoot(page, "evidence-1280x800")]
        choice = frame.locator(".recon-choice")
        legend = choice.locator("legend").inner_text()
        assert legend.startswith("Which of these 3 entries of") and "850.00" in legend
        assert choice.locator("input[type=radio]").count() == 3
        check_axe(page, "reconcile choices")

        # Keyboard only: into the radio group, arrow to the second candidate, Tab to the button, Enter.
        first = choice.locator("input[type=radio]").first
        first.focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        second = choice.locator("input[type=radio]").nth(1)
        assert second.is_checked()
        picked = second.get_attribute("value")
        picked_text = choice.locator(".recon-candidate").nth(1).locator(".recon-candidate-line").inner_text()
        choice.scroll_into_view_if_needed()
        shots.append(shoot(page, "choice-1280x800"))
        page.keyboard.press("Tab")
        assert frame_handle(page).evaluate("document.activeElement.textContent") == "Use this match"
        page.keyboard.press("Enter")

        chosen = frame.locator(f".recon-match[data-key='{picked}']")
        chosen.wait_for()
        assert chosen.locator(".recon-type").inner_text() == "You chose this match."
        assert picked_text in chosen.inner_text() and "is-confirmed" in (chosen.get_attribute("class") or "")
        assert frame.locator(".recon-choice").count() == 0
        assert frame_handle(page).evaluate("document.activeElement.id").startswith("confirmed-"), "focus follows"
        chosen.scroll_into_view_if_needed()
        shots.append(shoot(page, "chosen-1280x800"))

        # The lender reads the pick apart from exact and near matches once the owner completes.
        frame.locator("#reliable-through").fill("2026-10-31")
        frame.locator("#recon-save").focus()
        page.keyboard.press("Enter")
        frame.locator(".step-title").filter(has_text="Check your bank").wait_for(state="detached", timeout=30_000)
        lender = world.http.get(f"{world.broker_url}/v1/accounts/{account_key}/reconciliation", headers=world._auth())
        assert lender.status_code == 200, lender.text
        body = lender.json()
        assert body["summary"]["by_type"] == {"exact": 1, "near": 1, "chosen": 1}
        assert [m["ledger_ids"] for m in body["chosen_matches"]] and body["summary"]["choices"] == 0
        assert [m["near"] for m in body["near_matches"]] == ["fx_or_rounding"]
        print("screenshots:", *shots)
    finally:
        ctx.close()


def test_a_choice_fits_a_320px_phone(browser: Any, stack: tuple[World, Any]) -> None:
    world, app = stack
    account_key = company(world, app)
    token = world.token(account_key, scopes=["link", "reconcile"], expires_in=3600)["link_token"]
    phone = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    phone.set_default_timeout(20_000)
    try:
        page = phone.new_page()
        frame = open_reconcile(page, world, token, "Terminer", locale="fr")
        choice = frame.locator(".recon-choice")
        assert "Laquelle de ces 3 écritures" in choice.locator("legend").inner_text()
        choice.locator("input[type=radio]").nth(2).check()
        choice.evaluate("c => c.scrollIntoView({block: 'start'})")
        handle = frame_handle(page)
        assert handle.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        assert frame.locator(".content").evaluate("c => c.scrollWidth <= c.clientWidth + 1")
        check_axe(page, "reconcile choices 320 fr")
        print("screenshot:", shoot(page, "choice-320x640-fr"))
    finally:
        phone.close()
