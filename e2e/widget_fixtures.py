"""Helpers of the widget's browser tests: sandbox, broker and a lender's page on three loopback origins, Chromium.

The fixtures built on them (``world``, ``browser``, ``context``...) are in ``e2e/conftest.py``; import only helpers
from here. The lender's page is on ``http://localhost:<port>``, the broker on ``http://127.0.0.1:<port>`` and the
sandbox on another ``127.0.0.1`` port, so the host page and the frame are cross-site, as in production.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask, Response, request, send_from_directory

from tests.broker_support import create_lender, sandbox_and_broker
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
HOST_STATIC = Path(__file__).resolve().parent / "host_static"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SAMPLES = ROOT / "sandbox" / "static" / "samples"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SANDBOX_CONFIG: dict[str, Any] = {
    "ENV": "test",
    "API_USER": "tenant-user",
    "API_KEY": "sk_test_sandbox_api_key_123456",
    "TENANT_KEY": "tenant_test_key_abcdef",
    "DATA_END": date(2026, 10, 31),
    "SYNC_IN_BACKGROUND": True,
    "TENANT_NAME": "Acme Capital",
}
APP_OWNERS = {"ledgerly": ("owner@ledgerly.test", "ledgerly-demo-1"), "xenon": ("owner@xenon.test", "xenon-demo-1")}
BANK_USER, BANK_PASSWORD, BANK_CODE = "maple.owner", "northbank-demo-1", "123456"

pytestmark = pytest.mark.e2e


def host_app(broker_url: str, integrity: str, foreign_url: str) -> Flask:
    """The lender's page: the loader's script tag (pinned with SRI) under a strict CSP, and a Connect button.

    ``?twice=1`` includes the script tag twice; ``?foreign=1`` adds an iframe from ``foreign_url`` (a third origin
    that may post messages at the loader and the frame).
    """
    app = Flask("e2e_host")

    @app.get("/")
    def index() -> Response:
        src = f"{broker_url}/widget/v1/loader.js"
        tag = f'<script src="{src}" integrity="{integrity}" crossorigin="anonymous"></script>'
        twice = tag if request.args.get("twice") else ""
        foreign = request.args.get("foreign")
        frames = f"{broker_url} {foreign_url}" if foreign else broker_url
        extra = f'<iframe id="foreign" title="Foreign" src="{foreign_url}/"></iframe>' if foreign else ""
        html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Capital: apply for credit</title>
{tag}{twice}<script src="/host.js" defer></script></head>
<body><main><h1>Acme Capital</h1><p>Apply for a line of credit in minutes.</p>
<button id="connect" type="button">Connect your business apps</button><div id="inline"></div>{extra}</main>
</body></html>"""
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' {broker_url}; frame-src {frames}; style-src 'self'"
        )
        return response

    @app.get("/<name>")
    def static_file(name: str) -> Response:
        return send_from_directory(HOST_STATIC, name)

    return app


@dataclass
class World:
    """The three servers, a lender (broker client) and helpers to make a company and a link token."""

    sandbox_url: str
    broker_url: str
    host_url: str
    client_id: str
    client_secret: str
    http: httpx.Client = field(repr=False)
    broker: Flask | None = field(default=None, repr=False)  # the broker app, to register more lenders

    def other_page(self, *, registered: bool) -> contextlib.AbstractContextManager[str]:
        """Serve the lender's page on another origin (``http://127.0.0.1:<port>``) and yield that origin; with
        ``registered``, another lender (broker client) registers it, as a second lender of this broker would."""
        return _other_page(self, registered)

    def _auth(self) -> dict[str, str]:
        raw = f"{self.client_id}:{self.client_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def company(self, name: str = "Maple & Rye Café") -> str:
        """Create a company through the broker; return its account key."""
        answer = self.http.post(
            f"{self.broker_url}/v1/accounts", json={"name": name, "email": "owner@maple.test"}, headers=self._auth()
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["account_key"])

    def token(self, account_key: str, **body: Any) -> dict[str, Any]:
        """Mint a link token for the host page's origin."""
        answer = self.http.post(
            f"{self.broker_url}/v1/link_tokens",
            json={"account_key": account_key, "origin": self.host_url, "scopes": ["link", "read"], **body},
            headers=self._auth(),
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def revoke(self, token_id: str) -> None:
        answer = self.http.delete(f"{self.broker_url}/v1/link_tokens/{token_id}", headers=self._auth())
        assert answer.status_code in (200, 204), answer.text

    def sandbox_connect(self, account_key: str, integration: str) -> None:
        answer = self.http.post(
            f"{self.sandbox_url}/app/api.php",
            json={"action": "sandbox_connect", "account_key": account_key, "integration": integration},
            auth=(SANDBOX_CONFIG["API_KEY"], ""),
            headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        )
        assert answer.status_code == 201, answer.text

    def sandbox_action(self, action: str, account_key: str, integration: str) -> dict[str, Any]:
        """Run a sandbox Administration API action on one connection (``revoke_app_token``, ``sync``...)."""
        answer = self.http.post(
            f"{self.sandbox_url}/app/api.php",
            json={"action": action, "account_key": account_key, "integration": integration},
            auth=(SANDBOX_CONFIG["API_KEY"], ""),
            headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        )
        assert answer.status_code < 300, answer.text
        return dict(answer.json())

    def page_url(self, token: str, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"token": token, **params}.items())
        return f"{self.host_url}/?{query}"


