"""The widget's link flow without Flask: connect attempts and their outcomes, and completion.

An attempt is bound to the link token's id (``jti``); its ``state`` travels through the upstream and back to the
callback, and only its SHA-256 is stored. Passwords and MFA codes pass through to the upstream and are never stored
or logged; embed tokens are fetched when needed and never stored.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.errors import AttemptClosed, NoChallenge, NotFound, UnknownIntegration, Unprocessable, WrongAttemptKind
from broker.lender.accounts import audit
from broker.link.models import LinkAttempt
from broker.link.session import LinkVisit, connections, integrations, open_session
from broker.storage.models import Account, LinkToken
from broker.tokens import LinkClaims, LinkTokens
from broker.upstream import UpstreamClient
from broker.upstream import connect as upstream_connect
from common.dates import iso

log = logging.getLogger(__name__)

ATTEMPT_LIFETIME = timedelta(minutes=30)
KINDS = {"oauth2": "popup", "credentials": "credentials", "upload": "upload"}
FINAL = ("connected", "denied", "error", "expired")


@dataclass(frozen=True)
class Outcome:
    """What the popup's callback page shows and tells the frame."""

    attempt_id: str
    status: str
    error: str | None
    settled_now: bool = False  # this visit settled the attempt (a reload of the callback page does not)


_allowed_callbacks: set[tuple[str, str]] = set()
_allowed_lock = threading.Lock()


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value else None


# -- attempts ------------------------------------------------------------------------------------------------------
def _ensure_callback_allowed(upstream: UpstreamClient, callback_url: str) -> None:
    key = (upstream.region.admin_url, callback_url)
    with _allowed_lock:
        if key in _allowed_callbacks:
            return
    upstream_connect.allow_url(upstream, callback_url)
    with _allowed_lock:
        _allowed_callbacks.add(key)


def attempt_view(row: LinkAttempt, connect_url: str | None = None) -> dict[str, Any]:
    """Return an attempt as the frame sees it."""
    view: dict[str, Any] = {
        "attempt_id": row.id,
        "integration": row.integration,
        "kind": row.kind,
        "status": row.status,
        "error": row.error,
        "expires_at": _iso(row.expires_at),
    }
    if connect_url is not None:
        view["connect_url"] = connect_url
    return view


def start_attempt(
    visit: LinkVisit, integration: Any, *, callback_url: str, request_id: str | None = None
) -> dict[str, Any]:
    """Create an attempt for an app of the catalogue; popup apps get their connect URL (with a fresh embed token)."""
    db, upstream, claims, account, now = visit.db, visit.upstream, visit.claims, visit.account, visit.now
    if not isinstance(integration, str) or not integration:
        raise Unprocessable("integration is required.")
    app = next((a for a in integrations(upstream, account) if a["key"] == integration), None)
    if app is None or app.get("auth_type") not in KINDS:
        raise UnknownIntegration()
    kind = KINDS[str(app["auth_type"])]
    state = secrets.token_urlsafe(32)
    row = LinkAttempt(
        id="att_" + secrets.token_urlsafe(12),
        jti=claims.jti,
        account_id=account.id,
        integration=integration,
        kind=kind,
        state_hash=_hash(state),
        status="pending",
        created_at=now,
        expires_at=min(now + ATTEMPT_LIFETIME, datetime.fromtimestamp(claims.expires_at, now.tzinfo)),
    )
    url = None
    if kind == "popup":
        _ensure_callback_allowed(upstream, callback_url)
        embed = upstream.embed_token(account.account_key)
        url = upstream_connect.connect_url(upstream, integration, embed=embed, state=state, redirect=callback_url)
    open_session(db, claims, account, now)
    db.add(row)
    _commit_link_action(
        db, claims.jti, "link.attempt_start", now, account.id, target=integration, request_id=request_id
    )
    return attempt_view(row, url)


def _own_attempt(db: Session, claims: LinkClaims, attempt_id: str, now: datetime) -> LinkAttempt:
    row = db.get(LinkAttempt, attempt_id) if isinstance(attempt_id, str) and len(attempt_id) <= 40 else None
    if row is None or row.jti != claims.jti:
        raise NotFound("No such connection attempt.")
    if row.status == "pending" and row.expires_at <= now:
        row.status, row.error, row.finished_at = "expired", "attempt_expired", now
        db.commit()
    return row


def get_attempt(db: Session, claims: LinkClaims, attempt_id: str, now: datetime) -> dict[str, Any]:
    """Return one of this session's attempts (the frame polls it while the popup is open)."""
    return attempt_view(_own_attempt(db, claims, attempt_id, now))


