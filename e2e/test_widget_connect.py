"""The widget in Chromium: connecting each kind of app, from the lender's page through the frame to the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import (
    BANK_CODE,
    BANK_PASSWORD,
    BANK_USER,
    World,
    check_axe,
    events,
    leave_done_screen,
    open_widget,
    shoot,
    sign_in_popup,
    wait_for_event,
)

pytestmark = pytest.mark.e2e


def finish_sync_and_share(page: Any, frame: Any, name: str) -> dict[str, Any]:
    frame.get_by_role("button", name="Continue").wait_for()
    frame.locator(".progress-item.is-healthy").first.wait_for(timeout=30_000)
    shoot(page, f"{name}-sync")
    check_axe(page, f"{name} sync")
    frame.get_by_role("button", name="Continue").click()
    leave_done_screen(page, frame)
    success = wait_for_event(page, "success")
    assert page.locator("iframe").count() == 0
    return dict(success[1])


def test_full_oauth_connect(context: Any, world: World) -> None:
    page = context.new_page()
    frame, account_key = open_widget(page, world)
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    shoot(page, "01-catalogue")
    check_axe(page, "catalogue")
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Ledgerly").click()
    popup = popup_info.value
    frame.get_by_role("heading", name="Sign in to Ledgerly").wait_for()
    shoot(page, "02-popup-waiting")
    check_axe(page, "popup waiting")
    sign_in_popup(popup, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    result = finish_sync_and_share(page, frame, "03-oauth")
    assert result["account_key"] == account_key
    assert [c["integration"] for c in result["connections"]] == ["ledgerly"]
    names = [e[1] for e in events(page) if e[0] == "event"]
    assert names == ["open", "app_selected", "connected", "success"], names
    assert "link_token" not in str(events(page))


def test_deny_then_choose_another(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Xenon").click()
    sign_in_popup(popup_info.value, "xenon", decision="deny")
    frame.get_by_role("heading", name="You did not allow access to Xenon").wait_for()
    shoot(page, "04-denied")
    check_axe(page, "denied")
    frame.get_by_role("button", name="Choose another app").click()
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    errors = [e[2] for e in events(page) if e[0] == "event" and e[1] == "error"]
    assert errors and errors[0]["code"] == "denied"


def test_credentials_and_mfa_with_a_wrong_code_first(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    frame.get_by_role("button", name="Northbank").click()
    frame.get_by_role("heading", name="Sign in to Northbank").wait_for()
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_text("Enter your user name or email.").wait_for()
    shoot(page, "05-credentials-inline-error")
    check_axe(page, "credentials with an inline error")
    frame.get_by_label("User name or email").fill(BANK_USER)
    frame.get_by_label("Password", exact=True).fill("not-the-password")
    frame.get_by_role("button", name="Sign in").click()
    frame.locator(".field-error", has_text="The user name or password is not right").wait_for()
    frame.get_by_label("Password", exact=True).fill(BANK_PASSWORD)
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_role("heading", name="Enter your verification code").wait_for()
    frame.get_by_label("Verification code").fill("000000")
    frame.get_by_role("button", name="Verify").click()
    frame.locator(".field-error", has_text="That code is not right").wait_for()
    shoot(page, "06-mfa-wrong-code")
    check_axe(page, "mfa wrong code")
    frame.get_by_label("Verification code").fill(BANK_CODE)
    frame.get_by_role("button", name="Verify").click()
    result = finish_sync_and_share(page, frame, "07-credentials")
    assert [c["integration"] for c in result["connections"]] == ["northbank"]


def test_what_the_owner_types_survives_sync_polling(context: Any, world: World) -> None:
    """While a connected app syncs, the frame polls; the bank's sign-in and code fields keep what was typed."""
    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Ledgerly").click()
    sign_in_popup(popup_info.value, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    polls = {"count": 0, "faking": True}

    def still_syncing(route: Any) -> None:
        # Every poll answers with new progress, so every poll changes the frame's state.
        if not polls["faking"]:
            route.fallback()
            return
        answer = route.fetch().json()
        polls["count"] += 1
        for connection in answer["connections"]:
            connection.update(status="syncing", sync_progress=min(polls["count"], 99))
        route.fulfill(json=answer)

    page.route("**/v1/link/connections", still_syncing)
    frame.get_by_role("button", name="Connect another app").click()
    frame.get_by_role("button", name="Northbank").click()
    frame.get_by_label("User name or email").fill(BANK_USER)
    frame.get_by_label("Password", exact=True).fill(BANK_PASSWORD)
    _wait_for_polls(page, polls, 2)
    assert frame.get_by_label("User name or email").input_value() == BANK_USER
    assert frame.get_by_label("Password", exact=True).input_value() == BANK_PASSWORD
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_label("Verification code").fill("000000")
    frame.get_by_role("button", name="Verify").click()
    frame.locator(".field-error", has_text="That code is not right").wait_for()
    frame.get_by_label("Verification code").fill(BANK_CODE)
    _wait_for_polls(page, polls, 2)
    assert frame.get_by_label("Verification code").input_value() == BANK_CODE
    frame.get_by_role("button", name="Verify").click()
    frame.get_by_role("heading", name="Northbank is connected").wait_for()

    # Back in the catalogue while the syncs finish: Done turns usable without leaving and coming back.
    frame.get_by_role("button", name="Connect another app").click()
    done = frame.get_by_role("button", name="Done")
    assert done.get_attribute("aria-disabled") == "true"
    # Let the real answers through from now on. Not by unrouting: a poll being faked at that moment was then also
    # answered by the broker, and the handler's fulfill failed with "Route is already handled".
    polls["faking"] = False
    frame.locator("#catalogue-actions button:not([aria-disabled])").wait_for(timeout=60_000)
    assert frame.locator("#catalogue-actions .count").inner_text() == "2 connected"


def _wait_for_polls(page: Any, polls: dict[str, int], more: int) -> None:
    target = polls["count"] + more
    for _ in range(100):
        if polls["count"] >= target:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the frame stopped polling connections ({polls['count']} polls)")
