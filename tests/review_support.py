"""A world for the map-and-reconcile tests: the real sandbox on loopback and a broker app in front of it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from flask import Flask

from tests.broker_support import (
    ORIGIN,
    SANDBOX_CONFIG,
    FrozenClock,
    auth_headers,
    basic,
    create_lender,
    new_link_token,
    sandbox_and_broker,
)

NOW = 1_796_000_000.0  # 2026-11-29, after the sandbox's data ends


@dataclass
class ReviewWorld:
    """Two lenders; lender A has two companies with books (``key_a``, ``key_a2``), lender B one (``key_b``)."""

    app: Flask
    a: dict[str, str]
    b: dict[str, str]
    key_a: str
    key_a2: str
    key_b: str
    clock: FrozenClock

    def token(self, account_key: str | None = None, scopes: tuple[str, ...] = ("link", "map", "reconcile")) -> str:
        """Mint a link token of lender A with these scopes."""
        body = new_link_token(self.app, self.a, account_key or self.key_a, scopes=list(scopes))
        return str(body["link_token"])

    def lender(self, who: str = "a") -> dict[str, str]:
        return auth_headers(self.a if who == "a" else self.b)


def _connect(url: str, account_key: str, integration: str) -> None:
    answer = httpx.post(
        f"{url}/app/api.php",
        json={"action": "sandbox_connect", "account_key": account_key, "integration": integration},
        auth=(SANDBOX_CONFIG["API_KEY"], ""),
        headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text


def review_world(**overrides: Any) -> Iterator[ReviewWorld]:
    """Yield the world (use from a module-scoped fixture)."""
    clock = FrozenClock(NOW)
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_and_broker(
            Path(folder),
            UPSTREAM_DEADLINE=30.0,
            CLOCK=clock,
            RATELIMIT_PER_ADDRESS="100000 per minute",
            WEBHOOK_DISPATCHER=False,
            **overrides,
        ) as stack,
    ):
        app = stack.broker
        made = [create_lender(app, name, ORIGIN) for name in ("Lender A", "Lender B")]
        lenders = [{**basic(m["client_id"], m["client_secret"]), "client_id": m["client_id"]} for m in made]
        client = app.test_client()
        keys = []
        for lender, name in ((lenders[0], "Maple & Rye"), (lenders[0], "Juniper Pantry"), (lenders[1], "Other")):
            created = client.post(
                "/v1/accounts", json={"name": name, "email": "owner@example.test"}, headers=auth_headers(lender)
            )
            assert created.status_code == 201, created.get_json()
            keys.append(created.get_json()["account_key"])
        for key in keys:
            for integration in ("ledgerly", "northbank"):
                _connect(stack.sandbox_url, key, integration)
        yield ReviewWorld(app, lenders[0], lenders[1], keys[0], keys[1], keys[2], clock)
