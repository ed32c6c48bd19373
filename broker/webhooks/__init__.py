"""Webhooks: lender endpoints and their signed deliveries, and the receiver of the upstream's webhooks (see README)."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask_smorest import Api

from broker.webhooks.service import EVENT_TYPES, EXTENSION, WebhookService, emit, webhook_settings

__all__ = ["EVENT_TYPES", "EXTENSION", "WebhookService", "emit", "init_app"]


def init_app(app: Flask, api: Api) -> None:
    """Create the webhook service, register its blueprints and command, and resume deliveries left by a restart."""
    from broker.state import EXTENSION as BROKER
    from broker.state import BrokerState
    from broker.webhooks import upstream, views

    state: BrokerState = app.extensions[BROKER]
    settings = webhook_settings(app.config)
    service = WebhookService.build(state.db, settings, state.now, should_stop=lambda: state.closed)
    app.extensions[EXTENSION] = service
    api.register_blueprint(views.bp)
    api.register_blueprint(views.upstream_bp)

    @app.cli.command("register-upstream-webhook")
    @click.argument("url")
    @click.option("--region", default=None, help="Upstream region (default: the default one).")
    def register_upstream_webhook(url: str, region: str | None) -> None:
        """Register URL (this broker's /v1/upstream/webhooks) at the upstream and keep its secret (idempotent)."""
        name = region or next(iter(state.upstreams))
        if name not in state.upstreams:
            raise click.BadParameter(f"unknown region {name!r}")
        with state.db.session() as session:
            endpoint_id, created = upstream.register_at_upstream(
                session, state.upstreams[name], name, url, now=state.now()
            )
        click.echo(json.dumps({"endpoint_id": endpoint_id, "url": url, "region": name, "created": created}))

    if service.run_dispatcher:
        try:
            service.resume_pending()
        except Exception:
            app.logger.warning("could not look for pending webhook deliveries; run db-upgrade")
