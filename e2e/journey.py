"""The lender's whole journey in Chromium against the real stack (``scripts/stack.py``: three gunicorn processes).

Steps are small functions so that the journey's variants (mobile, French, keyboard, faults, restarts) reuse them.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from e2e.widget_fixtures import BANK_CODE, BANK_PASSWORD, BANK_USER, check_axe, press_to_leave, run_axe, shoot
from sandbox.apps.server.users import APP_OWNERS
from scripts.stack import Stack, free_port

WIDGET = "iframe[src*='/widget/v1/frame']"
TEXT = {
    "en": {
        "catalogue": "Connect your business apps",
        "connected": "{app} is connected",
        "another": "Connect another app",
        "continue": "Continue",
        "sign_in": "Sign in",
        "verify": "Verify",
        "user": "User name or email",
        "password": "Password",
        "code": "Verification code",
    },
    "fr": {
        "catalogue": "Connectez vos applications",
        "connected": "{app} est connectée",
        "another": "Connecter une autre application",
        "continue": "Continuer",
        "sign_in": "Se connecter",
        "verify": "Vérifier",
        "user": "Nom d\u2019utilisateur ou courriel",
        "password": "Mot de passe",
        "code": "Code de vérification",
    },
}


def start_stack(folder: Path, **env: dict[str, str]) -> Stack:
    """A fresh stack on free ports, its state in ``folder``; server output goes to ``folder/servers.log``."""
    ports = {"host": free_port(), "broker": free_port(), "sandbox": free_port()}
    log = (folder / "servers.log").open("a")
    return Stack(folder, ports, log=log, **env).start()


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    """The product on loopback, its state in a temporary folder (the ``stack`` fixture)."""
    with tempfile.TemporaryDirectory(prefix="journey-") as folder:
        running = start_stack(Path(folder))
        try:
            yield running
        finally:
            running.stop()


def host_pages_axe(page: Any, label: str) -> None:
    """axe-core on a host page (not the frame): no serious or critical violation."""
    run_axe(page, label)


def create_company(page: Any, stack: Stack, name: str) -> str:
    """Create a company on the lender's site; return its account key (from the applicant page's URL)."""
    page.goto(f"{stack.host_url}/companies/new")
    host_pages_axe(page, "new company")
    page.get_by_label("Company name").fill(name)
    page.get_by_label("Owner's email").fill("owner@" + re.sub(r"[^a-z]", "", name.lower()) + ".test")
    page.get_by_role("button", name="Create company").click()
    page.wait_for_url(re.compile(r"/companies/[0-9a-f]+/apply$"))
    return page.url.rsplit("/", 2)[-2]


def open_widget(page: Any, lang: str = "en") -> Any:
    """Press the applicant page's button; return the widget frame once its catalogue shows."""
    page.locator("#connect").click()
    frame = page.frame_locator(WIDGET)
    frame.get_by_role("heading", name=TEXT[lang]["catalogue"]).wait_for(timeout=30_000)
    return frame


def connect_oauth(page: Any, frame: Any, app: str, name: str, lang: str = "en") -> None:
    """Connect an OAuth app: the popup's sign-in and consent, then the frame's sync step."""
    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name=re.compile(f"^{name}")).click()
    popup = popup_info.value
    popup.wait_for_load_state()
    email, password = APP_OWNERS[app]
    popup.fill("input[name=email]", email)
    popup.fill("input[name=password]", password)
    popup.click("button[type=submit]")
    popup.click("button[value=allow]")
    frame.get_by_role("heading", name=TEXT[lang]["connected"].format(app=name)).wait_for(timeout=45_000)


