"""The upstream's connect endpoints (``/connect/<integration>``): the popup URL and the JSON sign-in and upload calls.

Kept apart from ``client.py`` because it speaks to the data host's connect flow, not to the Administration or Data
API; it reuses the client's connection pool, retry policy and error translation.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from broker.errors import BrokerError
from broker.upstream.client import UpstreamClient
from broker.upstream.errors import UpstreamBadGateway

_INTEGRATION = re.compile(r"^[a-z0-9_]{1,64}$")
CONNECT_PREFIX = "/connect/"


class ConnectRejected(BrokerError):
    """The upstream refused a connect step (unknown challenge, used embed token, bad file...); ``code`` is theirs."""

    code, status, message = "connect_rejected", 409, "The app refused this sign-in step; start again."


def _path(integration: str) -> str:
    if not _INTEGRATION.match(integration):
        raise ValueError("refusing an unsafe integration key")
    return CONNECT_PREFIX + integration


def connect_url(client: UpstreamClient, integration: str, *, embed: str, state: str, redirect: str) -> str:
    """Return the URL the owner's popup opens on the data host to connect ``integration``."""
    query = urlencode({"embed": embed, "state": state, "redirect": redirect})
    return f"{client.region.data_url}{_path(integration)}?{query}"


def allow_url(client: UpstreamClient, url: str, environment: str = "production") -> None:
    """Add ``url`` to the tenant's allowed redirect/embed URLs (idempotent upstream)."""
    client._admin("POST", body={"action": "allow_url", "url": url, "environment": environment})


def _answer(client: UpstreamClient, method: str, integration: str, **kwargs: Any) -> dict[str, Any]:
    response = client._send(method, client.region.data_url + _path(integration), **kwargs)
    if response.status_code in (400, 401, 404, 409, 410, 413, 422):
        code = "connect_rejected"
        try:
            error = json.loads(response.content).get("error") or {}
            code = str(error.get("code") or code)[:64]
        except (ValueError, AttributeError):
            pass
        raise ConnectRejected(code=code if re.fullmatch(r"[a-z_]{1,64}", code) else "connect_rejected")
    client._check(response)
    answer = client._json(response)
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), str):
        raise UpstreamBadGateway("The financial-data platform answered a connect step in an unknown shape.")
    return answer


def submit_credentials(
    client: UpstreamClient,
    integration: str,
    *,
    username: str,
    password: str,
    embed: str | None = None,
    session: str | None = None,
    state: str = "",
) -> dict[str, Any]:
    """Send a sign-in form; first with a fresh embed token, or with the upstream ``session`` to retry after a typo."""
    body: dict[str, Any] = {"username": username, "password": password}
    if session is not None:
        body["session"] = session
    else:
        body.update(embed=embed, state=state)
    return _answer(client, "POST", integration, json=body)


def submit_code(client: UpstreamClient, integration: str, *, challenge_id: str, code: str) -> dict[str, Any]:
    """Send the MFA code of a challenge."""
    return _answer(client, "POST", integration, json={"challenge_id": challenge_id, "code": code})


def upload_files(
    client: UpstreamClient, integration: str, *, embed: str, state: str, files: list[tuple[str, tuple[str, bytes, str]]]
) -> dict[str, Any]:
    """Send CSV files (field name, (file name, bytes, type)) with a fresh embed token; answers connected or rejected."""
    return _answer(
        client,
        "POST",
        integration,
        data={"embed": embed, "state": state},
        files=files,
        headers={"Accept": "application/json"},
    )
