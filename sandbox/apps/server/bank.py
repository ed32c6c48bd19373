"""Northbank's sign-in: password check with lock-out, then a one-time code that expires; passwords are never kept."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from sandbox.apps.server.storage import AppUser, digest
from sandbox.apps.server.users import BANK_LOCKED_USERS, BANK_MFA_CODE, check_bank_password
from sandbox.db import Database
from sandbox.models import BankChallenge, BankLoginFailure

MAX_CODE_ATTEMPTS = 3

MESSAGES = {
    "mfa_required": "We sent a 6-digit code to the phone number on file. Enter it to continue.",
    "invalid_credentials": "That username and password don't match a Northbank online banking user.",
    "locked": "This Northbank account is locked after too many attempts. Call Northbank or try again later.",
    "invalid_code": "That code isn't right. Check the latest message and try again.",
    "code_expired": "That code has expired. Ask for a new code and enter it within 5 minutes.",
    "code_attempts_exceeded": "Too many wrong codes. Sign in again to get a new code.",
    "unknown_challenge": "This sign-in step is no longer valid. Sign in again.",
    "code_sent": "We sent a new code. It replaces the previous one.",
    "connected": "Northbank is connected.",
}


@dataclass(frozen=True)
class BankAnswer:
    """The bank's answer to one sign-in step; ``user`` is set once the code was right."""

    status: str
    challenge_id: str | None = None
    user: AppUser | None = None
    attempts_left: int | None = None

    @property
    def message(self) -> str:
        """A sentence for the person signing in."""
        return MESSAGES[self.status]


def _now(now: float | None) -> int:
    return int(time.time() if now is None else now)


def start_login(
    db: Database,
    username: str,
    password: str,
    organisation: str,
    *,
    lock_after: int,
    lock_seconds: int,
    mfa_ttl: int,
    now: float | None = None,
) -> BankAnswer:
    """Check a username and password (used once, never stored) and open a one-time-code step."""
    moment = _now(now)
    user = username.strip().lower()[:200]
    with db.session() as session:
        failures = session.get(BankLoginFailure, user)
        if user in BANK_LOCKED_USERS or (failures is not None and failures.locked_until > moment):
            return BankAnswer("locked")
        if not check_bank_password(user, password):
            if failures is None:
                failures = BankLoginFailure(username=user, failures=0, locked_until=0)
                session.add(failures)
            failures.failures += 1
            if failures.failures >= lock_after:
                failures.failures, failures.locked_until = 0, moment + lock_seconds
                return BankAnswer("locked")
            return BankAnswer("invalid_credentials", attempts_left=lock_after - failures.failures)
        if failures is not None:
            session.delete(failures)
        challenge = BankChallenge(
            id="chl_" + secrets.token_urlsafe(24),
            username=user,
            organisation=organisation,
            code_hash=digest(BANK_MFA_CODE),
            expires_at=moment + mfa_ttl,
            attempts=0,
            finished=False,
        )
        session.add(challenge)
        return BankAnswer("mfa_required", challenge_id=challenge.id)


def check_code(db: Database, challenge_id: str, code: str, *, now: float | None = None) -> BankAnswer:
    """Check a one-time code; the right code before expiry signs the user in (once)."""
    moment = _now(now)
    with db.session() as session:
        challenge = session.get(BankChallenge, challenge_id[:64])
        if challenge is None or challenge.finished:
            return BankAnswer("unknown_challenge")
        if challenge.expires_at <= moment:
            return BankAnswer("code_expired", challenge_id=challenge.id)
        if not hmac.compare_digest(digest(code.strip()), challenge.code_hash):
            challenge.attempts += 1
            if challenge.attempts >= MAX_CODE_ATTEMPTS:
                challenge.finished = True
                return BankAnswer("code_attempts_exceeded")
            return BankAnswer(
                "invalid_code", challenge_id=challenge.id, attempts_left=MAX_CODE_ATTEMPTS - challenge.attempts
            )
        challenge.finished = True
        return BankAnswer("connected", user=AppUser(challenge.username, challenge.organisation))


def resend_code(db: Database, challenge_id: str, *, mfa_ttl: int, now: float | None = None) -> BankAnswer:
    """Send a fresh code for an open step: a new expiry and a clean count of attempts."""
    moment = _now(now)
    with db.session() as session:
        challenge = session.get(BankChallenge, challenge_id[:64])
        if challenge is None or challenge.finished:
            return BankAnswer("unknown_challenge")
        challenge.expires_at, challenge.attempts = moment + mfa_ttl, 0
        return BankAnswer("code_sent", challenge_id=challenge.id)


def expire_challenge(db: Database, challenge_id: str) -> None:
    """Make a step's code expire now (the sandbox's way to show the expired-code path without waiting)."""
    with db.session() as session:
        challenge = session.get(BankChallenge, challenge_id)
        if challenge is not None:
            challenge.expires_at = 0