def _commit_link_action(
    db: Session, jti: str, action: str, now: datetime, account_id: int, **about: str | None
) -> None:
    """Audit what the session of the link token ``jti`` did (``about``: target, request_id), and commit it too."""
    audit(db, actor=f"link:{jti}", action=action, at=now, account_id=account_id, **about)
    db.commit()


def _finish(db: Session, row: LinkAttempt, status: str, error: str | None, now: datetime) -> None:
    row.status, row.error, row.finished_at, row.upstream_ref = status, error, now, None
    _commit_link_action(db, row.jti, f"link.attempt_{status}", now, row.account_id, target=row.integration)


def finish_from_callback(
    db: Session,
    upstreams: dict[str, UpstreamClient],
    *,
    state: Any,
    status: Any,
    integration: Any,
    error: Any,
    now: datetime,
) -> Outcome | None:
    """Record the outcome the popup brought back; None when ``state`` matches no pending attempt."""
    if not isinstance(state, str) or not 16 <= len(state) <= 200:
        return None
    row = db.scalars(select(LinkAttempt).where(LinkAttempt.state_hash == _hash(state))).first()
    if row is None:
        return None
    if row.status != "pending":
        return Outcome(row.id, row.status, row.error)
    if row.expires_at <= now:
        _finish(db, row, "expired", "attempt_expired", now)
        return Outcome(row.id, row.status, row.error)
    if integration != row.integration or status not in ("connected", "denied", "error"):
        _finish(db, row, "error", "bad_callback", now)
        return Outcome(row.id, row.status, row.error)
    clean_error = error if isinstance(error, str) and error.replace("_", "").isalnum() and len(error) <= 64 else None
    if status == "connected":
        account = db.get(Account, row.account_id)
        upstream = upstreams.get(account.region) if account else None
        # The query string is the browser's word; the upstream's connection list is the proof (a connection still in
        # error is none: reconnecting a broken app must leave it healthy or syncing).
        confirmed = (
            upstream is not None
            and account is not None
            and any(
                c.get("integration") == row.integration and c.get("status") in ("healthy", "syncing")
                for c in upstream.connection_health(account.account_key)
            )
        )
        if not confirmed:
            _finish(db, row, "error", "not_confirmed", now)
            return Outcome(row.id, row.status, row.error)
        _finish(db, row, "connected", None, now)
    elif status == "denied":
        _finish(db, row, "denied", clean_error or "access_denied", now)
    else:
        _finish(db, row, "error", clean_error or "connect_failed", now)
    return Outcome(row.id, row.status, row.error, settled_now=True)


def _pending_form(db: Session, claims: LinkClaims, attempt_id: str, kind: str, now: datetime) -> LinkAttempt:
    row = _own_attempt(db, claims, attempt_id, now)
    if row.kind != kind:
        raise WrongAttemptKind()
    if row.status != "pending":
        raise AttemptClosed()
    return row


def _text(fields: Any, name: str, limit: int) -> str:
    value = fields.get(name) if isinstance(fields, dict) else None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise Unprocessable(f"{name} is required (at most {limit} characters).")
    return value


