"""Room to work: the map shows enough accounts and the catalogue shows apps on the first screen, desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import World, check_axe, frame_handle, open_with_token, shoot

pytestmark = pytest.mark.e2e

SCOPES = ["link", "map", "read"]
# How many of `selector` lie wholly inside the step's visible area (above its sticky bar), without any scrolling.
IN_SIGHT = """(selector) => {
  const area = document.querySelector(".content").getBoundingClientRect();
  const bar = document.querySelector(".step .actions.sticky");
  const bottom = Math.min(area.bottom, bar ? bar.getBoundingClientRect().top : area.bottom);
  return [...document.querySelectorAll(selector)].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.height > 0 && box.top >= area.top - 1 && box.bottom <= bottom + 1;
  }).length;
}"""


@pytest.mark.parametrize(("width", "height", "locale", "rows"), [(1280, 800, "en", 6), (320, 640, "fr", 3)])
def test_the_map_shows_enough_accounts_without_scrolling(
    browser: Any, world: World, width: int, height: int, locale: str, rows: int
) -> None:
    account_key = world.company()
    world.sandbox_connect(account_key, "ledgerly")
    token = world.token(account_key, scopes=SCOPES)["link_token"]
    ctx = browser.new_context(locale=f"{locale}-CA", viewport={"width": width, "height": height})
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        frame = open_with_token(page, world, token, locale=locale)
        frame.locator("#catalogue-actions .btn-primary").click()
        frame.locator(".map-row").first.wait_for()
        handle = frame_handle(page)
        page.wait_for_timeout(300)
        shoot(page, f"map-{width}x{height}-{locale}")
        shown = handle.evaluate(IN_SIGHT, ".map-row")
        assert shown >= rows, f"{shown} account rows in sight at {width}x{height}"
        # Each row in sight says why (its reason) and the first ones are those needing the owner's decision.
        reasons = frame.locator(".map-row .map-suggestion").all_inner_texts()[:rows]
        assert all(len(text) > 20 for text in reasons), reasons
        assert handle.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
        check_axe(page, f"map at {width}x{height}")
    finally:
        ctx.close()


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_catalogue_shows_apps_on_a_phones_first_screen(browser: Any, world: World, locale: str) -> None:
    token = world.token(world.company())["link_token"]
    ctx = browser.new_context(locale=f"{locale}-CA", viewport={"width": 320, "height": 640})
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        frame = open_with_token(page, world, token, locale=locale)
        frame.locator(".app").first.wait_for()
        page.wait_for_timeout(300)
        shoot(page, f"catalogue-320x640-{locale}")
        shown = frame_handle(page).evaluate(IN_SIGHT, ".app")
        assert shown >= 2, f"{shown} apps in sight at 320x640"
        check_axe(page, f"catalogue at 320x640 ({locale})")
    finally:
        ctx.close()
