"""Consent endpoints: the lender's list, the public keys, verification, and the owner's receipt page and revocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, jsonify
from flask_smorest import Blueprint

from broker import webhooks
from broker.auth import current_client, current_company, lender_endpoint, own_origin, public_endpoint, widget_endpoint
from broker.consents import revocation, store
from broker.consents.gate import ConsentGate
from broker.consents.keys import SigningKeys
from broker.consents.schemas import (
    JwksSchema,
    ReceiptLinkSchema,
    ReceiptListSchema,
    ReceiptPageSchema,
    RevokedSchema,
    VerifyRequestSchema,
    VerifyResultSchema,
    WidgetTermsSchema,
)
from broker.lender import accounts
from broker.link.session import connections as company_connections
from broker.observability.logs import remember_secret
from broker.owner_notes import store as notes_store
from broker.state import broker_state, db_session
from broker.storage.models import Account, Client
from broker.tokens import LinkClaims
from broker.upstream import UpstreamClient, UpstreamError

EXTENSION = "broker_consents"

lender_bp = Blueprint("consents_lender", __name__, url_prefix="/v1", description="Lender: the company's receipts.")
public_bp = Blueprint(
    "consents_public", __name__, url_prefix="/consents", description="Anyone: verify a receipt; the owner's page."
)
jwks_bp = Blueprint("jwks", __name__, description="The public keys that verify consent receipts.")
widget_bp = Blueprint("consents_widget", __name__, url_prefix="/v1/link", description="Widget: the lender's terms.")


@dataclass
class ConsentService:
    """One app's receipt keys, page links, settings and the proxy's memory of consent states."""

    keys: SigningKeys
    links: store.ReceiptLinks
    settings: dict[str, Any]
    gate: ConsentGate = field(default_factory=ConsentGate)


def service() -> ConsentService:
    found: ConsentService = current_app.extensions[EXTENSION]
    return found


def public_origin() -> str:
    """The broker's origin as browsers and verifiers see it: ``BROKER_PUBLIC_URL`` when set, else the request's."""
    configured: str | None = service().settings["PUBLIC_URL"]
    return configured or own_origin()


def page_url(row: Any) -> str:
    """The owner's receipt page with its signed token after ``#`` (a fragment never reaches a server or its logs)."""
    base = service().settings["CONSENT_PAGE_URL"] or public_origin() + "/widget/v1/receipt"
    return f"{base}#{service().links.token(row)}"


@lender_bp.after_request
@public_bp.after_request
@widget_bp.after_request
def _never_cached(response: Response) -> Response:
    return response


# -- lender --------------------------------------------------------------------------------------------------------
@lender_bp.route("/accounts/<account_key>/consents", methods=["GET"])
@lender_endpoint(lender_bp, response=(200, ReceiptListSchema))
def list_consents(account_key: str) -> dict[str, Any]:
    """The company's consent receipts, newest first, with their status and a fresh link to the owner's page."""
    session = db_session()
    account = accounts.account_for(session, current_client().id, account_key)
    remember_secret(account.account_key)
    now = broker_state().now()
    rows = store.list_receipts(session, account)
    return {
        "data": [store.receipt_view(session, row, now, page_url(row)) for row in rows],
        "terms": store.terms_view(session, account),
    }


# -- anyone --------------------------------------------------------------------------------------------------------
@jwks_bp.route("/.well-known/jwks.json", methods=["GET"])
@public_endpoint(jwks_bp, response=(200, JwksSchema))
def jwks() -> Response:
    """The public keys (ES256, with ``kid``) that verify consent receipts, newest first."""
    response = jsonify(service().keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@public_bp.route("/verify", methods=["POST"])
@public_endpoint(public_bp, body=VerifyRequestSchema, response=(200, VerifyResultSchema))
def verify(body: dict[str, Any]) -> dict[str, Any]:
    """Whether a receipt is genuine (our signature, untouched) and in force (not expired, revoked or past access)."""
    return store.verify(db_session(), service().keys, body["receipt"], broker_state().now())


@public_bp.route("/receipt", methods=["POST"])
@public_endpoint(public_bp, body=ReceiptLinkSchema, response=(200, ReceiptPageSchema))
def receipt_page(body: dict[str, Any]) -> dict[str, Any]:
    """What the owner's receipt page shows, from the token of its link."""
    session = db_session()
    row = service().links.load(session, body["token"])
    return store.page_content(session, row, broker_state().now())


@public_bp.route("/revoke", methods=["POST"])
@public_endpoint(public_bp, body=ReceiptLinkSchema, response=(200, RevokedSchema))
def revoke(body: dict[str, Any]) -> dict[str, Any]:
    """Revoke the consent (once): lender reads then answer 403 consent_revoked, apps are disconnected upstream,
    and the lender gets ``consent.revoked``."""
    session = db_session()
    row = service().links.load(session, body["token"])
    state = broker_state()
    return revocation.revoke_consent(
        session, state.upstreams, row, now=state.now(), emit=webhooks.emit, revoked=service().gate.forget
    )


# -- widget --------------------------------------------------------------------------------------------------------
@widget_bp.route("/consent_terms", methods=["GET"])
@widget_endpoint(widget_bp, "link", response=(200, WidgetTermsSchema))
def consent_terms() -> dict[str, Any]:
    """What the lender states (purpose, end of access) and its name, to show the owner before sharing."""
    claims, account = current_company()
    session = db_session()
    client = session.get(Client, claims.client_id)
    return {**store.terms_view(session, account), "lender_name": client.name if client else None}


def issue_on_success(
    claims: LinkClaims, account: Account, upstream: UpstreamClient, made: list[dict[str, Any]]
) -> dict[str, Any]:
    """Issue the receipt of a completed share; return what the frame gets: ``{id, receipt, receipt_url}``."""
    session = db_session()
    state = broker_state()
    try:
        connections = company_connections(upstream, account)
    except UpstreamError:
        connections = made
    attestation = notes_store.latest_attestation(session, account)
    row = store.issue_receipt(
        session,
        service().keys,
        account,
        issuer=public_origin(),
        connections=connections,
        complete_through=attestation.complete_through if attestation else None,
        attested_by=attestation.name if attestation else None,
        link_jti=claims.jti,
        now=state.now(),
        default_days=int(service().settings["CONSENT_DEFAULT_DAYS"]),
    )
    service().gate.forget(account.id)
    return {"id": row.id, "receipt": row.receipt, "receipt_url": page_url(row)}
