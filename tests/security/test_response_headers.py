"""Every API answer (success or error, lender or widget API) says nosniff and no-store: walk the OpenAPI paths."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.broker_support import auth_headers, bearer, new_link_token
from tests.security.support import Lender

HARDENING = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
# Public material that verifiers may cache briefly: the keys that verify consent receipts (not about any company).
PUBLIC = {"/.well-known/jwks.json": {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}}
_PARAM = re.compile(r"\{([a-z_]+)\}")


def _fill(path: str, lender: Lender, spare_token_id: str) -> str:
    values = {
        "account_key": lender.key_a,
        "object_name": "invoices",
        "object_id": "invoices_1",
        "token_id": spare_token_id,  # DELETE revokes it: not the token the walk uses
    }
    return _PARAM.sub(lambda m: values.get(m.group(1), "x"), path)


def _operations(lender: Lender) -> list[tuple[str, str, list[dict[str, Any]]]]:
    spec = lender.http.get("/openapi.json").get_json()
    return [
        (path, method, operation.get("security") or [])
        for path, item in sorted(spec["paths"].items())
        for method, operation in sorted(item.items())
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _assert_hardened(response: Any, what: str, path: str = "") -> None:
    expected = PUBLIC.get(path, HARDENING) if response.status_code == 200 else HARDENING
    for name, value in expected.items():
        assert response.headers.get(name) == value, f"{what} answered {response.status_code} without {name}: {value}"


def test_the_walk_covers_both_apis(lender: Lender) -> None:
    paths = {path for path, _method, _security in _operations(lender)}
    assert {"/v1/accounts/{account_key}/data/{object_name}", "/v1/link/data/{object_name}", "/readyz"} <= paths


def test_every_api_answer_is_hardened(lender: Lender) -> None:
    link = new_link_token(lender.app, lender.a, lender.key_a)
    spare = new_link_token(lender.app, lender.a, lender.key_a)["id"]
    credentials = {
        "basicAuth": auth_headers(lender.a),
        "linkToken": bearer(link["link_token"]),
    }
    statuses: set[int] = set()
    for path, method, security in _operations(lender):
        url = _fill(path, lender, spare)
        schemes = [name for requirement in security for name in requirement]
        attempts: list[dict[str, str]] = [{}]  # no credentials: the error path
        attempts += [credentials[s] for s in schemes if s in credentials]  # with them: usually success
        for headers in attempts:
            body = {} if method in {"post", "put", "patch"} else None
            response = getattr(lender.http, method)(url, headers=headers, json=body)
            statuses.add(response.status_code)
            _assert_hardened(response, f"{method.upper()} {path}", path)
    assert any(200 <= s < 300 for s in statuses) and any(s >= 400 for s in statuses)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/v1/nothing-here"), ("put", "/v1/accounts"), ("get", "/v1/accounts/x/data/%00"), ("get", "/healthz")],
)
def test_router_errors_and_probes_are_hardened(lender: Lender, method: str, path: str) -> None:
    _assert_hardened(getattr(lender.http, method)(path, headers=auth_headers(lender.a)), f"{method} {path}")


def test_proxied_data_is_hardened_on_both_sides(lender: Lender) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    lender_side = lender.http.get(f"/v1/accounts/{lender.key_a}/data/invoices", headers=auth_headers(lender.a))
    widget_side = lender.http.get("/v1/link/data/invoices", headers=bearer(token))
    assert lender_side.status_code == widget_side.status_code == 200
    _assert_hardened(lender_side, "lender data")
    _assert_hardened(widget_side, "widget data")
