"""The sandbox's connect pages on their own, for the browser tests: a sandbox on loopback and a lender that it
redirects to on another site. The fixtures (``sandbox``, ``page``) are in ``e2e/conftest.py``."""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from flask import Flask, request

from e2e.widget_fixtures import SANDBOX_CONFIG
from sandbox.apps.server.users import APP_OWNERS
from tests.live_server import live_server

CONFIG: dict[str, Any] = SANDBOX_CONFIG
PHONE = {"width": 320, "height": 740}


def lender_app() -> Flask:
    """The tenant's page that the connect flow returns to: it shows what it received."""
    app = Flask("e2e_lender")

    @app.get("/link/callback")
    def callback() -> str:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(request.args.items()))
        return f"<!doctype html><title>Acme Capital</title><h1>Back at Acme Capital</h1><p id='result'>{shown}</p>"

    return app


@dataclass
class Sandbox:
    """A sandbox on loopback, its two APIs, and the lender's callback URL (on an allowed origin)."""

    url: str
    callback: str
    admin: httpx.Client = field(repr=False)
    data: httpx.Client = field(repr=False)

    def company(self, subdomain: str) -> str:
        body = {
            "name": "Maple & Rye Café",
            "email_admin": f"owner@{subdomain}.test",
            "password": "correct horse 1",
            "subdomain": subdomain,
        }
        answer = self.admin.post("/app/api.php", json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["account_key"])

    def connect_url(self, account_key: str, integration: str, state: str) -> str:
        token = self.admin.get("/app/api.php", params={"action": "embed_token", "account_key": account_key})
        query = {"embed": token.json()["token"], "state": state, "redirect": self.callback}
        return f"{self.url}/connect/{integration}?{urlencode(query)}"

    def health(self, account_key: str) -> dict[str, dict[str, Any]]:
        answer = self.admin.get("/app/api.php", params={"action": "connection_health", "account_key": account_key})
        return {row["integration"]: row for row in answer.json()["connections"]}

    def wait_healthy(self, account_key: str, integration: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            row = self.health(account_key).get(integration)
            if row and row["status"] == "healthy":
                assert row["sync_progress"] == 100
                return row
            assert row is None or row["status"] in {"syncing", "healthy"}, row
            if time.monotonic() > deadline:
                raise AssertionError(f"{integration} not healthy within {timeout} s: {row}")
            time.sleep(0.2)

    def traced(self, account_key: str, object_type: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the first object of a collection and the raw record its ``source_url`` leads to."""
        answer = self.data.get(f"/api/{object_type}", params={"X_ACCOUNT_KEY": account_key, "page": 1})
        assert answer.status_code == 200, answer.text
        first = answer.json()[0]
        assert first["source_url"].startswith(f"{self.url}/api/source_records/")
        raw = self.data.get(first["source_url"], headers={"X-Account-Key": account_key})
        assert raw.status_code == 200, raw.text
        return first, raw.json()


@contextlib.contextmanager
def running_sandbox() -> Iterator[Sandbox]:
    """A sandbox on loopback that allows a lender's callback on another site (``localhost``)."""
    import sandbox as sandbox_package

    with tempfile.TemporaryDirectory() as folder, live_server(lender_app()) as lender:
        app = sandbox_package.create_app({**CONFIG, "DATABASE_URL": f"sqlite:///{Path(folder) / 'sandbox.sqlite3'}"})
        with (
            live_server(app) as server,
            httpx.Client(
                base_url=server.url, auth=(CONFIG["API_KEY"], ""), headers={"Account-Key": CONFIG["TENANT_KEY"]}
            ) as admin,
            httpx.Client(base_url=server.url, auth=(CONFIG["API_USER"], CONFIG["API_KEY"])) as data,
        ):
            origin = f"http://localhost:{lender.port}"  # another site than the sandbox's 127.0.0.1
            allowed = admin.post("/app/api.php", json={"action": "allow_url", "url": origin})
            assert allowed.status_code == 200, allowed.text
            yield Sandbox(server.url, origin + "/link/callback", admin, data)


def sign_in_to_app(page: Any, integration: str, password: str | None = None) -> None:
    """Sign in to a simulated app's page as its owner (or with another ``password``)."""
    email, right = APP_OWNERS[integration]
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password or right)
    page.get_by_role("button", name="Sign in").click()