def _ensure_axe() -> None:
    if AXE.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("axe-core is missing and npm is not installed: run `npm ci` in widget/")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT / "widget", check=True, timeout=300)


@contextlib.contextmanager
def running_world() -> Iterator[World]:
    """Start the sandbox, the broker and the lender's page on loopback (also used by bench/bench_widget.py)."""
    from broker.widget.views import loader_asset

    _ensure_axe()
    host = _LateApp()
    with tempfile.TemporaryDirectory() as folder, live_server(host) as host_server:
        host_url = f"http://localhost:{host_server.port}"
        with (
            sandbox_and_broker(Path(folder), SANDBOX_CONFIG, RATELIMIT_PER_ADDRESS="100000 per minute") as stack,
            live_server(stack.broker) as broker,
            httpx.Client(timeout=30) as http,
        ):
            lender = create_lender(stack.broker, "Acme Capital", host_url)
            host.app = host_app(broker.url, loader_asset().integrity, stack.sandbox_url)
            yield World(
                stack.sandbox_url,
                broker.url,
                host_url,
                lender["client_id"],
                lender["client_secret"],
                http,
                stack.broker,
            )


@contextlib.contextmanager
def _other_page(world: World, registered: bool) -> Iterator[str]:
    from broker.widget.views import loader_asset

    page = host_app(world.broker_url, loader_asset().integrity, world.sandbox_url)
    with live_server(page) as server:
        if registered:
            assert world.broker is not None
            create_lender(world.broker, f"Other lender {server.port}", server.url)
        yield server.url


class _LateApp:
    """A WSGI app set after its server started (the host page's origin is needed to register the lender)."""

    app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's sync API), closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def traced_context(browser: Any, node: pytest.Item, *, timeout_ms: int = 15_000, **options: Any) -> Iterator[Any]:
    """A fresh browser profile (English, 15 s timeouts, unless ``options`` say otherwise) that records a trace;
    screenshots and the trace are kept when ``node`` failed."""
    ctx = browser.new_context(**{"locale": "en-US", **options})
    ctx.set_default_timeout(timeout_ms)
    ctx.tracing.start(screenshots=True, snapshots=True)
    yield ctx
    keep_failure_artifacts(ctx, node)
    ctx.close()


def keep_failure_artifacts(ctx: Any, node: pytest.Item) -> None:
    """When ``node`` failed, save a screenshot of each open page and the Playwright trace, and say where."""
    report = getattr(node, "report_call", None)
    if report is None or not report.failed:
        ctx.tracing.stop()
        return
    folder = ARTIFACTS / "failures" / node.name
    shutil.rmtree(folder, ignore_errors=True)  # only this run's failure, never an older one's
    folder.mkdir(parents=True, exist_ok=True)
    for index, page in enumerate(ctx.pages):
        if not page.is_closed():
            page.screenshot(path=str(folder / f"page-{index}.png"))
    ctx.tracing.stop(path=str(folder / "trace.zip"))
    print(f"\nfailure artifacts of {node.nodeid}: {folder} (open trace.zip with `playwright show-trace`)")


def widget_frame(page: Any) -> Any:
    """The widget's frame once its first step is on screen."""
    page.wait_for_selector("iframe[src*='/widget/v1/frame']")
    frame = page.frame_locator("iframe[src*='/widget/v1/frame']")
    frame.locator(".step-title").first.wait_for()
    return frame


def frame_handle(page: Any) -> Any:
    """The Playwright Frame object of the widget (for evaluate)."""
    return next(f for f in page.frames if "/widget/v1/frame" in f.url)


def events(page: Any) -> list[list[Any]]:
    """What the host page's callbacks received so far."""
    return list(page.evaluate("window.__events"))


def wait_for_event(page: Any, kind: str, timeout: float = 15.0) -> list[Any]:
    """Wait until the host page's callbacks received ``kind``; return that entry.

    Polls with ``page.evaluate`` rather than ``wait_for_function``: the lender's page has a CSP without
    ``'unsafe-eval'``, and Playwright's in-page polling would evaluate its predicate as a string.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in events(page) if e[0] == kind]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind!r} callback within {timeout} s; got {events(page)}")
        page.wait_for_timeout(100)


AXE_RUN = """() => Promise.race([
  axe.run(document, {resultTypes: ['violations']}),
  new Promise((_, reject) => setTimeout(() => reject(new Error('axe-core did not finish in 30 s')), 30000)),
])"""

DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
  return [...new Set(ids.filter((id, n) => ids.indexOf(id) !== n))];
}"""