def _sign_in_answer(db: Session, row: LinkAttempt, answer: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Turn the upstream's answer to a sign-in step into the attempt's state and the frame's reply."""
    status = answer["status"]
    if status == "connected":
        _finish(db, row, "connected", None, now)
        return {"attempt_id": row.id, "status": "connected"}
    if status in ("mfa_required", "invalid_code", "code_expired", "code_sent"):
        ref = answer.get("challenge_id")
        if isinstance(ref, str) and len(ref) <= 100:
            row.upstream_ref = ref
            db.commit()
        reply_status = "mfa_required" if status in ("mfa_required", "code_sent") else "invalid_code"
        reply: dict[str, Any] = {"attempt_id": row.id, "status": reply_status, "challenge": {}}
        if isinstance(answer.get("attempts_left"), int):
            reply["attempts_left"] = answer["attempts_left"]
        return reply
    if status == "invalid_credentials":
        ref = answer.get("session")
        row.upstream_ref = ref if isinstance(ref, str) and len(ref) <= 100 else None
        db.commit()
        wrong: dict[str, Any] = {"attempt_id": row.id, "status": "invalid_credentials"}
        if isinstance(answer.get("attempts_left"), int):
            wrong["attempts_left"] = answer["attempts_left"]  # the frame warns before the app locks the account
        return wrong
    code = "account_locked" if status == "locked" else (status if status.replace("_", "").isalnum() else "error")[:64]
    _finish(db, row, "error", code, now)
    return {"attempt_id": row.id, "status": "error", "error": code}


def submit_credentials(
    db: Session, upstream: UpstreamClient, claims: LinkClaims, attempt_id: str, fields: Any, now: datetime
) -> dict[str, Any]:
    """Forward a sign-in form to the upstream; the password is used for this one call and never kept."""
    row = _pending_form(db, claims, attempt_id, "credentials", now)
    username, password = _text(fields, "username", 200), _text(fields, "password", 200)
    account = db.get(Account, row.account_id)
    assert account is not None
    try:
        if row.upstream_ref:
            answer = upstream_connect.submit_credentials(
                upstream, row.integration, username=username, password=password, session=row.upstream_ref
            )
        else:
            answer = upstream_connect.submit_credentials(
                upstream,
                row.integration,
                username=username,
                password=password,
                embed=upstream.embed_token(account.account_key),
                state=row.id,
            )
    except upstream_connect.ConnectRejected as rejected:
        _finish(db, row, "error", rejected.code, now)
        return {"attempt_id": row.id, "status": "error", "error": rejected.code}
    return _sign_in_answer(db, row, answer, now)


def submit_code(
    db: Session, upstream: UpstreamClient, claims: LinkClaims, attempt_id: str, fields: Any, now: datetime
) -> dict[str, Any]:
    """Forward an MFA code for the attempt's challenge."""
    row = _pending_form(db, claims, attempt_id, "credentials", now)
    code = _text(fields, "code", 20).strip()
    if not row.upstream_ref:
        raise NoChallenge()
    try:
        answer = upstream_connect.submit_code(upstream, row.integration, challenge_id=row.upstream_ref, code=code)
    except upstream_connect.ConnectRejected as rejected:
        _finish(db, row, "error", rejected.code, now)
        return {"attempt_id": row.id, "status": "error", "error": rejected.code}
    return _sign_in_answer(db, row, answer, now)


def upload_files(
    db: Session,
    upstream: UpstreamClient,
    claims: LinkClaims,
    attempt_id: str,
    files: list[tuple[str, tuple[str, bytes, str]]],
    now: datetime,
) -> dict[str, Any]:
    """Forward CSV files to the upstream's upload step; a rejected upload leaves the attempt open for another try."""
    row = _pending_form(db, claims, attempt_id, "upload", now)
    if not files:
        raise Unprocessable("Add the CSV files to upload.")
    account = db.get(Account, row.account_id)
    assert account is not None
    try:
        answer = upstream_connect.upload_files(
            upstream,
            row.integration,
            embed=upstream.embed_token(account.account_key),
            state=row.id,
            files=files,
        )
    except upstream_connect.ConnectRejected as rejected:
        return {"attempt_id": row.id, "status": "rejected", "reason": rejected.code}
    if answer["status"] == "connected":
        _finish(db, row, "connected", None, now)
        return {"attempt_id": row.id, "status": "connected"}
    found = answer.get("errors")
    errors: list[Any] = found if isinstance(found, list) else []
    reason = "; ".join(str(e.get("message"))[:200] for e in errors[:3] if isinstance(e, dict)) or "rejected"
    return {"attempt_id": row.id, "status": "rejected", "reason": reason}


# -- completion ----------------------------------------------------------------------------------------------------
def complete(
    visit: LinkVisit, tokens: LinkTokens, request_id: str | None = None, carried: Sequence[str] = ()
) -> dict[str, Any]:
    """End the session: what ``onSuccess`` receives (account key and connections made), then revoke the token.

    ``carried`` names apps connected in the earlier sessions this one resumed; they are shared too.
    """
    db, upstream, claims, account, now = visit.db, visit.upstream, visit.claims, visit.account, visit.now
    session = open_session(db, claims, account, now)
    made = db.scalars(
        select(LinkAttempt.integration).where(LinkAttempt.jti == claims.jti, LinkAttempt.status == "connected")
    ).all()
    current = {c["integration"]: c for c in connections(upstream, account)}
    result = {
        "account_key": account.account_key,
        "connections": [
            {
                "integration": key,
                "name": current.get(key, {}).get("name") or key,
                "category": current.get(key, {}).get("category"),
                "status": current.get(key, {}).get("status") or "syncing",
            }
            for key in dict.fromkeys([*carried, *made])
        ],
    }
    session.completed_at = session.completed_at or now
    record = db.get(LinkToken, claims.jti)
    if record is not None and record.revoked_at is None:
        record.revoked_at = now
    _commit_link_action(db, claims.jti, "link.session_complete", now, account.id, request_id=request_id)
    tokens.revoke(claims)
    return result
