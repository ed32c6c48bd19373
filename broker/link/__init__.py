"""Linking apps: the widget's session, the catalogue, connection attempts (OAuth, credentials and MFA, upload)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Register the widget's link endpoints (bearer link token), the OAuth callback page and the short-lived memory of
    each region's app catalogue."""
    from broker.link import views
    from broker.link.catalogue import CACHE_SECONDS, CatalogueCache

    app.extensions[views.CATALOGUES] = CatalogueCache(float(app.config.get("CATALOGUE_CACHE_SECONDS", CACHE_SECONDS)))
    api.register_blueprint(views.bp)
