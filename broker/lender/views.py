"""Lender endpoints (HTTP Basic): company accounts and link tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from broker.auth import current_client, lender_endpoint
from broker.consents import Terms, record_terms
from broker.errors import field_errors
from broker.lender import accounts
from broker.lender.schemas import (
    AccountCreateSchema,
    AccountDetailSchema,
    AccountListSchema,
    AccountSchema,
    LinkTokenCreateSchema,
    LinkTokenSchema,
)
from broker.link_sessions import hooks as link_sessions_hooks
from broker.observability.logs import remember_secret
from broker.state import broker_state, db_session
from common.pagination import PageQuerySchema, page_answer
from common.web import request_id

bp = Blueprint("lender", __name__, url_prefix="/v1", description="Lender backend: accounts and link tokens.")


@bp.route("/accounts")
class Accounts(MethodView):
    @lender_endpoint(bp, query=PageQuerySchema, response=(200, AccountListSchema))
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List your company accounts, 30 a page."""
        page = query["page"]
        rows = accounts.list_accounts(db_session(), current_client(), page)
        return page_answer(rows, page, accounts.PAGE_SIZE)

    @lender_endpoint(bp, body=AccountCreateSchema, response=(201, AccountSchema))
    @bp.alt_response(200, schema=AccountSchema, description="An account with this external_id already existed.")
    def post(self, body: dict[str, Any]) -> Any:
        """Provision a company upstream (idempotent on external_id)."""
        state = broker_state()
        terms = Terms.pop_from(body)
        account, created = accounts.create_account(
            db_session(),
            state.upstreams,
            current_client(),
            accounts.NewAccount(**body),
            now=state.now(),
            request_id=request_id(),
        )
        remember_secret(account.account_key)
        record_terms(account, terms, actor=f"client:{current_client().id}")
        return account, 201 if created else 200


@bp.route("/accounts/<account_key>")
@lender_endpoint(bp, response=(200, AccountDetailSchema))
def get_account(account_key: str) -> dict[str, Any]:
    """One of your accounts, with its connections and their health."""
    found = accounts.account_with_connections(db_session(), broker_state().upstreams, current_client(), account_key)
    account = found.pop("account")
    remember_secret(account.account_key)
    return {**{c: getattr(account, c) for c in AccountSchema().fields}, **found}


@bp.route("/link_tokens", methods=["POST"])
@lender_endpoint(bp, body=LinkTokenCreateSchema, response=(201, LinkTokenSchema))
def create_link_token(body: dict[str, Any]) -> dict[str, Any]:
    """Mint a short-lived link token for one account, one origin and some scopes."""
    state = broker_state()
    terms = Terms.pop_from(body)
    lifetime = body["expires_in"] or current_app.config["LINK_TOKEN_DEFAULT_SECONDS"]
    if lifetime > current_app.config["LINK_TOKEN_MAX_SECONDS"]:
        raise field_errors({"expires_in": [f"must be at most {current_app.config['LINK_TOKEN_MAX_SECONDS']}"]})
    mode, integration = link_sessions_hooks.update_target(db_session(), state.upstreams, current_client(), body)
    token, claims = accounts.mint_link_token(
        db_session(),
        state.tokens,
        current_client(),
        account_key=body["account_key"],
        origin=body["origin"],
        scopes=body["scopes"],
        lifetime=lifetime,
        now=state.now(),
        request_id=request_id(),
        mode=mode,
        integration=integration,
    )
    remember_secret(claims.account_key)
    account = accounts.account_for(db_session(), current_client().id, claims.account_key)
    record_terms(account, terms, actor=f"client:{current_client().id}")
    return {
        "id": claims.jti,
        "link_token": token,
        "expires_at": datetime.fromtimestamp(claims.expires_at, UTC),
        "expires_in": lifetime,
        "scopes": list(claims.scopes),
        "origin": claims.origin,
        "mode": claims.mode,
        "integration": claims.integration,
    }


@bp.route("/link_tokens/<token_id>", methods=["DELETE"])
@lender_endpoint(bp, response=204)
def revoke_link_token(token_id: str) -> None:
    """Revoke a link token by id: it stops working at once, in every broker process sharing Redis."""
    state = broker_state()
    accounts.revoke_link_token(
        db_session(), state.tokens, current_client(), token_id, now=state.now(), request_id=request_id()
    )
