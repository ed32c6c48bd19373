"""What the owner reads and what the lender hears when a way in goes wrong: sentences, never raw codes."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import (
    BANK_PASSWORD,
    BANK_USER,
    SAMPLES,
    World,
    check_axe,
    events,
    open_widget,
    open_with_token,
    press_to_leave,
    shoot,
    sign_in_popup,
    wait_for_event,
)

pytestmark = pytest.mark.e2e


def _errors(page: Any) -> list[dict[str, Any]]:
    return [e[2] for e in events(page) if e[0] == "event" and e[1] == "error"]


def test_wrong_codes_warn_before_the_lockout_and_say_it_in_words(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    frame.get_by_role("button", name="Northbank").click()
    frame.get_by_label("User name or email").fill(BANK_USER)
    frame.get_by_label("Password", exact=True).fill(BANK_PASSWORD)
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_role("heading", name="Enter your verification code").wait_for()
    for left in ("You have 2 tries left.", "You have 1 try left: after another wrong code"):
        frame.get_by_label("Verification code").fill("000000")
        frame.get_by_role("button", name="Verify").click()
        frame.locator("#code-error").filter(has_text=left).wait_for()
    shoot(page, "40-mfa-last-try")
    check_axe(page, "mfa, last try")
    frame.get_by_label("Verification code").fill("000000")
    frame.get_by_role("button", name="Verify").click()
    frame.get_by_role("heading", name="We could not connect Northbank").wait_for()
    said = frame.get_by_role("alert").inner_text()
    assert said == "Too many wrong codes. Sign in to Northbank again to get a new code.", said
    assert "(" not in frame.locator("main").inner_text()
    # The step the owner was on when it failed: the code step, not the popup of another way in.
    assert _errors(page) == [{"code": "code_attempts_exceeded", "step": "mfa", "integration": "northbank"}]
    frame.get_by_role("button", name="Close").first.click()
    _, error, metadata = wait_for_event(page, "exit")
    assert error == {"code": "code_attempts_exceeded", "message": said}
    assert metadata == {"step": "failed", "integration": "northbank", "connections_made": [], "resumable": False}


def test_deny_ends_with_on_exit_denied(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Xenon").click()
    sign_in_popup(popup_info.value, "xenon", decision="deny")
    frame.get_by_role("heading", name="You did not allow access to Xenon").wait_for()
    assert _errors(page) == [{"code": "denied", "step": "popup", "integration": "xenon"}]
    press_to_leave(page, "Escape")
    _, error, metadata = wait_for_event(page, "exit")
    assert error == {"code": "denied", "message": "You did not allow access to Xenon"}
    assert metadata == {"step": "denied", "integration": "xenon", "connections_made": [], "resumable": False}


def test_a_garbage_token_says_where_to_start_again_without_a_made_up_lender(context: Any, world: World) -> None:
    page = context.new_page()
    frame = open_with_token(page, world, "not-a-link-token", plain="1")
    frame.get_by_role("heading", name="This link has expired").wait_for()
    body = frame.get_by_role("alert").inner_text()
    assert "start again from the page you came from" in body and "Your lender" not in body, body
    check_axe(page, "expired without a lender name")


def test_the_sync_step_stops_saying_it_is_copying_once_every_app_is_done(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world)
    frame.get_by_role("button", name="CSV upload").click()
    frame.get_by_label("Chart of accounts (CSV)").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    frame.get_by_label("Trial balances (CSV)").set_input_files(str(SAMPLES / "trial_balance_2026-10.csv"))
    frame.get_by_role("button", name="Upload", exact=True).click()
    frame.get_by_role("heading", name="CSV upload is connected").wait_for()
    frame.locator("#progress-csv_upload", has_text="CSV upload: synced").wait_for(timeout=30_000)
    body = frame.locator("#sync-body").inner_text()
    assert body == "Your data is copied. Continue, or connect another app.", body
    assert frame.get_by_role("button", name="Continue").get_attribute("aria-disabled") is None
