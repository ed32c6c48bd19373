"""The Administration API at ``/app/api.php``: company accounts, embed tokens, health, origins, webhooks, faults."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate

from common.pagination import parse_page
from sandbox import accounts, webhooks
from sandbox.auth import require_admin_credentials, well_formed_account_key
from sandbox.connect import breakage, connections
from sandbox.connect import flow as connect
from sandbox.errors import InvalidParameter, NotConnected, UnknownAccount, UnknownAction, ValidationFailed
from sandbox.state import Sandbox, current_sandbox

bp = Blueprint("admin_api", __name__)

INTEGRATION_KEY = validate.Regexp(r"^[a-z0-9_]{1,64}$", error="must be an app key like 'ledgerly'.")
ACCOUNT_KEY = validate.Regexp(r"^[0-9a-f]{32}$", error="must be a company account key.")


class CreateCompanySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email_admin = fields.Email(required=True, validate=validate.Length(max=320))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    subdomain = fields.String(required=True, validate=validate.Length(min=1, max=63))
    type = fields.String(load_default="standard", validate=validate.OneOf(["standard"]))
    datashare = fields.Boolean(load_default=True)


class AllowUrlSchema(Schema):
    action = fields.String()
    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"}, validate=validate.Length(max=2048))
    environment = fields.String(load_default="sandbox", validate=validate.OneOf(["sandbox", "production"]))


class ConnectionTargetSchema(Schema):
    action = fields.String()
    account_key = fields.String(required=True, validate=ACCOUNT_KEY)
    integration = fields.String(required=True, validate=INTEGRATION_KEY)


class SandboxConnectSchema(ConnectionTargetSchema):
    scale = fields.Float(load_default=1.0, validate=validate.Range(min=0.1, max=40))


class BreakConnectionSchema(ConnectionTargetSchema):
    reason = fields.String(required=True, validate=validate.OneOf(sorted(breakage.REASONS)))


class WebhookSchema(Schema):
    action = fields.String()
    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"}, validate=validate.Length(max=2048))


def _load(schema: Schema, data: Any) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data, unknown="exclude")
    except ValidationError as error:
        raise ValidationFailed("Some fields are not valid.", details={"fields": error.messages}) from None
    return loaded


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.form:
        body = request.form.to_dict()
    if not isinstance(body, dict):
        raise InvalidParameter("The body must be a JSON object.", code="invalid_json")
    return body


@bp.before_request
def _authenticate() -> None:
    config = current_sandbox().config
    require_admin_credentials(config["API_KEY"], config["TENANT_KEY"])


@bp.get("/app/api.php")
def admin_get() -> Response:
    state = current_sandbox()
    action = request.args.get("action", "")
    if action == "embed_token":
        account_key = request.args.get("account_key") or None
        if account_key is not None:
            _existing_company(state, account_key)
        observe = request.args.get("observe_account", "0") in {"1", "true"}
        token = accounts.issue_embed_token(
            state.db, account_key, observe=observe, ttl_seconds=state.config["EMBED_TOKEN_TTL_SECONDS"]
        )
        return jsonify({"token": token})
    if action == "connection_health":
        account_key = request.args.get("account_key") or None
        if account_key is not None:
            _existing_company(state, account_key)
        return jsonify({"connections": connections.list_connections(state.db, account_key)})
    if action == "accounts":
        page = _page()
        return jsonify(accounts.list_companies(state.db, page, state.config["ROOT_DOMAIN"]))
    if action == "allowed_urls":
        return jsonify({"urls": accounts.allowed_urls(state.db)})
    if action == "webhooks":
        return jsonify({"endpoints": webhooks.list_endpoints(state.db)})
    if action == "webhook_deliveries":
        return jsonify(webhooks.list_deliveries(state.db, _page()))
    if action == "faults" and state.config["ENV"] != "production":
        return jsonify(current_app.extensions["sandbox.faults"].describe())
    raise UnknownAction(
        f"Unknown GET action {action[:40]!r}; use embed_token, connection_health, accounts, "
        "allowed_urls, webhooks, webhook_deliveries or faults."
    )


def _connector() -> Any:
    return current_app.extensions["sandbox.connect.connector"]


def _page() -> int:
    try:
        return parse_page(request.args.get("page"))
    except ValueError as error:
        raise InvalidParameter(f"page {error}.") from None


def _existing_company(state: Sandbox, account_key: str) -> None:
    if not well_formed_account_key(account_key):
        raise UnknownAccount()
    accounts.get_company(state.db, account_key)


@bp.post("/app/api.php")
def admin_post() -> tuple[Response, int] | Response:
    state = current_sandbox()
    body = _json_body()
    action = body.get("action")
    if action is None:
        return _create_company(state, body)
    if action == "allow_url":
        data = _load(AllowUrlSchema(), body)
        return jsonify(accounts.allow_url(state.db, data["url"].rstrip("/"), data["environment"]))
    if action == "disconnect":
        account_key, integration = _connection_target(state, body)
        row = connect.disconnect(state, _connector(), account_key, integration)
        if row is None:
            raise NotConnected("That company has no connection to that app.")
        return jsonify({"disconnected": True, "connection": row})
    if action == "register_webhook":
        data = _load(WebhookSchema(), body)
        return jsonify(webhooks.register_endpoint(state.db, data["url"])), 201
    if action == "sandbox_connect" and state.config["ENV"] != "production":
        data = _load(SandboxConnectSchema(), body)
        row = connect.connect_without_browser(state, data["account_key"], data["integration"], scale=data["scale"])
        return jsonify({"connection": row}), 201
    if action == "faults" and state.config["ENV"] != "production":
        from sandbox.faults import configure_from_admin

        return jsonify(configure_from_admin(state, body))
    if action == "sync":
        synced = connect.resync(state, _connector(), *_connection_target(state, body))
        if synced is None:
            raise NotConnected()
        return jsonify({"connection": synced}), 202
    if action == "revoke_app_token" and state.config["ENV"] != "production":
        return jsonify({"revoked": connect.revoke_at_app(state, *_connection_target(state, body))})
    if action == "break_connection":  # sandbox only: refused with sandbox_only in production
        data = _load(BreakConnectionSchema(), body)
        accounts.get_company(state.db, data["account_key"])
        row = breakage.break_connection(state, data["account_key"], data["integration"], data["reason"])
        return jsonify({"connection": row})
    raise UnknownAction(f"Unknown action {str(action)[:40]!r}.")


def _connection_target(state: Sandbox, body: dict[str, Any]) -> tuple[str, str]:
    """The company (checked to be under this tenant) and the app an action on one connection names."""
    data = _load(ConnectionTargetSchema(), body)
    accounts.get_company(state.db, data["account_key"])
    return data["account_key"], data["integration"]


def _create_company(state: Sandbox, body: dict[str, Any]) -> tuple[Response, int]:
    data = _load(CreateCompanySchema(), body)
    result = accounts.create_company(
        state.db,
        name=data["name"],
        email_admin=data["email_admin"],
        password=data["password"],
        subdomain=data["subdomain"],
        type_=data["type"],
        datashare=data["datashare"],
        root_domain=state.config["ROOT_DOMAIN"],
    )
    state.emit("account.created", result["account_key"], {"subdomain": result["subdomain"]})
    return jsonify(result), 201