def run_axe(target: Any, label: str) -> None:
    """Run axe-core in ``target`` (a page or a frame); fail on any serious or critical violation, and on an id used
    twice (axe 4 no longer checks that, and a label or ``aria-describedby`` then points at the wrong element).

    The page is brought to the front first: a page behind a popup gets no animation frames, and axe waits for them.
    """
    page = target.page if hasattr(target, "page") else target
    page.bring_to_front()
    if not target.evaluate("typeof window.axe !== 'undefined'"):
        target.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = target.evaluate(AXE_RUN)
    bad = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe on {label}: {bad}"
    twice = target.evaluate(DUPLICATE_IDS)
    assert not twice, f"ids used twice on {label}: {twice}"


def check_axe(page: Any, label: str) -> None:
    """Run axe-core inside the widget's frame on ``page``."""
    run_axe(frame_handle(page), label)


def record_frame_requests(page: Any, broker_url: str) -> list[dict[str, Any]]:
    """Collect, as they finish, the page's requests to the broker but the loader's (the frame's own): each one's
    ``path``, ``body`` and ``headers`` bytes and ``encoding`` (``None`` when sent uncompressed)."""
    seen: list[dict[str, Any]] = []

    def finished(request: Any) -> None:
        if request.url.startswith(broker_url) and "/loader.js" not in request.url:
            response = request.response()
            sizes = request.sizes()
            seen.append(
                {
                    "path": request.url[len(broker_url) :].split("?")[0],
                    "body": sizes["responseBodySize"],
                    "headers": sizes["responseHeadersSize"],
                    "encoding": response.headers.get("content-encoding") if response else None,
                }
            )

    page.on("requestfinished", finished)
    return seen


def shoot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot of the page (the whole page with ``full_page``) under e2e/artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_with_token(page: Any, world: World, token: str, **params: str) -> Any:
    """Load the lender's page for ``token`` with ``params``, click Connect and return the widget's frame."""
    page.goto(world.page_url(token, **params))
    page.click("#connect")
    return widget_frame(page)


def open_widget(page: Any, world: World, account_key: str | None = None, **params: str) -> tuple[Any, str]:
    """Make a company (unless given), mint a token, load the lender's page with ``params`` and click Connect."""
    account_key = account_key or world.company()
    return open_with_token(page, world, world.token(account_key)["link_token"], **params), account_key


def sign_in_popup(popup: Any, app: str, decision: str = "allow") -> None:
    """Sign in to an OAuth app's consent page in the popup and allow (or deny) access."""
    email, password = APP_OWNERS[app]
    popup.wait_for_load_state()
    decide = popup.locator(f"button[value={decision}]")
    # The app remembers a sign-in from earlier in this browser: then it goes straight to its consent page.
    popup.locator("input[name=email]").or_(decide).first.wait_for()
    if popup.locator("input[name=email]").count():
        popup.fill("input[name=email]", email)
        popup.fill("input[name=password]", password)
        popup.click("button[type=submit]")
    decide.click()


def leave_done_screen(page: Any, frame: Any) -> None:
    """Leave the done screen (where the owner keeps their receipt) with its Done button: the host's onSuccess fires
    then. By keyboard, and only the key going down (Enter activates a button there): a click, or the key's release,
    would wait on a frame that the loader removes under it, and could wait for ever."""
    frame.locator("#done-close").focus()
    press_to_leave(page)


def press_to_leave(page: Any, key: str = "Enter") -> None:
    """Press ``key`` on what has the focus in a frame that this removes (the release goes to the host page after)."""
    page.keyboard.down(key)
    with contextlib.suppress(Exception):  # released once the frame is gone (it is, on success and on exit)
        page.wait_for_selector("iframe[src*='/widget/v1/frame']", state="detached", timeout=10_000)
    page.keyboard.up(key)


def share_from_review(page: Any, frame: Any, name: str = "Robin Birch") -> None:
    """On the review before sharing: give the attestation's name (when asked), Share, then leave the done screen."""
    frame.locator("#review-share:not([disabled])").wait_for(timeout=60_000)
    if frame.locator("#attest-name").count():
        frame.locator("#attest-name").fill(name)
    frame.locator("#review-share").click()
    leave_done_screen(page, frame)


def event_names(page: Any) -> list[str]:
    """The names ``onEvent`` received so far, in order."""
    return [e[1] for e in events(page) if e[0] == "event"]


def message_listeners(page: Any) -> int:
    """How many ``message`` listeners the lender's page window has (read through the DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        window = cdp.send("Runtime.evaluate", {"expression": "window"})["result"]["objectId"]
        listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": window})["listeners"]
        return sum(1 for item in listeners if item["type"] == "message")
    finally:
        cdp.detach()
