"""Start the sandbox, broker and example host app on loopback, seed demo data and print the URL to open."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PORTS = {
    "host": int(os.environ.get("DEMO_HOST_PORT", 8000)),
    "broker": int(os.environ.get("DEMO_BROKER_PORT", 8001)),
    "sandbox": int(os.environ.get("DEMO_SANDBOX_PORT", 8002)),
}
SANDBOX_URL = f"http://{HOST}:{PORTS['sandbox']}"
API_USER, API_KEY, TENANT_KEY = "demo", "sk_sandbox_demo_key_change_me", "tenant_demo_account_key"
DEMO_COMPANY = {
    "name": "Maple & Rye Café",
    "email_admin": "owner@maple-rye.test",
    "password": "maple-rye-demo",
    "subdomain": "maple-rye",
    "type": "standard",
    "datashare": True,
}
DEMO_APPS = ("ledgerly", "northbank", "shopwave", "payday")


def start(name: str, app: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start one app under gunicorn on its loopback port."""
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        "1",
        "--threads",
        "8",
        "--bind",
        f"{HOST}:{PORTS[name]}",
        "--access-logfile",
        "-",
        "--log-level",
        "warning",
        app,
    ]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Wait until ``url`` answers, or stop with the reason."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"demo: {url} exited with status {process.returncode}; see its output above.")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    sys.exit(f"demo: {url} did not answer within {timeout:.0f} s.")


def seed_sandbox() -> str:
    """Create the demo company and connect its apps (idempotent); return its account key."""
    admin = httpx.Client(base_url=SANDBOX_URL, auth=(API_KEY, ""), headers={"Account-Key": TENANT_KEY}, timeout=120)
    response = admin.post("/app/api.php", json=DEMO_COMPANY)
    if response.status_code == 201:
        key = response.json()["account_key"]
    else:
        listed = admin.get("/app/api.php", params={"action": "accounts"}).json()
        key = next(row["account_key"] for row in listed if row["subdomain"] == DEMO_COMPANY["subdomain"])
    health = admin.get("/app/api.php", params={"action": "connection_health", "account_key": key}).json()
    connected = {c["integration"] for c in health["connections"] if c["status"] == "healthy"}
    for app in DEMO_APPS:
        if app not in connected:
            print(f"demo: connecting {app} to {DEMO_COMPANY['name']}...", flush=True)
            admin.post("/app/api.php", json={"action": "sandbox_connect", "account_key": key, "integration": app})
    return str(key)


def main() -> None:
    """Run the demo until Ctrl-C."""
    os.makedirs(ROOT / "instance", exist_ok=True)
    processes = [
        start(
            "sandbox",
            "sandbox:create_app()",
            {
                "SANDBOX_ENV": "development",
                "SANDBOX_PUBLIC_URL": SANDBOX_URL,
                "SANDBOX_API_USER": API_USER,
                "SANDBOX_API_KEY": API_KEY,
                "SANDBOX_TENANT_KEY": TENANT_KEY,
            },
        )
    ]
    try:
        wait_ready(SANDBOX_URL + "/", processes[0])
        key = seed_sandbox()
        print(json.dumps({"sandbox": SANDBOX_URL, "demo_account_key": key}, indent=2))
        print(
            f"""
The sandbox is running at {SANDBOX_URL}  (press Ctrl-C to stop)

Read the demo company's invoices, page by page (30 a page, until an empty array):
  curl -s -u {API_USER}:{API_KEY} "{SANDBOX_URL}/api/invoices?X_ACCOUNT_KEY={key}&page=1"
  curl -s -u {API_USER}:{API_KEY} "{SANDBOX_URL}/api/invoices?X_ACCOUNT_KEY={key}&page=2&start=2026-01-01"
Follow any object's source_url to the raw record the app returned:
  curl -s -u {API_USER}:{API_KEY} -H "X-Account-Key: {key}" "<source_url>"
""",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(process.poll() is None for process in processes):
            time.sleep(1)
        print("demo: a server stopped; shutting the others down.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
