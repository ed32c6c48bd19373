"""The two ways into the sandbox: Administration API (API key + tenant key) and Data API (API user + API key)."""

from __future__ import annotations

import hmac
import re

from flask import request

from sandbox.errors import AuthenticationFailed, InvalidParameter

ACCOUNT_KEY = re.compile(r"^[0-9a-f]{32}$")


def _equal(given: str | None, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode(), expected.encode())


def data_credentials_valid(api_user: str, api_key: str) -> bool:
    """True when the request carries HTTP Basic with the tenant's API user and API key."""
    auth = request.authorization
    return bool(auth and auth.type == "basic" and _equal(auth.username, api_user) and _equal(auth.password, api_key))


def require_data_credentials(api_user: str, api_key: str) -> None:
    """Raise 401 unless the Data API credentials are right."""
    if not data_credentials_valid(api_user, api_key):
        raise AuthenticationFailed("Use HTTP Basic with your API user as user name and your API key as password.")


def require_admin_credentials(api_key: str, tenant_key: str) -> None:
    """Raise 401 unless Basic carries the API key (empty password) and ``Account-Key`` the tenant key."""
    auth = request.authorization
    ok = bool(auth and auth.type == "basic" and _equal(auth.username, api_key) and not auth.password)
    if not ok or not _equal(request.headers.get("Account-Key"), tenant_key):
        raise AuthenticationFailed(
            "Use HTTP Basic with your API key as user name and an empty password, and your tenant account key in "
            "the Account-Key header."
        )


def requested_account_key(*, required: bool = True) -> str | None:
    """Return the company chosen by ``X_ACCOUNT_KEY`` (parameter) or the ``X-Account-Key`` header.

    Both given and different, or a value that is not an account key, is a 400; the caller checks sharing.
    """
    from_param = request.args.get("X_ACCOUNT_KEY")
    from_header = request.headers.get("X-Account-Key")
    if from_param is not None and from_header is not None and from_param != from_header:
        raise InvalidParameter("X_ACCOUNT_KEY and the X-Account-Key header disagree; send one.")
    value = from_param if from_param is not None else from_header
    if value is None or value == "":
        if required:
            raise InvalidParameter(
                "X_ACCOUNT_KEY is required: the account key of the company to read.",
                code="account_key_required",
            )
        return None
    if len(value) > 128:
        raise InvalidParameter("X_ACCOUNT_KEY is too long to be an account key.")
    return value


def well_formed_account_key(value: str | None) -> bool:
    """True when ``value`` has the exact form of an account key (no case or encoding variants)."""
    return bool(value and ACCOUNT_KEY.match(value))
