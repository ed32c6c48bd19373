"""The widget's map and reconcile steps in Chromium, by keyboard, with the broker restarted in the middle."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from e2e.restart_fixtures import RestartableWorld
from e2e.widget_fixtures import (
    check_axe,
    events,
    frame_handle,
    open_with_token,
    share_from_review,
    shoot,
    wait_for_event,
    widget_frame,
)

pytestmark = pytest.mark.e2e
SCOPES = ["link", "map", "reconcile", "read"]


def company_with_books(world: RestartableWorld) -> str:
    account_key = world.company()
    for integration in ("ledgerly", "northbank"):
        world.sandbox_connect(account_key, integration)
    return account_key


def open_to_map(page: Any, world: RestartableWorld, token: str) -> Any:
    """Open the widget, leave the catalogue by keyboard (the apps are already connected) and wait for the map step."""
    page.goto(world.page_url(token))
    page.focus("#connect")
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    done = frame.get_by_role("button", name="Done")
    done.focus()
    page.keyboard.press("Enter")
    frame.get_by_role("heading", name="Match your accounts to Acme Capital's categories").wait_for()
    frame.locator(".map-row").first.wait_for(timeout=30_000)
    return frame


def progress(frame: Any) -> str:
    return str(frame.locator("#map-progress").inner_text())


def named_event(page: Any, name: str, timeout: float = 20.0) -> dict[str, Any]:
    """Wait for the host's onEvent callback to receive ``name``; return its metadata."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e[2] for e in events(page) if e[0] == "event" and e[1] == name]
        if found:
            return dict(found[0])
        page.wait_for_timeout(100)
    raise AssertionError(f"no {name!r} event; got {events(page)}")


def lender_get(world: RestartableWorld, path: str) -> Any:
    answer = world.http.get(f"{world.broker_url}{path}", headers=world._auth())
    return answer


