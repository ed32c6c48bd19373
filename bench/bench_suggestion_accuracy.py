"""Print how often auto-suggestion picks the category the sandbox's seeded truth gives, per accounting app.

Each sandbox company's chart of accounts comes with the leaf of the default standard chart it belongs to (the
"truth" in ``sandbox/fixtures/business/chart.py``). This connects a few companies to each accounting app in an
in-process sandbox, reads the normalized ``accounts`` as the broker would, suggests without any learning, and
compares by account code.
"""

from __future__ import annotations

import base64
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sandbox
from broker.mapping import default_chart, suggest_mappings
from sandbox.fixtures.business.chart import chart_of_accounts

API_KEY, USER, TENANT = "sk_test_sandbox_api_key_123456", "tenant-user", "tenant_test_key_abcdef"
APPS = ("ledgerly", "xenon")
COMPANIES = 3
TRUTH = {account.code: account.leaf for account in chart_of_accounts("0000", "1111")}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def sandbox_charts(companies: int = COMPANIES) -> dict[str, list[list[dict[str, Any]]]]:
    """Return, per accounting app, each connected company's normalized ``accounts`` as the broker reads them."""
    config: dict[str, Any] = {"ENV": "test", "API_USER": USER, "API_KEY": API_KEY, "TENANT_KEY": TENANT}
    config |= {"DATA_END": date(2026, 10, 31), "SYNC_IN_BACKGROUND": False}
    admin = {"Authorization": _basic(API_KEY, ""), "Account-Key": TENANT}
    charts: dict[str, list[list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        app = sandbox.create_app({**config, "DATABASE_URL": f"sqlite:///{Path(folder) / 'sandbox.sqlite3'}"})
        client = app.test_client()
        for integration in APPS:
            charts[integration] = []
            for n in range(companies):
                made = client.post(
                    "/app/api.php",
                    json={"name": f"Co {n}", "email_admin": "owner@example.test", "password": "pw-123456!"}
                    | {"subdomain": f"{integration}-{n}", "type": "standard", "datashare": True},
                    headers=admin,
                ).get_json()
                key = made["account_key"]
                client.post(
                    "/app/api.php",
                    json={"action": "sandbox_connect", "account_key": key, "integration": integration},
                    headers=admin,
                )
                data = {"Authorization": _basic(USER, API_KEY), "X-Account-Key": key}
                accounts: list[dict[str, Any]] = []
                for page in range(1, 100):
                    rows = client.get(f"/api/accounts?page={page}", headers=data).get_json()
                    if not rows:
                        break
                    accounts.extend(rows)
                charts[integration].append(accounts)
    return charts


def measure(companies: int = COMPANIES) -> dict[str, Any]:
    """Return, per app and overall, the accounts compared, those agreeing with the truth, and the misses."""
    results: dict[str, Any] = {}
    for integration, charts in sandbox_charts(companies).items():
        compared = agreed = 0
        misses: list[str] = []
        for n, accounts in enumerate(charts):
            for account, suggestion in zip(accounts, suggest_mappings(accounts, default_chart()), strict=True):
                truth = TRUTH.get(str(account.get("code")))
                if truth is None:
                    continue
                compared += 1
                if suggestion.category == truth:
                    agreed += 1
                elif n == 0:
                    misses.append(f"{account.get('code')} {account.get('name')!r}: {suggestion.category} != {truth}")
        results[integration] = {"compared": compared, "agreed": agreed, "misses": misses}
    total = sum(r["compared"] for r in results.values())
    results["overall"] = {"compared": total, "agreed": sum(r["agreed"] for r in results.values()), "misses": []}
    return results


def main() -> None:
    for name, row in measure().items():
        share = row["agreed"] / row["compared"] if row["compared"] else 0.0
        print(f"{name:9s} {row['agreed']:4d} of {row['compared']:4d} accounts agree with the truth: {share:.1%}")
        for miss in row["misses"]:
            print(f"          miss: {miss}")


if __name__ == "__main__":
    main()
