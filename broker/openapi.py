"""The broker's OpenAPI wiring: flask-smorest's Api documenting our one error shape, and deprecation markers.

A deprecated endpoint keeps working until its sunset date; meanwhile every answer carries ``Deprecation`` (RFC 9745,
``@<unix seconds>`` of the announcement) and ``Sunset`` (RFC 8594, an HTTP date), plus a ``Link`` to the successor
or the notes when given, and the OpenAPI operation says ``deprecated: true``. See docs/versioning.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, request
from flask_smorest import Api
from flask_smorest.utils import deepupdate

from broker.lender.schemas import ErrorSchema

F = TypeVar("F", bound=Callable[..., Any])
DEPRECATION_ATTRIBUTE = "_broker_deprecation"


class BrokerApi(Api):
    """flask-smorest's Api whose documented error responses are ``{"error": {"code", "message", "request_id"}}``."""

    ERROR_SCHEMA = ErrorSchema


@dataclass(frozen=True)
class Deprecation:
    """When an endpoint was announced deprecated, when it stops working, and where to read about it."""

    announced: datetime
    sunset: datetime
    link: str | None = None

    def headers(self) -> dict[str, str]:
        """The response headers that announce this deprecation."""
        found = {
            "Deprecation": f"@{int(self.announced.timestamp())}",
            "Sunset": format_datetime(self.sunset.astimezone(UTC), usegmt=True),
        }
        if self.link:
            found["Link"] = f'<{self.link}>; rel="deprecation"; type="text/html"'
        return found


def deprecated(*, announced: datetime, sunset: datetime, link: str | None = None) -> Callable[[F], F]:
    """Mark a view deprecated: headers on every answer (errors included) and ``deprecated: true`` in the document.

    Put it below ``@bp.route`` (like ``@bp.doc``); ``sunset`` must be after ``announced``.
    """
    if announced.tzinfo is None or sunset.tzinfo is None or sunset <= announced:
        raise ValueError("deprecated() needs timezone-aware dates with sunset after announced")
    notice = Deprecation(announced, sunset, link)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
        wrapper._apidoc["manual_doc"] = deepupdate(  # type: ignore[attr-defined]
            deepcopy(wrapper._apidoc.get("manual_doc", {})),  # type: ignore[attr-defined]
            {"deprecated": True},
        )
        setattr(wrapper, DEPRECATION_ATTRIBUTE, notice)
        return cast(F, wrapper)

    return decorate


def deprecation_for(app: Flask, endpoint: str | None, method: str) -> Deprecation | None:
    """The deprecation of the view that served ``endpoint`` and ``method``, if it has one."""
    view = app.view_functions.get(endpoint or "")
    if view is None:
        return None
    notice = getattr(view, DEPRECATION_ATTRIBUTE, None)
    view_class = getattr(view, "view_class", None)
    if notice is None and view_class is not None:
        notice = getattr(getattr(view_class, method.lower(), None), DEPRECATION_ATTRIBUTE, None)
    return cast(Deprecation | None, notice)


def init_app(app: Flask) -> None:
    """Add the deprecation headers to every answer of a deprecated endpoint."""

    @app.after_request
    def _announce_deprecation(response: Response) -> Response:
        notice = deprecation_for(current_app, request.endpoint, request.method)
        if notice is not None:
            response.headers.update(notice.headers())
        return response
