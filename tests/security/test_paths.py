"""Path traversal and absolute-URL tricks on the proxy: refused before the upstream, which only sees fixed templates."""

from __future__ import annotations

import re
from typing import Any

import pytest

from broker.data.proxy import ID_PATTERN, OBJECTS
from tests.broker_support import auth_headers, bearer, new_link_token
from tests.security.support import Lender, refused

TRICKS = [
    "../accounts",
    "..%2faccounts",
    "%2e%2e/accounts",
    "invoices/..",
    "invoices/%2e%2e",
    "invoices%2f1",
    "invoices%5c1",
    "invoices\\1",
    "http://evil.example/api/invoices",
    "http:%2f%2fevil.example",
    "%2f%2fevil.example/api",
    "invoices/1%0d%0aX-Injected:%201",
    "invoices/1%00",
    "invoices/@evil.example",
    "invoices/1?page=1#frag",
    "INVOICES",
    "invoices/" + "a" * 65,
    "invoices/1;rm",
    "invoices/%E2%80%AE1",
    "source_records/../../app/api.php",
]


def _only_fixed_templates(lender: Lender, answer: Any, secrets: tuple[str, ...], caplog: Any) -> None:
    """Refused without an upstream call, or (when WSGI decoding made it a plain read) a read of a fixed template."""
    if answer.status_code == 200:
        (sent,) = lender.upstream.data_requests
        match = re.fullmatch(r"/api/([a-z_]+)(?:/([^/]+))?", sent.url.path)
        assert match and match.group(1) in OBJECTS and (match.group(2) is None or ID_PATTERN.match(match.group(2)))
        return
    assert answer.status_code in (400, 404), answer.status_code
    refused(answer, answer.status_code, None, secrets, caplog)
    assert not lender.upstream.data_requests, [str(r.url) for r in lender.upstream.data_requests]


@pytest.mark.parametrize("trick", TRICKS)
def test_lender_proxy_refuses_path_tricks(lender: Lender, caplog: Any, trick: str) -> None:
    answer = lender.http.get(f"/v1/accounts/{lender.key_a}/data/{trick}", headers=auth_headers(lender.a))
    _only_fixed_templates(lender, answer, (*lender.secrets, lender.key_a), caplog)


@pytest.mark.parametrize("trick", TRICKS)
def test_widget_proxy_refuses_path_tricks(lender: Lender, caplog: Any, trick: str) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    answer = lender.http.get(f"/v1/link/data/{trick}", headers=bearer(token))
    _only_fixed_templates(lender, answer, (*lender.secrets, token, lender.key_a), caplog)


@pytest.mark.parametrize(
    "query",
    ["page=1&page=2", "page=-1", "page=1e3", "start=2026-13-01", "start=yesterday", "X_ACCOUNT_KEY=x", "url=http://x"],
)
def test_query_tricks_are_400(lender: Lender, caplog: Any, query: str) -> None:
    answer = lender.http.get(f"/v1/accounts/{lender.key_a}/data/invoices?{query}", headers=auth_headers(lender.a))
    refused(answer, 400, None, (*lender.secrets, lender.key_a), caplog)
    assert not lender.upstream.data_requests


def test_what_reaches_the_upstream_is_the_fixed_template(lender: Lender) -> None:
    answer = lender.http.get(
        f"/v1/accounts/{lender.key_a}/data/invoices/inv_1",
        headers={**auth_headers(lender.a), "Cookie": "session=steal", "X-Forwarded-Host": "evil.example"},
    )
    assert answer.status_code == 200
    (sent,) = lender.upstream.data_requests
    assert sent.url.path == "/api/invoices/inv_1" and sent.url.host == "upstream.test"
    assert "cookie" not in sent.headers and "x-forwarded-host" not in sent.headers
    assert sent.headers["X-Account-Key"] == lender.key_a and lender.a["secret"] not in str(sent.headers)
