"""Map and reconcile: the owner's mapping and reconciliation decisions, saved with history, and the statements."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Register the map-and-reconcile blueprints and the short-lived cache of companies' books."""
    from broker.review import views
    from broker.review.books import BooksCache

    app.extensions[views.BOOKS] = BooksCache(float(app.config.get("BOOKS_CACHE_SECONDS", 30.0)))
    api.register_blueprint(views.widget_bp)
    api.register_blueprint(views.lender_bp)
