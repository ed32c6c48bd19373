"""Request authentication: HTTP Basic for lenders' backends, bearer link tokens (origin, scope) for widgets."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema

from broker.errors import AuthenticationFailed, InsufficientScope, InvalidToken, OriginMismatch, OriginNotAllowed
from broker.lender import accounts
from broker.lender.clients import AuthenticatedClient
from broker.state import broker_state, db_session
from broker.storage.models import Account
from broker.tokens import LinkClaims

F = TypeVar("F", bound=Callable[..., Any])
# The OpenAPI security requirements of the two schemes (the document's components name them).
BASIC_SECURITY: list[dict[str, list[str]]] = [{"basicAuth": []}]
BEARER_SECURITY: list[dict[str, list[str]]] = [{"linkToken": []}]
SchemaLike = type[Schema] | Schema
MAX_AUTHORIZATION_LENGTH = 4096
# The frame sends the origin of the page that frames it (verified by its handshake) on every call.
PARENT_ORIGIN_HEADER = "X-LedgerLink-Parent-Origin"
_COUNTS_CLIENT_ITSELF = "broker_counts_client_itself"


_ADDRESS_COUNTED = "broker_address_counted"


def counts_client_itself(view: F) -> F:
    """Mark a view that counts the request itself (the proxy: address, client and company in one round trip, by
    ``count_read``); the app exempts it from Flask-Limiter's own per-address check (``counts_itself``)."""
    setattr(view, _COUNTS_CLIENT_ITSELF, True)
    return view


def counts_itself(view: Callable[..., Any]) -> bool:
    """Whether a view (or a wrapper of it) is marked ``counts_client_itself``."""
    return bool(getattr(view, _COUNTS_CLIENT_ITSELF, False))


def count_read(client_id: str, account_key: str) -> None:
    """Count one proxied read for the remote address, the client and the company, in one storage round trip."""
    g.setdefault(_ADDRESS_COUNTED, True)
    broker_state().limits.reads(client_id, account_key, request.remote_addr or "", request.endpoint or "")


def _address_counted(view: F, run: Callable[[], Any]) -> Any:
    """Run an authenticated view; for one that counts itself, refuse an address this process knows is over budget
    first, and count the address of a request that stops before ``count_read`` (bad credentials, say), so that
    failing requests still run into the address's budget as they do under Flask-Limiter."""
    if not counts_itself(view):
        return run()
    limits = broker_state().limits
    address, endpoint = request.remote_addr or "", request.endpoint or ""
    limits.refuse_spent_address(address, endpoint)
    try:
        return run()
    except Exception:
        if not g.get(_ADDRESS_COUNTED):
            limits.address(address, endpoint)  # over budget: the 429 replaces the request's own error
        raise


def current_client() -> AuthenticatedClient:
    """Return the client authenticated for this request."""
    client: AuthenticatedClient = g.broker_client
    return client


def current_claims() -> LinkClaims:
    """Return the link token claims verified for this request."""
    claims: LinkClaims = g.link_claims
    return claims


def current_company() -> tuple[LinkClaims, Account]:
    """Return the link token claims verified for this request and the company they name (``NotFound`` when it is
    gone)."""
    claims = current_claims()
    return claims, accounts.account_for(db_session(), claims.client_id, claims.account_key)


