"""The widget's messages in Chromium: what a foreign origin, a foreign window or a malformed message gets (nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import (
    World,
    event_names,
    events,
    frame_handle,
    open_widget,
    wait_for_event,
)

pytestmark = pytest.mark.e2e

FAKE_SUCCESS = {
    "type": "ledgerlink:v1:success",
    "payload": {"result": {"account_key": "acct_forged", "connections": []}},
}
FAKE_EXIT = {"type": "ledgerlink:v1:exit", "payload": {"error": None, "metadata": {"step": "forged"}}}
FAKE_CLOSE = {"type": "ledgerlink:v1:close", "payload": {}}
MALFORMED = [
    {"type": "ledgerlink:v1:success", "payload": {"result": {"account_key": 42, "connections": []}}},
    {"type": "ledgerlink:v1:exit", "payload": {"error": None, "metadata": {"step": "x"}}, "extra": 1},
    {"type": "ledgerlink:v1:init", "payload": {}},
    {"type": "ledgerlink:v2:exit", "payload": {"error": None, "metadata": {}}},
    "ledgerlink:v1:exit",
]


def settle(page: Any) -> None:
    page.wait_for_timeout(400)


def still_open(page: Any) -> None:
    assert page.locator("iframe[src*='/widget/v1/frame']").count() == 1
    assert [e for e in events(page) if e[0] in ("success", "exit")] == []
    assert "exit" not in event_names(page)


def test_foreign_windows_and_origins_are_ignored(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world, foreign="1")
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    foreign = next(f for f in page.frames if f.url.startswith(world.sandbox_url))
    host = world.host_url
    # A third origin's frame posts at the lender's page and at the widget's frame.
    foreign.evaluate(
        "([m, e]) => { parent.postMessage(m, '*'); parent.postMessage(e, '*'); }", [FAKE_SUCCESS, FAKE_EXIT]
    )
    foreign.evaluate(
        "(m) => { for (let i = 0; i < parent.frames.length; i += 1) parent.frames[i].postMessage(m, '*'); }", FAKE_CLOSE
    )
    # The lender's page itself (right origin for the frame, wrong window for the loader) and the frame itself.
    page.evaluate("([m, e]) => { window.postMessage(m, '*'); window.postMessage(e, '*'); }", [FAKE_SUCCESS, FAKE_EXIT])
    frame_handle(page).evaluate("(m) => window.postMessage(m, '*')", FAKE_CLOSE)
    settle(page)
    still_open(page)
    # The right window and origin with the wrong shape, the wrong version or a type outside the set.
    frame_handle(page).evaluate(
        "([all, host]) => { for (const m of all) parent.postMessage(m, host); }", [MALFORMED, host]
    )
    settle(page)
    still_open(page)
    frame.get_by_role("button", name="Ledgerly").wait_for()  # and it still works


def test_the_frames_window_from_another_origin_is_ignored(context: Any, world: World) -> None:
    """The widget's iframe navigated to a third origin: same window, wrong origin, so the loader ignores it."""
    page = context.new_page()
    frame, _ = open_widget(page, world, foreign="1")
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    element = page.query_selector("iframe[src*='/widget/v1/frame']")
    frame_handle(page).evaluate("(url) => { location.href = url; }", f"{world.sandbox_url}/")
    for _ in range(50):
        hijacked = element.content_frame()
        if hijacked is not None and hijacked.url.startswith(world.sandbox_url):
            break
        page.wait_for_timeout(100)
    hijacked.wait_for_load_state()
    hijacked.evaluate(
        "([m, e]) => { parent.postMessage(m, '*'); parent.postMessage(e, '*'); }", [FAKE_SUCCESS, FAKE_EXIT]
    )
    settle(page)
    assert [e for e in events(page) if e[0] in ("success", "exit")] == []
    page.evaluate("window.__handle.destroy()")
    assert page.locator("iframe[src*='/widget/v1/frame']").count() == 0


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"categories": "crypto"}, "options.categories is not valid"),
        ({"apps": "Ledgerly!"}, "options.apps is not valid"),
    ],
    ids=["category", "app-key"],
)
def test_an_option_value_the_frame_refuses_ends_the_widget_with_invalid_options(
    context: Any, world: World, params: dict[str, str], problem: str
) -> None:
    """The loader checks names and types only; the frame checks the values, says which in the console, and ends the
    widget with invalid_options instead of leaving the owner on a frame that never starts."""
    token = world.token(world.company())["link_token"]
    page = context.new_page()
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    page.goto(world.page_url(token, **params))
    page.click("#connect")
    _, error, metadata = wait_for_event(page, "exit")
    assert error == {"code": "invalid_options", "message": problem}
    assert metadata == {"step": "loading", "integration": None, "connections_made": []}
    assert event_names(page) == ["error", "exit"]
    assert page.locator("iframe, [data-linkwidget]").count() == 0
    assert page.evaluate("document.activeElement.id") == "connect"
    assert any(problem in text for text in logged), logged
