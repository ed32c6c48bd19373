"""The sandbox's OpenAPI 3.1 document (``/openapi.json``): the Administration API and the Data API as served here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from sandbox import datastore
from sandbox.data_api import API_VERSION, PERIODS, PLATFORM, REPORTS

bp = Blueprint("sandbox_openapi", __name__)

_ERROR = {"$ref": "#/components/responses/Error"}
_ACCOUNT_KEY = {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "A company account key."}
_INTEGRATION = {"type": "string", "pattern": "^[a-z0-9_]{1,64}$", "description": "An app key such as ledgerly."}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_DAY_OR_INSTANT = {"type": "string", "description": "YYYY-MM-DD or an ISO 8601 instant (UTC)."}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _action_body(action: str, required: list[str], **properties: Any) -> dict[str, Any]:
    props = {"action": {"const": action}, **properties}
    return {"type": "object", "required": ["action", *required], "properties": props, "title": action}


COMPANY = _obj(
    ["account_key", "name", "subdomain", "account_domain", "email_admin", "type", "datashare", "created"],
    account_key={"type": "string"},
    name={"type": "string"},
    subdomain={"type": "string"},
    account_domain={"type": "string"},
    email_admin={"type": "string"},
    type={"type": "string"},
    datashare={"type": "boolean"},
    created={"type": "string"},
)
CONNECTION = _obj(
    ["id", "account_key", "integration", "status", "created"],
    id={"type": "string"},
    account_key={"type": "string"},
    integration={"type": "string"},
    name={"type": "string"},
    category=_NULLABLE_TEXT,
    status={"type": "string", "description": "healthy, syncing, inactive or error"},
    sync_progress={"type": ["integer", "null"]},
    created={"type": "string"},
    last_sync=_NULLABLE_TEXT,
    last_full_sync=_NULLABLE_TEXT,
    error=_NULLABLE_TEXT,
    reason={"type": ["string", "null"], "description": "why break_connection broke it (sandbox), else null"},
)
ADMIN_GET_ACTIONS = (
    "embed_token",
    "connection_health",
    "accounts",
    "allowed_urls",
    "webhooks",
    "webhook_deliveries",
    "faults",
)
CREATE_COMPANY = {
    "type": "object",
    "title": "create company",
    "required": ["name", "email_admin", "password", "subdomain"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "email_admin": {"type": "string", "format": "email", "maxLength": 320},
        "password": {"type": "string", "minLength": 8, "maxLength": 200},
        "subdomain": {"type": "string", "minLength": 1, "maxLength": 63},
        "type": {"const": "standard"},
        "datashare": {"type": "boolean"},
    },
}
_URL = {"type": "string", "format": "uri", "maxLength": 2048}
_TARGET = {"account_key": _ACCOUNT_KEY, "integration": _INTEGRATION}
ADMIN_POST_BODIES = [
    CREATE_COMPANY,
    _action_body("allow_url", ["url"], url=_URL, environment={"enum": ["sandbox", "production"]}),
    _action_body("disconnect", ["account_key", "integration"], **_TARGET),
    _action_body("register_webhook", ["url"], url=_URL),
    _action_body(
        "sandbox_connect",
        ["account_key", "integration"],
        scale={"type": "number", "minimum": 0.1, "maximum": 40},
        **_TARGET,
    ),
    _action_body("sync", ["account_key", "integration"], **_TARGET),
    _action_body("revoke_app_token", ["account_key", "integration"], **_TARGET),
    _action_body(
        "break_connection",
        ["account_key", "integration", "reason"],
        reason={"enum": ["consent_withdrawn", "password_changed", "token_revoked"]},
        **_TARGET,
    ),
    _action_body("faults", []),
]
ADMIN_GET_ANSWERS = [
    _obj(["token"], token={"type": "string", "description": "Single use, valid one hour."}),
    _obj(["connections"], connections={"type": "array", "items": CONNECTION}),
    {"type": "array", "items": COMPANY, "description": "accounts: 30 a page"},
    _obj(["urls"], urls={"type": "array", "items": {"type": "string"}}),
    _obj(["endpoints"], endpoints={"type": "array", "items": {"type": "object"}}),
    {"type": "array", "items": {"type": "object"}, "description": "webhook_deliveries: newest first, 30 a page"},
    _obj(["global", "accounts"], **{"global": {"type": ["object", "null"]}, "accounts": {"type": "object"}}),
]
ADMIN_POST_ANSWERS = [
    _obj(["account_key", "subdomain", "account_domain"], account_key={"type": "string"}),
    _obj(["url", "environment", "allowed"], url={"type": "string"}, allowed={"type": "boolean"}),
    _obj(["disconnected", "connection"], disconnected={"type": "boolean"}, connection=CONNECTION),
    _obj(["id", "url", "secret", "events"], id={"type": "string"}, secret={"type": "string"}),
    _obj(["connection"], connection=CONNECTION),
    _obj(["revoked"], revoked={"type": "boolean"}),
    {"type": "object", "description": "faults: the switches now in force"},
]


def _admin_paths() -> dict[str, Any]:
    security: list[dict[str, list[str]]] = [{"adminKey": [], "tenantKey": []}]
    return {
        "/app/api.php": {
            "get": {
                "summary": "Administration API reads, chosen by action.",
                "security": security,
                "parameters": [
                    {"in": "query", "name": "action", "required": True, "schema": {"enum": list(ADMIN_GET_ACTIONS)}},
                    {"in": "query", "name": "account_key", "schema": {"type": "string"}},
                    {"in": "query", "name": "observe_account", "schema": {"enum": ["0", "1", "true"]}},
                    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 1}},
                ],
                "responses": {"200": _json({"anyOf": ADMIN_GET_ANSWERS}), "default": _ERROR},
            },
            "post": {
                "summary": "Administration API writes: create a company (no action) or one of the actions.",
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"oneOf": ADMIN_POST_BODIES}}},
                },
                "responses": {
                    "200": _json({"anyOf": ADMIN_POST_ANSWERS}),
                    "201": _json({"anyOf": ADMIN_POST_ANSWERS}, "Created (company, webhook endpoint, connection)"),
                    "202": _json(_obj(["connection"], connection=CONNECTION), "Sync started"),
                    "default": _ERROR,
                },
            },
        }
    }


def _data_paths() -> dict[str, Any]:
    objects = sorted(set(datastore.COLLECTIONS) | set(REPORTS) | set(PLATFORM))
    object_type = {"in": "path", "name": "object_type", "required": True, "schema": {"enum": objects}}
    object_id = {"in": "path", "name": "object_id", "required": True, "schema": {"type": "string", "minLength": 1}}
    account = [
        {"in": "query", "name": "X_ACCOUNT_KEY", "schema": {"type": "string"}, "description": "The company to read."},
        {"in": "header", "name": "X-Account-Key", "schema": {"type": "string"}, "description": "Same, as a header."},
    ]
    query = [
        {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 1}},
        {"in": "query", "name": "start", "schema": _DAY_OR_INSTANT},
        {"in": "query", "name": "end", "schema": _DAY_OR_INSTANT},
        {"in": "query", "name": "as_of", "schema": {"type": "string", "description": "balance_sheet: YYYY-MM-DD"}},
        {"in": "query", "name": "period", "schema": {"enum": list(PERIODS)}},
    ]
    version = {"X-API-Version": {"schema": {"const": API_VERSION}}}
    read_only = {
        "summary": "Read-only: writes are refused.",
        "security": [{"dataKey": []}],
        "responses": {"405": {"description": "Read-only (Allow: GET, HEAD)", "headers": {"Allow": {"schema": {}}}}},
    }

    def read(summary: str, answer: dict[str, Any], parameters: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "summary": summary,
            "security": [{"dataKey": []}],
            "parameters": parameters,
            "responses": {"200": {**_json(answer), "headers": version}, "default": _ERROR},
        }

    item = {"type": "object", "description": "Normalized objects carry id, integration, source_id and source_url."}
    collection = read(
        "A page of 30 objects (a bare array; read until empty), or a report object (balance_sheet, profit_and_loss).",
        {"oneOf": [{"type": "array", "items": item, "maxItems": 30}, {"type": "object"}]},
        [object_type, *account, *query],
    )
    one = read(
        "One object by id; source_records/<id> is the raw record as the app returned it.",
        item,
        [object_type, object_id, *account],
    )
    writes = {method: read_only for method in ("post", "put", "patch", "delete")}
    return {
        "/api/{object_type}": {"get": collection, **writes},
        "/api/{object_type}/{object_id}": {"get": one, **writes},
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LedgerLink sandbox (unified financial-data upstream)",
            "version": API_VERSION,
            "description": "The wire protocol of shared/UPSTREAM.md as the sandbox serves it.",
        },
        "paths": {**_admin_paths(), **_data_paths()},
        "components": {
            "securitySchemes": {
                "adminKey": {"type": "http", "scheme": "basic", "description": "API key as user, empty password."},
                "tenantKey": {"type": "apiKey", "in": "header", "name": "Account-Key"},
                "dataKey": {"type": "http", "scheme": "basic", "description": "API user and API key."},
            },
            "responses": {
                "Error": _json(
                    _obj(
                        ["error"],
                        error=_obj(
                            ["code", "message", "request_id"],
                            code={"type": "string", "pattern": "^[a-z0-9_]+$"},
                            message={"type": "string", "minLength": 1},
                            request_id={"type": "string"},
                            details={"type": "object"},
                        ),
                    ),
                    "The one error shape",
                )
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """Serve the document (no authentication: it holds no secret)."""
    return jsonify(document())
