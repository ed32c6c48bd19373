"""The simulated apps' web endpoints: OAuth sign-in and consent pages, token and revocation, the bank's sign-in API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from sandbox import accounts
from sandbox.apps.server import bank
from sandbox.apps.server.oauth import SCOPES, AppServer
from sandbox.apps.server.storage import AppUser, RegisteredClient, find_client
from sandbox.apps.server.users import APP_OWNERS, check_app_owner
from sandbox.db import Database
from sandbox.pages import check_csrf, page, public_base, secure_headers
from sandbox.state import current_sandbox

bp = Blueprint("apps_auth", __name__, url_prefix="/apps/<app_key>")

BANK_KEY = "northbank"


def register_connector(db: Database, config: Mapping[str, Any]) -> None:
    """Register the connector as a client of every simulated app (at start, from configuration)."""
    from sandbox.apps.catalog import APPS
    from sandbox.apps.server.storage import register_client

    for key, module in APPS.items():
        scope = SCOPES.get(module.CATEGORY, "read")
        register_client(db, key, config["CONNECTOR_CLIENT_ID"], config["CONNECTOR_CLIENT_SECRET"], scope)


def create_servers(app: Flask) -> dict[str, AppServer]:
    """Create one authorization server per simulated app (the connector is registered by ``register_connector``)."""
    from sandbox.apps.catalog import APPS

    state = app.extensions["sandbox"]
    servers: dict[str, AppServer] = {}
    for key, module in APPS.items():
        interactive = module.AUTH_TYPE == "oauth2"
        servers[key] = AppServer(key, state.db, state.config, public_base=public_base, interactive=interactive)
    app.extensions["sandbox.appservers"] = servers
    return servers


def server_for(app_key: str) -> AppServer:
    """Return the authorization server of an app, or 404."""
    server: AppServer | None = current_app.extensions["sandbox.appservers"].get(app_key)
    if server is None:
        abort(404, description="No simulated app with that key.")
    return server


def _module(app_key: str) -> Any:
    from sandbox.apps.catalog import APPS

    return APPS[app_key]


@bp.get("/.well-known/oauth-authorization-server")
def metadata(app_key: str) -> BaseResponse:
    return jsonify(server_for(app_key).metadata())


@bp.post("/oauth/token")
def token(app_key: str) -> BaseResponse:
    response: Response = server_for(app_key).create_token_response()
    return response


@bp.post("/oauth/revoke")
def revoke(app_key: str) -> BaseResponse:
    response: Response = server_for(app_key).create_endpoint_response("revocation")
    return response


def _session_key(app_key: str) -> str:
    return f"app_user:{app_key}"


def _error_redirect(server: AppServer, error: OAuth2Error) -> BaseResponse:
    params = dict(error.get_body())
    params["iss"] = server.issuer()
    return secure_headers(redirect(add_params_to_uri(error.redirect_uri, params), 302))


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize(app_key: str) -> BaseResponse:
    server = server_for(app_key)
    module = _module(app_key)
    if module.AUTH_TYPE != "oauth2":
        abort(404, description=f"{module.NAME} signs in with credentials, not OAuth.")
    organisation = request.args.get("organisation", "")
    company = _company(organisation)
    signed_in = session.get(_session_key(app_key))
    user = AppUser(signed_in, organisation) if isinstance(signed_in, str) and company else None
    try:
        grant = server.get_consent_grant(end_user=user)
    except OAuth2Error as error:
        if error.redirect_uri:
            return _error_redirect(server, error)
        return page("app_error.html", 400, app=_info(module), message=error.description or error.error)
    if company is None:
        missing = InvalidRequestError(
            "The organisation to connect is missing or unknown.",
            state=grant.request.payload.state,
            redirect_uri=grant.redirect_uri,
        )
        return _error_redirect(server, missing)

    form = request.form.get("form") if request.method == "POST" else None
    if form is not None:
        check_csrf()
    if form == "signin":
        email, password = request.form.get("email", ""), request.form.get("password", "")
        if check_app_owner(app_key, email, password):
            session[_session_key(app_key)] = APP_OWNERS[app_key][0]
            return secure_headers(redirect(request.full_path, 303))
        return _signin(module, email, "That email and password don't match a user of " + module.NAME + ".", 401)
    if user is None:
        return _signin(module, "", None, 200)
    if form == "consent":
        decision = request.form.get("decision")
        response: Response = server.create_authorization_response(
            grant_user=user if decision == "allow" else None, grant=grant
        )
        return secure_headers(response)
    return page(
        "app_consent.html",
        app=_info(module),
        user=user,
        company=company,
        tenant=current_sandbox().config["TENANT_NAME"],
        resources=_resource_labels(module),
        action=request.full_path,
    )


def _signin(module: Any, email: str, error: str | None, status: int) -> BaseResponse:
    return page(
        "app_signin.html",
        status,
        app=_info(module),
        email=email,
        error=error,
        action=request.full_path,
        hint=APP_OWNERS.get(module.KEY, ("", ""))[0],
    )


def _info(module: Any) -> dict[str, str]:
    return {"key": module.KEY, "name": module.NAME}


def _company(subdomain: str) -> Any:
    from sqlalchemy import select

    from sandbox.models import Company

    if not accounts.SUBDOMAIN.match(subdomain or ""):
        return None
    with current_sandbox().db.session() as db_session:
        return db_session.scalar(select(Company).where(Company.subdomain == subdomain))


def _resource_labels(module: Any) -> list[str]:
    from sandbox.apps.server.api import resource_label

    return [resource_label(name) for name in module.RESOURCES]


# The bank's sign-in API, called server-to-server by the connector with its client credentials.


def _bank_client() -> RegisteredClient:
    auth = request.authorization
    state = current_sandbox()
    client = None
    if auth and auth.type == "basic" and auth.username and auth.password:
        client = find_client(state.db, BANK_KEY, auth.username, ())
    if client is None or not client.check_client_secret((auth.password if auth else "") or ""):
        abort(401, description="The bank only talks to registered aggregators (HTTP Basic client credentials).")
    return client


def _answer(answer: bank.BankAnswer, token: dict[str, Any] | None = None) -> BaseResponse:
    body: dict[str, Any] = {"status": answer.status, "message": answer.message}
    if answer.challenge_id:
        body["challenge_id"] = answer.challenge_id
    if answer.attempts_left is not None:
        body["attempts_left"] = answer.attempts_left
    if token is not None:
        body["token"] = token
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_field(name: str, limit: int = 200) -> str:
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value or len(value) > limit:
        abort(400, description=f"{name} is required.")
    return value


@bp.post("/auth/login")
def bank_login(app_key: str) -> BaseResponse:
    if app_key != BANK_KEY:
        abort(404)
    _bank_client()
    config = current_sandbox().config
    answer = bank.start_login(
        current_sandbox().db,
        _json_field("username"),
        _json_field("password"),
        _json_field("organisation", 63),
        lock_after=config["BANK_LOCK_AFTER"],
        lock_seconds=config["BANK_LOCK_SECONDS"],
        mfa_ttl=config["BANK_MFA_TTL_SECONDS"],
    )
    return _answer(answer)


@bp.post("/auth/mfa")
def bank_mfa(app_key: str) -> BaseResponse:
    if app_key != BANK_KEY:
        abort(404)
    client = _bank_client()
    answer = bank.check_code(current_sandbox().db, _json_field("challenge_id", 64), _json_field("code", 20))
    if answer.user is None:
        return _answer(answer)
    return _answer(answer, server_for(BANK_KEY).issue_direct_token(client, answer.user))


@bp.post("/auth/mfa/resend")
def bank_resend(app_key: str) -> BaseResponse:
    if app_key != BANK_KEY:
        abort(404)
    _bank_client()
    mfa_ttl = current_sandbox().config["BANK_MFA_TTL_SECONDS"]
    return _answer(bank.resend_code(current_sandbox().db, _json_field("challenge_id", 64), mfa_ttl=mfa_ttl))
