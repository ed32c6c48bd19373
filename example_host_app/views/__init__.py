"""The host app's pages: one blueprint for the lender's own pages, one for the credit team, one for webhooks."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from werkzeug.wrappers import Response

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


def widget_page(template: str, **context: Any) -> Response:
    """Render a page that embeds the widget: the loader's URL and integrity go in, and the page is never cached
    (it is the user's own page, and its token is minted on demand)."""
    settings = current_app.config
    response = current_app.make_response(
        render_template(
            template,
            **context,
            loader_url=settings["BROKER_PUBLIC_URL"] + "/widget/v1/loader.js",
            integrity=settings["WIDGET_INTEGRITY"],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
