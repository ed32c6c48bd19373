"""The sandbox's connector: the authlib OAuth client of every simulated app, pulling their raw APIs page by page."""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.oauth2 import OAuth2Error

from common.backoff import backoff_ceiling
from sandbox.apps.server.api import paging_style
from sandbox.apps.server.oauth import SCOPES

log = logging.getLogger(__name__)

LEEWAY_SECONDS = 10
MAX_ATTEMPTS = 4
MAX_PAGES = 10_000
INTERNAL_BASE = "http://localhost"  # loopback: authlib accepts plain http only there


class ConnectorError(Exception):
    """Base of the connector's errors; ``code`` is the stable string the connect flow reports."""

    code = "connector_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code or type(self).code


class AuthorizationFailed(ConnectorError):
    """The app's answer to the sign-in cannot be trusted or exchanged (state, issuer, code, organisation)."""

    code = "authorization_failed"


class AccessDenied(ConnectorError):
    """The owner pressed Deny at the app."""

    code = "access_denied"


class AccessRevoked(ConnectorError):
    """The app refuses the stored tokens and the refresh token too: the owner must connect again."""

    code = "access_revoked"


class AppUnavailable(ConnectorError):
    """The app kept failing (5xx, 429, dropped connections) after retries."""

    code = "app_unavailable"


@cache
def _oauth2_client_class() -> Any:
    import authlib.deprecate  # noqa: F401  (installs its "always" filter first so that ours below wins)

    # authlib prefers the httpx2 fork and warns when it falls back to httpx, which is what this project pins.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client


@dataclass
class AppLink:
    """How the connector reaches the apps server-to-server: a base URL and an optional injected transport."""

    base_url: str
    transport: httpx.BaseTransport | None = None


@dataclass(frozen=True)
class AuthorizationStart:
    """Where to send the browser, and the secrets to keep until it comes back."""

    url: str
    state: str
    code_verifier: str


