"""Link sessions' life (issue 19): update mode, progress and resume, exit, success that cannot be replayed."""

from __future__ import annotations

from typing import Any

from broker.link_sessions import models as models  # registers the table with the metadata migrations compare


def init_app(app: Any, api: Any) -> None:
    """Register the widget's and the lender's blueprints and teach the token verifier why a token was revoked."""
    from broker.link_sessions import hooks, views

    state = app.extensions["broker"]
    state.tokens.explain_revocation = hooks.explain_revocation(state.db)
    api.register_blueprint(views.widget_bp)
    api.register_blueprint(views.lender_bp)
