"""The link broker: a Flask app that holds the upstream API key and serves lenders, widgets and the read-only proxy."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from typing import Any

import httpx
from flask import Flask, Response
from flask import logging as flask_logging
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import UnprocessableEntity

from broker import accounts, cli, openapi, webhook_app
from broker.clients import ClientAuthenticator
from broker.config import database_url, load_settings
from broker.consents import init_app as init_consents
from broker.invitations import init_app as init_invitations
from broker.limits import Limits
from broker.logs import configure_logging, install_redaction
from broker.metrics import BrokerMetrics
from broker.observability import init_app as init_observability
from broker.owner_notes import init_app as init_owner_notes
from broker.state import EXTENSION, BrokerState, close_db_session
from broker.storage import Database
from broker.tokens import LinkTokens, MemoryRevocations, RedisRevocations, RevocationStore
from broker.upstream import UpstreamClient
from broker.upstream.client import Timeouts
from broker.upstream.pacer import CompanyPacer
from broker.upstream.retry import RetryPolicy
from broker.views import data, health, lender, link, link_flow, review, widget
from common.web import error_response, register_error_handlers

log = logging.getLogger(__name__)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a broker app from defaults, ``BROKER_*`` environment and ``test_config``; fail loudly if unsafe."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(test_config)
    app.config.update(settings)
    app.config.update(
        API_TITLE="LedgerLink broker",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        RATELIMIT_STORAGE_URI=settings["REDIS_URL"] or "memory://",
        RATELIMIT_KEY_PREFIX=settings["REDIS_KEY_PREFIX"],
        RATELIMIT_HEADERS_ENABLED=False,  # it would rewrite our own Retry-After headers
        JSON_SORT_KEYS=False,
    )
    app.url_map.merge_slashes = False  # "//" is a client mistake to refuse, not to redirect
    os.makedirs(app.instance_path, exist_ok=True)
    install_redaction(
        [
            settings["UPSTREAM_API_KEY"],
            *settings["SECRET_KEYS"],
            *(r.api_key for r in settings["REGIONS"].values()),
            settings["METRICS_TOKEN"] or "",
        ],
        extra_loggers=[app.logger],
    )
    _configure_logging(app, settings)
    metrics = BrokerMetrics()
    state = _build_state(app, settings, metrics)
    app.extensions[EXTENSION] = state
    app.teardown_appcontext(close_db_session)

    api = openapi.BrokerApi(app)
    openapi.init_app(app)
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.components.security_scheme(
        "linkToken", {"type": "http", "scheme": "bearer", "description": "A link token from POST /v1/link_tokens"}
    )
    for blueprint in (health.bp, lender.bp, data.bp, link.bp):
        api.register_blueprint(blueprint)
    webhook_app.init_app(app, api, state)
    api.register_blueprint(link_flow.bp)
    review.init_app(app, api)
    for init_feature in (init_consents, init_owner_notes, init_invitations):  # issue 18's packages
        init_feature(app, api)
    app.register_blueprint(widget.bp)
    state.limits.limiter.exempt(health.bp)
    state.limits.limiter.exempt(widget.bp)
    state.limits.limiter.exempt(init_observability(app, metrics))
    register_error_handlers(app)  # after Api, whose own HTTPException handler it replaces
    _register_extra_error_handlers(app, state)
    cli.register(app)
    return app


def _configure_logging(app: Flask, settings: Mapping[str, Any]) -> None:
    """Install the process's log handler: JSON in production, text in development, pytest's own when testing."""
    fmt = settings["LOG_FORMAT"] or {"production": "json", "development": "text"}.get(settings["ENV"])
    if fmt is not None:
        configure_logging(fmt, settings["LOG_LEVEL"])
        # Flask gave the app's logger its own stderr handler; with ours on the root every line would print twice.
        app.logger.removeHandler(flask_logging.default_handler)


def _build_state(app: Flask, settings: Mapping[str, Any], metrics: BrokerMetrics) -> BrokerState:
    clock = settings["CLOCK"] or time.time
    db = Database(database_url(settings, app.instance_path))
    auto_migrate = settings["AUTO_MIGRATE"]
    if auto_migrate or (auto_migrate is None and db.is_sqlite):
        db.upgrade()
    redis_client = None
    revocations: RevocationStore
    if settings["REDIS_URL"]:
        import redis

        redis_client = redis.Redis.from_url(settings["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
        revocations = RedisRevocations(redis_client, settings["REDIS_KEY_PREFIX"])
    else:
        revocations = MemoryRevocations(clock)
    tokens = LinkTokens(
        settings["SECRET_KEYS"],
        revocations,
        max_lifetime=settings["LINK_TOKEN_MAX_SECONDS"],
        clock=clock,
        observer=metrics,
    )
    if redis_client is None:
        _warm_revocations(db, tokens, clock)
    policy = RetryPolicy(
        max_attempts=settings["UPSTREAM_MAX_ATTEMPTS"],
        backoff_base=settings["UPSTREAM_BACKOFF_BASE"],
        backoff_max=settings["UPSTREAM_BACKOFF_MAX"],
        retry_after_cap=settings["UPSTREAM_RETRY_AFTER_CAP"],
        deadline=settings["UPSTREAM_DEADLINE"],
    )
    timeouts = Timeouts(
        settings["UPSTREAM_CONNECT_TIMEOUT"],
        settings["UPSTREAM_READ_TIMEOUT"],
        settings["UPSTREAM_WRITE_TIMEOUT"],
        settings["UPSTREAM_POOL_TIMEOUT"],
    )
    limits = httpx.Limits(
        max_connections=settings["UPSTREAM_MAX_CONNECTIONS"],
        max_keepalive_connections=settings["UPSTREAM_MAX_KEEPALIVE"],
    )
    pacer = CompanyPacer(settings["UPSTREAM_COMPANY_RPS"])
    upstreams = {
        name: UpstreamClient(
            region,
            transport=settings["UPSTREAM_TRANSPORT"],
            policy=policy,
            timeouts=timeouts,
            limits=limits,
            pacer=pacer,
            account_key_header=settings["UPSTREAM_ACCOUNT_KEY_HEADER"],
            observer=metrics,
        )
        for name, region in settings["REGIONS"].items()
    }
    limiter = Limiter(get_remote_address, app=app, default_limits=[settings["RATELIMIT_PER_ADDRESS"]])
    return BrokerState(
        db=db,
        tokens=tokens,
        upstreams=upstreams,
        authenticator=ClientAuthenticator(
            settings["CLIENT_AUTH_CACHE_SECONDS"], clock, settings["CLIENT_SECRET_HASH_COST"]
        ),
        limits=Limits(
            limiter,
            per_client=settings["RATELIMIT_PER_CLIENT"],
            per_company=settings["RATELIMIT_PER_COMPANY"],
            prefix=settings["REDIS_KEY_PREFIX"],
            observer=metrics,
        ),
        clock=clock,
        redis=redis_client,
    )


def _warm_revocations(db: Database, tokens: LinkTokens, clock: Any) -> None:
    """Load revocations recorded in the database into a fresh in-memory store (a restart forgets nothing)."""
    from datetime import UTC, datetime

    try:
        with db.session() as session:
            for jti, expires_at in accounts.revoked_token_ids(session, datetime.fromtimestamp(clock(), UTC)):
                tokens.revoke(jti, expires_at)
    except Exception:
        log.warning("could not load revoked link tokens from the database; run db-upgrade")


def _register_extra_error_handlers(app: Flask, state: BrokerState) -> None:
    @app.errorhandler(UnprocessableEntity)
    def _unprocessable(error: UnprocessableEntity) -> Response:
        messages = (getattr(error, "data", None) or {}).get("messages") or {}
        fields = {}
        for location in messages.values() if isinstance(messages, dict) else ():
            if isinstance(location, dict):
                fields.update(location)
        return error_response(422, "validation_failed", "Some fields are not valid.", details={"fields": fields})

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded) -> Response:
        state.limits.observer.rate_limited("address")
        current = state.limits.limiter.current_limit
        retry_after = max(1, int((current.reset_at if current else time.time() + 1) - time.time()))
        return error_response(
            429,
            "rate_limited",
            "Too many requests from this address; retry after Retry-After.",
            headers={"Retry-After": str(retry_after)},
        )
