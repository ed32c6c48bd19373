"""The OpenAPI 3.1 document lists every endpoint with schemas and security schemes; health probes answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.broker_support import FakeUpstream, broker_app

ENDPOINTS = {
    ("/v1/accounts", "get"),
    ("/v1/accounts", "post"),
    ("/v1/accounts/{account_key}", "get"),
    ("/v1/link_tokens", "post"),
    ("/v1/link_tokens/{token_id}", "delete"),
    ("/v1/accounts/{account_key}/data/{object_name}", "get"),
    ("/v1/accounts/{account_key}/data/{object_name}/{object_id}", "get"),
    ("/v1/link/data/{object_name}", "get"),
    ("/v1/link/data/{object_name}/{object_id}", "get"),
    ("/healthz", "get"),
    ("/readyz", "get"),
}


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    with broker_app(tmp_path, FakeUpstream().transport) as app:
        yield app


def test_openapi_document(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    found = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert found >= ENDPOINTS
    schemes = spec["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"} and schemes["linkToken"]["scheme"] == "bearer"
    create = spec["paths"]["/v1/accounts"]["post"]
    assert create["security"] == [{"basicAuth": []}] and "requestBody" in create and "201" in create["responses"]
    assert spec["paths"]["/v1/link/data/{object_name}"]["get"]["security"] == [{"linkToken": []}]
    assert {"AccountCreate", "Account", "LinkTokenCreate", "LinkToken"} <= set(spec["components"]["schemas"])


def test_health_probes(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok", "upstream:default": "ok"}


@pytest.mark.parametrize("path", ["/nope", "/v1", "/v1/accounts/x/y/z/w", "/%00", "/v1/link/data"])
def test_unknown_paths_are_json_404(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_an_endpoint_decorator_refuses_what_is_not_an_openapi_operation_field() -> None:
    from flask_smorest import Blueprint

    from broker.auth import lender_endpoint

    blueprint = Blueprint("typo", __name__)
    with pytest.raises(TypeError, match="respones"):
        lender_endpoint(blueprint, respones={200: {"description": "A misspelt keyword."}})
    assert callable(lender_endpoint(blueprint, responses={200: {"description": "Fine."}}))
