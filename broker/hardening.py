"""Headers every API answer carries, success or error: ``X-Content-Type-Options: nosniff`` and ``no-store``."""

from __future__ import annotations

from flask import Flask, Response, request

# What chooses its own caching: the widget's static files (long, by ETag) and the public keys that verify consent
# receipts (public material, cached briefly so verifiers need not ask each time). Everything else is an API answer.
STATIC_BLUEPRINTS = frozenset({"widget", "jwks"})


def init_app(app: Flask) -> None:
    """Register the after-request hook (it also runs for error answers, which Flask renders as responses too)."""
    app.after_request(harden)


def harden(response: Response) -> Response:
    """Forbid content sniffing everywhere, and caching of every answer that is not a widget file or the public keys."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.blueprint in STATIC_BLUEPRINTS:
        response.headers.setdefault("Cache-Control", "no-store")
    else:
        response.headers["Cache-Control"] = "no-store"
    return response
