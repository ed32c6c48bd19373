"""The host app's pages: one blueprint for the lender's own pages, one for the credit team, one for webhooks."""

from __future__ import annotations

from flask import current_app

from example_host_app.broker_client import BrokerClient
from example_host_app.store import Store


def broker() -> BrokerClient:
    """Return the app's broker client."""
    client: BrokerClient = current_app.extensions["example_host_app"].broker
    return client


def store() -> Store:
    """Return the app's own database."""
    found: Store = current_app.extensions["example_host_app"].store
    return found