def require_client(view: F) -> F:
    """Authenticate the lender's backend with HTTP Basic and count the request against its budget."""

    def authenticated(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        if len(header) > MAX_AUTHORIZATION_LENGTH:
            raise AuthenticationFailed()
        credentials = request.authorization
        if credentials is None or credentials.type != "basic":
            raise AuthenticationFailed()
        state = broker_state()
        client = state.authenticator.authenticate(db_session(), credentials.username, credentials.password)
        g.broker_client = client
        if not counts_itself(view):
            state.limits.client(client.id)
        return view(*args, **kwargs)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _address_counted(view, lambda: authenticated(*args, **kwargs))

    return cast(F, wrapper)


def bearer_token() -> str:
    """The bearer token of the ``Authorization`` header; ``InvalidToken`` when it is not one or too long."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or len(header) > MAX_AUTHORIZATION_LENGTH:
        raise InvalidToken()
    return token.strip()


def own_origin() -> str:
    """The broker's public origin: ``PUBLIC_URL`` when configured, else the host the request came to."""
    configured = current_app.config.get("PUBLIC_URL")
    parts = urlsplit(str(configured or request.host_url))
    return f"{parts.scheme}://{parts.netloc}"


def check_widget_origin(claims: LinkClaims) -> None:
    """Refuse a browser's request from another origin than the token's, and the frame's when its parent page is not
    the token's origin (a token minted for one lender page, used in a page of another registered origin)."""
    origin, own = request.headers.get("Origin"), own_origin()
    if origin is not None and origin not in (claims.origin, own):
        raise OriginNotAllowed()
    parent = request.headers.get(PARENT_ORIGIN_HEADER)
    # Browsers send no ``Origin`` on a same-origin GET, but always ``Sec-Fetch-Site``: both mark the frame's calls.
    from_frame = origin == own or request.headers.get("Sec-Fetch-Site") == "same-origin"
    if (parent is not None or from_frame) and parent != claims.origin:
        raise OriginMismatch()


def require_link_token(scopes: str | Iterable[str], message: str | None = None) -> Callable[[F], F]:
    """Verify the bearer link token, the origin rule (``check_widget_origin``) and that it carries one of ``scopes``.

    ``message`` replaces the insufficient-scope error's default sentence. The request counts against the lender's
    budget unless the view is marked ``counts_client_itself``.
    """
    needed = frozenset([scopes] if isinstance(scopes, str) else scopes)

    def decorate(view: F) -> F:
        def authenticated(*args: Any, **kwargs: Any) -> Any:
            state = broker_state()
            claims = state.tokens.verify(bearer_token())
            check_widget_origin(claims)
            if not needed.intersection(claims.scopes):
                raise InsufficientScope(message)
            g.link_claims = claims
            if not counts_itself(view):
                state.limits.client(claims.client_id)
            return view(*args, **kwargs)

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _address_counted(view, lambda: authenticated(*args, **kwargs))

        return cast(F, wrapper)

    return decorate


# What ``_endpoint`` passes on to ``blp.doc``: the fields of an OpenAPI Operation Object that views may set.
OPERATION_FIELDS = frozenset(
    {"summary", "description", "tags", "parameters", "requestBody", "responses", "deprecated", "operationId"}
)


def lender_endpoint(blp: Blueprint, **documented: Any) -> Callable[[F], F]:
    """``require_client``, with the operation documented in ``blp`` as HTTP Basic (``documented``: ``_endpoint``'s)."""
    return _endpoint(blp, require_client, BASIC_SECURITY, **documented)


def widget_endpoint(
    blp: Blueprint, scopes: str | Iterable[str], message: str | None = None, **documented: Any
) -> Callable[[F], F]:
    """``require_link_token(scopes, message)``, with the operation documented in ``blp`` as needing a link token."""
    return _endpoint(blp, require_link_token(scopes, message), BEARER_SECURITY, **documented)


def scoped_widget_endpoint(blp: Blueprint, scopes: str | Iterable[str], **documented: Any) -> Callable[[F], F]:
    """``widget_endpoint`` whose refusal names the scopes ("This needs a link token with the map scope.")."""
    names = [scopes] if isinstance(scopes, str) else list(scopes)
    return widget_endpoint(blp, names, f"This needs a link token with the {' or '.join(names)} scope.", **documented)


def public_endpoint(blp: Blueprint, **documented: Any) -> Callable[[F], F]:
    """An operation anyone may call, documented in ``blp`` as needing no credentials."""
    return _endpoint(blp, lambda view: view, [], **documented)


def _endpoint(
    blp: Blueprint,
    check: Callable[[F], F],
    security: list[dict[str, list[str]]],
    *,
    body: SchemaLike | None = None,
    query: SchemaLike | None = None,
    unknown: str | None = None,
    response: int | tuple[int, SchemaLike] | None = None,
    **doc: Any,
) -> Callable[[F], F]:
    """The decorators every endpoint stacks, outermost first: the credential check, ``blp.doc(security=..., **doc)``,
    the JSON ``body`` and ``query`` string loaded by those schemas (``unknown`` for the query's unknown fields), and
    the ``response`` status (with its schema) that dumps the answer."""
    unknown_fields = set(doc) - OPERATION_FIELDS
    if unknown_fields:  # a misspelt keyword would otherwise land in the OpenAPI document unnoticed
        raise TypeError(f"not OpenAPI operation fields: {', '.join(sorted(unknown_fields))}")
    stack = [check, blp.doc(security=security, **doc)]
    if body is not None:
        stack.append(blp.arguments(body))
    if query is not None:
        stack.append(blp.arguments(query, location="query", **({} if unknown is None else {"unknown": unknown})))
    if response is not None:
        status, schema = response if isinstance(response, tuple) else (response, None)
        stack.append(blp.response(status, schema))

    def decorate(view: F) -> F:
        for step in reversed(stack):
            view = step(view)
        return view

    return decorate
