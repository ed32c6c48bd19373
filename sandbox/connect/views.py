"""The connect flow's endpoints: ``/connect/<integration>`` pages, the OAuth callback, the credentials JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from sandbox import accounts
from sandbox.apps import upload
from sandbox.connect import flow as connect
from sandbox.connect.connector import AppUnavailable, Connector
from sandbox.connect.flow import ConnectRefused
from sandbox.errors import InvalidParameter, SandboxError
from sandbox.models import ConnectSession
from sandbox.pages import check_csrf, page, public_base, secure_headers
from sandbox.state import Sandbox, current_sandbox

bp = Blueprint("connect", __name__, url_prefix="/connect")

COOKIE_KEY = "connect"
CONNECT_APP = {"key": "sandbox", "name": "Connect your apps"}


def _connector() -> Connector:
    connector: Connector = current_app.extensions["sandbox.connect.connector"]
    return connector


def _remember(row: ConnectSession) -> None:
    # The session cookie ties the flow to this browser: a callback or form from another browser finds nothing.
    sessions = dict(session.get(COOKIE_KEY) or {})
    sessions[row.integration] = row.id
    session[COOKIE_KEY] = sessions


def _from_browser(integration: str, session_id: str | None = None) -> ConnectSession | None:
    known = (session.get(COOKIE_KEY) or {}).get(integration)
    if known is None or (session_id is not None and session_id != known):
        return None
    return connect.pending_session(current_sandbox(), known, integration)


def _posted(integration: str) -> ConnectSession | None:
    """The connect session a form of this browser posted (after its CSRF token is checked), or None."""
    check_csrf()
    return _from_browser(integration, request.form.get("session"))


def _go(url: str) -> BaseResponse:
    return secure_headers(redirect(url, 303 if request.method == "POST" else 302))


def _lost() -> BaseResponse:
    return page(
        "connect_error.html",
        400,
        app=CONNECT_APP,
        title="This connection attempt has ended",
        message="It expired, already finished, or was started in another browser. Go back to the site that sent you "
        "here and start again.",
    )


def _context(state: Sandbox, row: ConnectSession, **extra: Any) -> dict[str, Any]:
    from sandbox.apps.catalog import catalogue_entry

    return {
        "app": catalogue_entry(row.integration) or {"key": row.integration, "name": row.integration},
        "company": accounts.get_company(state.db, row.account_key),
        "tenant": state.config["TENANT_NAME"],
        "session_id": row.id,
        "cancel_url": f"/connect/{row.integration}/cancel",
        **extra,
    }


@bp.get("/<integration>")
def start(integration: str) -> BaseResponse:
    state = current_sandbox()
    back = request.args.get("redirect", "")
    if not back or len(back) > 2048 or not accounts.redirect_allowed(state.db, back):
        return page(
            "connect_error.html",
            400,
            app=CONNECT_APP,
            title="This link can't be used",
            message="The site that sent you here is not allowed to receive the result (its redirect URL is not on "
            "the tenant's allowed list). Nothing was connected and nothing was shared.",
        )
    tenant_state = request.args.get("state")
    if tenant_state is None or len(tenant_state) > connect.MAX_STATE_LENGTH:
        return _go(connect.outcome_url(back, "", integration[:64], "error", "invalid_state"))
    try:
        kind = connect.auth_type(integration)
        row = connect.open_session(
            state,
            integration=integration,
            embed=request.args.get("embed", ""),
            tenant_state=tenant_state,
            redirect=back,
        )
    except ConnectRefused as refused:
        return _go(connect.outcome_url(back, tenant_state, integration[:64], "error", refused.code))
    _remember(row)
    if kind == "oauth2":
        return _go(connect.start_oauth(state, _connector(), row, public_base()))
    if kind == "credentials":
        return page("bank_signin.html", **_context(state, row, username="", error=None))
    return page("upload.html", **_context(state, row, errors=[]))


@bp.get("/<integration>/callback")
def oauth_callback(integration: str) -> BaseResponse:
    row = _from_browser(integration)
    if row is None:
        return _lost()
    return _go(connect.finish_oauth(current_sandbox(), _connector(), row, public_base(), request.url))


@bp.post("/<integration>/cancel")
def cancel(integration: str) -> BaseResponse:
    row = _posted(integration)
    if row is None:
        return _lost()
    return _go(connect.close_session(current_sandbox(), row, "denied"))


@bp.post("/<integration>")
def submit(integration: str) -> BaseResponse:
    if request.is_json:
        return _json_api(integration)
    if "embed" in request.form and request.accept_mimetypes.best == "application/json":
        return _json_upload(integration)
    row = _posted(integration)
    if row is None:
        return _lost()
    state = current_sandbox()
    if connect.auth_type(integration) == "upload":
        return _upload(state, row)
    try:
        answer = connect.submit_credentials(
            state, _connector(), row, request.form.get("username", ""), request.form.get("password", "")
        )
    except AppUnavailable:
        return _go(connect.close_session(state, row, "error", "app_unavailable"))
    return _bank_step(state, row, answer, request.form.get("username", "")[:200])


@bp.post("/<integration>/mfa")
def mfa(integration: str) -> BaseResponse:
    row = _posted(integration)
    if row is None:
        return _lost()
    state = current_sandbox()
    try:
        if request.form.get("action") == "resend":
            answer = connect.resend_code(state, _connector(), row)
        else:
            answer = connect.submit_code(state, _connector(), row, request.form.get("code", ""))
    except AppUnavailable:
        return _go(connect.close_session(state, row, "error", "app_unavailable"))
    return _bank_step(state, row, answer, "")


def _bank_step(state: Sandbox, row: ConnectSession, answer: dict[str, Any], username: str) -> BaseResponse:
    status, message = answer.get("status"), answer.get("message")
    if status == "connected":
        return _go(connect.close_session(state, row, "connected"))
    if status == "locked":
        back = connect.close_session(state, row, "error", "account_locked")
        return page("bank_locked.html", 423, **_context(state, row, message=message, back_url=back))
    if status in {"mfa_required", "invalid_code", "code_expired", "code_sent"}:
        code = 200 if status in {"mfa_required", "code_sent"} else 401
        notice = message if status != "mfa_required" else None
        return page(
            "bank_mfa.html", code, **_context(state, row, intro=answer.get("message"), error=notice, step=status)
        )
    return page("bank_signin.html", 401, **_context(state, row, username=username, error=message))


def _uploaded_files() -> tuple[upload.CsvFile | upload.RowError | None, list[upload.CsvFile | upload.RowError]]:
    chart_file = request.files.get("chart")
    chart = (
        upload.decode(chart_file.read(), upload.clean_name(chart_file.filename, "chart.csv")) if chart_file else None
    )
    if chart_file is not None and not chart_file.filename:
        chart = None
    balances = [
        upload.decode(item.read(), upload.clean_name(item.filename, f"trial_balance_{index}.csv"))
        for index, item in enumerate(request.files.getlist("trial_balances"), start=1)
        if item.filename
    ]
    return chart, balances


def _upload(state: Sandbox, row: ConnectSession) -> BaseResponse:
    chart, balances = _uploaded_files()
    parsed = upload.check_upload(chart, balances)
    if parsed.errors or not isinstance(chart, upload.CsvFile):
        errors = [error.to_json() for error in parsed.errors]
        return page("upload.html", 422, **_context(state, row, errors=errors))
    files = [item for item in balances if isinstance(item, upload.CsvFile)]
    connection = upload.accept(state, row.account_key, chart, files)
    back = connect.close_session(state, row, "connected")
    return page(
        "upload_done.html", **_context(state, row, connection=connection, counts=connection["counts"], back_url=back)
    )


def _json_kind(integration: str, wanted: str, otherwise: str) -> None:
    """Refuse, in the one error shape, an app that is not in the catalogue (404) or not connected the ``wanted`` way
    (400, saying what it ``otherwise`` is)."""
    try:
        kind = connect.auth_type(integration)
    except ConnectRefused as refused:
        raise SandboxError(str(refused), code=refused.code, status=404) from None
    if kind != wanted:
        raise InvalidParameter(f"{integration} {otherwise}; open /connect/{integration}.")


def _json_upload(integration: str) -> BaseResponse:
    """The embedding page's upload without the popup: multipart ``embed``, ``state``, ``chart``, ``trial_balances``.

    Answers ``connected`` with the connection, or ``rejected`` with the row errors (the embed token is spent either
    way; the caller asks for a fresh one to try again).
    """
    state = current_sandbox()
    _json_kind(integration, "upload", "does not take file uploads")
    row = _json_session(
        state, integration, {"embed": request.form.get("embed"), "state": request.form.get("state", "")}
    )
    chart, balances = _uploaded_files()
    parsed = upload.check_upload(chart, balances)
    if parsed.errors or not isinstance(chart, upload.CsvFile):
        connect.close_session(state, row, "error", "rejected")
        reply: dict[str, Any] = {"status": "rejected", "errors": [error.to_json() for error in parsed.errors]}
    else:
        files = [item for item in balances if isinstance(item, upload.CsvFile)]
        connection = upload.accept(state, row.account_key, chart, files)
        connect.close_session(state, row, "connected")
        reply = {"status": "connected", "integration": integration, "connection": connection}
    response = jsonify(reply)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_api(integration: str) -> BaseResponse:
    state = current_sandbox()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidParameter("The body must be a JSON object.", code="invalid_json")
    _json_kind(integration, "credentials", "is not connected with credentials")
    row = _json_session(state, integration, body)
    connector = _connector()
    try:
        if "code" in body:
            answer = connect.submit_code(state, connector, row, _text(body, "code", 20))
        else:
            answer = connect.submit_credentials(state, connector, row, _text(body, "username"), _text(body, "password"))
    except AppUnavailable:
        connect.close_session(state, row, "error", "app_unavailable")
        raise SandboxError("The bank could not be reached; try again.", code="app_unavailable", status=502) from None
    status = answer.get("status")
    reply: dict[str, Any] = {"status": status, "message": answer.get("message"), "integration": integration}
    if status in {"mfa_required", "invalid_code", "code_expired"}:
        reply["challenge_id"] = row.id
    if status == "invalid_credentials":
        reply["session"] = row.id  # retry with {"session", "username", "password"} without a new embed token
    if "attempts_left" in answer:
        reply["attempts_left"] = answer["attempts_left"]
    if status == "connected":
        reply["connection"] = answer.get("connection")
        connect.close_session(state, row, "connected")
    elif status in {"locked", "code_attempts_exceeded"}:
        connect.close_session(state, row, "error", status)
    response = jsonify(reply)
    response.headers["Cache-Control"] = "no-store"
    return response


def _text(body: dict[str, Any], name: str, limit: int = 200) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidParameter(f"{name} is required (a string of at most {limit} characters).")
    return value


def _json_session(state: Sandbox, integration: str, body: dict[str, Any]) -> ConnectSession:
    reference = body.get("challenge_id") if "code" in body else body.get("session")
    if reference is not None:
        row = connect.pending_session(state, reference, integration)
        if row is None:
            raise SandboxError(
                "That sign-in step is unknown or has ended; start again.", code="unknown_challenge", status=404
            )
        return row
    embed = body.get("embed") or body.get("embed_token")
    tenant_state = body.get("state", "")
    if not isinstance(embed, str) or not isinstance(tenant_state, str) or len(tenant_state) > connect.MAX_STATE_LENGTH:
        raise InvalidParameter(
            "embed (the embed token) is required; state is an optional string.", code="invalid_embed_token"
        )
    try:
        return connect.open_session(state, integration=integration, embed=embed, tenant_state=tenant_state, redirect="")
    except ConnectRefused as refused:
        raise SandboxError(str(refused), code=refused.code, status=401) from None
