"""postMessage origin spoofing in a real Chromium: forged messages to the loader or the frame are ignored."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import World, events, widget_frame

pytestmark = pytest.mark.e2e

FORGED_SUCCESS = {"type": "ledgerlink:v1:success", "payload": {"result": {"account_key": "forged", "connections": []}}}
FORGED_EXIT = {"type": "ledgerlink:v1:exit", "payload": {"error": None, "metadata": {}}}
FORGED_INIT = {"type": "ledgerlink:v1:init", "payload": {"token": "forged-token", "options": {}}}
FORGED_CLOSE = {"type": "ledgerlink:v1:close", "payload": {}}


def _open(page: Any, world: World) -> Any:
    token = world.token(world.company())["link_token"]
    page.goto(world.page_url(token))
    page.click("#connect")
    return widget_frame(page)


def _assert_untouched(page: Any, frame: Any, bearer_seen: list[str]) -> None:
    page.wait_for_timeout(700)
    kinds = [entry[0] for entry in events(page)]
    assert "success" not in kinds and "exit" not in kinds, events(page)
    assert page.locator("iframe[src*='/widget/v1/frame']").count() == 1
    frame.locator(".step-title").first.wait_for()
    assert not [b for b in bearer_seen if "forged" in b], "the frame used a forged token"


def test_same_page_script_cannot_pose_as_the_frame(context: Any, world: World) -> None:
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.headers.get("authorization", "")))
    frame = _open(page, world)
    for message in (FORGED_SUCCESS, FORGED_EXIT):
        page.evaluate("(m) => window.postMessage(m, '*')", message)
    _assert_untouched(page, frame, seen)


def test_another_site_cannot_talk_to_the_host_or_the_frame(context: Any, world: World) -> None:
    evil = context.new_page()
    evil.goto(world.sandbox_url + "/")  # any page on a third origin
    token = world.token(world.company())["link_token"]
    with context.expect_page() as opened:
        evil.evaluate("(url) => { window.victim = window.open(url); }", world.page_url(token))
    victim = opened.value
    seen: list[str] = []
    victim.on("request", lambda r: seen.append(r.headers.get("authorization", "")))
    victim.wait_for_load_state()
    victim.click("#connect")
    frame = widget_frame(victim)
    evil.evaluate(
        """([success, exit, init, close]) => {
             window.victim.postMessage(success, '*');
             window.victim.postMessage(exit, '*');
             window.victim.frames[0].postMessage(init, '*');
             window.victim.frames[0].postMessage(close, '*');
           }""",
        [FORGED_SUCCESS, FORGED_EXIT, FORGED_INIT, FORGED_CLOSE],
    )
    _assert_untouched(victim, frame, seen)
