"""Consents (issue 18): the lender's terms, signed receipts anyone can verify, access that ends, the owner's revoke.

Other features call only what this module exports; see README.md.
"""

from __future__ import annotations

from typing import Any

from broker.consents import keys, store
from broker.consents.settings import consent_settings
from broker.consents.store import Terms

__all__ = ["Terms", "guard_lender_read", "guard_proxy_read", "init_app", "issue_on_success", "record_terms"]


def init_app(app: Any, api: Any) -> None:
    """Load the signing keys (a clear start-up error when unusable), register the blueprints and rate-limit the
    unauthenticated ones per address."""
    from broker.consents import views

    settings = consent_settings(app.config)
    signing = keys.load_keys(settings["CONSENT_SIGNING_KEYS"], app.config["ENV"])
    state = app.extensions["broker"]
    links = store.ReceiptLinks(app.config["SECRET_KEYS"], int(settings["CONSENT_LINK_MAX_SECONDS"]), state.clock)
    app.extensions[views.EXTENSION] = views.ConsentService(signing, links, settings)
    state.limits.limiter.limit(settings["CONSENT_VERIFY_RATELIMIT"])(views.public_bp)
    for blueprint in (views.lender_bp, views.public_bp, views.jwks_bp, views.widget_bp):
        api.register_blueprint(blueprint)


def record_terms(account: Any, terms: Terms, actor: str) -> None:
    """Record the purpose and end of access a lender's request carried (a no-op when it carried neither)."""
    from broker.consents import views
    from broker.state import broker_state, db_session

    store.set_terms(db_session(), account, terms, now=broker_state().now(), actor=actor)
    views.service().gate.forget(account.id)


def guard_lender_read(account: Any) -> None:
    """Refuse a lender's read of this company with 403 ``consent_revoked`` or ``access_expired`` when due (from the
    gate's memory of at most a second; see ``gate.py``)."""
    from broker.consents import views
    from broker.state import broker_state, db_session

    views.service().gate.check(db_session, account.id, broker_state().now())


def guard_proxy_read(account: Any, actor: str) -> None:
    """The proxy's rule: a lender's read (HTTP Basic, or a link token that carries only ``read``) needs the consent
    in force; the owner's own widget session (``link``, ``map``, ``reconcile``) may still read to share again."""
    from broker.consents import views
    from broker.state import db_session

    if actor.startswith("link:") and not views.service().gate.only_read(db_session, actor.removeprefix("link:")):
        return
    guard_lender_read(account)


def issue_on_success(claims: Any, account: Any, upstream: Any, made: list[dict[str, Any]]) -> dict[str, Any]:
    """Issue the receipt of a completed share (``POST /v1/link/complete``); return ``{id, receipt, receipt_url}``."""
    from broker.consents import views

    return views.issue_on_success(claims, account, upstream, made)
