"""Read every page of a 10,000+ object collection from the sandbox over loopback HTTP and print the figures.

Prints requests per second for the full read, and the median time of page 1 against the last page: with dense
positions the cost of a page must not grow with its number. The per-company rate limit is raised for the run (it
would otherwise measure the limiter, not the pages).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
from werkzeug.serving import WSGIRequestHandler, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox import create_app

API_USER, API_KEY, TENANT = "bench", "sk_bench_key_0123456789", "tenant_bench_key"
TARGET = 10_000
WINDOW = {"start": "2025-01-01", "end": "2026-10-31"}  # a day range over (almost) every invoice


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without the access log line (printing it would be what the benchmark measures)."""

    def log_request(self, *args: object, **kwargs: object) -> None:
        pass


def main() -> None:
    """Run the benchmark and print its figures."""
    workdir = tempfile.mkdtemp(prefix="bench-pages-")
    app = create_app(
        {
            "ENV": "test",
            "API_USER": API_USER,
            "API_KEY": API_KEY,
            "TENANT_KEY": TENANT,
            "DATA_END": date(2026, 10, 31),
            "DATABASE_URL": f"sqlite:///{workdir}/sandbox.sqlite3",
            "RATE_LIMIT": "1000000 per second",
            "SYNC_IN_BACKGROUND": False,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    admin = httpx.Client(base_url=base, auth=(API_KEY, ""), headers={"Account-Key": TENANT}, timeout=600)
    key = admin.post(
        "/app/api.php",
        json={"name": "Bench Co", "email_admin": "b@bench.test", "password": "benchmark1", "subdomain": "bench-co"},
    ).json()["account_key"]
    started = time.perf_counter()
    admin.post(
        "/app/api.php", json={"action": "sandbox_connect", "account_key": key, "integration": "ledgerly", "scale": 30}
    )
    print(f"seeded a company at scale 30 in {time.perf_counter() - started:.1f} s")

    data = httpx.Client(base_url=base, auth=(API_USER, API_KEY), params={"X_ACCOUNT_KEY": key}, timeout=30)
    pages, objects, durations = 0, 0, []
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        batch = data.get("/api/invoices", params={"page": pages + 1}).json()
        durations.append(time.perf_counter() - t0)
        if not batch:
            break
        pages += 1
        objects += len(batch)
    elapsed = time.perf_counter() - started
    if objects < TARGET:
        print(f"warning: only {objects} invoices were generated (wanted {TARGET}+)")

    def median_ms(page: int, repeats: int = 30, **params: str) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            data.get("/api/invoices", params={"page": page, **params}).raise_for_status()
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000

    first, last = median_ms(1), median_ms(pages)
    print(
        f"read {objects} invoices in {pages} pages (+1 empty) in {elapsed:.2f} s: "
        f"{(pages + 1) / elapsed:.0f} requests/s, {objects / elapsed:.0f} objects/s"
    )
    print(
        f"median time per page: page 1 {first:.2f} ms, page {pages} {last:.2f} ms, ratio last/first {last / first:.2f}"
    )
    in_window = pages_in_window(data)
    first, last = median_ms(1, **WINDOW), median_ms(in_window, **WINDOW)
    print(
        f"with start={WINDOW['start']}&end={WINDOW['end']} ({in_window} pages): page 1 {first:.2f} ms, "
        f"page {in_window} {last:.2f} ms, ratio last/first {last / first:.2f}"
    )
    server.shutdown()


def pages_in_window(data: httpx.Client) -> int:
    """Return the number of the last non-empty page of the day range (by bisection: a few requests)."""
    low, high = 1, 10_000
    while low < high:
        middle = (low + high + 1) // 2
        if data.get("/api/invoices", params={"page": middle, **WINDOW}).json():
            low = middle
        else:
            high = middle - 1
    return low


if __name__ == "__main__":
    main()