def test_map_then_reconcile_by_keyboard_surviving_a_broker_restart(
    context: Any, restartable_world: RestartableWorld
) -> None:
    world = restartable_world
    account_key = company_with_books(world)
    token = world.token(account_key, scopes=SCOPES, expires_in=3600)["link_token"]
    page = context.new_page()
    frame = open_to_map(page, world, token)
    total = frame.locator(".map-row").count()
    # The suggestions are the starting point: already chosen, the doubtful ones listed first, marked to check.
    assert total > 40
    assert re.match(rf"^\d+ of {total} accounts mapped( · \d+ to check)?$", progress(frame)), progress(frame)
    flagged = frame.locator(".map-row.is-flagged").count()
    if flagged:  # the doubtful ones come first...
        assert "is-flagged" in str(frame.locator(".map-row").first.get_attribute("class"))
    # ...then the largest balances: a wrong category on a large balance hurts most.
    amounts = [abs(float(re.sub(r"[^0-9.-]", "", a))) for a in frame.locator(".map-row .map-balance").all_inner_texts()]
    assert amounts[flagged:] == sorted(amounts[flagged:], reverse=True)
    assert frame.locator(".map-suggestion", has_text="Why: classification current asset").count() >= 2
    shoot(page, "map-step")
    check_axe(page, "map step")

    # Bulk accept by keyboard, then change one category with the searchable picker.
    frame.locator("#map-accept-all").focus()
    page.keyboard.press("Enter")
    assert progress(frame) == f"{total} of {total} accounts mapped"
    rent = frame.locator(".map-row", has_text="Loyer").locator("input")
    rent.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Marketing")
    page.keyboard.press("Tab")
    assert frame.locator(".map-row", has_text="Loyer").locator("input").input_value() == "Marketing"
    frame.locator(".map-row", has_text="Loyer").scroll_into_view_if_needed()
    shoot(page, "map-step-rows")
    frame.locator("#map-search").focus()
    page.keyboard.type("loyer")
    assert frame.locator(".map-row").count() == 1
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Backspace")
    frame.locator("#map-save").focus()
    page.keyboard.press("Enter")
    metadata = named_event(page, "mapping_saved")
    assert metadata == {"mapped": total, "total": total, "changed": total}
    mapping = lender_get(world, f"/v1/accounts/{account_key}/mapping").json()
    assert len(mapping["mappings"]) == total
    assert {m["category"] for m in mapping["mappings"] if m["category_name"] == "Marketing"}

    # Reconcile: confirm one match and reject another, by keyboard; each is saved at once.
    frame.get_by_role("heading", name="Check your bank against your books").wait_for(timeout=30_000)
    frame.locator(".recon-match").first.wait_for()
    shoot(page, "reconcile-step")
    check_axe(page, "reconcile step")
    first, second, third = (frame.locator(".recon-match").nth(n) for n in range(3))
    first_key, second_key, third_key = (m.get_attribute("data-key") for m in (first, second, third))
    first.get_by_role("button", name="Confirm").first.focus()
    page.keyboard.press("Enter")
    frame.locator(f".recon-match.is-confirmed[data-key='{first_key}']").wait_for()
    second.get_by_role("button", name="Reject").first.focus()
    page.keyboard.press("Enter")
    frame.locator(f".recon-match.is-rejected[data-key='{second_key}']").wait_for()
    # The button shows the decision while it is saved; the step renders once more when the broker has it.
    frame.locator("#live", has_text="rejected and saved").wait_for(state="attached")
    assert frame_handle(page).evaluate("document.activeElement.id").startswith("rejected-"), "focus stays put"
    second.scroll_into_view_if_needed()
    shoot(page, "reconcile-step-matches")

    # The broker is replaced while the page is open; the frame carries on with the same token.
    world.restart_broker()
    frame.locator(f".recon-match[data-key='{third_key}']").get_by_role("button", name="Confirm").first.focus()
    page.keyboard.press("Enter")
    frame.locator(f".recon-match.is-confirmed[data-key='{third_key}']").wait_for()

    # A fresh page after the restart: the mapping and every decision are still there.
    page.close()
    page = context.new_page()
    frame = open_to_map(page, world, token)
    assert progress(frame) == f"{total} of {total} accounts mapped"
    assert frame.locator(".map-row", has_text="Loyer").locator("input").input_value() == "Marketing"
    frame.locator("#map-save").focus()
    page.keyboard.press("Enter")
    frame.locator(f".recon-match[data-key='{third_key}']").wait_for(timeout=30_000)
    for key, state in ((first_key, "confirmed"), (second_key, "rejected"), (third_key, "confirmed")):
        assert frame.locator(f".recon-match.is-{state}[data-key='{key}']").count() == 1, (key, state)
    assert lender_get(world, f"/v1/accounts/{account_key}/reconciliation").status_code == 404

    # A date in the future is refused inline; a good one completes the reconciliation and the session.
    frame.locator("#reliable-through").fill("2099-01-01")
    frame.locator("#recon-save").focus()
    page.keyboard.press("Enter")
    frame.locator("#reliable-through-error").wait_for()
    assert frame.locator("#reliable-through").get_attribute("aria-invalid") == "true"
    frame.locator("#reliable-through").fill("2026-09-30")
    frame.locator("#recon-save").focus()
    page.keyboard.press("Enter")
    share_from_review(page, frame)
    wait_for_event(page, "success", timeout=30)
    reconciled = named_event(page, "reconciled")
    assert reconciled["reliable_through"] == "2026-09-30" and reconciled["confirmed"] == 2
    assert reconciled["rejected"] == 1 and not any("amount" in k for k in reconciled)
    result = lender_get(world, f"/v1/accounts/{account_key}/reconciliation").json()
    assert result["reliable_through"] == "2026-09-30"
    assert sorted(d["decision"] for d in result["decisions"]) == ["confirmed", "confirmed", "rejected"]
    statements = lender_get(world, f"/v1/accounts/{account_key}/statements?start=2025-11-01&end=2026-10-31")
    assert statements.status_code == 200 and statements.json()["completeness"]["complete"]


