"""The sandbox: a local implementation of the unified financial-data upstream (Administration API, Data API, apps)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx
from flask import Flask, request
from flask_limiter import Limiter

from common.web import register_error_handlers


def _company_key() -> str:
    from sandbox.auth import requested_account_key

    try:
        return requested_account_key(required=False) or "-"
    except Exception:  # a malformed key is answered by the view; the limiter must not fail first
        return "-"


def _not_limited() -> bool:
    from sandbox.auth import data_credentials_valid, well_formed_account_key
    from sandbox.state import current_sandbox

    config = current_sandbox().config
    # Only authenticated reads of a well-formed company count: nobody can spend another company's budget.
    if not data_credentials_valid(config["API_USER"], config["API_KEY"]):
        return True
    return not well_formed_account_key(_company_key())


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the sandbox app: configuration checked, tables created, blueprints and the rate limit registered."""
    from sandbox import admin_api, data_api, faults, openapi
    from sandbox.apps.server import api as app_api
    from sandbox.apps.server import views as appserver_views
    from sandbox.config import ConfigError, announce_demo_credentials, load_config
    from sandbox.connect import views as connect_views
    from sandbox.connect.connector import INTERNAL_BASE, AppLink, Connector
    from sandbox.db import Database
    from sandbox.pages import configure_sessions
    from sandbox.state import Sandbox
    from sandbox.webhooks import WebhookService

    app = Flask(__name__, instance_relative_config=True)
    config = load_config(test_config)
    app.config["MAX_CONTENT_LENGTH"] = config["MAX_CONTENT_LENGTH"]
    app.config["JSON_SORT_KEYS"] = False
    os.makedirs(app.instance_path, exist_ok=True)
    url = config["DATABASE_URL"] or f"sqlite:///{os.path.join(app.instance_path, 'sandbox.sqlite3')}"
    db = Database(url)
    db.create_all(lambda started: appserver_views.register_connector(started, config))
    state = Sandbox(config=config, db=db, webhooks=WebhookService(db, timeout=config["WEBHOOK_TIMEOUT_SECONDS"]))
    app.extensions["sandbox"] = state
    state.webhooks.resume_pending()  # deliveries stored before a restart are sent without waiting for a new event
    announce_demo_credentials(config)

    register_error_handlers(app)
    configure_sessions(app, config["SECRET_KEY"], config["PUBLIC_URL"])
    try:
        fault_settings = faults.parse_spec(config["FAULTS"] or "")
    except ValueError as error:
        raise ConfigError(f"SANDBOX_FAULTS: {error}.") from None
    faults.register(app, faults.FaultInjector(fault_settings))
    limiter = Limiter(
        _company_key,
        app=app,
        storage_uri=config["RATELIMIT_STORAGE_URI"],
        headers_enabled=True,
        strategy="moving-window",
        key_prefix="sandbox",
    )
    limiter.limit(
        config["RATE_LIMIT"],
        key_func=_company_key,
        exempt_when=_not_limited,
        error_message="More than 100 requests per second for this company; retry after Retry-After.",
    )(data_api.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(data_api.bp)
    app.register_blueprint(appserver_views.bp)
    app.register_blueprint(app_api.bp)
    app.register_blueprint(connect_views.bp)
    app.register_blueprint(openapi.bp)
    appserver_views.create_servers(app)
    # Without SANDBOX_APPS_URL the connector calls the apps in-process, through the whole WSGI stack of this app.
    transport = None if config["APPS_URL"] else httpx.WSGITransport(app=app)
    link = AppLink(config["APPS_URL"] or INTERNAL_BASE, transport)
    app.extensions["sandbox.connect.connector"] = Connector(
        config["CONNECTOR_CLIENT_ID"], config["CONNECTOR_CLIENT_SECRET"], link
    )

    @app.get("/")
    def index() -> Any:
        return {
            "name": "ledgerlink sandbox",
            "admin_api": request.host_url.rstrip("/") + "/app/api.php",
            "data_api": request.host_url.rstrip("/") + "/api/",
            "docs": "See docs/sandbox.md (both APIs, apps, sign-ins, webhooks, faults) and docs/data-model.md.",
        }

    return app
