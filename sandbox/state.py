"""The per-app state of a sandbox (configuration, database, webhook service) kept in ``app.extensions``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from sandbox.db import Database
from sandbox.webhooks import WebhookService


class BackgroundWork:
    """Work running in daemon threads (first syncs, resyncs), kept so that a shutdown can let it finish first."""

    def __init__(self) -> None:
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def start(self, target: Callable[[], object], name: str) -> None:
        def run() -> None:
            try:
                target()
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=run, daemon=True, name=name)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait up to ``timeout`` seconds for the running work; True when none is left."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                running = list(self._threads)
            if not running:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            running[0].join(remaining)


@dataclass
class Sandbox:
    """Everything the sandbox's views need, created once by ``create_app``."""

    config: dict[str, Any]
    db: Database
    webhooks: WebhookService
    background: BackgroundWork = field(default_factory=BackgroundWork)

    def run(self, target: Callable[[], object], name: str, *, background: bool) -> None:
        """Run ``target`` now, or in a daemon thread so the caller can answer while progress is polled."""
        if background:
            self.background.start(target, name)
        else:
            target()

    def close(self, timeout: float = 30.0) -> None:
        """Let background syncs finish, stop the webhook sender, then release the database (tests' teardown)."""
        self.background.wait(timeout)
        self.webhooks.dispatcher.stop()
        self.db.engine.dispose()

    def emit(self, event_type: str, account_key: str, data: dict[str, Any]) -> None:
        """Send a webhook event to every registered endpoint (stored first, delivered in the background)."""
        self.webhooks.emit(event_type, account_key, data)


def current_sandbox() -> Sandbox:
    """Return the state of the app handling this request."""
    state: Sandbox = current_app.extensions["sandbox"]
    return state