def test_both_steps_fit_a_320px_phone(browser: Any, restartable_world: RestartableWorld) -> None:
    world = restartable_world
    account_key = company_with_books(world)
    token = world.token(account_key, scopes=SCOPES)["link_token"]
    phone = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 640})
    phone.set_default_timeout(20_000)
    try:
        page = phone.new_page()
        frame = open_with_token(page, world, token, locale="fr")
        frame.get_by_role("button", name="Terminer").click()
        frame.locator(".map-row").first.wait_for(timeout=30_000)
        handle = frame_handle(page)
        assert handle.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        shoot(page, "map-step-320-fr")
        # The reasons come as codes and read in French, never as the broker's English sentence.
        # Quoted words are the account's own (its name), so they are left out of the check.
        reasons = frame.locator(".map-suggestion").all_inner_texts()
        english = ("because", "name contains", "confirmed as", "range", " and ", "expense", "asset")
        said = [re.sub(r"«\s[^»]*\s»", "«»", r) for r in reasons]
        assert not [r for r in said if any(word in r for word in english)], said[:5]
        assert any("le nom contient" in r for r in reasons), reasons[:5]
        frame.locator(".map-row").nth(1).evaluate("row => row.scrollIntoView({block: 'start'})")
        shoot(page, "map-reasons-320-fr")
        frame.locator("#map-accept-all").click()
        frame.locator("#map-save").click()
        frame.locator(".recon-match").first.wait_for(timeout=30_000)
        assert handle.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        shoot(page, "reconcile-step-320-fr")
        frame.locator(".recon-balances").first.scroll_into_view_if_needed()
        shoot(page, "reconcile-balances-320-fr")
        # Each amount stays on one line (the row label wraps instead): "36 768,82 $", never "36 768,8" over "2 $".
        lines = frame.locator(".recon-balances td.amount").evaluate_all(
            "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })"
        )
        assert lines and set(lines) == {1}, lines
        # Nor does the step's own scroll box overflow sideways (the page's width alone does not show that).
        assert frame.locator(".content").evaluate("c => c.scrollWidth <= c.clientWidth + 1")
    finally:
        phone.close()


def test_a_failed_save_says_so_in_sight_and_a_dropped_one_is_sent_again(
    context: Any, restartable_world: RestartableWorld
) -> None:
    world = restartable_world
    account_key = company_with_books(world)
    token = world.token(account_key, scopes=SCOPES)["link_token"]
    page = context.new_page()
    frame = open_to_map(page, world, token)
    total = frame.locator(".map-row").count()
    frame.locator("#map-accept-all").click()
    saves: list[str] = []

    def refuse(route: Any) -> None:
        saves.append("refused")
        route.fulfill(status=500, json={"error": {"code": "internal_error", "message": "Something broke."}})

    page.route("**/v1/link/mapping", lambda route: refuse(route) if route.request.method == "PUT" else route.fallback())
    frame.locator("#map-save").click()
    alert = frame.locator(".actions.sticky [role=alert]")
    alert.wait_for()
    # The owner pressed Save at the top of a long list: the error shows beside the button, not below the list.
    assert alert.is_visible() and _in_viewport(alert), "the save error is out of sight"
    said = alert.inner_text()
    assert said == "Your mapping could not be saved. Something went wrong on our side. Try again in a moment.", said
    shoot(page, "map-save-failed")
    page.unroute("**/v1/link/mapping")

    def drop_once(route: Any) -> None:
        if route.request.method == "PUT" and "dropped" not in saves:
            saves.append("dropped")
            route.abort("connectionreset")
        else:
            route.fallback()

    page.route("**/v1/link/mapping", drop_once)
    frame.locator("#map-save").click()
    frame.locator(".step-reconcile").wait_for(timeout=30_000)
    assert saves == ["refused", "dropped"]
    mapping = lender_get(world, f"/v1/accounts/{account_key}/mapping").json()
    assert len(mapping["mappings"]) == total


def _in_viewport(locator: Any) -> bool:
    """Whether ``locator`` lies inside the frame's visible area (not scrolled away)."""
    return bool(
        locator.evaluate(
            "el => { const r = el.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= document.documentElement.clientHeight; }"
        )
    )