class Connector:
    """The registered OAuth client of every simulated app (one client id and secret for all of them)."""

    def __init__(self, client_id: str, client_secret: str, link: AppLink) -> None:
        self.client_id, self._secret, self.link = client_id, client_secret, link

    def _http_kwargs(self) -> dict[str, Any]:
        return {
            "transport": self.link.transport,
            "timeout": httpx.Timeout(15.0, connect=5.0),
            "follow_redirects": False,
            "trust_env": False,
        }

    def token_endpoint(self, app_key: str) -> str:
        """Return the app's token endpoint as the connector reaches it."""
        return f"{self.link.base_url}/apps/{app_key}/oauth/token"

    def oauth_client(
        self,
        app_key: str,
        *,
        redirect_uri: str | None = None,
        token: dict[str, Any] | None = None,
        update_token: Callable[..., None] | None = None,
    ) -> Any:
        """Return an authlib ``OAuth2Client`` for one app: S256 PKCE, ``client_secret_basic``, auto refresh."""
        from sandbox.connect.connections import app_module

        return _oauth2_client_class()(
            client_id=self.client_id,
            client_secret=self._secret,
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106  (a method name)
            code_challenge_method="S256",
            scope=SCOPES.get(app_module(app_key).CATEGORY, "read"),
            redirect_uri=redirect_uri,
            token=token,
            update_token=update_token,
            leeway=LEEWAY_SECONDS,
            token_endpoint=self.token_endpoint(app_key),
            **self._http_kwargs(),
        )

    def start_authorization(self, app_key: str, public_base: str, organisation: str) -> AuthorizationStart:
        """Build the app's authorization URL with a fresh ``state`` and PKCE verifier."""
        verifier = generate_token(64)
        with self.oauth_client(app_key, redirect_uri=callback_url(public_base, app_key)) as client:
            url, state = client.create_authorization_url(
                f"{public_base}/apps/{app_key}/oauth/authorize", code_verifier=verifier, organisation=organisation
            )
        return AuthorizationStart(url, state, verifier)

    def finish_authorization(
        self,
        app_key: str,
        public_base: str,
        authorization_response: str,
        *,
        state: str,
        code_verifier: str,
        organisation: str,
    ) -> dict[str, Any]:
        """Check the app's redirect (issuer, state) and exchange its code for tokens; return the token dict."""
        params = dict(parse_qsl(urlsplit(authorization_response).query))
        if params.get("iss") != f"{public_base}/apps/{app_key}":
            raise AuthorizationFailed("The redirect does not come from the app's issuer.", "issuer_mismatch")
        if params.get("state") != state:
            raise AuthorizationFailed("The state in the redirect is not the one this sign-in sent.", "state_mismatch")
        if params.get("error") == "access_denied":
            raise AccessDenied("The owner denied access at the app.")
        if params.get("error"):
            raise AuthorizationFailed(f"The app refused the sign-in: {params['error'][:60]}.", "app_refused")
        with self.oauth_client(app_key, redirect_uri=callback_url(public_base, app_key)) as client:
            try:
                token = client.fetch_token(
                    self.token_endpoint(app_key),
                    authorization_response=authorization_response,
                    state=state,
                    code_verifier=code_verifier,
                )
            except OAuth2Error as error:  # authlib's own checks of the redirect (state, code) before any request
                code = "state_mismatch" if error.error == "mismatching_state" else "code_exchange_failed"
                raise AuthorizationFailed(str(error.description or error.error), code) from None
            except (AuthlibBaseError, httpx.HTTPError, ValueError) as error:  # the app refused the code, or was down
                raise AuthorizationFailed(
                    f"Code exchange failed: {type(error).__name__}.", "code_exchange_failed"
                ) from None
        if token.get("organisation") != organisation:
            raise AuthorizationFailed("The app granted another organisation.", "organisation_mismatch")
        return dict(token)

    def fetch_raw(
        self, app_key: str, token: dict[str, Any], save_token: Callable[[dict[str, Any]], None]
    ) -> dict[str, list[dict[str, Any]]]:
        """Read every resource of the app's raw API, refreshing the access token when it expires."""
        from sandbox.connect.connections import app_module

        def update_token(new_token: dict[str, Any], **_: Any) -> None:
            save_token(dict(new_token))

        with self.oauth_client(app_key, token=token, update_token=update_token) as client:
            return {
                resource: list(self._resource(client, app_key, resource)) for resource in app_module(app_key).RESOURCES
            }

    def _resource(self, client: Any, app_key: str, resource: str) -> Iterator[dict[str, Any]]:
        style = paging_style(app_key)
        url = f"{self.link.base_url}/apps/{app_key}/api/{resource}"
        params: dict[str, Any] | None = {"page": 1} if style in {"query_response", "page", "page_meta"} else None
        for _ in range(MAX_PAGES):
            body, response = self._get(client, url, params)
            if style == "query_response":
                rows = body.get("QueryResponse", {}).get(resource, [])
            elif style == "page":
                rows = body.get(resource, [])
            elif style == "page_meta":
                rows = body.get("data", [])
            elif style == "cursor":
                rows = body.get(resource, [])
            else:
                rows = body.get("results", [])
            yield from rows
            if style in {"query_response", "page"}:
                if not rows:
                    return
                params = {"page": params["page"] + 1} if params else None
            elif style == "page_meta":
                meta = body.get("meta", {})
                if not rows or meta.get("page", 0) >= meta.get("total_pages", 0):
                    return
                params = {"page": meta["page"] + 1}
            else:
                following = response.links.get("next", {}).get("url") if style == "cursor" else body.get("next")
                if not following:
                    return
                url, params = self._same_api(following, url), None
        raise AppUnavailable(f"{app_key} kept giving pages of {resource}.")

    @staticmethod
    def _same_api(link: str, url: str) -> str:
        # Follow only links into the same resource of the same app: a vendor's link is not a place to send tokens.
        target, ours = urlsplit(link), urlsplit(url)
        if target.path != ours.path:
            raise AppUnavailable("The app's next-page link points somewhere else.")
        return f"{ours.scheme}://{ours.netloc}{target.path}?{target.query}"

    def _get(self, client: Any, url: str, params: dict[str, Any] | None) -> tuple[dict[str, Any], httpx.Response]:
        refreshed = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = client.get(url, params=params)
            except (httpx.TransportError, ConnectionError) as error:
                log.info("connector: %s on %s (attempt %d)", type(error).__name__, urlsplit(url).path, attempt)
                _pause(attempt, None)
                continue
            except AuthlibBaseError as error:  # authlib: an expired token whose refresh failed
                raise AccessRevoked(f"The app refused to refresh the token ({type(error).__name__}).") from None
            if response.status_code == 401 and not refreshed:
                self._refresh(client)
                refreshed = True
                continue
            if response.status_code == 401:
                raise AccessRevoked("The app refuses the connection's tokens.")
            if response.status_code == 429 or response.status_code >= 500:
                _pause(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code != 200:
                raise AppUnavailable(f"The app answered {response.status_code} for {urlsplit(url).path}.")
            body = response.json()
            return (body if isinstance(body, dict) else {}), response
        raise AppUnavailable(f"The app kept failing for {urlsplit(url).path}.")

    def _refresh(self, client: Any) -> None:
        refresh = (client.token or {}).get("refresh_token")
        if not refresh:
            raise AccessRevoked("The access token was refused and there is no refresh token.")
        try:
            client.refresh_token(client.metadata["token_endpoint"], refresh_token=refresh)
        except (AuthlibBaseError, httpx.HTTPError, ValueError) as error:  # invalid_grant, or the app is down
            raise AccessRevoked(f"The app refused the refresh token ({type(error).__name__}).") from None

    def revoke(self, app_key: str, token: dict[str, Any]) -> bool:
        """Revoke a connection's grant at the app (RFC 7009); True when the app confirmed."""
        value = token.get("refresh_token") or token.get("access_token")
        if not value:
            return False
        hint = "refresh_token" if token.get("refresh_token") else "access_token"
        url = f"{self.link.base_url}/apps/{app_key}/oauth/revoke"
        try:
            with self.oauth_client(app_key) as client:
                response = client.revoke_token(url, token=value, token_type_hint=hint)
        except httpx.HTTPError as error:
            log.warning("connector: revoking at %s failed: %s", app_key, type(error).__name__)
            return False
        return bool(response.status_code == 200)

    def bank_call(self, app_key: str, step: str, body: dict[str, str]) -> dict[str, Any]:
        """Post one step of a credentials app's sign-in (``login``, ``mfa``, ``mfa/resend``) and return its answer.

        The body may hold a password: it goes to the app once and is never logged or stored here.
        """
        url = f"{self.link.base_url}/apps/{app_key}/auth/{step}"
        with httpx.Client(auth=(self.client_id, self._secret), **self._http_kwargs()) as http:
            try:
                response = http.post(url, json=body)
            except httpx.HTTPError as error:
                raise AppUnavailable(f"The bank could not be reached ({type(error).__name__}).") from None
        if response.status_code != 200:
            raise AppUnavailable(f"The bank answered {response.status_code}.")
        answer: dict[str, Any] = response.json()
        return answer


def callback_url(public_base: str, app_key: str) -> str:
    """Return the connector's redirect URI for one app."""
    return f"{public_base}/connect/{app_key}/callback"


def _pause(attempt: int, retry_after: str | None) -> None:
    if attempt >= MAX_ATTEMPTS:
        return
    delay = backoff_ceiling(attempt, 0.05)
    if retry_after and retry_after.isdigit():
        delay = max(delay, min(float(retry_after), 2.0))
    time.sleep(delay)
