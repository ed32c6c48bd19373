"""Request authentication: HTTP Basic for lenders' backends, bearer link tokens (origin, scope) for widgets."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import g, request

from broker.errors import AuthenticationFailed, InsufficientScope, InvalidToken, OriginNotAllowed
from broker.lender.clients import AuthenticatedClient
from broker.state import broker_state, db_session
from broker.tokens import LinkClaims

F = TypeVar("F", bound=Callable[..., Any])
MAX_AUTHORIZATION_LENGTH = 4096
_COUNTS_CLIENT_ITSELF = "broker_counts_client_itself"


def counts_client_itself(view: F) -> F:
    """Mark a view that counts the client's request itself (the proxy: with the company's, in one round trip)."""
    setattr(view, _COUNTS_CLIENT_ITSELF, True)
    return view


def current_client() -> AuthenticatedClient:
    """Return the client authenticated for this request."""
    client: AuthenticatedClient = g.broker_client
    return client


def current_claims() -> LinkClaims:
    """Return the link token claims verified for this request."""
    claims: LinkClaims = g.link_claims
    return claims


def require_client(view: F) -> F:
    """Authenticate the lender's backend with HTTP Basic and count the request against its budget."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        if len(header) > MAX_AUTHORIZATION_LENGTH:
            raise AuthenticationFailed()
        credentials = request.authorization
        if credentials is None or credentials.type != "basic":
            raise AuthenticationFailed()
        state = broker_state()
        client = state.authenticator.authenticate(db_session(), credentials.username, credentials.password)
        g.broker_client = client
        if not getattr(view, _COUNTS_CLIENT_ITSELF, False):
            state.limits.client(client.id)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def bearer_token() -> str:
    """The bearer token of the ``Authorization`` header; ``InvalidToken`` when it is not one or too long."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or len(header) > MAX_AUTHORIZATION_LENGTH:
        raise InvalidToken()
    return token.strip()


def require_link_token(scopes: Iterable[str]) -> Callable[[F], F]:
    """Verify the bearer link token, its origin (when the browser sends ``Origin``) and one of ``scopes``."""
    needed = frozenset(scopes)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            state = broker_state()
            claims = state.tokens.verify(bearer_token())
            origin = request.headers.get("Origin")
            if origin is not None and origin != claims.origin:
                raise OriginNotAllowed()
            if not needed.intersection(claims.scopes):
                raise InsufficientScope()
            g.link_claims = claims
            if not getattr(view, _COUNTS_CLIENT_ITSELF, False):
                state.limits.client(claims.client_id)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
