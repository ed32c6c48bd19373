"""Webhooks: lender endpoints and their signed deliveries, and the receiver of the upstream's webhooks (see README)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from broker.webhooks.service import EVENT_TYPES, EXTENSION, WebhookService, emit, webhook_settings

__all__ = ["EVENT_TYPES", "EXTENSION", "WebhookService", "emit", "init_app"]


def init_app(app: Flask, api: Api) -> None:
    """Create the webhook service, register its blueprints, and resume deliveries left by a restart.

    The operator command ``register-upstream-webhook`` is in ``broker.cli``, so that ``--help`` lists it without
    configuration.
    """
    from broker.state import EXTENSION as BROKER
    from broker.state import BrokerState
    from broker.webhooks import views

    state: BrokerState = app.extensions[BROKER]
    settings = webhook_settings(app.config)
    service = WebhookService.build(state.db, settings, state.now, should_stop=lambda: state.closed)
    app.extensions[EXTENSION] = service
    api.register_blueprint(views.bp)
    api.register_blueprint(views.upstream_bp)

    if service.run_dispatcher:
        try:
            service.resume_pending()
        except Exception:
            app.logger.warning("could not look for pending webhook deliveries; run db-upgrade")
