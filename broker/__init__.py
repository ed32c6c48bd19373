"""The link broker: a Flask app that holds the upstream API key and serves lenders, widgets and the read-only proxy."""

from __future__ import annotations

import atexit
import logging
import os
import time
import weakref
from collections.abc import Mapping
from typing import Any

import httpx
from flask import Flask, Response
from flask import logging as flask_logging
from flask.sessions import SessionInterface
from flask_compress import Compress
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import UnprocessableEntity

from broker import (
    cli,
    consents,
    coverage,
    data,
    hardening,
    invitations,
    lender,
    link,
    link_sessions,
    openapi,
    owner_notes,
    review,
    webhooks,
    widget,
)
from broker.auth import counts_itself
from broker.config import database_url, load_settings
from broker.errors import ConfigurationError
from broker.lender import accounts
from broker.lender.account_cache import AccountCache
from broker.lender.clients import ClientAuthenticator
from broker.limits import MEMORY_URI, Limits
from broker.observability import health
from broker.observability import init_app as init_observability
from broker.observability.logs import configure_logging, install_redaction
from broker.observability.metrics import BrokerMetrics
from broker.state import EXTENSION, BrokerState, close_db_session
from broker.storage import Database
from broker.storage.audit_writer import AuditWriter
from broker.tokens import LinkTokens, MemoryRevocations, RedisRevocations, RevocationStore
from broker.upstream import UpstreamClient
from broker.upstream.pacer import CompanyPacer
from broker.upstream.readiness import UpstreamReadiness
from broker.upstream.retry import RetryPolicy
from common.web import error_response, register_error_handlers

log = logging.getLogger(__name__)
# Each feature is a package with its views, schemas, store and models, wired by ``init_app(app, api)``; the order
# is the order of the OpenAPI document's paths.
FEATURES = (lender, data, webhooks, link, review, coverage, link_sessions, consents, owner_notes, invitations, widget)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a broker app from defaults, ``BROKER_*`` environment and ``test_config``; fail loudly if unsafe."""
    try:
        settings = load_settings(test_config)
    except ConfigurationError as error:
        if test_config is None and cli.listing_commands():
            return cli.unconfigured_app(error)
        raise
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings)
    app.config.update(
        API_TITLE="LedgerLink broker",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        RATELIMIT_STORAGE_URI=settings["REDIS_URL"] or MEMORY_URI,
        RATELIMIT_KEY_PREFIX=settings["REDIS_KEY_PREFIX"],
        RATELIMIT_HEADERS_ENABLED=False,  # it would rewrite our own Retry-After headers
        JSON_SORT_KEYS=False,
    )
    app.url_map.merge_slashes = False  # "//" is a client mistake to refuse, not to redirect
    app.session_interface = NoSessions()
    _init_compression(app)
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
    atexit.register(_close_at_exit, weakref.ref(state))  # a clean exit writes queued audit entries
    app.teardown_appcontext(close_db_session)

    api = openapi.BrokerApi(app)
    openapi.init_app(app)
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.components.security_scheme(
        "linkToken", {"type": "http", "scheme": "bearer", "description": "A link token from POST /v1/link_tokens"}
    )
    api.register_blueprint(health.bp)
    for feature in FEATURES:
        feature.init_app(app, api)
    state.limits.limiter.exempt(health.bp)
    for view in app.view_functions.values():
        if counts_itself(view):  # the proxied reads count their address with the client and company
            state.limits.limiter.exempt(view)
    state.limits.limiter.exempt(init_observability(app, metrics))
    register_error_handlers(app)  # after Api, whose own HTTPException handler it replaces
    _register_extra_error_handlers(app, state)
    hardening.init_app(app)
    cli.register(app)
    return app


class NoSessions(SessionInterface):
    """The broker keeps no cookie session (credentials travel in headers): Flask gets a null session per request
    instead of building a signing serializer to look for a cookie that is never set."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None


# What is worth compressing: text the broker writes. Images, archives and the widget's precompressed files are not.
COMPRESSED_TYPES = ["application/json", "text/html", "text/css", "text/javascript", "text/csv", "text/plain"]


def _init_compression(app: Flask) -> None:
    """Compress JSON and text answers (brotli when asked, else gzip) and add ``Vary: Accept-Encoding``.

    Registered first so that it runs after every other ``after_request`` hook, on the final body. Answers that already
    carry a ``Content-Encoding`` (the widget's precompressed files) and bodies under 500 bytes are left as they are; a
    streamed answer is compressed chunk by chunk. A strong ETag gets the encoding as a suffix (one per representation).
    """
    app.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "gzip"],
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_LEVEL=6,
        # Answers are made per request: brotli's quality 1 packs an 18 KB page of invoices into 3.3 KB in 0.06 ms,
        # quality 4 into 2.5 KB in 0.27 ms (a fifth of a proxied read's own time; docs/performance.md).
        COMPRESS_BR_LEVEL=1,
        COMPRESS_MIN_SIZE=500,
    )
    Compress(app)


def _close_at_exit(state_ref: weakref.ref[BrokerState]) -> None:
    """Close the state if it is still alive at interpreter exit (gunicorn's ``worker_exit`` hook does it earlier)."""
    state = state_ref()
    if state is not None:
        state.close()


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
    timeouts = httpx.Timeout(
        connect=settings["UPSTREAM_CONNECT_TIMEOUT"],
        read=settings["UPSTREAM_READ_TIMEOUT"],
        write=settings["UPSTREAM_WRITE_TIMEOUT"],
        pool=settings["UPSTREAM_POOL_TIMEOUT"],
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
            per_address=settings["RATELIMIT_PER_ADDRESS"],
            prefix=settings["REDIS_KEY_PREFIX"],
            observer=metrics,
        ),
        clock=clock,
        audit=AuditWriter(db),
        accounts=AccountCache(),
        redis=redis_client,
        readiness={name: UpstreamReadiness(upstream, clock=clock) for name, upstream in upstreams.items()},
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
