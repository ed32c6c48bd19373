"""The upstream client: one long-lived ``httpx.Client`` per region speaking the Administration and Data APIs."""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookieJar
from typing import Any

import httpx

from broker.config import RegionSettings
from broker.errors import TooManyRequests
from broker.observability.observe import NULL_OBSERVER, Observer
from broker.upstream.errors import UpstreamBadGateway, UpstreamRejected, UpstreamTimeout, UpstreamUnavailable
from broker.upstream.pacer import CompanyPacer, PacingTimeout
from broker.upstream.retry import SINGLE_ATTEMPT, RetryPolicy, RetryTransport, parse_retry_after
from common.context import current_request_id

log = logging.getLogger(__name__)

ADMIN_PATH = "/app/api.php"
DATA_PREFIX = "/api/"
# Defence in depth: the proxy validates parts already; the client refuses anything else outright.
_SAFE_DATA_PATH = re.compile(r"^[a-z_]{1,40}(/[A-Za-z0-9_-]{1,64})?$")
FORWARDED_HEADERS = ("Deprecation", "Sunset", "Api-Version", "X-Api-Version")
REQUEST_ID_HEADER = "X-Request-Id"  # the broker's request id, so that the upstream's logs can be joined with ours
USER_AGENT = "ledgerlink-broker/0.1"
DEFAULT_TIMEOUTS = httpx.Timeout(connect=3.0, read=10.0, write=5.0, pool=2.0)  # seconds per phase of one attempt
MAX_BODY_BYTES = 8 * 1024 * 1024  # one page is 30 objects; anything near this is not a page of the data model


def _relayable_json(response: httpx.Response) -> bytes:
    """Return the body to relay as it is, or raise 502: too large, not declared JSON, or not an array or object.

    The body is not parsed (no field is rewritten, so decoding and encoding again only cost time); a 200 that is not
    JSON is still the upstream's fault and never garbage passed on to the client.
    """
    content = response.content
    if len(content) > MAX_BODY_BYTES:
        raise UpstreamBadGateway("The financial-data platform returned a body larger than the broker relays.")
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    first = content[:64].lstrip()[:1]
    if (media_type != "application/json" and not media_type.endswith("+json")) or first not in (b"[", b"{"):
        raise UpstreamBadGateway("The financial-data platform returned a body that is not JSON.")
    return content


class NoCookies(CookieJar):
    """A cookie jar that never stores anything (httpx's maintainers' advice for a client that must not persist them).

    One client serves every company: a cookie the upstream sets while answering for one company (a PHP session, say)
    would otherwise be sent again with the next company's calls.
    """

    def extract_cookies(self, response: object, request: object) -> None:
        return None

    def set_cookie(self, cookie: Cookie) -> None:
        return None


@dataclass(frozen=True)
class UpstreamResponse:
    """A successful Data API answer: its JSON body (bytes, checked to parse) and the headers worth relaying."""

    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)


