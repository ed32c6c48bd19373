"""The per-app state of a sandbox (configuration, database, webhook service) kept in ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from sandbox.db import Database
from sandbox.webhooks import WebhookService


@dataclass
class Sandbox:
    """Everything the sandbox's views need, created once by ``create_app``."""

    config: dict[str, Any]
    db: Database
    webhooks: WebhookService

    def emit(self, event_type: str, account_key: str, data: dict[str, Any]) -> None:
        """Send a webhook event to every registered endpoint (stored first, delivered in the background)."""
        self.webhooks.emit(event_type, account_key, data)


def current_sandbox() -> Sandbox:
    """Return the state of the app handling this request."""
    state: Sandbox = current_app.extensions["sandbox"]
    return state
