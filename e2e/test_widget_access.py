"""The widget in Chromium for every owner: keyboard only, French, a 320 px phone, inline on the page, a reconnect."""

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
    frame_handle,
    leave_done_screen,
    open_widget,
    press_to_leave,
    shoot,
    sign_in_popup,
    wait_for_event,
    widget_frame,
)

pytestmark = pytest.mark.e2e

FOCUS = """() => {
  const el = document.activeElement;
  const ring = el.matches(".chip input") ? el.nextElementSibling : el;
  const style = getComputedStyle(ring);
  return {
    id: el.id || el.textContent.trim().slice(0, 40),
    visible: el.matches(":focus-visible"),
    outline: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
  };
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def focused(page: Any) -> dict[str, Any]:
    """What has focus in the frame, and whether it shows a ring of at least 2 px."""
    state = dict(frame_handle(page).evaluate(FOCUS))
    assert state["visible"] and state["outline"] != "none" and state["width"] >= 2, state
    return state


def tab_to(page: Any, name: str, limit: int = 30) -> None:
    """Press Tab until the focused element in the frame is ``name`` (its id or its text), checking the ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["id"].startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_only_run_with_visible_focus_and_a_trap(context: Any, world: World) -> None:
    page = context.new_page()
    token = world.token(world.company())["link_token"]
    page.goto(world.page_url(token))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "connect"
    page.keyboard.press("Enter")
    frame = widget_frame(page)
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    check_axe(page, "keyboard catalogue")
    # The trap: Tab and Shift+Tab cycle inside the frame and never reach the lender's page.
    seen = set()
    for _ in range(16):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.tagName") == "IFRAME"
        seen.add(focused(page)["id"])
    assert "close" in seen and "search" in seen
    frame_handle(page).evaluate("document.getElementById('close').focus()")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "Done"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "close"
    shoot(page, "30-keyboard-focus-ring")
    tab_to(page, "search")
    page.keyboard.type("north")
    tab_to(page, "N")  # the Northbank tile (its mark, then its name)
    page.keyboard.press("Enter")
    frame.get_by_role("heading", name="Sign in to Northbank").wait_for()
    tab_to(page, "username")
    page.keyboard.type(BANK_USER)
    tab_to(page, "password")
    page.keyboard.type(BANK_PASSWORD)
    page.keyboard.press("Enter")
    frame.get_by_role("heading", name="Enter your verification code").wait_for()
    tab_to(page, "code")
    page.keyboard.type(BANK_CODE)
    shoot(page, "31-keyboard-mfa")
    page.keyboard.press("Enter")
    frame.locator(".progress-item.is-healthy").first.wait_for(timeout=30_000)
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    frame.locator("#done-close").wait_for()
    tab_to(page, "done-close")
    press_to_leave(page)
    success = wait_for_event(page, "success")
    assert [c["integration"] for c in success[1]["connections"]] == ["northbank"]
    assert page.evaluate("document.activeElement.id") == "connect", "focus goes back to the button that opened it"


@pytest.mark.parametrize("how", ["option", "browser"])
def test_french_by_option_or_by_browser_locale_on_a_320px_phone(browser: Any, world: World, how: str) -> None:
    ctx = browser.new_context(
        locale="fr-FR" if how == "browser" else "en-US", viewport={"width": 320, "height": 640}, device_scale_factor=1
    )
    ctx.set_default_timeout(15_000)
    try:
        page = ctx.new_page()
        frame, _ = open_widget(page, world, **({"locale": "fr"} if how == "option" else {}))
        frame.get_by_role("heading", name="Connectez vos applications").wait_for()
        assert frame_handle(page).evaluate("document.documentElement.lang") == "fr"
        assert page.locator("iframe").get_attribute("title") == "Acme Capital: Connectez vos applications"
        assert frame_handle(page).evaluate(OVERFLOW) <= 0, "no sideways scroll at 320 px"
        assert page.evaluate(OVERFLOW) <= 0
        shoot(page, f"32-fr-320-catalogue-{how}")
        check_axe(page, f"French catalogue at 320 px ({how})")
        frame.get_by_role("button", name="Northbank").click()
        frame.get_by_role("heading", name="Connexion à Northbank").wait_for()
        frame.get_by_role("button", name="Se connecter").click()
        frame.get_by_text("Saisissez votre nom d\u2019utilisateur ou courriel.").wait_for()
        assert frame_handle(page).evaluate(OVERFLOW) <= 0
        shoot(page, f"33-fr-320-credentials-{how}")
        check_axe(page, f"French credentials at 320 px ({how})")
        frame.get_by_role("button", name="Annuler").click()
        frame.get_by_role("button", name="Fermer").first.click()
        assert wait_for_event(page, "exit")[2]["step"] == "catalogue"
        opened = [e[2] for e in events(page) if e[0] == "event" and e[1] == "open"]
        assert opened[0]["locale"] == "fr"
    finally:
        ctx.close()


def test_inline_container_mode(context: Any, world: World) -> None:
    page = context.new_page()
    frame, _ = open_widget(page, world, inline="1")
    frame.get_by_role("heading", name="Connect your business apps").wait_for()
    assert page.locator("#inline > iframe").count() == 1
    assert page.locator("[data-linkwidget]").count() == 0
    assert page.evaluate("[...document.body.children].some((el) => el.inert)") is False
    assert page.evaluate("document.documentElement.style.overflow") == ""
    for _ in range(50):  # the frame reports its height and the loader sizes the iframe to it
        height = page.evaluate("document.querySelector('#inline > iframe').style.height")
        if height != "560px":
            break
        page.wait_for_timeout(100)
    assert height != "560px"
    shoot(page, "34-inline")
    check_axe(page, "inline catalogue")
    # No trap inline: Tab from the frame's last control leaves it for the lender's page.
    frame_handle(page).evaluate("[...document.querySelectorAll('button')].pop().focus()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") != "IFRAME"
    frame.get_by_role("button", name="Close").click()
    assert wait_for_event(page, "exit")[2]["step"] == "catalogue"
    assert page.locator("#inline iframe").count() == 0


def test_reconnect_an_app_in_error_state(context: Any, world: World) -> None:
    page = context.new_page()
    frame, account_key = open_widget(page, world)
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Ledgerly").click()
    sign_in_popup(popup_info.value, "ledgerly")
    frame.locator(".progress-item.is-healthy").first.wait_for(timeout=30_000)
    frame.get_by_role("button", name="Close").click()
    wait_for_event(page, "exit")
    # The owner removes the connection inside Ledgerly; the next sync fails and the connection is in error.
    world.sandbox_action("revoke_app_token", account_key, "ledgerly")
    world.sandbox_action("sync", account_key, "ledgerly")
    page.click("#connect")
    frame = widget_frame(page)
    tile = frame.get_by_role("button", name="Ledgerly").filter(has_text="Reconnect")
    tile.wait_for(timeout=30_000)
    assert "Needs attention" in tile.inner_text()
    shoot(page, "35-reconnect-error-state")
    check_axe(page, "catalogue with an app in error")
    with page.expect_popup() as popup_info:
        tile.click()
    sign_in_popup(popup_info.value, "ledgerly")
    frame.get_by_role("heading", name="Ledgerly is connected").wait_for()
    frame.locator(".progress-item.is-healthy").first.wait_for(timeout=30_000)
    frame.get_by_role("button", name="Continue").click()
    leave_done_screen(page, frame)
    assert [c["integration"] for c in wait_for_event(page, "success")[1]["connections"]] == ["ledgerly"]
