"""``make demo``: start sandbox, broker and example host app on loopback, seed a demo company, print the URL to open."""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import API_KEY, API_USER, LENDER_NAME, TENANT_KEY, Stack, StackError

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
        _map_and_reconcile(stack, lender, key)
    _remember_in_host(stack, key)
    return key


def _map_and_reconcile(stack: Stack, lender: httpx.Client, account_key: str) -> None:
    """Do the owner's map and reconcile steps once, through the widget's own endpoints, so the demo company's
    credit view shows mapped statements and a reconciliation from the start (a new company goes through the widget).
    """
    body = {"account_key": account_key, "origin": stack.host_url, "scopes": ["map", "reconcile"], "expires_in": 600}
    answer = lender.post("/v1/link_tokens", json=body)
    if answer.status_code != 201:
        raise StackError(f"minting a link token for the demo company failed: {answer.status_code} {answer.text}")
    headers = {"Authorization": f"Bearer {answer.json()['link_token']}", "Origin": stack.host_url}
    with httpx.Client(base_url=stack.broker_url, headers=headers, timeout=120) as owner:
        view = _ok(owner.get("/v1/link/mapping"), "reading the demo company's chart of accounts")
        if view["saved_at"] is None:
            print("demo: mapping the demo company's chart of accounts with the suggestions...", flush=True)
            items = [
                {"account_id": a["id"], "category": a["suggestion"]["category"]}
                for a in view["accounts"]
                if a["suggestion"]["category"]
            ]
            _ok(owner.put("/v1/link/mapping", json={"mappings": items}), "saving the demo company's mapping")
        recon = _ok(owner.get("/v1/link/reconciliation"), "reading the demo company's reconciliation")
        if recon["completed_at"] is None and recon["month"]:
            print(f"demo: confirming the suggested bank matches of {recon['month']}...", flush=True)
            decisions = [
                {"bank_ids": [b["id"] for b in m["bank"]], "ledger_ids": [x["id"] for x in m["ledger"]]}
                | {"decision": "confirmed"}
                for account in recon["accounts"]
                for m in account["matches"]
            ]
            sent = {"decisions": decisions, "reliable_through": _reliable_through(recon)}
            _ok(owner.post("/v1/link/reconciliation", json=sent), "saving the demo company's reconciliation")


def _reliable_through(recon: dict[str, Any]) -> str:
    """What the owner would say: the broker's suggestion, else the end of the month just reviewed (never future)."""
    if recon["suggested_reliable_through"]:
        return str(recon["suggested_reliable_through"])
    year, month = (int(part) for part in recon["month"].split("-"))
    month_end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return min(month_end, date.today() - timedelta(days=1)).isoformat()


def _ok(answer: httpx.Response, doing: str) -> dict[str, Any]:
    if answer.status_code != 200:
        raise StackError(f"{doing} failed: {answer.status_code} {answer.text}")
    return dict(answer.json())


def _remember_in_host(stack: Stack, account_key: str) -> None:
    """List the demo company on the host's home page, as if the lender had created it there."""
    from example_host_app.store import Store

    store = Store(f"sqlite:///{stack.instance / 'host.sqlite3'}")
    try:
        if store.company(account_key) is None:
            store.add_company(account_key, DEMO_COMPANY["name"], DEMO_COMPANY["email"])
    finally:
        store.dispose()


ANOTHER_LENDER = ("Another Lender", "http://localhost:8010")


def instructions(stack: Stack, key: str) -> str:
    """What ``make demo`` prints once the stack runs: where to go, the demo lender, and commands to try."""
    lender = stack.lender
    name, origin = ANOTHER_LENDER
    add_client = stack.broker_command("create-client", name, "--origin", origin)
    return f"""
LedgerLink demo is running.  Open  {stack.host_url}/  in a browser.  (Ctrl-C stops everything.)

  lender site (example host app)  {stack.host_url}/
  broker                          {stack.broker_url}/openapi.json
  sandbox (upstream platform)     {stack.sandbox_url}/

The demo lender "{LENDER_NAME}" (broker client; its secret stays on the lender's server):
  client_id      {lender["client_id"]}
  client_secret  {lender["client_secret"]}
The demo company "{DEMO_COMPANY["name"]}" has its apps connected:  account_key {key}

Try it:   create a company on the lender site, open its applicant page, "Connect your business apps".
Sign-ins of the simulated apps (sandbox only):  see README.md, "Demo sign-ins".

Read data through the broker, as the lender's backend does:
  curl -s -u {lender["client_id"]}:{lender["client_secret"]} "{stack.broker_url}/v1/accounts/{key}/data/invoices?page=1"
Or straight from the sandbox, as the broker does:
  curl -s -u {API_USER}:{API_KEY} "{stack.sandbox_url}/api/invoices?X_ACCOUNT_KEY={key}&page=1"

Add another lender (a broker client for a page on another origin) to this demo's broker, in its own database:
  {add_client}
"""


def main() -> None:
    """Run the demo until Ctrl-C."""
    stack = Stack(INSTANCE, PORTS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("demo: starting the sandbox, the broker and the example host app...", flush=True)
        stack.start()
        key = seed(stack)
        print(instructions(stack, key), flush=True)
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