def connect_bank(frame: Any, lang: str = "en") -> None:
    """Connect Northbank in the frame: credentials, a wrong code, then the right code."""
    words = TEXT[lang]
    frame.get_by_role("button", name=re.compile("^Northbank")).click()
    frame.get_by_label(words["user"]).fill(BANK_USER)
    frame.get_by_label(words["password"], exact=True).fill(BANK_PASSWORD)
    frame.get_by_role("button", name=words["sign_in"]).click()
    frame.get_by_label(words["code"]).wait_for(timeout=60_000)  # the bank answers slowly while another app syncs
    frame.get_by_label(words["code"]).fill("000000")
    frame.get_by_role("button", name=words["verify"]).click()
    frame.locator("[aria-invalid=true]").wait_for(timeout=60_000)
    frame.get_by_label(words["code"]).fill(BANK_CODE)
    frame.get_by_role("button", name=words["verify"]).click()
    frame.get_by_role("heading", name=words["connected"].format(app="Northbank")).wait_for(timeout=45_000)


def another_app(frame: Any, lang: str = "en") -> None:
    frame.get_by_role("button", name=TEXT[lang]["another"]).click()
    frame.get_by_role("heading", name=TEXT[lang]["catalogue"]).wait_for()


def wait_synced_and_continue(frame: Any, lang: str = "en", timeout: float = 90.0) -> None:
    """Wait until every connection made in this session has synced, then press Continue."""
    button = frame.get_by_role("button", name=TEXT[lang]["continue"])
    deadline = time.monotonic() + timeout
    while button.get_attribute("aria-disabled") == "true":
        assert time.monotonic() < deadline, "the first syncs did not finish in time"
        time.sleep(0.3)
    button.click()


def map_accounts(page: Any, frame: Any, label: str = "") -> int:
    """The map step: accept every suggestion, check the progress says all are mapped, save; return the count."""
    frame.locator(".step-map .map-row").first.wait_for(timeout=60_000)
    total = frame.locator(".map-row").count()
    frame.locator("#map-accept-all").click()
    assert frame.locator("#map-progress").inner_text().startswith(f"{total} ")
    if label:
        shoot_step(page, f"{label}-map")
        check_axe(page, f"{label} map step")
    frame.locator("#map-save").click()
    return total


def reconcile_books(page: Any, frame: Any, reliable_through: str, label: str = "") -> None:
    """The reconcile step: confirm this month's suggested matches, say the books are reliable to a date, save."""
    frame.locator(".step-reconcile").wait_for(timeout=60_000)
    frame.locator("#reliable-through").wait_for(timeout=60_000)
    confirm_all = frame.locator("#recon-confirm-all")
    if confirm_all.count():
        confirm_all.click()
    if label:
        shoot_step(page, f"{label}-reconcile")
        check_axe(page, f"{label} reconcile step")
    frame.locator("#reliable-through").fill(reliable_through)
    frame.locator("#recon-save").click()


def share(page: Any, frame: Any, name: str = "Robin Birch") -> None:
    """The last screens: the review before sharing (when the token can map), the owner's name and Share, then the
    done screen's Done (the host's onSuccess fires when the owner leaves it)."""
    review, done = frame.locator("#review-share"), frame.locator("#done-close")
    review.or_(done).first.wait_for(timeout=60_000)
    if review.count():
        frame.locator("#review-share:not([disabled])").wait_for(timeout=60_000)
        if frame.locator("#attest-name").count():
            frame.locator("#attest-name").fill(name)
        review.click()
    done.focus()  # by keyboard, released once the frame is gone: a click would wait on a frame removed under it
    press_to_leave(page)


def host_events(page: Any) -> list[str]:
    """The names the applicant page logged from the widget's callbacks, in order."""
    return [str(x) for x in page.locator("#events li[data-event]").evaluate_all("els => els.map(e => e.dataset.event)")]


def wait_for_host_event(page: Any, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while name not in host_events(page):
        assert time.monotonic() < deadline, f"{name} never reached the host page; got {host_events(page)}"
        time.sleep(0.2)


def shoot_step(page: Any, label: str) -> None:
    shoot(page, f"journey-{label}")


__all__ = ["check_axe"]
