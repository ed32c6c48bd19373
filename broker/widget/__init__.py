"""Serving the widget: the one-script loader with its SRI hash, and the frame's files, cached by ETag."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from broker.state import EXTENSION, BrokerState


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Serve the widget's files (outside the OpenAPI document and the rate limits: they are static and cached)."""
    from broker.widget import pages, views

    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
    state: BrokerState = app.extensions[EXTENSION]
    state.limits.limiter.exempt(views.bp)
    state.limits.limiter.exempt(pages.bp)
