"""``make demo``: start sandbox, broker and example host app on loopback, seed a demo company, print the URL to open."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import API_KEY, API_USER, TENANT_KEY, Stack, StackError

ROOT = Path(__file__).resolve().parent.parent
PORTS = {
    "host": int(os.environ.get("DEMO_HOST_PORT", 8000)),
    "broker": int(os.environ.get("DEMO_BROKER_PORT", 8001)),
    "sandbox": int(os.environ.get("DEMO_SANDBOX_PORT", 8002)),
}
INSTANCE = Path(os.environ.get("DEMO_INSTANCE", ROOT / "instance" / "demo"))
DEMO_COMPANY = {"name": "Maple & Rye Café", "email": "owner@maple-rye.test", "external_id": "demo-maple-rye"}
DEMO_APPS = ("ledgerly", "northbank", "shopwave", "payday")


def seed(stack: Stack) -> str:
    """Create the demo company through the broker and connect its apps in the sandbox (idempotent)."""
    lender = httpx.Client(base_url=stack.broker_url, auth=(stack.lender["client_id"], stack.lender["client_secret"]))
    admin = httpx.Client(base_url=stack.sandbox_url, auth=(API_KEY, ""), headers={"Account-Key": TENANT_KEY})
    with lender, admin:
        answer = lender.post("/v1/accounts", json=DEMO_COMPANY, timeout=60)
        if answer.status_code not in (200, 201):
            raise StackError(f"creating the demo company failed: {answer.status_code} {answer.text}")
        key = str(answer.json()["account_key"])
        health = admin.get("/app/api.php", params={"action": "connection_health", "account_key": key}).json()
        connected = {c["integration"] for c in health["connections"] if c["status"] in ("healthy", "syncing")}
        for app in DEMO_APPS:
            if app not in connected:
                print(f"demo: connecting {app} to {DEMO_COMPANY['name']} in the sandbox...", flush=True)
                body = {"action": "sandbox_connect", "account_key": key, "integration": app}
                admin.post("/app/api.php", json=body, timeout=180).raise_for_status()
    _remember_in_host(stack, key)
    return key


def _remember_in_host(stack: Stack, account_key: str) -> None:
    """List the demo company on the host's home page, as if the lender had created it there."""
    from example_host_app.store import Store

    store = Store(f"sqlite:///{stack.instance / 'host.sqlite3'}")
    try:
        if store.company(account_key) is None:
            store.add_company(account_key, DEMO_COMPANY["name"], DEMO_COMPANY["email"])
    finally:
        store.dispose()


def main() -> None:
    """Run the demo until Ctrl-C."""
    stack = Stack(INSTANCE, PORTS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("demo: starting the sandbox, the broker and the example host app...", flush=True)
        stack.start()
        key = seed(stack)
        lender = stack.lender
        print(
            f"""
LedgerLink demo is running.  Open  {stack.host_url}/  in a browser.  (Ctrl-C stops everything.)

  lender site (example host app)  {stack.host_url}/
  broker                          {stack.broker_url}/openapi.json
  sandbox (upstream platform)     {stack.sandbox_url}/

The demo lender "Acme Capital" (broker client; its secret stays on the lender's server):
  client_id      {lender["client_id"]}
  client_secret  {lender["client_secret"]}
The demo company "{DEMO_COMPANY["name"]}" has its apps connected:  account_key {key}

Try it:   create a company on the lender site, open its applicant page, "Connect your business apps".
Sign-ins of the simulated apps (sandbox only):  see README.md, "Demo sign-ins".

Read data through the broker, as the lender's backend does:
  curl -s -u {lender["client_id"]}:{lender["client_secret"]} "{stack.broker_url}/v1/accounts/{key}/data/invoices?page=1"
Or straight from the sandbox, as the broker does:
  curl -s -u {API_USER}:{API_KEY} "{stack.sandbox_url}/api/invoices?X_ACCOUNT_KEY={key}&page=1"
""",
            flush=True,
        )
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        print("demo: a server stopped; shutting the others down.", file=sys.stderr)
    except StackError as error:
        print(f"demo: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
