"""Where the widget may run: only in a page of the token's origin, and a page it cannot run in never traps anyone."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import World, event_names, events, run_axe, shoot, wait_for_event

pytestmark = pytest.mark.e2e


def test_a_token_minted_for_one_lender_page_is_refused_in_another_lenders_page(context: Any, world: World) -> None:
    """The frame of another registered origin loads, but the broker refuses its session: nothing can be connected."""
    token = world.token(world.company())["link_token"]  # minted for world.host_url
    with world.other_page(registered=True) as other:
        page = context.new_page()
        logged: list[str] = []
        page.on("console", lambda message: logged.append(message.text))
        page.goto(f"{other}/?token={token}")
        page.click("#connect")
        _, error, metadata = wait_for_event(page, "exit")
    assert error == {
        "code": "origin_mismatch",
        "message": "This connection link was made for another website, so it cannot be used here.",
    }
    assert metadata == {"step": "loading", "integration": None, "connections_made": []}
    assert event_names(page) == ["error", "exit"]
    assert page.locator("iframe, [data-linkwidget]").count() == 0
    assert page.evaluate("[...document.body.children].some((el) => el.inert)") is False
    frame_logs = [text for text in logged if "not minted for" in text]
    assert frame_logs and other in frame_logs[0], logged


def test_a_page_whose_origin_is_not_registered_is_not_a_trap(context: Any, world: World) -> None:
    """The browser refuses to frame the widget there: the loader's own close button and Escape work, and without
    the frame's handshake the widget goes away by itself with frame_unavailable and a console hint."""
    token = world.token(world.company())["link_token"]
    with world.other_page(registered=False) as other:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 800})
        logged: list[str] = []
        page.on("console", lambda message: logged.append(message.text))
        page.goto(f"{other}/?token={token}")
        page.click("#connect")
        close = page.get_by_role("button", name="Close")
        close.wait_for()
        assert page.evaluate("document.activeElement.textContent") == "Close"
        shoot(page, "30-unregistered-origin")
        shoot(page, "unregistered-origin-1280x800")
        run_axe(page, "unregistered origin, before the timeout")
        page.keyboard.press("Escape")
        first = wait_for_event(page, "exit")
        assert first == ["exit", None, {"step": "loading", "integration": None, "connections_made": []}]
        assert page.locator("iframe, [data-linkwidget]").count() == 0
        assert page.evaluate("document.activeElement.id") == "connect"

        page.click("#connect")
        page.get_by_role("button", name="Close").click()
        assert [e[0] for e in events(page)].count("exit") == 2

        page.click("#connect")
        page.wait_for_timeout(100)
        assert page.locator("[data-linkwidget]").count() == 1
        for _ in range(150):  # the loader gives up 2.5 s after the (refused) frame loaded, 10 s at most
            if [e for e in events(page) if e[0] == "exit"][2:]:
                break
            page.wait_for_timeout(100)
        last = [e for e in events(page) if e[0] == "exit"][-1]
    assert last[1]["code"] == "frame_unavailable", events(page)
    assert last[2] == {"step": "loading", "integration": None, "connections_made": []}
    assert ["event", "error", {"code": "frame_unavailable", "step": "loading", "integration": None}] in events(page)
    assert page.locator("iframe, [data-linkwidget]").count() == 0
    assert page.evaluate("[...document.body.children].some((el) => el.inert)") is False
    hints = [text for text in logged if "LinkWidget:" in text]
    assert hints and f"register {other} for your broker client" in hints[-1], logged


def test_a_frame_whose_script_never_arrives_is_not_a_trap(context: Any, world: World) -> None:
    """The frame's page has shaken hands (its inline boot script) but its bundle fails to load: the widget ends with
    frame_unavailable at once instead of leaving the owner on "Loading…"."""
    page = context.new_page()
    page.route("**/widget/v1/assets/frame/bundle.js*", lambda route: route.abort())
    page.goto(world.page_url(world.token(world.company())["link_token"]))
    page.click("#connect")
    _, error, metadata = wait_for_event(page, "exit")
    assert error == {"code": "frame_unavailable", "message": "The widget could not be loaded."}
    assert metadata == {"step": "loading", "integration": None, "connections_made": []}
    assert page.evaluate("document.activeElement.id") == "connect"
    page.wait_for_timeout(1000)  # and nothing more is said afterwards (one report, however the failure is seen)
    assert event_names(page) == ["error", "exit"]
    assert page.locator("iframe, [data-linkwidget]").count() == 0
