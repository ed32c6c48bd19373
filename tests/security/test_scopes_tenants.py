"""Scope and tenant escapes: a token reads only its account with its scopes; a lender sees only its own companies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker_support import auth_headers, bearer, new_link_token
from tests.security.support import Lender, refused


@pytest.mark.parametrize(
    ("scopes", "path", "method"),
    [
        (["link"], "/v1/link/data/invoices", "get"),
        (["read"], "/v1/link/session", "get"),
        (["read"], "/v1/link/attempts", "post"),
        (["map"], "/v1/link/complete", "post"),
    ],
)
def test_a_token_without_the_scope_is_403(
    lender: Lender, caplog: Any, scopes: list[str], path: str, method: str
) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a, scopes=scopes)["link_token"]
    answer = getattr(lender.http, method)(path, headers=bearer(token), json={})
    refused(answer, 403, "insufficient_scope", (*lender.secrets, token), caplog)
    assert not lender.upstream.data_requests


@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts/{key}",
        "/v1/accounts/{key}/data/invoices",
        "/v1/accounts/{key}/data/invoices/inv_1",
        "/v1/accounts/{key}/mapping",
        "/v1/accounts/{key}/statements",
        "/v1/accounts/{key}/reconciliation",
    ],
)
def test_lender_b_cannot_reach_lender_a_company(lender: Lender, caplog: Any, path: str) -> None:
    answer = lender.http.get(path.format(key=lender.key_a), headers=auth_headers(lender.b))
    refused(answer, 404, None, (*lender.secrets, lender.key_a), caplog)
    assert not lender.upstream.data_requests


def test_lender_b_cannot_mint_or_revoke_for_lender_a(lender: Lender, caplog: Any) -> None:
    minted = lender.http.post(
        "/v1/link_tokens",
        json={"account_key": lender.key_a, "origin": "https://lender.example"},
        headers=auth_headers(lender.b),
    )
    refused(minted, 404, None, (*lender.secrets, lender.key_a), caplog)
    token_a = new_link_token(lender.app, lender.a, lender.key_a)
    revoked = lender.http.delete(f"/v1/link_tokens/{token_a['id']}", headers=auth_headers(lender.b))
    refused(revoked, 404, None, (*lender.secrets, lender.key_a), caplog)
    assert lender.http.get("/v1/link/session", headers=bearer(token_a["link_token"])).status_code == 200


@pytest.mark.parametrize(
    "smuggle",
    [
        {"query_string": {"X_ACCOUNT_KEY": "{b}"}},
        {"headers": {"X-Account-Key": "{b}"}},
        {"headers": {"X_ACCOUNT_KEY": "{b}"}},
        {"query_string": {"account_key": "{b}"}},
    ],
    ids=["query", "header", "underscore-header", "account_key-param"],
)
def test_a_token_cannot_choose_another_company(lender: Lender, caplog: Any, smuggle: dict[str, Any]) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    extra = {k: {n: v.format(b=lender.key_b) for n, v in part.items()} for k, part in smuggle.items()}
    headers = {**bearer(token), **extra.pop("headers", {})}
    answer = lender.http.get("/v1/link/data/invoices", headers=headers, **extra)
    if answer.status_code == 200:
        sent = lender.upstream.data_requests[-1]
        assert sent.headers["X-Account-Key"] == lender.key_a and lender.key_b not in str(sent.url)
        assert lender.key_b not in answer.get_data(as_text=True)
    else:
        refused(answer, 400, "unknown_parameter", (*lender.secrets, lender.key_b), caplog)
        assert not lender.upstream.data_requests
