"""Reconnect in place: the credit team asks the owner to reconnect a broken app, and the owner's page that does it.

The credit view's button mints an update-mode link token through the broker (server side) and gives a link to a page
of this site; the owner opens it and the widget opens straight on that app's sign-in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from example_host_app import present
from example_host_app.broker_client import BrokerError
from example_host_app.store import ReconnectRequest
from example_host_app.views import broker, store, widget_page
from example_host_app.views.credit import _app_names
from example_host_app.views.pages import _own_origin

bp = Blueprint("reconnect", __name__)
SCOPES = ("link",)
APP_KEY = re.compile(r"^[a-z0-9_]{1,64}$")
LINK_LIFETIME = timedelta(days=14)
TOKEN_MARGIN = timedelta(minutes=2)
WORDS = {
    "en": {
        "title": "Reconnect {app}",
        "lead": "{company}: your connection to {app} stopped working. Sign in to {app} again so that Northwind Lending "
        "keeps seeing your up-to-date figures. It stays the same connection; nothing you shared is lost.",
        "button": "Reconnect {app}",
        "opening": "Opening a secure session…",
        "done": "{app} is reconnected. Thank you, you can close this page.",
        "closed": "Closed before the end. Press the button to try again.",
        "failed": "Could not start: {reason}",
        "other": "Français",
    },
    "fr": {
        "title": "Reconnecter {app}",
        "lead": "{company} : la connexion à {app} ne fonctionne plus. Connectez-vous de nouveau à {app} pour que "
        "Northwind Lending continue de voir vos chiffres à jour. C\u2019est la même connexion ; rien de ce que vous "
        "avez partagé n\u2019est perdu.",
        "button": "Reconnecter {app}",
        "opening": "Ouverture d\u2019une session sécurisée…",
        "done": "{app} est reconnectée. Merci, vous pouvez fermer cette page.",
        "closed": "Fermé avant la fin. Appuyez sur le bouton pour réessayer.",
        "failed": "Impossible de commencer : {reason}",
        "other": "English",
    },
}


def _request(request_id: str) -> ReconnectRequest:
    found = store().reconnect(request_id)
    if found is None or found.created_at.replace(tzinfo=UTC) < datetime.now(UTC) - LINK_LIFETIME:
        abort(404, "This reconnect link is unknown or has expired; ask your lender for a new one.")
    return found


def _still_good(expires_at: str) -> bool:
    """Whether a token expiring at ``expires_at`` (ISO 8601) has a couple of minutes left."""
    try:
        expires = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return expires - TOKEN_MARGIN > datetime.now(UTC)


@bp.post("/companies/<account_key>/reconnect")
def ask_owner(account_key: str) -> Response:
    """Mint an update-mode token for one app of the company and show the credit team the link for the owner."""
    integration = request.form.get("integration", "")
    if store().company(account_key) is None:
        abort(404, "This lender has no company with that key.")
    if not APP_KEY.match(integration):
        abort(400, "Name the app to reconnect.")
    try:
        minted = broker().mint_link_token(account_key, _own_origin(), SCOPES, reconnect=integration)
    except BrokerError as error:
        flash(f"The broker refused a reconnect link: {error.message}")
    else:
        store().add_reconnect(account_key, integration, minted["link_token"], str(minted["expires_at"]))
        flash("A reconnect link is ready below: send it to the owner.")
    return redirect(url_for("credit.company", account_key=account_key) + "#connections-heading", code=303)


@bp.get("/reconnect/<request_id>")
def owner_page(request_id: str) -> Response:
    """The owner's page: opens the widget in update mode on the app to reconnect (English, or French with lang=fr)."""
    found = _request(request_id)
    lang = "fr" if request.args.get("lang") == "fr" else "en"
    company = store().company(found.account_key)
    app = present.app_name(found.integration, _app_names(found.account_key))
    words = {
        key: text.format(app=app, company=company.name if company else "", reason="{reason}")
        for key, text in WORDS[lang].items()
    }
    return widget_page(
        "reconnect.html",
        lang=lang,
        other_lang="en" if lang == "fr" else "fr",
        words=words,
        request_id=found.id,
    )


@bp.post("/reconnect/<request_id>/link_token")
def owner_token(request_id: str) -> tuple[dict[str, Any], int]:
    """The link's update-mode token (the page's script calls this, CSRF-protected); a fresh one when it ran out."""
    found = _request(request_id)
    if _still_good(found.token_expires_at):
        return {"link_token": found.link_token, "expires_at": found.token_expires_at}, 201
    try:
        minted = broker().mint_link_token(found.account_key, _own_origin(), SCOPES, reconnect=found.integration)
    except BrokerError as error:
        return {"error": {"code": error.code, "message": error.message}}, 502 if error.status is None else 409
    store().refresh_reconnect(found.id, minted["link_token"], str(minted["expires_at"]))
    return {"link_token": minted["link_token"], "expires_at": str(minted["expires_at"])}, 201
