"""Regressions found by schemathesis: documented errors have the one error shape, every operation documents success."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sandbox.openapi import document as sandbox_document
from scripts.postman import broker_spec, operations


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return broker_spec()


def test_documented_error_is_the_one_error_shape(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"] and set(error["properties"]) == {"error"}
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "request_id"}


@pytest.mark.parametrize("document", ["broker", "sandbox"])
def test_every_operation_documents_its_success(spec: dict[str, Any], document: str) -> None:
    doc = spec if document == "broker" else sandbox_document()
    missing = []
    for method, path, operation in operations(doc):
        codes = [code for code in operation["responses"] if code[0] in "23"]
        writes_refused = path.startswith("/api/") and method != "get"
        if not codes and not writes_refused:
            missing.append(f"{method.upper()} {path}")
    assert not missing, f"no documented success answer (it would be checked against the error schema): {missing}"


def test_sandbox_serves_its_document(sandbox_client: FlaskClient) -> None:
    answer = sandbox_client.get("/openapi.json")
    assert answer.status_code == 200 and answer.get_json() == sandbox_document()
    served = {rule.rule for rule in sandbox_client.application.url_map.iter_rules()}
    assert {"/app/api.php", "/api/<object_type>", "/api/<object_type>/<object_id>"} <= served
    assert set(answer.get_json()["paths"]) == {"/app/api.php", "/api/{object_type}", "/api/{object_type}/{object_id}"}
