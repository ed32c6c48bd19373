"""The widget's flow endpoints under ``/v1/link``: session, catalogue, connect attempts, the popup callback, completion.

Called by the frame, which runs on the broker's own origin: a request's ``Origin`` (when the browser sends one) must
be the token's origin or the broker's own, and a request from the frame must name, in ``X-LedgerLink-Parent-Origin``,
the page that frames it (which the frame verified in its handshake): that must be the token's origin. The callback
is the only endpoint without a bearer token: the popup lands there, and its ``state`` is the credential.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify, render_template, request
from flask_smorest import Blueprint

from broker import webhooks
from broker.auth import current_company, public_endpoint, widget_endpoint
from broker.consents import issue_on_success
from broker.errors import FileTooLarge, InvalidJson
from broker.link import flow as link_flow
from broker.link import session as link_session
from broker.link.catalogue import CatalogueCache
from broker.link.models import LinkAttempt
from broker.link.session import LinkVisit
from broker.link_sessions import hooks as link_sessions_hooks
from broker.state import broker_state, db_session
from broker.storage.models import Account
from broker.tokens import LinkClaims
from broker.upstream import UpstreamClient
from broker.widget.assets import messages as widget_messages
from common.dates import iso
from common.web import request_id

bp = Blueprint(
    "link_flow",
    __name__,
    url_prefix="/v1/link",
    description="Widget: the owner's session, app catalogue and connect flow.",
    template_folder="templates",
)
LINK_SCOPE = "link"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_FIELDS = {"chart_of_accounts": "chart", "trial_balances": "trial_balances"}
CALLBACK_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
CALLBACK_STATUSES = ("connected", "denied", "error", "expired", "unknown")
CATALOGUES = "link.catalogues"
SESSION_SCHEMA = {"type": "object", "description": "account_key, scopes, origin, expires_at, client_name, connections"}


def callback_url() -> str:
    """The URL the upstream sends the popup back to."""
    configured = current_app.config.get("PUBLIC_URL")
    base = str(configured or request.host_url).rstrip("/")
    return base + "/v1/link/callback"


def _catalogues() -> CatalogueCache:
    """The app's memory of each region's app catalogue (``init_app`` makes it)."""
    cache: CatalogueCache = current_app.extensions[CATALOGUES]
    return cache


def _context() -> tuple[LinkClaims, Account, UpstreamClient]:
    claims, account = current_company()
    broker_state().limits.company(account.account_key)
    return claims, account, broker_state().upstreams[account.region]


def _visit() -> LinkVisit:
    claims, account, upstream = _context()
    return LinkVisit(db_session(), upstream, claims, account, broker_state().now())


def _announce(answer: dict[str, Any]) -> dict[str, Any]:
    """Send the lender ``link.connected`` when an attempt's answer says it just connected; return the answer."""
    if answer.get("status") == "connected" and answer.get("attempt_id"):
        _announce_attempt(str(answer["attempt_id"]))
    return answer


def _announce_attempt(attempt_id: str) -> None:
    session = db_session()
    row = session.get(LinkAttempt, attempt_id)
    account = session.get(Account, row.account_id) if row is not None else None
    if row is None or account is None:
        return
    data = {
        "integration": row.integration,
        "attempt_id": row.id,
        "connected_at": iso(row.finished_at) if row.finished_at else None,
    }
    webhooks.emit("link.connected", account.client_id, account.account_key, data)
    books = current_app.extensions.get("broker_books")  # the map, reconcile and coverage reads' short cache
    if books is not None:
        books.forget(account.account_key)


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidJson()
    return body


def _ok(description: str, required: tuple[str, ...], status: int = 200) -> dict[int, Any]:
    """Document a JSON success answer (else schema checkers validate it against the error schema)."""
    schema = {"type": "object", "required": list(required)}
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


@bp.route("/session", methods=["GET"])
@widget_endpoint(
    bp,
    LINK_SCOPE,
    responses={
        200: {"description": "The widget session.", "content": {"application/json": {"schema": SESSION_SCHEMA}}}
    },
)
def session() -> Response:
    """The session the token opens: account key, scopes, origin, expiry, lender name and current connections."""
    return _json(link_session.session_summary(_visit()))


@bp.route("/integrations", methods=["GET"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("The catalogue.", ("integrations",)))
def integrations() -> Response:
    """The upstream's app catalogue with ``connected`` and ``status`` for this company."""
    _claims, account, upstream = _context()
    return _json({"integrations": link_session.catalogue(upstream, account, cache=_catalogues())})


@bp.route("/bootstrap", methods=["GET"])
@widget_endpoint(
    bp,
    LINK_SCOPE,
    responses={
        200: {
            "description": (
                "What the frame needs to show its first step, in one call: the session, the catalogue and where to "
                "open (``progress``, as ``GET /v1/link/progress``: update mode, resume offer)."
            ),
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["session", "integrations", "progress"],
                        "properties": {
                            "session": SESSION_SCHEMA,
                            "integrations": {"type": "array", "items": {"type": "object"}},
                            "progress": {"$ref": "#/components/schemas/LinkProgress"},
                        },
                    }
                }
            },
        }
    },
)
def bootstrap() -> Response:
    """The session (as ``GET /v1/link/session``), the catalogue (as ``GET /v1/link/integrations``) and the progress
    (as ``GET /v1/link/progress``) together."""
    visit = _visit()
    answer = link_session.bootstrap(visit, _catalogues())
    return _json({**answer, "progress": link_sessions_hooks.progress(visit.claims, visit.account)})


