"""A live sandbox and broker wired together on loopback, with a lender created by the broker's CLI."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask

from tests.broker_support import broker_app
from tests.live_server import live_server

SANDBOX_CONFIG: dict[str, Any] = {
    "ENV": "test",
    "API_USER": "tenant-user",
    "API_KEY": "sk_test_sandbox_api_key_123456",
    "TENANT_KEY": "tenant_test_key_abcdef",
    "DATA_END": date(2026, 10, 31),
    "SYNC_IN_BACKGROUND": False,
}
LENDER_ORIGIN = "http://localhost:8000"


@dataclass
class LiveStack:
    """URLs of the two servers, their apps, and the lender's credentials."""

    sandbox_url: str
    broker_url: str
    sandbox: Flask
    broker: Flask
    client_id: str
    client_secret: str
    origin: str = LENDER_ORIGIN


@contextlib.contextmanager
def live_stack(folder: Path, **broker_overrides: Any) -> Iterator[LiveStack]:
    """Start the sandbox and a broker pointed at it; create the lender with ``flask create-client``."""
    import sandbox

    upstream_app = sandbox.create_app({**SANDBOX_CONFIG, "DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}"})
    try:
        with (
            live_server(upstream_app) as upstream,
            broker_app(
                folder,
                UPSTREAM_ADMIN_URL=upstream.url,
                UPSTREAM_DATA_URL=upstream.url,
                UPSTREAM_API_USER=SANDBOX_CONFIG["API_USER"],
                UPSTREAM_API_KEY=SANDBOX_CONFIG["API_KEY"],
                UPSTREAM_TENANT_KEY=SANDBOX_CONFIG["TENANT_KEY"],
                RATELIMIT_PER_ADDRESS="100000 per minute",
                **broker_overrides,
            ) as app,
            live_server(app) as broker,
        ):
            result = app.test_cli_runner().invoke(args=["create-client", "Postman Lender", "--origin", LENDER_ORIGIN])
            assert result.exit_code == 0, result.output
            lender = json.loads(result.output)
            yield LiveStack(upstream.url, broker.url, upstream_app, app, lender["client_id"], lender["client_secret"])
    finally:
        upstream_app.extensions["sandbox"].db.engine.dispose()
