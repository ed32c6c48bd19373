"""The owner's review before sharing in Chromium: the lender's minimums refuse success until met, the preview of what
the lender reads, notes on the books in the reconcile step, the attestation and the receipt; English and French, on a
desktop and a phone, axe-core on each screen."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.journey import connect_bank, wait_synced_and_continue
from e2e.widget_fixtures import (
    World,
    check_axe,
    events,
    frame_handle,
    leave_done_screen,
    open_with_token,
    shoot,
    traced_context,
    wait_for_event,
)

pytestmark = pytest.mark.e2e
SCOPES = ["link", "map", "reconcile", "read"]
NONE_REQUIRED = {"books_months": 0, "bank_months": 0, "mapped_percent": 0, "reliable_through_required": False}


def requirements(world: World, **minimums: Any) -> None:
    """Set the lender's minimums for every company (PUT /v1/requirements)."""
    answer = world.http.put(
        f"{world.broker_url}/v1/requirements", json={**NONE_REQUIRED, **minimums}, headers=world._auth()
    )
    assert answer.status_code == 200, answer.text


def lender(world: World, path: str) -> Any:
    return world.http.get(f"{world.broker_url}{path}", headers=world._auth())


def no_overflow(page: Any) -> bool:
    return bool(frame_handle(page).evaluate("document.documentElement.scrollWidth <= innerWidth + 1"))


