"""Connections that stay alive, in Chromium against the real stack: a connection broken in the sandbox is reconnected
from the credit view's link (an OAuth app, and a credentials + MFA app), and an owner who closed the tab mid-map
continues where they left off. English and French, a 320 x 640 phone, axe-core on every screen.

Prints how long a reconnect takes the owner (opening the link to ``onSuccess``) and how many clicks, and keeps
screenshots in ``e2e/artifacts/``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from e2e.journey import TEXT, WIDGET, check_axe, create_company, host_events, open_widget, wait_for_host_event
from e2e.widget_fixtures import (
    ARTIFACTS,
    BANK_CODE,
    BANK_PASSWORD,
    BANK_USER,
    leave_done_screen,
    press_to_leave,
    run_axe,
    shoot,
)
from sandbox.apps.server.users import APP_OWNERS
from scripts.stack import API_KEY, TENANT_KEY, Stack

pytestmark = pytest.mark.e2e
PHONE = {"width": 320, "height": 640}
WORDS = {
    "en": {
        "reconnect": "Reconnect {app}",
        "resume": "Continue where you left off?",
        "continue_resume": "Continue where you left off",
        "map": "Match your accounts to Northwind Lending's categories",
    },
    "fr": {
        "reconnect": "Reconnecter {app}",
        "resume": "Reprendre où vous en étiez ?",
        "continue_resume": "Reprendre où j\u2019en étais",
        "map": "Associez vos comptes aux catégories de Northwind Lending",
    },
}
TIMINGS: list[dict[str, Any]] = []


def sandbox_admin(stack: Stack, action: str, account_key: str, **body: Any) -> dict[str, Any]:
    answer = httpx.post(
        f"{stack.sandbox_url}/app/api.php",
        json={"action": action, "account_key": account_key, **body},
        auth=(API_KEY, ""),
        headers={"Account-Key": TENANT_KEY},
        timeout=60,
    )
    assert answer.status_code < 300, answer.text
    return dict(answer.json())


def connection_row(page: Any, name: str) -> Any:
    return page.locator("tbody tr", has=page.locator("th", has_text=name))


def shoot_reconnect(page: Any, name: str) -> None:
    """A screenshot in e2e/artifacts/, named reconnect-<name>."""
    shoot(page, f"reconnect-{name}")


def ask_owner_to_reconnect(page: Any, stack: Stack, account_key: str, name: str, label: str) -> str:
    """The credit view shows the broken connection; its button gives the link for the owner."""
    page.goto(f"{stack.host_url}/companies/{account_key}")
    row = connection_row(page, name)
    row.locator(".badge", has_text="error").wait_for()
    button = row.get_by_role("button", name=f"Ask the owner to reconnect {name}")
    button.click()
    link = connection_row(page, name).locator("a[id^=reconnect-link-]")
    link.wait_for()
    shoot_reconnect(page, f"{label}-credit-view")
    run_axe(page, "credit view with a reconnect link")
    return str(link.get_attribute("href"))


def wait_synced_and_continue(frame: Any, word: str, timeout: float = 90.0) -> None:
    button = frame.get_by_role("button", name=word)
    deadline = time.monotonic() + timeout
    while button.get_attribute("aria-disabled") == "true":
        assert time.monotonic() < deadline, "the sync did not finish in time"
        time.sleep(0.3)
    button.click()


def wait_success(page: Any, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = page.evaluate("window.__reconnect && window.__reconnect.success")
        if found:
            return dict(found)
        exit_ = page.evaluate("window.__reconnect && window.__reconnect.exit")
        assert not exit_, f"the widget exited instead: {exit_}"
        assert time.monotonic() < deadline, "no onSuccess"
        page.wait_for_timeout(100)


def record_timing(label: str, started: float, clicks: int, fields: int, checks: float) -> None:
    """Keep and print the owner's time (less ``checks``, the seconds the test spent on screenshots and axe-core)."""
    seconds = round(time.monotonic() - started - checks, 1)
    TIMINGS.append({"case": label, "seconds_to_on_success": seconds, "clicks": clicks, "fields_typed": fields})
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "reconnect-timing.json").write_text(json.dumps(TIMINGS, indent=2) + "\n")
    print(
        f"\nreconnect {label}: {seconds} s from opening the link to onSuccess, {clicks} clicks, {fields} fields typed"
    )


