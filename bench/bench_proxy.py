"""Proxy overhead: the same paginated reads direct to the sandbox and through the broker, both on loopback.

Prints median and p95 latency of one page, sequential and concurrent throughput, and the broker/direct ratios. The
reads are spread over several companies, as real traffic is, so that the broker's own per-company pacing (below the
upstream's 100 requests/s) does not dominate what is measured; the broker's per-client limits are raised for the run.
Both servers run in this process (werkzeug, threaded), so absolute numbers are modest; the ratios are the point.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker import create_app as create_broker
from sandbox import create_app as create_sandbox
from tests.live_server import live_server

API_USER, API_KEY, TENANT = "bench", "sk_bench_key_0123456789", "tenant_bench_key"
COMPANIES = 6
ROUNDS = 3
THREADS = 8
ORIGIN = "https://lender.example"


def read_pages(get: Callable[[int], httpx.Response], timings: list[float]) -> int:
    """Read pages 1, 2, ... until an empty array; record each request's latency; return the number of requests."""
    for page in range(1, 1000):
        started = time.perf_counter()
        response = get(page)
        timings.append(time.perf_counter() - started)
        response.raise_for_status()
        if not response.json():
            return page
    raise RuntimeError("no empty page")


def measure(label: str, readers: list[Callable[[int], httpx.Response]]) -> dict[str, float]:
    """Sequential latency over every company's collection, then concurrent throughput with a thread pool."""
    timings: list[float] = []
    started = time.perf_counter()
    requests = sum(read_pages(reader, timings) for _ in range(ROUNDS) for reader in readers)
    sequential_rps = requests / (time.perf_counter() - started)
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        counts = list(pool.map(lambda reader: read_pages(reader, []), readers * ROUNDS))
    concurrent_rps = sum(counts) / (time.perf_counter() - started)
    ordered = sorted(timings)
    figures = {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95)] * 1000,
        "sequential_rps": sequential_rps,
        "concurrent_rps": concurrent_rps,
        "requests": float(requests),
    }
    print(
        f"{label:8} median {figures['median_ms']:6.2f} ms  p95 {figures['p95_ms']:6.2f} ms  "
        f"sequential {sequential_rps:7.1f} req/s  {THREADS} threads {concurrent_rps:7.1f} req/s  "
        f"({requests} sequential requests)"
    )
    return figures


def main() -> None:
    """Start sandbox and broker on loopback, provision companies, run both measurements, print the ratios."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    sandbox_app = create_sandbox(
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
    with live_server(sandbox_app) as upstream:
        broker_app = create_broker(
            {
                "ENV": "testing",
                "SECRET_KEYS": ["bench-secret-key-0123456789abcdefghijkl"],
                "UPSTREAM_ADMIN_URL": upstream.url,
                "UPSTREAM_DATA_URL": upstream.url,
                "UPSTREAM_API_USER": API_USER,
                "UPSTREAM_API_KEY": API_KEY,
                "UPSTREAM_TENANT_KEY": TENANT,
                "DATABASE_URL": f"sqlite:///{workdir}/broker.sqlite3",
                "RATELIMIT_PER_CLIENT": "1000000 per second",
                "RATELIMIT_PER_ADDRESS": "1000000 per second",
                "RATELIMIT_PER_COMPANY": "1000 per second",
            }
        )
        with live_server(broker_app) as broker:
            runner = broker_app.test_cli_runner()
            lender = json.loads(runner.invoke(args=["create-client", "Bench", "--origin", ORIGIN]).output)
            auth = (lender["client_id"], lender["client_secret"])
            via_broker = httpx.Client(base_url=broker.url, auth=auth, timeout=60)
            direct = httpx.Client(base_url=upstream.url, auth=(API_USER, API_KEY), timeout=60)
            admin = httpx.Client(
                base_url=upstream.url, auth=(API_KEY, ""), headers={"Account-Key": TENANT}, timeout=600
            )
            keys = []
            for n in range(COMPANIES):
                created = via_broker.post("/v1/accounts", json={"name": f"Bench {n}", "email": f"b{n}@bench.test"})
                key = created.json()["account_key"]
                admin.post(
                    "/app/api.php", json={"action": "sandbox_connect", "account_key": key, "integration": "ledgerly"}
                ).raise_for_status()
                keys.append(key)

            def direct_reader(key: str) -> Callable[[int], httpx.Response]:
                return lambda page: direct.get("/api/invoices", params={"page": page}, headers={"X-Account-Key": key})

            def broker_reader(key: str) -> Callable[[int], httpx.Response]:
                return lambda page: via_broker.get(f"/v1/accounts/{key}/data/invoices", params={"page": page})

            print(f"invoices of {COMPANIES} companies, every page, {ROUNDS} rounds; loopback, one process")
            read_pages(direct_reader(keys[0]), [])  # warm both paths
            read_pages(broker_reader(keys[0]), [])
            base = measure("direct", [direct_reader(k) for k in keys])
            proxied = measure("broker", [broker_reader(k) for k in keys])
            print(
                f"ratio broker/direct: median latency x{proxied['median_ms'] / base['median_ms']:.2f}, "
                f"p95 x{proxied['p95_ms'] / base['p95_ms']:.2f}, "
                f"sequential throughput x{proxied['sequential_rps'] / base['sequential_rps']:.2f}, "
                f"concurrent throughput x{proxied['concurrent_rps'] / base['concurrent_rps']:.2f}"
            )
            for client in (via_broker, direct, admin):
                client.close()
        broker_app.extensions["broker"].close()


if __name__ == "__main__":
    main()
