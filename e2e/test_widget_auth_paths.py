"""The widget in Chromium on the ways in that can go wrong: CSV upload, a blocked popup, a cut opener, early close."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import (
    SAMPLES,
    World,
    check_axe,
    event_names,
    events,
    leave_done_screen,
    open_widget,
    shoot,
    sign_in_popup,
    wait_for_event,
)

pytestmark = pytest.mark.e2e

# Run in the frame before its scripts: the first window.open returns null, as a popup blocker makes it.
BLOCK_FIRST_POPUP = """
if (location.pathname === "/widget/v1/frame") {
  const realOpen = window.open.bind(window);
  let toBlock = 1;
  window.open = (...args) => (toBlock-- > 0 ? null : realOpen(...args));
}
"""


def share(page: Any, frame: Any) -> dict[str, Any]:
    """Wait for the first sync, press Continue, return what onSuccess received."""
    frame.locator(".progress-item.is-healthy").first.wait_for(timeout=30_000)
    frame.get_by_role("button", name="Continue").click()
    leave_done_screen(page, frame)
    return dict(wait_for_event(page, "success")[1])


def test_upload_with_a_missing_file_first(context: Any, world: World) -> None:
    page = context.new_page()
    frame, account_key = open_widget(page, world)
    frame.get_by_role("button", name="CSV upload").click()
    frame.get_by_role("heading", name="Upload your accounting files").wait_for()
    frame.get_by_label("Chart of accounts (CSV)").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    frame.get_by_role("button", name="Upload", exact=True).click()
    frame.get_by_text("Choose a CSV file.").wait_for()
    assert frame.locator("#trial[aria-invalid=true]").count() == 1
    shoot(page, "08-upload-missing-file")
    check_axe(page, "upload with a missing file")
    frame.get_by_label("Trial balances (CSV)").set_input_files(str(SAMPLES / "trial_balance_2026-10.csv"))
    frame.get_by_label("Chart of accounts (CSV)").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    frame.get_by_role("button", name="Upload", exact=True).click()
    frame.get_by_role("button", name="Continue").wait_for()
    shoot(page, "09-upload-sync")
    check_axe(page, "upload sync")
    result = share(page, frame)
    assert result["account_key"] == account_key
    assert [c["integration"] for c in result["connections"]] == ["csv_upload"]


def test_files_chosen_before_the_attempt_starts_are_kept_and_checked(context: Any, world: World, tmp_path: Any) -> None:
    """The broker answers the attempt late (held here): files the owner already chose must survive its arrival."""
    held: list[Any] = []
    page = context.new_page()
    frame, _ = open_widget(page, world)
    page.route("**/v1/link/attempts", lambda route: held.append(route))
    frame.get_by_role("button", name="CSV upload").click()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a spreadsheet", encoding="utf-8")
    frame.get_by_label("Chart of accounts (CSV)").set_input_files(str(notes))
    frame.get_by_label("Trial balances (CSV)").set_input_files(str(SAMPLES / "trial_balance_2026-10.csv"))
    with page.expect_response("**/v1/link/attempts"):
        held[0].continue_()
    page.unroute("**/v1/link/attempts")
    frame.get_by_role("button", name="Upload", exact=True).click()
    frame.get_by_text("This file is not a CSV file.").wait_for()
    assert frame.locator("#chart[aria-invalid=true]").count() == 1


def test_popup_blocked_then_retried(context: Any, world: World) -> None:
    context.add_init_script(BLOCK_FIRST_POPUP)
    page = context.new_page()
    frame, _ = open_widget(page, world)
    frame.get_by_role("button", name="Ledgerly").click()
    frame.get_by_role("heading", name="Your browser blocked the sign-in window").wait_for()
    shoot(page, "10-popup-blocked")
    check_axe(page, "popup blocked")
    blocked = [e[2] for e in events(page) if e[0] == "event" and e[1] == "error"]
    assert blocked == [{"code": "popup_blocked", "step": "popup", "integration": "ledgerly"}]
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Try again").click()
    frame.get_by_role("heading", name="Sign in to Ledgerly").wait_for()
    sign_in_popup(popup_info.value, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    assert [c["integration"] for c in share(page, frame)["connections"]] == ["ledgerly"]


def test_opener_cut_by_coop_still_completes(context: Any, world: World) -> None:
    """The app's pages send ``Cross-Origin-Opener-Policy: same-origin``: the popup loses its opener for good,
    the callback page cannot post to the frame, and the frame learns the result by polling the broker."""

    def with_coop(route: Any) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, headers={**answer.headers, "cross-origin-opener-policy": "same-origin"})

    context.route(f"{world.sandbox_url}/**", with_coop)
    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Xenon").click()
    popup = popup_info.value
    frame.get_by_role("heading", name="Sign in to Xenon").wait_for()
    popup.wait_for_url(f"{world.sandbox_url}/**")
    assert popup.evaluate("window.opener === null")
    sign_in_popup(popup, "xenon")
    frame.get_by_role("heading", name="Xenon is connected").wait_for()
    assert "connected" in event_names(page)
    assert [c["integration"] for c in share(page, frame)["connections"]] == ["xenon"]


def test_popup_closed_before_the_callback_reaches_the_frame(context: Any, world: World) -> None:
    """The owner approves and closes the popup at once: the broker records the result, the frame polls it."""

    def land_then_close(route: Any) -> None:
        route.fetch()  # the broker verifies state and records the outcome
        route.abort()
        route.request.frame.page.close()

    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Ledgerly").click()
    popup = popup_info.value
    popup.route("**/v1/link/callback?**", land_then_close)
    sign_in_popup(popup, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    assert popup.is_closed()


def test_popup_closed_without_signing_in_is_noticed_then_reopened(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as first_info:
        frame.get_by_role("button", name="Ledgerly").click()
    frame.get_by_role("heading", name="Sign in to Ledgerly").wait_for()
    first_info.value.close()
    frame.get_by_role("alert").filter(has_text="Did you close the Ledgerly window?").wait_for()
    shoot(page, "09-popup-closed")
    check_axe(page, "popup closed")
    with page.expect_popup() as second_info:
        frame.get_by_role("button", name="Open again").click()
    sign_in_popup(second_info.value, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    assert event_names(page).count("app_selected") == 1