@pytest.mark.parametrize(
    ("lang", "viewport"), [("en", {"width": 1280, "height": 900}), ("fr", PHONE)], ids=["en-desktop", "fr-320"]
)
def test_reconnect_an_oauth_app_from_the_credit_views_link(
    new_context: Any, stack: Stack, lang: str, viewport: dict[str, int]
) -> None:
    words = WORDS[lang]
    team = new_context().new_page()
    account_key = create_company(team, stack, f"Broken Books {lang}")
    sandbox_admin(stack, "sandbox_connect", account_key, integration="ledgerly")
    before = sandbox_admin(stack, "break_connection", account_key, integration="ledgerly", reason="token_revoked")
    link = ask_owner_to_reconnect(team, stack, account_key, "Ledgerly", f"oauth-{lang}")

    owner = new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport=viewport).new_page()
    started = time.monotonic()
    owner.goto(link + ("?lang=fr" if lang == "fr" else ""))
    frame = owner.frame_locator(WIDGET)
    frame.get_by_role("heading", name=words["reconnect"].format(app="Ledgerly")).wait_for(timeout=30_000)
    checking = time.monotonic()
    shoot_reconnect(owner, f"oauth-{lang}-frame")
    check_axe(owner, f"reconnect screen ({lang})")
    checks = time.monotonic() - checking
    clicks = 0
    with owner.expect_popup() as popup_info:
        frame.locator("#reconnect").click()
        clicks += 1
    popup = popup_info.value
    popup.wait_for_load_state()
    email, password = APP_OWNERS["ledgerly"]
    popup.fill("input[name=email]", email)
    popup.fill("input[name=password]", password)
    popup.click("button[type=submit]")
    popup.click("button[value=allow]")
    clicks += 2
    wait_synced_and_continue(frame, TEXT[lang]["continue"])
    leave_done_screen(owner, frame)  # the done screen offers the receipt; onSuccess fires when the owner leaves it
    clicks += 2
    result = wait_success(owner)
    record_timing(f"oauth-{lang}", started, clicks, 2, checks)
    assert [c["integration"] for c in result["connections"]] == ["ledgerly"]
    assert result["link_session_id"].startswith("lks_")
    shoot_reconnect(owner, f"oauth-{lang}-done")
    run_axe(owner, f"owner's reconnect page ({lang})")

    health = httpx.get(
        f"{stack.sandbox_url}/app/api.php",
        params={"action": "connection_health", "account_key": account_key},
        auth=(API_KEY, ""),
        headers={"Account-Key": TENANT_KEY},
        timeout=30,
    ).json()
    ledgerly = [c for c in health["connections"] if c["integration"] == "ledgerly"]
    assert len(ledgerly) == 1 and ledgerly[0]["id"] == before["connection"]["id"], "the same connection, no duplicate"
    assert ledgerly[0]["status"] in ("healthy", "syncing")
    team.reload()
    assert connection_row(team, "Ledgerly").get_by_role("button").count() == 0


