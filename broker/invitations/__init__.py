"""Accountant invitations (issue 18): the owner hands the map and reconcile steps to their accountant by a link.

Other features call ``actor_for`` (history and audit name the accountant) and ``require_owner``; see README.md.
"""

from __future__ import annotations

from typing import Any

from broker.invitations.store import InvitationLinks, accountant_of, actor_for, require_owner

__all__ = ["accountant_of", "actor_for", "init_app", "require_owner", "widget_actor"]


def init_app(app: Any, api: Any) -> None:
    """Register the blueprints; sign links with the broker's secret keys; rate-limit acceptance per address."""
    from broker.consents.settings import consent_settings
    from broker.invitations import views

    settings = consent_settings(app.config)
    state = app.extensions["broker"]
    app.config.setdefault("INVITATION_DEFAULT_SECONDS", settings["INVITATION_DEFAULT_SECONDS"])
    app.extensions[views.EXTENSION] = InvitationLinks(
        app.config["SECRET_KEYS"], int(settings["INVITATION_MAX_SECONDS"]), state.clock
    )
    state.limits.limiter.limit(settings["CONSENT_VERIFY_RATELIMIT"])(views.public_bp)
    api.register_blueprint(views.widget_bp)
    api.register_blueprint(views.public_bp)


def widget_actor(claims: Any) -> str:
    """The actor of a widget request for history and audit (``accountant:<name>`` or ``link:<token id>``)."""
    from broker.state import db_session

    return actor_for(db_session(), claims)
