"""The read-only proxy: one company's data read upstream for a lender or a widget, allow-listed and scoped."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Register the lender's reads (``/v1/accounts/<key>/data``) and the widget's (``/v1/link/data``)."""
    from broker.data import link_views, views

    api.register_blueprint(views.bp)
    api.register_blueprint(link_views.bp)
