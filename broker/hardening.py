"""Headers every API answer carries, success or error: ``X-Content-Type-Options: nosniff`` and ``no-store``."""

from __future__ import annotations

from flask import Flask, Response, request

# The widget's static files choose their own (long) caching; everything else the broker answers is an API answer.
STATIC_BLUEPRINTS = frozenset({"widget"})


def init_app(app: Flask) -> None:
    """Register the after-request hook (it also runs for error answers, which Flask renders as responses too)."""
    app.after_request(harden)


def harden(response: Response) -> Response:
    """Forbid content sniffing everywhere, and caching of every answer that is not a widget file."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.blueprint in STATIC_BLUEPRINTS:
        response.headers.setdefault("Cache-Control", "no-store")
    else:
        response.headers["Cache-Control"] = "no-store"
    return response
