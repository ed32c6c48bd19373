"""The widget's handle in Chromium: exit at each step, expired tokens, the script twice, open twice, destroy, create."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from e2e.widget_fixtures import (
    BANK_PASSWORD,
    BANK_USER,
    SAMPLES,
    World,
    check_axe,
    event_names,
    events,
    message_listeners,
    open_widget,
    open_with_token,
    press_to_leave,
    shoot,
    sign_in_popup,
    wait_for_event,
    widget_frame,
)

pytestmark = pytest.mark.e2e

BLOCK_POPUPS = 'if (location.pathname === "/widget/v1/frame") window.open = () => null;'


def _catalogue(page: Any, frame: Any, world: World) -> None:
    frame.get_by_role("heading", name="Connect your business apps").wait_for()


def _popup(page: Any, frame: Any, world: World) -> None:
    with page.expect_popup():
        frame.get_by_role("button", name="Ledgerly").click()
    frame.get_by_role("heading", name="Sign in to Ledgerly").wait_for()


def _blocked(page: Any, frame: Any, world: World) -> None:
    frame.get_by_role("button", name="Ledgerly").click()
    frame.get_by_role("heading", name="Your browser blocked the sign-in window").wait_for()


def _credentials(page: Any, frame: Any, world: World) -> None:
    frame.get_by_role("button", name="Northbank").click()
    frame.get_by_role("heading", name="Sign in to Northbank").wait_for()


def _mfa(page: Any, frame: Any, world: World) -> None:
    _credentials(page, frame, world)
    frame.get_by_label("User name or email").fill(BANK_USER)
    frame.get_by_label("Password", exact=True).fill(BANK_PASSWORD)
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_role("heading", name="Enter your verification code").wait_for()


def _upload(page: Any, frame: Any, world: World) -> None:
    frame.get_by_role("button", name="CSV upload").click()
    frame.get_by_role("heading", name="Upload your accounting files").wait_for()


def _denied(page: Any, frame: Any, world: World) -> None:
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Xenon").click()
    sign_in_popup(popup_info.value, "xenon", decision="deny")
    frame.get_by_role("heading", name="You did not allow access to Xenon").wait_for()


def _sync(page: Any, frame: Any, world: World) -> None:
    _upload(page, frame, world)
    frame.get_by_label("Chart of accounts (CSV)").set_input_files(str(SAMPLES / "chart_of_accounts.csv"))
    frame.get_by_label("Trial balances (CSV)").set_input_files(str(SAMPLES / "trial_balance_2026-10.csv"))
    frame.get_by_role("button", name="Upload", exact=True).click()
    frame.get_by_role("heading", name="CSV upload is connected").wait_for()


def _close_button(page: Any, frame: Any) -> None:
    frame.get_by_role("button", name="Close").click()


def _escape(page: Any, frame: Any) -> None:
    press_to_leave(page, "Escape")


def _escape_behind_popup(page: Any, frame: Any) -> None:
    # Chromium sometimes never acknowledges a real key press whose handler closes another window (the popup), so
    # Playwright's press hangs (seen about one run in six under load). The key's handling is what is under test here;
    # real Escape presses are covered at the MFA step and in the keyboard-only journey.
    frame.locator("body").dispatch_event("keydown", {"key": "Escape", "bubbles": True})


def _host_exit(page: Any, frame: Any) -> None:
    page.evaluate("window.__handle.exit()")


Step = Callable[[Any, Any, World], None]
Leave = Callable[[Any, Any], None]
EXITS: list[tuple[str, Step, Leave, str | None, list[str]]] = [
    ("catalogue", _catalogue, _close_button, None, []),
    ("popup", _popup, _escape_behind_popup, "ledgerly", []),
    ("blocked", _blocked, _host_exit, "ledgerly", []),
    ("credentials", _credentials, _close_button, "northbank", []),
    ("mfa", _mfa, _escape, "northbank", []),
    ("upload", _upload, _host_exit, "csv_upload", []),
    ("denied", _denied, _close_button, "xenon", []),
    ("sync", _sync, _close_button, None, ["csv_upload"]),
]


@pytest.mark.parametrize(("step", "reach", "leave", "integration", "made"), EXITS, ids=[e[0] for e in EXITS])
def test_exit_at_each_step_reports_where_the_owner_left(
    context: Any, world: World, step: str, reach: Step, leave: Leave, integration: str | None, made: list[str]
) -> None:
    if step == "blocked":
        context.add_init_script(BLOCK_POPUPS)
    page = context.new_page()
    frame, _ = open_widget(page, world)
    reach(page, frame, world)
    shoot(page, f"20-exit-{step}")
    check_axe(page, f"exit at {step}")
    popups_before = len(context.pages)
    leave(page, frame)
    exit_entry = wait_for_event(page, "exit")
    # Something is left to resume once an app is connected (every exit here is in the connect step).
    metadata: dict[str, Any] = {"step": step, "integration": integration, "connections_made": made}
    metadata["resumable"] = bool(made)
    if leave is _host_exit:
        metadata["reason"] = "host_exit"
    # Leaving after a refusal says so: the lender learns the owner denied access, not only where they were.
    error = {"code": "denied", "message": "You did not allow access to Xenon"} if step == "denied" else None
    assert exit_entry == ["exit", error, metadata]
    assert ["event", "exit", metadata] in events(page)
    assert [e[0] for e in events(page)].count("exit") == 1
    assert page.locator("iframe, [data-linkwidget]").count() == 0
    assert page.evaluate("[...document.body.children].some((el) => el.inert)") is False
    assert page.evaluate("document.activeElement.id") == "connect"
    if step == "popup":
        for _ in range(50):  # Playwright hears of the closed window a moment later
            if len(context.pages) == popups_before - 1:
                break
            page.wait_for_timeout(100)
        assert len(context.pages) == popups_before - 1, "the sign-in popup is closed with the widget"


def test_host_exit_before_the_frame_is_ready(context: Any, world: World) -> None:
    page = context.new_page()
    token = world.token(world.company())["link_token"]
    page.route("**/widget/v1/frame?**", lambda route: None)  # the frame never loads
    page.goto(world.page_url(token), wait_until="domcontentloaded")
    page.click("#connect")
    page.evaluate("window.__handle.exit()")
    metadata = {"step": "loading", "integration": None, "connections_made": [], "reason": "host_exit"}
    assert wait_for_event(page, "exit") == ["exit", None, metadata]
    assert event_names(page) == ["exit"]
    assert page.locator("iframe").count() == 0


@pytest.mark.parametrize("when", ["before_open", "during_the_session"])
def test_a_revoked_token_shows_the_expired_step_and_exits_with_its_code(context: Any, world: World, when: str) -> None:
    page = context.new_page()
    minted = world.token(world.company(), expires_in=60)
    if when == "before_open":
        world.revoke(minted["id"])
    frame = open_with_token(page, world, minted["link_token"])
    if when == "during_the_session":
        frame.get_by_role("heading", name="Connect your business apps").wait_for()
        world.revoke(minted["id"])
        frame.get_by_role("button", name="Northbank").click()
    frame.get_by_role("heading", name="This link has expired").wait_for()
    shoot(page, f"21-expired-{when}")
    check_axe(page, f"expired ({when})")
    errors = [e[2] for e in events(page) if e[0] == "event" and e[1] == "error"]
    assert errors and errors[-1]["step"] == "expired", errors
    # Both ways out (the header's button, the step's own) report the same error.
    frame.get_by_role("button", name="Close").nth(0 if when == "before_open" else 1).click()
    _, error, metadata = wait_for_event(page, "exit")
    assert error["code"] == errors[-1]["code"] and error["message"] == "This link has expired"
    assert metadata["step"] == "expired"


def test_script_included_twice_open_twice_then_exit_leaves_nothing_behind(context: Any, world: World) -> None:
    page = context.new_page()
    token = world.token(world.company())["link_token"]
    page.goto(world.page_url(token, twice="1"))
    assert page.locator("script[src*='/widget/v1/loader.js']").count() == 2
    assert page.evaluate("Object.getOwnPropertyNames(window).filter((k) => /linkwidget/i.test(k))") == ["LinkWidget"]
    # create() warmed one frame up (hidden): one listener for it, none once it is gone.
    assert page.locator("iframe").count() == 1
    warm = message_listeners(page)
    for _ in range(2):
        page.evaluate("window.__handle.open(); window.__handle.open()")
        frame = widget_frame(page)
        frame.get_by_role("heading", name="Connect your business apps").wait_for()
        assert page.locator("iframe").count() == 1
        assert page.locator("[data-linkwidget]").count() == 1
        assert message_listeners(page) == warm
        frame.get_by_role("button", name="Close").click()
        wait_for_event(page, "exit")
        assert page.locator("iframe, [data-linkwidget]").count() == 0
        assert message_listeners(page) == warm - 1
    assert [e[0] for e in events(page)].count("exit") == 2
    assert event_names(page) == ["open", "exit", "open", "exit"]


def test_destroy_then_create_again(context: Any, world: World) -> None:
    page = context.new_page()
    token = world.token(world.company())["link_token"]
    page.goto(world.page_url(token))
    idle = message_listeners(page) - 1  # without the frame that create() warmed up
    page.click("#connect")
    widget_frame(page).get_by_role("heading", name="Connect your business apps").wait_for()
    page.evaluate("window.__handle.destroy()")
    assert page.locator("iframe, [data-linkwidget]").count() == 0
    assert message_listeners(page) == idle
    assert page.evaluate("[...document.body.children].some((el) => el.inert)") is False
    thrown = page.evaluate("(() => { try { window.__handle.open(); return ''; } catch (e) { return e.message; } })()")
    assert "destroyed" in thrown
    page.evaluate(
        """(token) => {
          window.__second = [];
          window.__handle = window.LinkWidget.create({
            token,
            onExit: (error, metadata) => window.__second.push(["exit", metadata.step]),
            onEvent: (name) => window.__second.push(["event", name]),
          });
          window.__handle.open();
        }""",
        token,
    )
    frame = widget_frame(page)
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    assert page.locator("iframe").count() == 1
    frame.get_by_role("button", name="Close").click()
    for _ in range(50):
        if ["exit", "catalogue"] in page.evaluate("window.__second"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.__second") == [["event", "open"], ["event", "exit"], ["exit", "catalogue"]]
    assert [e for e in events(page) if e[0] == "exit"] == [], "the destroyed handle's callbacks never fire"
    assert event_names(page) == ["open"]
    assert message_listeners(page) == idle
