"""Flask wiring of webhooks: the service in ``app.extensions`` and the blueprints (the operator command is in cli)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from broker import webhooks
from broker.state import BrokerState
from broker.views import webhooks as views


def init_app(app: Flask, api: Api, state: BrokerState) -> None:
    """Create the webhook service, register its blueprints, and resume deliveries left by a restart."""
    settings = webhooks.webhook_settings(app.config)
    service = webhooks.WebhookService.build(state.db, settings, state.now, should_stop=lambda: state.closed)
    app.extensions[webhooks.EXTENSION] = service
    api.register_blueprint(views.bp)
    api.register_blueprint(views.upstream_bp)

    if service.run_dispatcher:
        try:
            service.resume_pending()
        except Exception:
            app.logger.warning("could not look for pending webhook deliveries; run db-upgrade")
