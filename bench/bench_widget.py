"""The widget's weight and speed on a loopback stack in Chromium: the loader's bytes on the wire, the frame's requests
and bytes up to its first step, and ``open()`` to an interactive catalogue, cold and warm.

The sandbox and the broker run as deployed (gunicorn processes, as ``make demo`` starts them), not inside this process:
a server sharing this process's interpreter with the Playwright driver waits on it (and it on them) and measures that
contention rather than the widget. The lender's page, a static page, is served from here.

Figures only, never pass/fail, each with an empty HTTP cache (a new browser context per run). "Cold" is issue 16's cold:
on a loaded page, ``create()`` and ``open()`` in the same task (a lender that creates the widget on the owner's click;
``?later=1`` on the e2e lender's page), so nothing was warmed up before. "Just after load" opens once the page has
loaded, after Playwright's round trip to the browser: the frame ``create()`` built at the load event has had that round
trip's head start (tens of ms, more on a busy machine; this was the "cold" figure before). "Warm" opens one second after
``create()`` (what the warm-up in ``create()`` wins). Each time is printed twice: measured in the page, from ``open()``
to the frame's ``open`` event (which it sends once its catalogue is rendered and shown), and around Playwright's calls
in this process, which adds its round trips to the browser and its polling for visibility.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from e2e.widget_fixtures import CHROMIUM, CHROMIUM_ARGS, World, host_app, record_frame_requests
from tests.live_server import live_server
from tests.scaleout_support import one_broker_stack

RUNS = 7
WARM_AFTER_MS = 1000
INTERACTIVE = "#search, #results .app"  # the search box and at least one app button: the catalogue can be used
ENCODINGS = ("identity", "gzip", "br")


def loader_on_the_wire(world: World) -> None:
    """Print the loader's body bytes as the broker sends them for each ``Accept-Encoding``."""
    figures = []
    for encoding in ENCODINGS:
        with httpx.stream("GET", f"{world.broker_url}/widget/v1/loader.js", headers={"Accept-Encoding": encoding}) as r:
            size = sum(len(chunk) for chunk in r.iter_raw())
            figures.append(
                f"{encoding} {size:,} B"
                + (
                    f" ({r.headers['content-encoding']})"
                    if encoding != "identity" and "content-encoding" in r.headers
                    else ""
                )
            )
    print(f"{'loader.js on the wire (Accept-Encoding)':44} " + ", ".join(figures))


def _interactive(page: Any) -> None:
    frame = page.frame_locator("iframe[src*='/widget/v1/frame']")
    frame.locator("#search").wait_for(state="visible")
    frame.locator("#results .app").first.wait_for(state="visible")


def _open_once(
    chromium: Any, world: World, account_key: str, wait_ms: int | None
) -> tuple[float, float, list[dict[str, Any]]]:
    """Load the lender's page, wait ``wait_ms`` after its load and call ``open()`` (``None``: the page calls
    ``create()`` only then, and ``open()`` at once); return the milliseconds to an interactive catalogue as
    Playwright sees it and as the page measures it, and every request to the broker but the loader's (the frame's
    requests up to its first step)."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1024, "height": 800})
    page = context.new_page()
    seen = record_frame_requests(page, world.broker_url)
    token = world.token(account_key)["link_token"]
    if wait_ms is None:
        page.goto(world.page_url(token, later="1"), wait_until="load")
        started = time.perf_counter()
        page.evaluate("window.__createAndOpen()")
    else:
        page.goto(world.page_url(token), wait_until="load")
        page.wait_for_timeout(wait_ms)
        started = time.perf_counter()
        page.evaluate("window.__openAt = performance.now(); window.__handle.open()")
    _interactive(page)
    elapsed = (time.perf_counter() - started) * 1000
    # The same interval inside the page: from open() to the frame's "open" event, which it sends once its catalogue
    # is rendered and shown (no Playwright round trips in it).
    in_page = float(page.evaluate("window.__openEventAt - window.__openAt"))
    page.wait_for_timeout(200)  # let the last finished-request events arrive
    context.close()
    return elapsed, in_page, seen


_BARE_FRAME = """(url) => new Promise((done) => {
  const started = performance.now();
  const frame = document.createElement("iframe");
  frame.onload = () => done(performance.now() - started);
  frame.src = url;
  document.body.appendChild(frame);
})"""


def _bare_frame(chromium: Any, world: World, account_key: str) -> float:
    """Milliseconds for the lender's page to load a cross-site iframe of an empty document (the broker's ``/healthz``)
    with an empty cache: what any framed widget pays on this machine before its own first byte of work."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(world.page_url(world.token(account_key)["link_token"], later="1"), wait_until="load")
    elapsed = float(page.evaluate(_BARE_FRAME, f"{world.broker_url}/healthz"))
    context.close()
    return elapsed


def _line(label: str, timings: list[float]) -> str:
    return (
        f"{label:44} {statistics.median(timings):6.0f} ms median of {len(timings)}"
        f"  (min {min(timings):.0f}, max {max(timings):.0f})"
    )


def widget_in_chromium(world: World) -> None:
    """Print the frame's first-step requests and bytes, then open() to interactive cold and warm."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        account_key = world.company()
        _open_once(chromium, world, account_key, 0)  # the servers' first answers (imports, connections) untimed
        cold = [_open_once(chromium, world, account_key, None) for _ in range(RUNS)]
        after_load = [_open_once(chromium, world, account_key, 0) for _ in range(RUNS)]
        warm = [_open_once(chromium, world, account_key, WARM_AFTER_MS) for _ in range(RUNS)]
        bare = [_bare_frame(chromium, world, account_key) for _ in range(RUNS)]
        requests = cold[-1][2]
        chromium.close()
    body = sum(r["body"] for r in requests)
    with_headers = body + sum(r["headers"] for r in requests)
    print(
        f"{'frame requests to its first step':44} {len(requests):6} requests, {body:,} B of bodies"
        f" ({with_headers:,} B with headers)"
    )
    for item in requests:
        print(f"  {item['path']:60} {item['body']:8,} B  {item['encoding'] or '-'}")
    for label, runs in (("cold", cold), ("just after load", after_load), (f"warm ({WARM_AFTER_MS} ms)", warm)):
        print(_line(f"open() to interactive catalogue, {label}", [run[1] for run in runs]) + "  in the page")
        print(_line("  same, seen by Playwright", [run[0] for run in runs]) + "  with its round trips")
    print(_line("this machine's floor: a bare cross-site iframe", bare) + "  (an empty document, to its load event)")
    cold_ratio = statistics.median([run[1] for run in cold]) / statistics.median(bare)
    print(f"{'cold open() / bare iframe':44} x{cold_ratio:.2f}")


@contextlib.contextmanager
def deployed_world() -> Iterator[World]:
    """The sandbox and one broker in gunicorn (one worker, threads; SQLite), the lender's page on loopback here."""
    from broker.widget.views import loader_asset

    with (
        one_broker_stack("bench-widget", BROKER_RATELIMIT_PER_ADDRESS="100000 per minute") as stack,
        live_server(host_app(stack.brokers[0].url, loader_asset().integrity, stack.sandbox.url)) as page_server,
        httpx.Client(timeout=30) as http,
    ):
        host_url = f"http://localhost:{page_server.port}"
        lender = stack.cli("create-client", "Acme Capital", "--origin", host_url)
        yield World(
            stack.sandbox.url, stack.brokers[0].url, host_url, lender["client_id"], lender["client_secret"], http
        )


if __name__ == "__main__":
    with deployed_world() as running:
        loader_on_the_wire(running)
        widget_in_chromium(running)