def test_reconnect_a_bank_with_its_code_on_a_phone_in_french(new_context: Any, stack: Stack) -> None:
    team = new_context().new_page()
    account_key = create_company(team, stack, "Banque Cassée")
    sandbox_admin(stack, "sandbox_connect", account_key, integration="northbank")
    sandbox_admin(stack, "break_connection", account_key, integration="northbank", reason="password_changed")
    link = ask_owner_to_reconnect(team, stack, account_key, "Northbank", "bank-fr")

    owner = new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    started = time.monotonic()
    owner.goto(link + "?lang=fr")
    frame = owner.frame_locator(WIDGET)
    words = TEXT["fr"]
    # Straight on the bank's sign-in: no catalogue, no extra click.
    frame.get_by_role("heading", name=WORDS["fr"]["reconnect"].format(app="Northbank")).wait_for(timeout=30_000)
    assert frame.get_by_label(words["user"]).is_visible()
    checking = time.monotonic()
    width = owner.locator(WIDGET).bounding_box()
    assert width is not None and width["width"] <= 320
    shoot_reconnect(owner, "bank-fr-320-frame")
    check_axe(owner, "bank sign-in in update mode (fr, 320 px)")
    checks = time.monotonic() - checking
    frame.get_by_label(words["user"]).fill(BANK_USER)
    frame.get_by_label(words["password"], exact=True).fill(BANK_PASSWORD)
    frame.get_by_role("button", name=words["sign_in"]).click()
    frame.get_by_label(words["code"]).wait_for(timeout=60_000)
    frame.get_by_label(words["code"]).fill(BANK_CODE)
    frame.get_by_role("button", name=words["verify"]).click()
    frame.get_by_role("heading", name=words["connected"].format(app="Northbank")).wait_for(timeout=45_000)
    checking = time.monotonic()
    assert frame.get_by_role("button", name=words["another"]).count() == 0, "one app to reconnect, no other"
    check_axe(owner, "bank reconnected (fr, 320 px)")
    checks += time.monotonic() - checking
    wait_synced_and_continue(frame, words["continue"])
    leave_done_screen(owner, frame)
    result = wait_success(owner)
    record_timing("credentials-mfa-fr-320", started, 4, 3, checks)
    assert [c["integration"] for c in result["connections"]] == ["northbank"]


def exit_metadata(page: Any) -> dict[str, Any]:
    """The last ``onExit`` the applicant page logged."""
    text = page.locator("#events li[data-event=onExit] .meta").last.inner_text()
    return dict(json.loads(text)["metadata"])


@pytest.mark.parametrize(("lang", "viewport"), [("en", PHONE), ("fr", {"width": 1280, "height": 900})])
def test_resume_after_closing_the_tab_mid_map(
    new_context: Any, stack: Stack, lang: str, viewport: dict[str, int]
) -> None:
    words = WORDS[lang]
    context = new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport=viewport)
    page = context.new_page()
    account_key = create_company(page, stack, f"Halfway Bakery {lang}")
    sandbox_admin(stack, "sandbox_connect", account_key, integration="ledgerly")
    applicant = page.url
    frame = open_widget(page, lang)
    done = frame.get_by_role("button", name="Terminer" if lang == "fr" else "Done")
    deadline = time.monotonic() + 60
    while done.get_attribute("aria-disabled") == "true":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    done.click()
    frame.locator(".step-map .map-row").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)  # the step reached is recorded in the background
    page.close()  # the owner closes the tab mid-map: no exit call, nothing but the recorded progress

    page = context.new_page()
    page.goto(applicant)
    page.locator("#connect").click()
    frame = page.frame_locator(WIDGET)
    frame.get_by_role("heading", name=words["resume"]).wait_for(timeout=30_000)
    shoot_reconnect(page, f"resume-{lang}-offer")
    check_axe(page, f"resume offer ({lang})")
    frame.get_by_role("button", name=words["continue_resume"]).click()
    frame.get_by_role("heading", name=words["map"]).wait_for(timeout=30_000)
    frame.locator(".step-map .map-row").first.wait_for(timeout=60_000)
    check_axe(page, f"resumed at the map ({lang})")
    press_to_leave(page, "Escape")
    wait_for_host_event(page, "onExit")
    assert exit_metadata(page)["step"] == "map"
    assert exit_metadata(page)["resumable"] is True
    assert "onEvent: open" in host_events(page)
    deadline = time.monotonic() + 30
    while True:
        events = page.request.get(f"{stack.host_url}/events?company={account_key}").text()
        if "link.resumed" in events:
            break
        assert time.monotonic() < deadline, "the lender never received link.resumed"
        time.sleep(0.5)
