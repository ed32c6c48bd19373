"""A variant of the three-origin world whose broker runs on an SQLite file and can be stopped and started again.

The broker keeps its port across a restart, so the lender's page, the frame and its link token carry on as they
would behind a load balancer while one broker process is replaced.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from flask import Flask

from e2e.widget_fixtures import SANDBOX_CONFIG, World, _ensure_axe, _LateApp, host_app
from tests.broker_support import settings
from tests.live_server import LiveServer, live_server


@dataclass
class RestartableWorld(World):
    """A ``World`` whose broker can be restarted with ``restart_broker()`` (same port, same database file)."""

    broker_config: dict[str, Any] | None = None
    broker_server: LiveServer | None = None
    broker_flask: Flask | None = None

    def _start(self, port: int) -> None:
        from broker import create_app

        assert self.broker_config is not None
        self.broker_flask = create_app(self.broker_config)
        self.broker_server = LiveServer(self.broker_flask, port=port).start()

    def stop_broker(self) -> None:
        """Stop serving and release the broker app's pools, as a process exit would."""
        if self.broker_server is not None:
            self.broker_server.stop()
            self.broker_server = None
        if self.broker_flask is not None:
            self.broker_flask.extensions["broker"].close()
            self.broker_flask = None

    def restart_broker(self) -> None:
        """Replace the broker with a fresh app on the same port and database (nothing in memory survives)."""
        port = int(self.broker_url.rsplit(":", 1)[1])
        self.stop_broker()
        self._start(port)


@contextlib.contextmanager
def running_restartable_world() -> Iterator[RestartableWorld]:
    """Sandbox, a restartable broker on an SQLite file, and the lender's page (the ``restartable_world`` fixture)."""
    import sandbox
    from broker.widget.views import loader_asset

    _ensure_axe()
    host = _LateApp()
    with tempfile.TemporaryDirectory() as folder, live_server(host) as host_server, httpx.Client(timeout=60) as http:
        tmp = Path(folder)
        host_url = f"http://localhost:{host_server.port}"
        config = {**SANDBOX_CONFIG, "SYNC_IN_BACKGROUND": False, "DATABASE_URL": f"sqlite:///{tmp / 'sandbox.sqlite3'}"}
        with live_server(sandbox.create_app(config)) as upstream:
            broker_config = settings(
                tmp,
                UPSTREAM_ADMIN_URL=upstream.url,
                UPSTREAM_DATA_URL=upstream.url,
                UPSTREAM_API_USER=SANDBOX_CONFIG["API_USER"],
                UPSTREAM_API_KEY=SANDBOX_CONFIG["API_KEY"],
                UPSTREAM_TENANT_KEY=SANDBOX_CONFIG["TENANT_KEY"],
                UPSTREAM_DEADLINE=30.0,
                RATELIMIT_PER_ADDRESS="100000 per minute",
            )
            world = RestartableWorld(upstream.url, "", host_url, "", "", http, broker_config=broker_config)
            world._start(0)
            assert world.broker_server is not None and world.broker_flask is not None
            world.broker_url = world.broker_server.url
            runner = world.broker_flask.test_cli_runner()
            lender = json.loads(runner.invoke(args=["create-client", "Acme Capital", "--origin", host_url]).output)
            world.client_id, world.client_secret = lender["client_id"], lender["client_secret"]
            host.app = host_app(world.broker_url, loader_asset().integrity, upstream.url)
            try:
                yield world
            finally:
                world.stop_broker()
