"""Each simulated app's raw vendor API under ``/apps/<key>/api/<resource>``: bearer token required, vendor paging."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import select

from sandbox.apps.server import storage
from sandbox.apps.server.storage import StoredToken
from sandbox.connect import connections
from sandbox.models import Company
from sandbox.state import current_sandbox

bp = Blueprint("app_api", __name__, url_prefix="/apps/<app_key>/api")

# How each vendor pages: page numbers in an envelope, bare page numbers, cursors in Link headers, offsets.
PAGING: dict[str, str] = {
    "ledgerly": "query_response",
    "xenon": "page",
    "northbank": "page_meta",
    "shopwave": "cursor",
    "payday": "offset",
}
PAGE_SIZES: dict[str, int] = {"query_response": 100, "page": 100, "page_meta": 100, "cursor": 50, "offset": 50}
MAX_LIMIT = 250


def paging_style(app_key: str) -> str:
    """Return the paging style of an app's raw API (``page_meta`` for an app without its own)."""
    return PAGING.get(app_key, "page_meta")


def resource_label(name: str) -> str:
    """Return a human label for a raw resource name (``balance_transactions`` -> ``Balance transactions``)."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").split()
    return " ".join(words).capitalize() if words else name


class _Validator(BearerTokenValidator):
    def __init__(self, app_key: str) -> None:
        super().__init__(realm=app_key)
        self.app_key = app_key

    def authenticate_token(self, token_string: str) -> StoredToken | None:
        return storage.find_token(current_sandbox().db, self.app_key, access_token=token_string)


def _protector(app_key: str) -> ResourceProtector:
    protectors: dict[str, ResourceProtector] = current_app.extensions.setdefault("sandbox.app_protectors", {})
    if app_key not in protectors:
        protector = ResourceProtector()
        protector.register_token_validator(_Validator(app_key))
        protectors[app_key] = protector
    return protectors[app_key]


@lru_cache(maxsize=16)
def _rendered(app_key: str, seed: str, end: date) -> dict[str, list[dict[str, Any]]]:
    module = connections.app_module(app_key)
    rendered: dict[str, list[dict[str, Any]]] = module.render(connections.business_for(seed, end, 1.0))
    return rendered


def _vendor_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": code, "error_description": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.get("/<resource>")
def resource_page(app_key: str, resource: str) -> Response:
    from sandbox.apps.catalog import APPS

    module = APPS.get(app_key)
    if module is None:
        abort(404, description="No simulated app with that key.")
    try:
        token = _protector(app_key).acquire_token()
    except OAuth2Error as error:
        headers = dict(error.get_headers())
        message = "A valid, unexpired and unrevoked bearer access token is required."
        return _vendor_error(401, "invalid_token", message, headers)
    if resource not in module.RESOURCES:
        return _vendor_error(404, "unknown_resource", f"{module.NAME} has no resource {resource[:60]!r}.")
    state = current_sandbox()
    with state.db.session() as session:
        company = session.scalar(select(Company).where(Company.subdomain == token.user.organisation))
    if company is None:
        return _vendor_error(403, "organisation_gone", "The organisation this token was granted for no longer exists.")
    rows = _rendered(app_key, f"{state.config['SEED']}:{company.subdomain}", state.config["DATA_END"])[resource]
    return _page(paging_style(app_key), app_key, resource, rows)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        abort(400, description=f"{name} must be a whole number from {low} to {high}.")
    return int(value)


def _page(style: str, app_key: str, resource: str, rows: list[dict[str, Any]]) -> Response:
    size = PAGE_SIZES[style]
    base = f"{request.host_url.rstrip('/')}/apps/{app_key}/api/{resource}"
    if style == "cursor":
        offset = _cursor_offset(request.args.get("page_info"))
        limit = _int_arg("limit", size, 1, MAX_LIMIT)
        chunk = rows[offset : offset + limit]
        response = jsonify({resource: chunk})
        if offset + limit < len(rows):
            cursor = base64.urlsafe_b64encode(json.dumps({"o": offset + limit}).encode()).decode()
            response.headers["Link"] = f'<{base}?limit={limit}&page_info={cursor}>; rel="next"'
        return response
    if style == "offset":
        offset = _int_arg("offset", 0, 0, 10_000_000)
        limit = _int_arg("limit", size, 1, MAX_LIMIT)
        following = f"{base}?offset={offset + limit}&limit={limit}" if offset + limit < len(rows) else None
        return jsonify({"count": len(rows), "next": following, "results": rows[offset : offset + limit]})
    page = _int_arg("page", 1, 1, 1_000_000)
    chunk = rows[(page - 1) * size : page * size]
    if style == "query_response":
        start = (page - 1) * size + 1
        return jsonify({"QueryResponse": {resource: chunk, "startPosition": start, "maxResults": len(chunk)}})
    if style == "page":
        return jsonify({"Status": "OK", resource: chunk})
    total_pages = max(1, -(-len(rows) // size))
    return jsonify({"data": chunk, "meta": {"page": page, "per_page": size, "total_pages": total_pages}})


def _cursor_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        offset = decoded["o"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        abort(400, description="page_info is not a cursor this API gave out.")
    if not isinstance(offset, int) or offset < 0:
        abort(400, description="page_info is not a cursor this API gave out.")
    return offset