@bp.route("/connections", methods=["GET"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("The connections.", ("connections",)))
def connections() -> Response:
    """The company's connections with their sync progress (0-100)."""
    _claims, account, upstream = _context()
    return _json({"connections": link_session.connections(upstream, account)})


@bp.route("/attempts", methods=["POST"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("The attempt.", ("attempt_id", "kind", "status"), 201))
def start_attempt() -> Response:
    """Start connecting an app: ``{integration}`` → ``{attempt_id, kind, connect_url?}``."""
    visit = _visit()
    body = _json_body()
    link_sessions_hooks.guard_attempt(visit.claims, body.get("integration"))
    result = link_flow.start_attempt(
        visit, body.get("integration"), callback_url=callback_url(), request_id=request_id()
    )
    return _json(result, 201)


@bp.route("/attempts/<attempt_id>", methods=["GET"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("The attempt.", ("attempt_id", "status")))
def get_attempt(attempt_id: str) -> Response:
    """An attempt's status: ``pending`` until the popup's callback (or the sign-in form) settles it."""
    claims: LinkClaims = g.link_claims
    return _json(link_flow.get_attempt(db_session(), claims, attempt_id, broker_state().now()))


@bp.route("/attempts/<attempt_id>/credentials", methods=["POST"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("What the app answered.", ("attempt_id", "status")))
def credentials(attempt_id: str) -> Response:
    """Send ``{username, password}`` to the app through the upstream (never stored)."""
    claims, _account, upstream = _context()
    answer = link_flow.submit_credentials(
        db_session(), upstream, claims, attempt_id, _json_body(), broker_state().now()
    )
    return _json(_announce(answer))


@bp.route("/attempts/<attempt_id>/mfa", methods=["POST"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("What the app answered.", ("attempt_id", "status")))
def mfa(attempt_id: str) -> Response:
    """Send ``{code}`` for the attempt's MFA challenge."""
    claims, _account, upstream = _context()
    answer = link_flow.submit_code(db_session(), upstream, claims, attempt_id, _json_body(), broker_state().now())
    return _json(_announce(answer))


@bp.route("/attempts/<attempt_id>/upload", methods=["POST"])
@widget_endpoint(bp, LINK_SCOPE, responses=_ok("What the upload app answered.", ("attempt_id", "status")))
def upload(attempt_id: str) -> Response:
    """Send CSV files (multipart: ``chart_of_accounts``, ``trial_balances``) to the upload app."""
    claims, _account, upstream = _context()
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    for field, upstream_field in UPLOAD_FIELDS.items():
        for item in request.files.getlist(field):
            data = item.read(MAX_UPLOAD_BYTES + 1)
            if len(data) > MAX_UPLOAD_BYTES:
                raise FileTooLarge()
            name = (item.filename or f"{field}.csv").rsplit("/", 1)[-1][:100]
            files.append((upstream_field, (name, data, "text/csv")))
    answer = link_flow.upload_files(db_session(), upstream, claims, attempt_id, files, broker_state().now())
    return _json(_announce(answer))


@bp.route("/complete", methods=["POST"])
@widget_endpoint(
    bp, LINK_SCOPE, responses=_ok("The result onSuccess receives.", ("account_key", "connections", "link_session_id"))
)
def complete() -> Response:
    """End the session: ``{account_key, connections, link_session_id}`` (what ``onSuccess`` receives).

    Refused with ``coverage_not_met`` (409) while the lender's minimums are not met, and with
    ``link_session_already_succeeded`` (409) the second time; afterwards the token only reads ``GET /v1/link/status``
    once.
    """
    visit = _visit()
    claims, account, upstream = visit.claims, visit.account, visit.upstream
    result = link_sessions_hooks.succeed(
        claims,
        account,
        lambda carried: link_flow.complete(visit, broker_state().tokens, request_id(), carried=carried),
    )
    data = {"connections": result["connections"], "link_session_id": result["link_session_id"]}
    webhooks.emit("link.succeeded", account.client_id, account.account_key, data)
    result["consent"] = issue_on_success(claims, account, upstream, result["connections"])
    return _json(result)


@bp.route("/callback", methods=["GET"])
@public_endpoint(bp, responses={200: {"description": "A small HTML page that tells the frame and closes itself."}})
def callback() -> Response:
    """Where the upstream sends the popup back: checks ``state``, records the outcome, tells the frame, closes."""
    args = request.args
    outcome = link_flow.finish_from_callback(
        db_session(),
        broker_state().upstreams,
        state=args.get("state"),
        status=args.get("status"),
        integration=args.get("integration"),
        error=args.get("error"),
        now=broker_state().now(),
    )
    if outcome is not None and outcome.settled_now and outcome.status == "connected":
        _announce_attempt(outcome.attempt_id)
    lang = request.accept_languages.best_match(["en", "fr"]) or "en"
    words = widget_messages(lang)  # the widget's own catalogue: one set of words for the frame and this page
    status = outcome.status if outcome else "unknown"
    html = render_template(
        "link_callback.html",
        lang=lang,
        text=words[f"callback.{status if status in CALLBACK_STATUSES else 'error'}"],
        manual=words["callback.manual"],
        attempt_id=outcome.attempt_id if outcome else "",
        status=status if outcome else "error",
        error=(outcome.error or "") if outcome else "unknown_attempt",
    )
    response = Response(html, status=200 if outcome else 400, mimetype="text/html")
    response.headers.update(
        {
            "Content-Security-Policy": CALLBACK_CSP,
            "Referrer-Policy": "no-referrer",
        }
    )
    return response
