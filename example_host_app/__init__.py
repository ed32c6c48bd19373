"""The example host app: a small lender site that uses the broker the way a lender's developer would."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, abort, render_template, request, session

from example_host_app import present
from example_host_app.broker_client import BrokerClient
from example_host_app.config import load_settings
from example_host_app.store import Store

EXTENSION = "example_host_app"
CSRF_EXEMPT = frozenset({"hooks.receive"})


class HostState:
    """What the host app holds for its lifetime: its settings, the broker client and its own database."""

    def __init__(self, settings: Mapping[str, Any], instance_path: str) -> None:
        self.settings = dict(settings)
        self.broker = BrokerClient(
            settings["BROKER_URL"],
            settings["CLIENT_ID"],
            settings["CLIENT_SECRET"],
            timeout=float(settings["BROKER_TIMEOUT"]),
            transport=settings["BROKER_TRANSPORT"],
        )
        url = settings["DATABASE_URL"] or "sqlite:///" + os.path.join(instance_path, "host.sqlite3")
        self.store = Store(url)

    def close(self) -> None:
        """Release the HTTP pool and the database."""
        self.broker.close()
        self.store.dispose()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the host app from defaults, ``HOST_*`` environment variables and ``test_config``; fail if unsafe."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(test_config)
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["ENV"] == "production",
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.extensions[EXTENSION] = HostState(settings, app.instance_path)

    from example_host_app.views.credit import bp as credit_bp
    from example_host_app.views.hooks import bp as hooks_bp
    from example_host_app.views.pages import bp as pages_bp
    from example_host_app.views.reconnect import bp as reconnect_bp

    for blueprint in (pages_bp, credit_bp, hooks_bp, reconnect_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.filters["money"] = present.money
    app.jinja_env.filters["ratio"] = present.ratio
    app.jinja_env.filters["when"] = present.when
    app.jinja_env.filters["app_name"] = present.app_name
    app.jinja_env.globals["csrf_token"] = csrf_token
    _install_security(app, settings)
    _install_error_pages(app)
    return app


def csrf_token() -> str:
    """Return this session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def _install_security(app: Flask, settings: Mapping[str, Any]) -> None:
    broker = settings["BROKER_PUBLIC_URL"]
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {broker}",
            f"frame-src {broker}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )

    @app.before_request
    def _check_csrf() -> None:
        if request.method in {"GET", "HEAD", "OPTIONS"} or request.endpoint in CSRF_EXEMPT:
            return
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        expected = session.get("csrf")
        if not expected or not secrets.compare_digest(str(sent), str(expected)):
            abort(400, "This form has expired or did not come from this site; reload the page and try again.")

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response


def _install_error_pages(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str | dict[str, Any], int]:
        status = error.code or 500
        if request.path.startswith("/webhooks/") or request.accept_mimetypes.best == "application/json":
            return {"error": {"code": error.name.lower().replace(" ", "_"), "message": error.description}}, status
        return render_template("error.html", title=error.name, message=error.description, status=status), status
