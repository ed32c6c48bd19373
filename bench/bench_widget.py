"""The widget's weight and speed: loader and frame gzipped sizes, and open() to the first interactive step."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker.widget import assets as widget_assets
from e2e.widget_fixtures import CHROMIUM, CHROMIUM_ARGS, running_world, widget_frame

RUNS = 5


def sizes() -> None:
    """Print the loader's and the frame's bytes on the wire (gzip level 9)."""
    loader = widget_assets.build_loader()
    print(f"{'loader.js gzipped':52} {loader.gzipped_size:8,} B  ({len(loader.body):,} B raw, limit 3,072)")
    frame = widget_assets.frame_gzipped_size()
    print(f"{'frame gzipped (HTML, scripts, CSS, en messages)':52} {sum(frame.values()):8,} B  in {len(frame)} files")
    for name, size in sorted(frame.items(), key=lambda item: -item[1])[:5]:
        print(f"  {name:50} {size:8,} B")


def open_to_interactive() -> None:
    """Print the time from ``open()`` to the catalogue's search box being ready, cold cache each run."""
    from playwright.sync_api import sync_playwright

    with running_world() as world, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        timings: list[float] = []
        account_key = world.company()
        for _ in range(RUNS):
            context = chromium.new_context(locale="en-US", viewport={"width": 1024, "height": 800})
            page = context.new_page()
            page.goto(world.page_url(world.token(account_key)["link_token"]))
            started = time.perf_counter()
            page.evaluate("window.__handle.open()")
            widget_frame(page).locator("#search").wait_for()
            timings.append((time.perf_counter() - started) * 1000)
            context.close()
        chromium.close()
    print(
        f"{'open() to first interactive step (cold cache)':52} {statistics.median(timings):8.0f} ms median of {RUNS}"
        f"  (min {min(timings):.0f}, max {max(timings):.0f})"
    )


if __name__ == "__main__":
    sizes()
    open_to_interactive()
