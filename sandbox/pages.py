"""HTML pages of the sandbox (sign-in, consent, bank, upload): CSRF tokens, a strict CSP and the session cookie."""

from __future__ import annotations

import hmac
import secrets
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, make_response, render_template, request, session
from werkzeug.wrappers import Response as BaseResponse

from sandbox import accounts
from sandbox.state import current_sandbox

CSRF_KEY = "csrf"
ResponseT = TypeVar("ResponseT", bound=BaseResponse)


def configure_sessions(app: Flask, secret_key: str, public_url: str | None) -> None:
    """Sign the session cookie (it only holds CSRF tokens, app sign-ins and connect session ids)."""
    app.secret_key = secret_key
    app.config.update(
        SESSION_COOKIE_NAME="sandbox_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(public_url and public_url.startswith("https://")),
    )


def csrf_token() -> str:
    """Return this browser's CSRF token, creating it once."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session[CSRF_KEY] = token
    return token


def check_csrf() -> None:
    """Refuse a form POST whose ``csrf_token`` field is not this browser's token (400)."""
    expected = session.get(CSRF_KEY)
    given = request.form.get("csrf_token", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, description="The form expired or came from another site; go back and try again.")


def public_base() -> str:
    """Return the sandbox's public URL as the browser sees it (``SANDBOX_PUBLIC_URL`` or the request host)."""
    configured = current_sandbox().config.get("PUBLIC_URL")
    return str(configured or request.host_url).rstrip("/")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _form_targets() -> str:
    # Chrome applies form-action to the redirects that follow a form POST, and those end at the tenant's page.
    origins = {o for o in (_origin(u) for u in accounts.allowed_urls(current_sandbox().db)) if o}
    return " ".join(["'self'", *sorted(origins)])


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render an HTML page with the CSRF token, no caching, and a CSP without inline script or style."""
    response = make_response(render_template(template, csrf_token=csrf_token(), **context), status)
    secure_headers(response)
    return response


def secure_headers(response: ResponseT) -> ResponseT:
    """Add the pages' security headers (also used on their redirects)."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        f"form-action {_form_targets()}; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
