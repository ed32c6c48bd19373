"""Every HTTP method on every route: a JSON 405 with Allow, or the route's own answer; never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.broker_support import auth_headers
from tests.security.support import Lender, assert_no_secret

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "CONNECT"]


def _routes(lender: Lender) -> list[str]:
    paths = []
    for rule in lender.app.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            value = lender.key_a if name == "account_key" else "invoices" if name == "object_name" else "x1"
            path = path.replace(f"<{name}>", value).replace(f"<path:{name}>", value)
        paths.append(path)
    return sorted(set(paths))


@pytest.mark.parametrize("method", METHODS)
def test_every_method_on_every_route(lender: Lender, caplog: Any, method: str) -> None:
    for path in _routes(lender):
        answer = lender.http.open(path, method=method, headers=auth_headers(lender.a))
        assert answer.status_code < 500, (method, path, answer.status_code)
        if answer.status_code == 405:
            assert answer.headers.get("Allow"), (method, path)
            assert method not in {m.strip() for m in answer.headers["Allow"].split(",")}
            if method != "HEAD":
                assert answer.get_json()["error"]["code"] == "method_not_allowed"
        assert_no_secret([answer.get_data(as_text=True)], lender.secrets, caplog)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_to_the_proxy_never_reach_the_upstream(lender: Lender, method: str) -> None:
    for path in (f"/v1/accounts/{lender.key_a}/data/invoices", f"/v1/accounts/{lender.key_a}/data/invoices/inv_1"):
        answer = lender.http.open(path, method=method, headers=auth_headers(lender.a), json={"amount": 1})
        assert answer.status_code == 405 and set(answer.headers["Allow"].replace(" ", "").split(",")) <= {
            "GET",
            "HEAD",
            "OPTIONS",
        }
    assert not lender.upstream.data_requests
