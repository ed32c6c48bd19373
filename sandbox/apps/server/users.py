"""The documented test users of the simulated apps (sandbox mode only): who can sign in, and with what."""

from __future__ import annotations

import hmac

# OAuth apps: one owner per app who can grant access to any company's books in that app.
APP_OWNERS: dict[str, tuple[str, str]] = {
    "ledgerly": ("owner@ledgerly.test", "ledgerly-demo-1"),
    "xenon": ("owner@xenon.test", "xenon-demo-1"),
    "shopwave": ("owner@shopwave.test", "shopwave-demo-1"),
    "payday": ("owner@payday.test", "payday-demo-1"),
}

# The bank: username -> password; every user's one-time code is BANK_MFA_CODE (there is no phone in a sandbox).
BANK_USERS: dict[str, str] = {
    "maple.owner": "northbank-demo-1",
    "locked.owner": "northbank-demo-1",
}
BANK_LOCKED_USERS = frozenset({"locked.owner"})
BANK_MFA_CODE = "123456"


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def check_app_owner(app_key: str, email: str, password: str) -> bool:
    """True when ``email``/``password`` are the test owner of ``app_key`` (the email is case-insensitive)."""
    owner = APP_OWNERS.get(app_key)
    if owner is None:
        return False
    return _same(email.strip().lower(), owner[0]) & _same(password, owner[1])


def check_bank_password(username: str, password: str) -> bool:
    """True when the bank knows ``username`` with that password."""
    expected = BANK_USERS.get(username.strip().lower())
    return expected is not None and _same(password, expected)
