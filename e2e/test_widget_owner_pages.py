"""The owner's receipt page and the accountant's invitation (issue 18) in Chromium: English at 1280x800 and French
on a 320x640 phone, axe-core clean; the receipt verified with a standard JOSE library and revoked; the accountant's
saves named in what the lender reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from e2e.widget_fixtures import ROOT, World, check_axe, run_axe, shoot, widget_frame

pytestmark = pytest.mark.e2e
# (language, viewport, how the page learns the language)
LOOKS = [
    pytest.param("en", {"width": 1280, "height": 800}, id="en-1280"),
    pytest.param("fr", {"width": 320, "height": 640}, id="fr-320"),
]
WORDS = {
    "en": {
        "in_force": "In force: Acme Capital can read this data.",
        "revoked": "Revoked on",
        "revoke": "Revoke access",
        "confirm": "Yes, revoke access",
        "cancel": "Cancel",
        "title": "Your consent receipt",
        "used": "This invitation has already been used.",
        "done": "Thank you",
        "finish": "Done",
        "copied": "Copied",
    },
    "fr": {
        "in_force": "En vigueur : Acme Capital peut lire ces données.",
        "revoked": "Révoqué le",
        "revoke": "Révoquer l'accès",
        "confirm": "Oui, révoquer l'accès",
        "cancel": "Annuler",
        "title": "Votre reçu de consentement",
        "used": "Cette invitation a déjà été utilisée.",
        "done": "Merci",
        "finish": "Terminer",
        "copied": "Copié",
    },
}
PURPOSE = "Review of a working-capital line of credit"


def company_with_books(world: World) -> str:
    account_key = world.company()
    for integration in ("ledgerly", "northbank"):
        world.sandbox_connect(account_key, integration)
    return account_key


def shared_receipt_url(world: World, account_key: str) -> str:
    """Attest and share as the frame does at the end (from the lender's page); return the receipt link."""
    token = world.token(account_key, purpose=PURPOSE, scopes=["link", "reconcile", "read"])["link_token"]
    headers = {"Authorization": f"Bearer {token}", "Origin": world.host_url}
    attestation = {"name": "Maria Rye", "complete_through": "2026-09-30", "language": "en"}
    attested = world.http.post(f"{world.broker_url}/v1/link/attestation", json=attestation, headers=headers)
    assert attested.status_code == 201, attested.text
    answer = world.http.post(f"{world.broker_url}/v1/link/complete", json={}, headers=headers)
    assert answer.status_code == 200, answer.text
    url = str(answer.json()["consent"]["receipt_url"])
    assert url.startswith(f"{world.broker_url}/widget/v1/receipt#")
    return url


def lender_read(world: World, account_key: str) -> httpx.Response:
    return world.http.get(f"{world.broker_url}/v1/accounts/{account_key}/data/accounts", headers=world._auth())


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"))


def verify_with_the_script(world: World, receipt_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_receipt.py"), world.broker_url, str(receipt_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("lang", "viewport"), LOOKS)
def test_the_receipt_page_shows_downloads_verifies_and_revokes(
    browser: Any, world: World, lang: str, viewport: dict[str, int], tmp_path: Path
) -> None:
    words = WORDS[lang]
    account_key = company_with_books(world)
    url = shared_receipt_url(world, account_key)
    assert lender_read(world, account_key).status_code == 200
    # English from the browser's languages; French from ?lang= (in a browser that prefers English).
    ctx = browser.new_context(locale="en-US", viewport=viewport, accept_downloads=True)
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        base, token = url.split("#", 1)
        page.goto(f"{base}?lang=fr#{token}" if lang == "fr" else url)
        page.get_by_role("heading", name=words["title"]).wait_for()
        status = page.locator("#receipt-status")
        assert status.inner_text() == words["in_force"]
        text = page.locator(".receipt-fields").inner_text()
        for expected in ("Acme Capital", "Maple & Rye Café", "Ledgerly", "Northbank", PURPOSE, "Maria Rye"):
            assert expected in text, (expected, text)
        assert page.evaluate("document.documentElement.lang") == lang
        assert fits(page), "the receipt overflows sideways"
        # The token travels in request bodies only, never in a URL.
        assert not [r for r in requests if token in r.split("#", 1)[0]]
        run_axe(page, f"receipt page {lang}")
        shoot(page, f"receipt-{lang}-{viewport['width']}", full_page=True)
        # Printed, the receipt is alone: no buttons, no header or footer.
        page.emulate_media(media="print")
        assert not page.locator("#receipt-print").is_visible() and not page.locator(".bar").is_visible()
        assert page.locator(".receipt-fields").is_visible()
        page.emulate_media(media="screen")

        # Download JSON: the signed receipt and its claims, verifiable by a standard JOSE library and by the script.
        with page.expect_download() as downloading:
            page.locator("#receipt-download").click()
        saved = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(saved)
        document = json.loads(saved.read_text(encoding="utf-8"))
        assert set(document) == {"receipt", "claims"}
        key = jwt.PyJWKClient(f"{world.broker_url}/.well-known/jwks.json").get_signing_key_from_jwt(document["receipt"])
        claims = jwt.decode(document["receipt"], key, algorithms=["ES256"])
        assert claims == document["claims"] and claims["purpose"] == PURPOSE
        verified = verify_with_the_script(world, saved)
        assert verified.returncode == 0 and "Status at the broker: in_force" in verified.stdout, verified

        # Revoke: a dialog says what it does; Cancel changes nothing, Confirm ends the lender's access.
        page.get_by_role("button", name=words["revoke"]).click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for()
        assert "Acme Capital" in dialog.inner_text() and "Maple & Rye Café" in dialog.inner_text()
        run_axe(page, f"revoke dialog {lang}")
        shoot(page, f"receipt-revoke-dialog-{lang}-{viewport['width']}", full_page=True)
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
        assert page.evaluate("document.activeElement.id") == "receipt-revoke"
        assert lender_read(world, account_key).status_code == 200
        page.get_by_role("button", name=words["revoke"]).click()
        page.get_by_role("button", name=words["confirm"]).click()
        page.locator("#revoked-note").wait_for()
        assert status.inner_text().startswith(words["revoked"])
        assert page.get_by_role("button", name=words["revoke"]).count() == 0
        run_axe(page, f"revoked receipt {lang}")
        shoot(page, f"receipt-revoked-{lang}-{viewport['width']}", full_page=True)
        refused = lender_read(world, account_key)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "consent_revoked"
        assert verify_with_the_script(world, saved).returncode == 1

        # The link still shows the receipt, revoked, with nothing left to revoke.
        page.reload()
        page.locator("#receipt-status").wait_for()
        assert page.locator("#receipt-status").inner_text().startswith(words["revoked"])
        assert page.locator("#receipt-revoke").count() == 0
    finally:
        ctx.close()


def test_a_broken_receipt_link_and_a_busy_broker_are_said_in_words(context: Any, world: World) -> None:
    page = context.new_page()
    page.goto(f"{world.broker_url}/widget/v1/receipt#not-a-real-token")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith("This receipt link is not valid.")
    assert page.get_by_role("button", name="Try again").count() == 0, "a bad link needs a new link, not a retry"
    run_axe(page, "broken receipt link")
    busy = {"error": {"code": "rate_limited", "message": "Too many requests.", "request_id": "r"}}
    page.route("**/consents/receipt", lambda route: route.fulfill(status=429, json=busy, headers={"Retry-After": "60"}))
    page.reload()
    page.get_by_role("alert").filter(has_text="Try again in a minute.").wait_for()
    page.unroute("**/consents/receipt")
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("alert").filter(has_text="This receipt link is not valid.").wait_for()


@pytest.mark.parametrize(("lang", "viewport"), LOOKS)
def test_the_owner_invites_an_accountant_who_maps_and_reconciles_under_their_name(
    browser: Any, world: World, lang: str, viewport: dict[str, int]
) -> None:
    words = WORDS[lang]
    account_key = company_with_books(world)
    token = world.token(account_key, scopes=["link", "map", "reconcile", "read"], expires_in=3600)["link_token"]
    owner_ctx = browser.new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport=viewport)
    owner_ctx.set_default_timeout(30_000)
    accountant_ctx = browser.new_context(locale="fr-FR" if lang == "fr" else "en-US", viewport=viewport)
    accountant_ctx.set_default_timeout(30_000)
    try:
        journey(world, owner_ctx, accountant_ctx, account_key, token, words, lang, viewport)
    finally:
        accountant_ctx.close()
        owner_ctx.close()


def journey(
    world: World,
    owner_ctx: Any,
    accountant_ctx: Any,
    account_key: str,
    token: str,
    words: dict[str, str],
    lang: str,
    viewport: dict[str, int],
) -> None:
    """The owner invites Jane Ledger from the map step; Jane maps and reconciles in a browser of her own."""
    owner = owner_ctx.new_page()
    owner.goto(world.page_url(token, locale=lang))
    owner.click("#connect")
    frame = widget_frame(owner)
    frame.get_by_role("button", name=words["finish"]).click()
    frame.locator(".map-row").first.wait_for(timeout=30_000)

    # The owner opens "Invite your accountant", names them and gets a single-use link to copy.
    frame.locator("#invite-toggle").click()
    frame.locator("#invite-create").click()
    frame.locator("#invite-error").wait_for()
    assert frame.locator("#invite-name").get_attribute("aria-invalid") == "true"
    frame.locator("#invite-name").fill("Jane Ledger")
    frame.locator("#invite-create").click()
    link = frame.locator("#invite-url")
    link.wait_for()
    url = link.input_value()
    assert url.startswith(f"{world.broker_url}/widget/v1/accountant#")
    frame.locator("#invite-copy").click()
    copied = frame.locator("#invite-copy").inner_text() == words["copied"]
    selected = owner.frames[1].evaluate("document.activeElement && document.activeElement.id") == "invite-url"
    assert copied or selected, "the link was neither copied nor selected for the owner to copy"
    frame.locator(".invite").scroll_into_view_if_needed()
    assert owner.frames[1].evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    check_axe(owner, f"invite your accountant {lang}")
    shoot(owner, f"invite-accountant-owner-{lang}-{viewport['width']}")

    # The accountant opens it in a browser of their own.
    page = accountant_ctx.new_page()
    page.goto(url)
    page.locator(".map-row").first.wait_for()
    assert "#" not in page.url, "the single-use token stays out of the address bar and the history"
    assert "Jane Ledger" in page.locator("#accountant-welcome").inner_text()
    assert page.locator("#invite-toggle").count() == 0, "an accountant cannot invite"
    assert page.evaluate("document.documentElement.lang") == lang
    assert fits(page)
    run_axe(page, f"accountant map {lang}")
    shoot(page, f"accountant-map-{lang}-{viewport['width']}")
    total = page.locator(".map-row").count()
    page.locator("#map-accept-all").click()
    page.locator("#map-save").click()
    page.locator(".recon-match").first.wait_for()
    assert fits(page)
    run_axe(page, f"accountant reconcile {lang}")
    shoot(page, f"accountant-reconcile-{lang}-{viewport['width']}")
    match = page.locator(".recon-match").first
    key = match.get_attribute("data-key")
    match.locator(".btn").first.click()
    page.locator(f".recon-match.is-confirmed[data-key='{key}']").wait_for()
    page.locator("#reliable-through").fill("2026-09-30")
    page.locator("#recon-save").click()
    page.get_by_role("heading", name=words["done"]).wait_for()
    run_axe(page, f"accountant done {lang}")
    shoot(page, f"accountant-done-{lang}-{viewport['width']}", full_page=True)

    # The lender sees who did it.
    mapping = world.http.get(f"{world.broker_url}/v1/accounts/{account_key}/mapping", headers=world._auth())
    saved = mapping.json()
    assert len(saved["mappings"]) == total
    actors = {h["actor"] for m in saved["mappings"] for h in m.get("history", [])}
    actors |= {m.get("saved_by") for m in saved["mappings"]}
    assert "accountant:Jane Ledger" in actors, actors
    reconciliation = world.http.get(
        f"{world.broker_url}/v1/accounts/{account_key}/reconciliation", headers=world._auth()
    ).json()
    assert "accountant:Jane Ledger" in json.dumps(reconciliation), reconciliation

    # The link opens once.
    again = accountant_ctx.new_page()
    again.goto(url)
    alert = again.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith(words["used"])
    run_axe(again, f"used invitation {lang}")