@pytest.fixture
def desktop(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    options = {"viewport": {"width": 1280, "height": 800}, "accept_downloads": True}
    with traced_context(browser, request.node, timeout_ms=30_000, **options) as ctx:
        yield ctx


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    options = {"locale": "fr-FR", "viewport": {"width": 320, "height": 640}, "accept_downloads": True}
    with traced_context(browser, request.node, timeout_ms=30_000, **options) as ctx:
        yield ctx


def unmatched_line(frame: Any) -> Any:
    """An unmatched line of any account and month, going through the months as the owner would: a company's books
    are drawn at random (its subdomain seeds them), and a month's may all match (then each list says "None")."""
    line = frame.locator(".recon-unmatched li").first
    for month in frame.locator("#recon-month option").evaluate_all("options => options.map(o => o.value)"):
        if line.count():
            break
        frame.locator("#recon-month").select_option(month)
        expect(frame.locator(".step-reconcile:not([aria-busy]) #recon-month")).to_have_value(month)
    return line


def add_notes(page: Any, frame: Any) -> None:
    """Explain this month's difference (other, in words) and an unmatched ledger line (a reason of the list)."""
    # The bank account whose balances disagree this month (the order of a company's accounts is not fixed).
    difference = re.compile("^Add a note: the difference on")
    accounts = frame.locator(".recon-account")
    frame.get_by_role("button", name=difference).first.wait_for()
    index = next(n for n in range(accounts.count()) if accounts.nth(n).get_by_role("button", name=difference).count())
    # By its title, not its place: a saved note renders the step again, and the accounts may come back in another order.
    title = accounts.nth(index).locator("h2").inner_text()
    checking = accounts.filter(has=frame.locator("h2", has_text=title))
    checking.get_by_role("button", name=difference).click()
    frame.locator("#note-reason").select_option("other")
    frame.get_by_role("button", name="Save note").click()
    assert frame.locator("#note-text-error").inner_text() == "Say why in a few words: they are required with Other."
    assert frame.locator("#note-text").get_attribute("aria-invalid") == "true"
    frame.locator("#note-text").fill("A cash sale I paid in late")
    frame.get_by_role("button", name="Save note").click()
    frame.get_by_text("Your note: Other: A cash sale I paid in late").wait_for()
    unmatched_line(frame).get_by_role("button", name=re.compile("^Add a note")).click()
    frame.locator("#note-reason").select_option("personal_expense")
    frame.get_by_role("button", name="Save note").click()
    # Under each account the line is listed under (a transfer between two of the owner's accounts is under both).
    frame.get_by_text("Your note: Owner's personal expense").first.wait_for()
    frame.locator(".recon-note").first.scroll_into_view_if_needed()
    shoot(page, "reconcile-notes-1280-en")
    check_axe(page, "reconcile with notes (en)")


def test_coverage_refuses_success_until_met_then_the_owner_previews_attests_and_keeps_the_receipt(
    desktop: Any, world: World
) -> None:
    requirements(world, books_months=12, bank_months=3, mapped_percent=95, reliable_through_required=True)
    try:
        account_key = world.company("Birch & Bolt Bikes")
        world.sandbox_connect(account_key, "ledgerly")
        token = world.token(account_key, scopes=SCOPES, expires_in=3600, purpose="A line of credit of $50,000")
        page = desktop.new_page()
        frame = open_with_token(page, world, token["link_token"])
        frame.get_by_role("button", name="Done").click()
        frame.locator(".map-row").first.wait_for(timeout=60_000)
        frame.locator("#map-accept-all").click()
        frame.locator("#map-save").click()

        # No bank yet: the review says what is missing in words, with a way to fix it, and sharing waits.
        frame.get_by_role("heading", name="Check what you share").wait_for(timeout=60_000)
        gaps = frame.locator("#coverage-gaps li")
        gaps.first.wait_for()
        said = gaps.all_inner_texts()
        assert [g.get_attribute("data-code") for g in gaps.all()] == ["connect_bank", "set_reliable_through"], said
        assert said[0].startswith("Connect your bank.") and "Connect an app" in said[0]
        assert frame.locator("#review-share").is_disabled()
        assert frame.locator("#share-blocked").inner_text() == "You can share once Acme Capital has what it needs."
        shoot(page, "coverage-1280-en")
        check_axe(page, "coverage (en)")

        # The fix: connect the bank from the catalogue, then map and reconcile again.
        gaps.first.get_by_role("button", name="Connect an app").click()
        frame.get_by_role("heading", name="Connect your business apps").wait_for()
        connect_bank(frame)
        wait_synced_and_continue(frame)
        frame.locator(".map-row").first.wait_for(timeout=60_000)
        frame.locator("#map-save").click()
        frame.locator("#reliable-through").wait_for(timeout=60_000)
        add_notes(page, frame)
        frame.locator("#reliable-through").fill("10/31/2026")
        frame.locator("#recon-save").click()

        # Met: the preview of the lender's own reads, in words and the owner's number format.
        frame.locator("#coverage-met").wait_for(timeout=60_000)
        assert frame.locator("#coverage-met").inner_text() == "You have everything Acme Capital needs."
        preview = frame.locator("#review-preview")
        assert preview.get_by_role("heading", name="What Acme Capital will see").count() == 1
        apps = frame.locator("#review-apps li").all_inner_texts()
        assert any(a.startswith("Ledgerly · Accounting · November 2025 to October 2026 (12 months)") for a in apps), (
            apps
        )
        assert any(a.startswith("Northbank · Banking · ") for a in apps), apps
        caption = frame.locator("#review-pnl caption").inner_text()
        assert caption == "Profit and loss, November 2025 to October 2026", caption
        statements = lender(world, f"/v1/accounts/{account_key}/statements").json()
        revenue = sum(
            next(x["amount"] for x in p["lines"] if x["code"] == "revenue") for p in statements["profit_and_loss"]
        )
        shown = frame.locator("#review-pnl tr", has_text="Revenue").first.locator("td").inner_text()
        assert shown == f"{revenue / 100:,.2f}", (shown, revenue)
        assert frame.locator("#review-balance caption").inner_text() == "Balance sheet on 10/31/2026"
        assert "Current ratio" in frame.locator(".review-ratios").inner_text()
        assert "Reliable through 10/31/2026" in frame.locator(".review-recon").inner_text()
        terms = frame.locator(".review-terms").inner_text()
        assert "A line of credit of $50,000" in terms and "Acme Capital" in terms
        assert frame.locator("#attest-text").inner_text() == (
            "To the best of my knowledge these books are complete through 10/31/2026."
        )
        shoot(page, "preview-1280-en")
        check_axe(page, "review (en)")
        for part, name in (("#review-balance", "balance"), (".review-recon", "ratios"), (".review-attest", "attest")):
            frame.locator(part).evaluate("el => el.scrollIntoView({block: 'end'})")
            shoot(page, f"preview-{name}-1280-en")

        # Printing prints the preview alone.
        page.emulate_media(media="print")
        assert frame.locator("#review-preview").is_visible()
        assert not frame.locator(".review-share").is_visible() and not frame.locator("header.bar").is_visible()
        page.emulate_media(media="screen")

        # Back to reconcile and here again: nothing is lost.
        frame.get_by_role("button", name="Back to reconcile").click()
        frame.locator("#reliable-through").wait_for(timeout=60_000)
        assert frame.locator("#reliable-through").input_value() == "10/31/2026"
        frame.locator("#recon-save").click()
        frame.locator("#coverage-met").wait_for(timeout=60_000)

        # The attestation needs the owner's name; then the share, the receipt, and onSuccess when the owner leaves.
        frame.locator("#review-share").click()
        frame.locator("#attest-name-error").wait_for()
        assert frame.locator("#attest-name").get_attribute("aria-invalid") == "true"
        frame.locator("#attest-name").fill("Robin Birch")
        frame.locator("#review-share").click()
        frame.get_by_role("heading", name="All set").wait_for(timeout=60_000)
        assert not [e for e in events(page) if e[0] == "success"], "onSuccess waits for the owner to leave"
        check_axe(page, "done with receipt (en)")
        with page.expect_download() as download:
            frame.locator("#receipt-download").click()
        saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        consents = lender(world, f"/v1/accounts/{account_key}/consents").json()["data"]
        assert saved == {"id": consents[0]["id"], "receipt": consents[0]["receipt"]}
        assert consents[0]["claims"]["attestation"]["name"] == "Robin Birch"
        assert re.search(r"/widget/v1/receipt#.+", frame.locator("#receipt-open").get_attribute("href") or "")
        assert frame.locator("#receipt-open").get_attribute("target") == "_blank"
        shoot(page, "done-receipt-1280-en")
        leave_done_screen(page, frame)
        result = wait_for_event(page, "success")[1]
        assert set(result) == {"account_key", "connections", "link_session_id"}, "never the receipt"
        recon = lender(world, f"/v1/accounts/{account_key}/reconciliation").json()
        notes = {n["subject_kind"]: n for n in recon["owner_notes"]}
        assert notes.pop("difference")["text"] == "A cash sale I paid in late"
        assert [n["reason"] for n in notes.values()] == ["personal_expense"], notes
        assert recon["attestation"]["name"] == "Robin Birch"
        assert recon["attestation"]["complete_through"] == "2026-10-31"
    finally:
        requirements(world)


def test_the_review_in_french_on_a_phone(phone: Any, world: World) -> None:
    requirements(world)
    account_key = world.company("Maple & Rye Café")
    for integration in ("ledgerly", "northbank"):
        world.sandbox_connect(account_key, integration)
    token = world.token(account_key, scopes=SCOPES, expires_in=3600)["link_token"]
    page = phone.new_page()
    frame = open_with_token(page, world, token, locale="fr")
    frame.get_by_role("button", name="Terminer").click()
    frame.locator(".map-row").first.wait_for(timeout=60_000)
    frame.locator("#map-accept-all").click()
    frame.locator("#map-save").click()
    frame.locator("#reliable-through").wait_for(timeout=60_000)
    unmatched_line(frame).get_by_role("button", name=re.compile("^Ajouter une note")).click()
    frame.locator("#note-reason").select_option("timing")
    frame.get_by_role("button", name="Enregistrer la note").click()
    frame.get_by_text("Votre note : Décalage de date").first.wait_for()
    assert no_overflow(page)
    frame.locator(".recon-note").first.scroll_into_view_if_needed()
    shoot(page, "reconcile-notes-320-fr")
    check_axe(page, "reconcile with notes (fr, 320 px)")
    frame.locator("#reliable-through").fill("30/09/2026")
    frame.locator("#recon-save").click()
    frame.get_by_role("heading", name="Vérifiez ce que vous partagez").wait_for(timeout=60_000)
    frame.locator("#coverage-met").wait_for()
    assert frame.locator("#review-pnl caption").inner_text() == "État des résultats, de novembre 2025 à octobre 2026"
    assert frame.locator("#review-balance caption").inner_text() == "Bilan au 31/10/2026"
    assert "Chiffre d'affaires" in frame.locator("#review-pnl").inner_text()
    assert "Fiable jusqu'au 30/09/2026" in frame.locator(".review-recon").inner_text()
    assert frame.locator("#attest-text").inner_text() == (
        "À ma connaissance, cette comptabilité est complète jusqu'au 30/09/2026."
    )
    assert no_overflow(page) and frame.locator(".content").evaluate("c => c.scrollWidth <= c.clientWidth + 1")
    shoot(page, "preview-320-fr")
    check_axe(page, "review (fr, 320 px)")
    frame.locator("#attest-date").fill("31/12/2099")
    frame.locator("#attest-name").fill("Camille Roy")
    frame.locator("#review-share").click()
    assert frame.locator("#attest-date-error").inner_text() == "La date ne peut pas être dans le futur."
    frame.locator("#attest-date").fill("30/09/2026")
    frame.locator("#review-share").click()
    frame.get_by_role("button", name="Télécharger votre reçu (JSON)").wait_for(timeout=60_000)
    assert no_overflow(page)
    shoot(page, "done-receipt-320-fr")
    check_axe(page, "done with receipt (fr, 320 px)")
    assert frame.locator("#done-close").inner_text() == "Terminé"
    leave_done_screen(page, frame)
    assert wait_for_event(page, "success")[1]["account_key"] == account_key
    recon = lender(world, f"/v1/accounts/{account_key}/reconciliation").json()
    assert recon["attestation"]["language"] == "fr" and recon["attestation"]["complete_through"] == "2026-09-30"
