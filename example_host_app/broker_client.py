"""The host's one client of the broker's lender API (HTTP Basic), with errors a page can explain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

USER_AGENT = "ledgerlink-example-host/0.1"


class BrokerError(Exception):
    """The broker could not answer usefully; ``code`` and ``message`` come from its error body when it sent one."""

    def __init__(self, status: int | None, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message
        super().__init__(f"{code}: {message}")


class BrokerUnreachable(BrokerError):
    """No answer at all: the broker is down, slow or unreachable."""


class BrokerClient:
    """Call the broker as this lender; ``transport`` is injectable (tests pass ``httpx.MockTransport``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url,
            auth=(client_id, client_secret),
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise BrokerUnreachable(
                None, "broker_unreachable", f"The broker did not answer ({type(error).__name__})."
            ) from None
        if response.status_code >= 400:
            raise _error_of(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise BrokerError(
                response.status_code, "invalid_response", "The broker answered with something not JSON."
            ) from None

    def _optional(self, path: str, params: Mapping[str, str] | None = None) -> Any | None:
        """GET ``path``; ``None`` when the broker answers 404 (not available yet, or no data yet)."""
        try:
            return self._json("GET", path, params=dict(params or {}))
        except BrokerError as error:
            if error.status == 404:
                return None
            raise

    # -- accounts and link tokens ----------------------------------------------------------------------------
    def create_account(self, name: str, email: str, external_id: str | None = None) -> dict[str, Any]:
        """Provision a company through the broker; return the account (``account_key``, ``name``, ...)."""
        body: dict[str, Any] = {"name": name, "email": email}
        if external_id:
            body["external_id"] = external_id
        return dict(self._json("POST", "/v1/accounts", json=body))

    def get_account(self, account_key: str) -> dict[str, Any]:
        """Return one account with its connections and their health."""
        return dict(self._json("GET", f"/v1/accounts/{_seg(account_key)}"))

    def mint_link_token(
        self, account_key: str, origin: str, scopes: Sequence[str] | None = None, reconnect: str | None = None
    ) -> dict[str, Any]:
        """Mint a short-lived link token for the widget on ``origin``; with ``reconnect`` (an app key), an update-mode
        token that reconnects that app of the company."""
        body: dict[str, Any] = {"account_key": account_key, "origin": origin}
        if scopes is not None:
            body["scopes"] = list(scopes)
        if reconnect is not None:
            body.update(mode="update", integration=reconnect)
        return dict(self._json("POST", "/v1/link_tokens", json=body))

    # -- data, statements, reconciliation --------------------------------------------------------------------
    def data(self, account_key: str, object_name: str, params: Mapping[str, str] | None = None) -> Any:
        """Read one page of a collection (a list) or a report (an object) through the read-only proxy."""
        return self._json("GET", f"/v1/accounts/{_seg(account_key)}/data/{_seg(object_name)}", params=params or {})

    def data_object(self, account_key: str, object_name: str, object_id: str) -> dict[str, Any] | None:
        """Read one object by id; ``None`` when it does not exist."""
        found = self._optional(f"/v1/accounts/{_seg(account_key)}/data/{_seg(object_name)}/{_seg(object_id)}")
        return dict(found) if isinstance(found, dict) else None

    def statements(self, account_key: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        """Mapped statements and ratios; ``None`` when the broker has none (yet)."""
        found = self._optional(f"/v1/accounts/{_seg(account_key)}/statements", params)
        return dict(found) if isinstance(found, dict) else None

    def mapping(self, account_key: str) -> dict[str, Any] | None:
        """The saved chart-of-accounts mapping; ``None`` when there is none (yet)."""
        found = self._optional(f"/v1/accounts/{_seg(account_key)}/mapping")
        return dict(found) if isinstance(found, dict) else None

    def reconciliation(self, account_key: str) -> dict[str, Any] | None:
        """The reconciliation result; ``None`` when there is none (yet)."""
        found = self._optional(f"/v1/accounts/{_seg(account_key)}/reconciliation")
        return dict(found) if isinstance(found, dict) else None


def _seg(value: str) -> str:
    """Quote one path segment so that text from a URL can never change the broker path."""
    return quote(value, safe="")


def _error_of(response: httpx.Response) -> BrokerError:
    code, message = "broker_error", f"The broker answered {response.status_code}."
    try:
        error = response.json().get("error", {})
        code = str(error.get("code") or code)
        message = str(error.get("message") or message)
    except (ValueError, AttributeError):
        pass
    return BrokerError(response.status_code, code, message)