class UpstreamClient:
    """Talk to one upstream region; ``transport`` is injectable (tests pass ``httpx.MockTransport``)."""

    def __init__(
        self,
        region: RegionSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        policy: RetryPolicy | None = None,
        timeouts: httpx.Timeout = DEFAULT_TIMEOUTS,
        limits: httpx.Limits | None = None,
        pacer: CompanyPacer | None = None,
        account_key_header: str = "X-Account-Key",
        sleep: Callable[[float], None] = time.sleep,
        observer: Observer = NULL_OBSERVER,
    ) -> None:
        self.region = region
        self._observer = observer
        self.policy = policy or RetryPolicy()
        self._pacer = pacer or CompanyPacer(90)
        self._account_key_header = account_key_header
        inner = transport or httpx.HTTPTransport(
            limits=limits or httpx.Limits(max_connections=100, max_keepalive_connections=20), retries=0
        )
        self._transport = RetryTransport(
            inner, self.policy, sleep=sleep, on_retry=lambda reason: observer.upstream_retry(region.name, reason)
        )
        self._http = httpx.Client(
            transport=self._transport,
            timeout=timeouts,
            follow_redirects=False,
            trust_env=False,
            cookies=NoCookies(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        # The Data API's fast path sends prebuilt requests straight to the transport (see ``_send_data``): the same
        # headers as the client's (with the Basic credentials, encoded once) and the same timeouts.
        basic = base64.b64encode(f"{region.api_user}:{region.api_key}".encode()).decode()
        self._data_headers = {**self._http.headers, "Authorization": f"Basic {basic}"}
        self._data_timeout = self._http.timeout.as_dict()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- sending ---------------------------------------------------------------------------------------------
    def _send(self, method: str, url: str, *, api: str = "data", **kwargs: Any) -> httpx.Response:
        """Send one logical request (retries inside), timed, and translate transport failures into broker errors."""
        rid = current_request_id()
        if rid is not None:
            kwargs["headers"] = {**kwargs.get("headers", {}), REQUEST_ID_HEADER: rid}
        return self._timed(api, lambda: self._http.request(method, url, **kwargs))

    def _send_data(self, url: str, params: Sequence[tuple[str, str]], account_key: str) -> httpx.Response:
        """Send one Data API read straight to the retrying transport, read in full, timed and translated.

        ``httpx.Client`` would run an auth flow, a redirect loop, a cookie jar and event hooks for it, none of which
        applies (Basic credentials are a fixed header, redirects are never followed, cookies never kept): about a
        tenth of the broker's CPU per read in the profile (``docs/performance.md``).
        """
        headers = {**self._data_headers, self._account_key_header: account_key}
        rid = current_request_id()
        if rid is not None:
            headers[REQUEST_ID_HEADER] = rid
        request = httpx.Request(
            "GET", url, params=list(params), headers=headers, extensions={"timeout": self._data_timeout}
        )

        def send() -> httpx.Response:
            response = self._transport.handle_request(request)
            response.request = request
            response.read()  # inside the timing and the translation: a body cut short is an upstream failure
            return response

        return self._timed("data", send)

    def _timed(self, api: str, send: Callable[[], httpx.Response]) -> httpx.Response:
        """Run ``send`` (one logical request), report its outcome and time, and translate transport failures."""
        started = time.perf_counter()
        outcome = "error"
        try:
            response = send()
            outcome = f"{response.status_code // 100}xx"
            return response
        except httpx.TimeoutException as error:
            outcome = "timeout"
            if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
                raise UpstreamUnavailable() from None
            raise UpstreamTimeout() from None
        except httpx.TransportError:
            raise UpstreamUnavailable() from None
        finally:
            self._observer.upstream_call(self.region.name, api, outcome, time.perf_counter() - started)

    def _check(self, response: httpx.Response) -> None:
        """Raise the broker error matching a non-2xx answer; the upstream body is never relayed."""
        status = response.status_code
        if 200 <= status < 300:
            return
        log.warning("upstream answered %d for %s %s", status, response.request.method, response.request.url.path)
        if status in (400, 403, 404, 409, 422, 429):
            retry_after = parse_retry_after(response.headers.get("Retry-After"), time.time())
            raise UpstreamRejected(status, retry_after=retry_after)
        if status == 503:
            raise UpstreamUnavailable()
        if status == 504:
            raise UpstreamTimeout()
        raise UpstreamBadGateway()  # 3xx (not followed), 401 (our credentials), other 4xx and 5xx

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise UpstreamBadGateway("The financial-data platform returned a body that is not JSON.") from None

    # -- Administration API ----------------------------------------------------------------------------------
    def _admin(self, method: str, *, params: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> Any:
        response = self._send(
            method,
            self.region.admin_url + ADMIN_PATH,
            api="admin",
            params=params,
            json=body,
            auth=(self.region.api_key, ""),
            headers={"Account-Key": self.region.tenant_key},
        )
        self._check(response)
        return self._json(response)

    def create_company(self, *, name: str, email: str, subdomain: str, password: str) -> dict[str, str]:
        """Provision a company account; return ``{account_key, subdomain, account_domain}``."""
        body = {
            "name": name,
            "email_admin": email,
            "password": password,
            "subdomain": subdomain,
            "type": "standard",
            "datashare": True,
        }
        answer = self._admin("POST", body=body)
        if not isinstance(answer, dict) or not isinstance(answer.get("account_key"), str) or not answer["account_key"]:
            raise UpstreamBadGateway("The financial-data platform did not return an account key.")
        return {k: str(answer.get(k) or "") for k in ("account_key", "subdomain", "account_domain")}

    def connection_health(self, account_key: str) -> list[dict[str, Any]]:
        """Return the company's connections and their health."""
        answer = self._admin("GET", params={"action": "connection_health", "account_key": account_key})
        connections = answer.get("connections") if isinstance(answer, dict) else None
        if not isinstance(connections, list):
            raise UpstreamBadGateway("The financial-data platform returned connections in an unknown shape.")
        return [c for c in connections if isinstance(c, dict)]

    def disconnect(self, account_key: str, integration: str) -> None:
        """End one app's connection to the company (``POST {"action": "disconnect", ...}``)."""
        self._admin("POST", body={"action": "disconnect", "account_key": account_key, "integration": integration})

    def embed_token(self, account_key: str) -> str:
        """Return a one-hour, single-use embed token for the company."""
        answer = self._admin("GET", params={"action": "embed_token", "account_key": account_key})
        if not isinstance(answer, dict) or not isinstance(answer.get("token"), str):
            raise UpstreamBadGateway("The financial-data platform did not return an embed token.")
        return str(answer["token"])

    def check_credentials(self, timeout: float = 2.0) -> bool:
        """Return whether the Administration API answers a documented call made with our credentials (one attempt).

        ``accounts`` (one page) is documented and cheap; an undocumented or anonymous call could be refused, or
        answered by something that is not the API, and would say nothing about our credentials.
        """
        try:
            response = self._http.get(
                self.region.admin_url + ADMIN_PATH,
                params={"action": "accounts", "page": "1"},
                auth=(self.region.api_key, ""),
                headers={"Account-Key": self.region.tenant_key},
                timeout=timeout,
                extensions={SINGLE_ATTEMPT: True},
            )
        except httpx.HTTPError:
            return False
        if response.status_code in (401, 403):
            log.warning("upstream refused our credentials on the readiness check (%d)", response.status_code)
        return response.status_code < 500

    # -- Data API --------------------------------------------------------------------------------------------
    def get_data(
        self, account_key: str, path: str, params: Sequence[tuple[str, str]] = (), *, method: str = "GET"
    ) -> UpstreamResponse:
        """Read ``/api/<path>`` for one company; ``path`` is ``object`` or ``object/id`` already validated."""
        if not _SAFE_DATA_PATH.match(path) or method not in ("GET", "HEAD"):
            raise ValueError("refusing an unsafe upstream path")
        try:
            self._pacer.acquire(account_key, max_wait=min(1.0, self.policy.deadline))
        except PacingTimeout as pause:
            self._observer.rate_limited("pacing")
            raise TooManyRequests(pause.wait, "Too many requests for this company; retry after Retry-After.") from None
        response = self._send_data(self.region.data_url + DATA_PREFIX + path, params, account_key)
        self._check(response)
        content = _relayable_json(response)
        headers = {name: response.headers[name] for name in FORWARDED_HEADERS if name in response.headers}
        return UpstreamResponse(response.status_code, content, headers)
