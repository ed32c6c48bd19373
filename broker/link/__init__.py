"""Linking apps: the widget's session, the catalogue, connection attempts (OAuth, credentials and MFA, upload)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Register the widget's link endpoints (bearer link token) and the OAuth callback page."""
    from broker.link import views

    api.register_blueprint(views.bp)
