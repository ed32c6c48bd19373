"""Variants of the journey: a phone, French, keyboard only, a token that dies mid-flow, a broker restart."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer

from e2e.journey import (
    TEXT,
    WIDGET,
    another_app,
    check_axe,
    connect_bank,
    connect_oauth,
    create_company,
    host_events,
    map_accounts,
    open_widget,
    reconcile_books,
    share,
    shoot_step,
    wait_for_host_event,
    wait_synced_and_continue,
)
from scripts.stack import API_KEY, TENANT_KEY, Stack

pytestmark = pytest.mark.e2e


def test_on_a_phone(new_context: Any, stack: Stack) -> None:
    context = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    create_company(page, stack, "Phone Florist")
    frame = open_widget(page)
    width = page.locator(WIDGET).bounding_box()
    assert width is not None and width["width"] <= 360
    connect_oauth(page, frame, "ledgerly", "Ledgerly")
    another_app(frame)
    connect_bank(frame)
    shoot_step(page, "mobile-bank-connected")
    check_axe(page, "mobile sync step")
    wait_synced_and_continue(frame)
    map_accounts(page, frame, "mobile")
    reconcile_books(page, frame, "2026-10-31", "mobile")
    share(page, frame)
    wait_for_host_event(page, "onSuccess")
    shoot_step(page, "mobile-success")


def test_in_french(new_context: Any, stack: Stack) -> None:
    context = new_context(locale="fr-FR")
    page = context.new_page()
    create_company(page, stack, "Boulangerie Lune")
    frame = open_widget(page, "fr")
    connect_oauth(page, frame, "xenon", "Xenon", "fr")
    another_app(frame, "fr")
    connect_bank(frame, "fr")
    shoot_step(page, "french-connected")
    check_axe(page, "french sync step")
    wait_synced_and_continue(frame, "fr")
    map_accounts(page, frame, "french")
    reconcile_books(page, frame, "2026-10-31", "french")
    share(page, frame)
    wait_for_host_event(page, "onSuccess")


def tab_to(page: Any, target: Any, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus (fails after ``limit`` presses): how a keyboard user gets there."""
    for _ in range(limit):
        if target.evaluate("el => el === el.ownerDocument.activeElement && el.ownerDocument.hasFocus()"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_keyboard_only(new_context: Any, stack: Stack) -> None:
    page = new_context().new_page()
    create_company(page, stack, "Keys & Co")
    tab_to(page, page.locator("#connect"))
    page.keyboard.press("Enter")
    frame = page.frame_locator(WIDGET)
    frame.get_by_role("heading", name=TEXT["en"]["catalogue"]).wait_for()
    # The widget takes the focus when it is shown, then says "open": a keyboard user starts from there.
    wait_for_host_event(page, "onEvent: open")
    tab_to(page, frame.get_by_role("button", name="Northbank"))
    page.keyboard.press("Enter")
    user = frame.get_by_label(TEXT["en"]["user"])
    user.wait_for()
    tab_to(page, user)
    page.keyboard.type("maple.owner")
    page.keyboard.press("Tab")
    page.keyboard.type("northbank-demo-1")
    page.keyboard.press("Enter")
    code = frame.get_by_label(TEXT["en"]["code"])
    code.wait_for()
    tab_to(page, code)
    page.keyboard.type("123456")
    page.keyboard.press("Enter")
    frame.get_by_role("heading", name="Northbank is connected").wait_for(timeout=45_000)
    shoot_step(page, "keyboard-connected")
    button = frame.get_by_role("button", name=TEXT["en"]["continue"])
    deadline = time.monotonic() + 60
    while button.get_attribute("aria-disabled") == "true":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    tab_to(page, button)
    page.keyboard.press("Enter")
    share(page, frame)
    wait_for_host_event(page, "onSuccess")


def _token_id(link_token: str) -> str:
    """The token's id (``jti``) read from its signed payload, as a lender's backend that kept it would know it."""
    _valid, payload = URLSafeTimedSerializer("unused").loads_unsafe(link_token)
    return str(payload["jti"])


def test_a_token_that_dies_mid_flow_ends_cleanly_and_a_new_one_finishes(new_context: Any, stack: Stack) -> None:
    page = new_context().new_page()
    account_key = create_company(page, stack, "Revoked Roasters")
    with page.expect_response("**/link_token") as minted:
        frame = open_widget(page)
    token = minted.value.json()["link_token"]
    connect_bank(frame)

    answer = httpx.delete(
        f"{stack.broker_url}/v1/link_tokens/{_token_id(token)}",
        auth=(stack.lender["client_id"], stack.lender["client_secret"]),
    )
    assert answer.status_code == 204
    another_app(frame)
    frame.get_by_role("button", name="Ledgerly").click()
    frame.get_by_role("heading", name="This link has expired").wait_for()
    shoot_step(page, "expired")
    check_axe(page, "expired")
    assert token not in str(host_events(page))

    frame.get_by_role("button", name="Close").first.click()
    wait_for_host_event(page, "onExit")
    assert '"resumable":true' in page.locator("#events li[data-event=onExit]").inner_text()
    page.locator("#connect").click()
    frame = page.frame_locator(WIDGET)
    # The new token offers to go on from the session the dead token left (its bank stays connected).
    frame.get_by_role("button", name="Continue where you left off").click()
    frame.get_by_role("heading", name=TEXT["en"]["catalogue"]).wait_for()
    assert "Connected" in frame.locator(".app.is-connected", has_text="Northbank").inner_text()
    frame.get_by_role("button", name="Done").click()  # a bank alone: nothing to map or reconcile
    share(page, frame)
    wait_for_host_event(page, "onSuccess")
    errors = [e for e in host_events(page) if e == "onEvent: error"]
    assert len(errors) == 1, host_events(page)
    assert account_key in page.locator("#events").inner_text()


def test_a_broker_restart_mid_flow_loses_nothing(new_context: Any, stack: Stack) -> None:
    page = new_context().new_page()
    account_key = create_company(page, stack, "Restart Rentals")
    frame = open_widget(page)
    connect_bank(frame)
    stack.stop_app("broker", kill=True)
    stack.start_broker()
    another_app(frame)
    connect_oauth(page, frame, "ledgerly", "Ledgerly")
    wait_synced_and_continue(frame)
    map_accounts(page, frame)
    stack.stop_app("broker", kill=True)
    stack.start_broker()
    reconcile_books(page, frame, "2026-10-31")
    share(page, frame)
    wait_for_host_event(page, "onSuccess")
    assert page.locator("#result-count").inner_text() == "2"
    mapping = httpx.get(
        f"{stack.broker_url}/v1/accounts/{account_key}/mapping",
        auth=(stack.lender["client_id"], stack.lender["client_secret"]),
    )
    assert mapping.status_code == 200 and len(mapping.json()["mappings"]) >= 40


def sandbox_faults(stack: Stack, account_key: str, **switches: Any) -> dict[str, Any]:
    """Switch the sandbox's fault injection for one company (``reset=True`` turns it off)."""
    answer = httpx.post(
        f"{stack.sandbox_url}/app/api.php",
        json={"action": "faults", "account_key": account_key, **switches},
        auth=(API_KEY, ""),
        headers={"Account-Key": TENANT_KEY},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_upstream_faults_5xx_and_latency_do_not_stop_the_journey(new_context: Any, stack: Stack) -> None:
    page = new_context().new_page()
    account_key = create_company(page, stack, "Flaky Foods")
    retries_before = stack.metric("broker_upstream_retries_total")
    sandbox_faults(stack, account_key, error_rate=0.15, latency_ms=120, seed="journey", targets=["data"])
    try:
        frame = open_widget(page)
        connect_oauth(page, frame, "ledgerly", "Ledgerly")
        another_app(frame)
        connect_bank(frame)
        wait_synced_and_continue(frame)
        map_accounts(page, frame)
        reconcile_books(page, frame, "2026-10-31")
        share(page, frame)
        wait_for_host_event(page, "onSuccess", timeout=60)
        shoot_step(page, "faults-success")
        assert "onEvent: error" not in host_events(page)
        assert stack.metric("broker_upstream_retries_total") > retries_before, "no fault reached the broker"
    finally:
        sandbox_faults(stack, account_key, reset=True)
    statements = httpx.get(
        f"{stack.broker_url}/v1/accounts/{account_key}/statements",
        auth=(stack.lender["client_id"], stack.lender["client_secret"]),
        timeout=60,
    )
    assert statements.status_code == 200 and statements.json()["profit_and_loss"]
