"""The lender's API: broker clients, the company accounts they provision and the link tokens they mint."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api


# Views are imported when an app is built: importing a feature's store or models never pulls in its Flask views.
def init_app(app: Flask, api: Api) -> None:
    """Register the lender's endpoints (HTTP Basic with a broker client's id and secret)."""
    from broker.lender import views

    api.register_blueprint(views.bp)
