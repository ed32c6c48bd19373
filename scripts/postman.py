"""Generate the Postman collection (v2.1) and demo environment from the broker's OpenAPI document.

``python scripts/postman.py`` rewrites ``docs/postman/``; ``--check`` exits 1 when the checked-in files are stale.
Every operation of ``/openapi.json`` becomes a request; the walk-through in ``scripts/postman_flow.json`` orders them
so that one ``newman run`` creates a company, mints a link token, reads data, connects an app and cleans up. An
operation the walk-through does not know yet still gets a request built from its schema and generic assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "postman"
COLLECTION = OUT / "ledgerlink.postman_collection.json"
ENVIRONMENT = OUT / "ledgerlink-demo.postman_environment.json"
FLOW_FILE = Path(__file__).resolve().parent / "postman_flow.json"
SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
METHODS = ("get", "post", "put", "patch", "delete")
# Path parameters and the variables that hold them (set by earlier requests of the walk-through).
PATH_VARIABLES = {
    "account_key": "account_key",
    "token_id": "link_token_id",
    "endpoint_id": "webhook_endpoint_id",
    "delivery_id": "webhook_delivery_id",
    "attempt_id": "attempt_id",
    "object_id": "object_id",
    "session_id": "link_session_id",
}
# Keywords Postman's JSON Schema checker (Ajv) does not need; formats are checked by the broker's own tests.
DROPPED_KEYWORDS = {"format", "description", "example", "examples", "readOnly", "writeOnly", "deprecated", "title"}


@dataclass(frozen=True)
class Step:
    """One request of the walk-through: which operation, with what input, expecting what."""

    folder: str  # a key of the walk-through's folders
    method: str
    path: str
    name: str
    status: tuple[int, ...]
    body: Any = None
    query: tuple[tuple[str, str], ...] = ()
    path_values: Mapping[str, str] = field(default_factory=dict)
    auth: str | None = None  # None: from the operation's security; "none" or "bad_bearer" to override
    error_code: str | None = None
    capture: Mapping[str, str] = field(default_factory=dict)  # variable -> JavaScript expression on `body`
    html: bool = False
    checks: tuple[str, ...] = ()  # extra pm.test lines


OTHER = "other"  # the folder of the operations the walk-through does not know


@cache
def flow_document() -> dict[str, Any]:
    """``postman_flow.json``: the walk-through's folders and steps, and the demo environment's variables."""
    document: dict[str, Any] = json.loads(FLOW_FILE.read_text(encoding="utf-8"))
    return document


@cache
def walkthrough() -> tuple[dict[str, str], tuple[Step, ...]]:
    """The walk-through's folders (key -> name, in order) and its steps, read from ``postman_flow.json``."""
    document = flow_document()
    steps = tuple(
        Step(
            **{
                **item,
                "status": tuple(item["status"]),
                "query": tuple((key, value) for key, value in item.get("query", ())),
            }
        )
        for item in document["steps"]
    )
    return dict(document["folders"]), steps


def flow() -> tuple[Step, ...]:
    """The requests of the walk-through, in order."""
    return walkthrough()[1]


def broker_spec() -> dict[str, Any]:
    """Build a throwaway broker app and return its ``/openapi.json`` (no upstream call is made)."""
    from broker import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "ENV": "testing",
                "SECRET_KEYS": ["postman-generator-only-0123456789abcdef"],
                "UPSTREAM_ADMIN_URL": "http://upstream.invalid",
                "UPSTREAM_DATA_URL": "http://upstream.invalid",
                "UPSTREAM_API_USER": "generator",
                "UPSTREAM_API_KEY": "generator-api-key-000000",
                "UPSTREAM_TENANT_KEY": "generator-tenant",
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'broker.sqlite3'}",
                "REDIS_URL": None,
            }
        )
        try:
            spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
        finally:
            app.extensions["broker"].close()
    return spec


def operations(spec: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (method, path, operation) of the document, in document order."""
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    """Inline ``$ref``s and drop keywords Postman does not need."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(spec, target)
        return {k: _resolve(spec, v) for k, v in node.items() if k not in DROPPED_KEYWORDS}
    if isinstance(node, list):
        return [_resolve(spec, v) for v in node]
    return node


def _response_schema(spec: Mapping[str, Any], operation: Mapping[str, Any], status: int) -> Any:
    responses = operation.get("responses", {})
    answer = responses.get(str(status)) or (responses.get("default") if status >= 400 else None)
    if answer is None:
        return None
    answer = _resolve(spec, answer)
    schema = answer.get("content", {}).get("application/json", {}).get("schema")
    return schema if schema else None


def _example(schema: Any) -> Any:
    """A minimal example body for an operation the walk-through does not know: its required fields."""
    if not isinstance(schema, dict):
        return {}
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _example(props[name]) for name in schema.get("required", []) if name in props}
    if kind == "array":
        return [_example(schema.get("items", {}))]
    return {"integer": 1, "number": 1, "boolean": True}.get(str(kind), "example")


def _auth(operation: Mapping[str, Any], override: str | None) -> dict[str, Any]:
    schemes = {name for entry in operation.get("security") or [] for name in entry}
    if override == "bad_basic":
        return _basic("{{client_id}}", "wrong-secret")
    if override == "bad_bearer":
        return _bearer("{{link_token}}x")
    if override == "none":
        return {"type": "noauth"}
    if "basicAuth" in schemes:
        return _basic("{{client_id}}", "{{client_secret}}")
    if "linkToken" in schemes:
        return _bearer("{{link_token}}")
    return {"type": "noauth"}


def _basic(user: str, password: str) -> dict[str, Any]:
    return {
        "type": "basic",
        "basic": [
            {"key": "username", "value": user, "type": "string"},
            {"key": "password", "value": password, "type": "string"},
        ],
    }


def _bearer(token: str) -> dict[str, Any]:
    return {"type": "bearer", "bearer": [{"key": "token", "value": token, "type": "string"}]}


def _url(path: str, values: Mapping[str, str], query: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    segments = []
    for segment in path.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            segment = values.get(name) or "{{" + PATH_VARIABLES.get(name, name) + "}}"
        segments.append(segment)
    raw = "{{broker_url}}/" + "/".join(segments)
    if query:
        raw += "?" + "&".join(f"{k}={v}" for k, v in query)
    url: dict[str, Any] = {"raw": raw, "host": ["{{broker_url}}"], "path": segments}
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in query]
    return url


def _tests(spec: Mapping[str, Any], operation: Mapping[str, Any], step: Step) -> list[str]:
    statuses = list(step.status)
    lines = []
    if len(statuses) == 1:
        lines.append(
            f"pm.test('status is {statuses[0]}', function () {{ pm.response.to.have.status({statuses[0]}); }});"
        )
    else:
        lines.append(
            f"pm.test('status is one of {statuses}', function () {{ "
            f"pm.expect(pm.response.code).to.be.oneOf({statuses}); }});"
        )
    if step.html:
        lines.append(
            "pm.test('an HTML page', function () { pm.response.to.have.header('Content-Type'); "
            "pm.expect(pm.response.headers.get('Content-Type')).to.include('text/html'); });"
        )
        return lines
    if statuses[0] == 204:
        lines.append("pm.test('no body', function () { pm.expect(pm.response.text()).to.eql(''); });")
        return lines
    lines.append("var body = pm.response.json();")
    schema = _response_schema(spec, operation, statuses[0])
    if schema is not None:
        what = "the error shape" if statuses[0] >= 400 else "the documented shape"
        lines.append(
            f"pm.test('body has {what}', function () {{ pm.response.to.have.jsonSchema({json.dumps(schema)}); }});"
        )
    if statuses[0] >= 400:
        lines.append(
            "pm.test('one error shape', function () { pm.expect(Object.keys(body)).to.eql(['error']); "
            "pm.expect(body.error.code).to.be.a('string').that.matches(/^[a-z_]+$/); "
            "pm.expect(body.error.message).to.be.a('string').that.is.not.empty; "
            "pm.expect(body.error.request_id).to.eql(pm.response.headers.get('X-Request-Id')); });"
        )
    if step.error_code:
        lines.append(
            f"pm.test('error code {step.error_code}', function () {{ "
            f"pm.expect(body.error.code).to.eql('{step.error_code}'); }});"
        )
    if step.checks:
        lines.append("pm.test('" + step.name.replace("'", "") + "', function () { " + " ".join(step.checks) + " });")
    for variable, expression in step.capture.items():
        lines.append(f"if (pm.response.code < 300) {{ pm.environment.set('{variable}', {expression}); }}")
    return lines


def _generic_step(method: str, path: str, operation: Mapping[str, Any], spec: Mapping[str, Any]) -> Step:
    """A request for an operation the walk-through does not know: its example input, generic assertions."""
    body = None
    content = _resolve(spec, operation.get("requestBody", {})).get("content", {})
    if "application/json" in content:
        body = _example(content["application/json"].get("schema"))
    success = sorted(int(s) for s in operation.get("responses", {}) if s.isdigit() and int(s) < 300)
    return Step(
        OTHER, method, path, operation.get("summary") or f"{method.upper()} {path}", tuple(success or (200,)), body=body
    )


def _item(spec: Mapping[str, Any], step: Step, operation: Mapping[str, Any], generic: bool) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": step.method.upper(),
        "header": [{"key": "Accept", "value": "application/json"}],
        "auth": _auth(operation, step.auth),
        "url": _url(step.path, step.path_values, step.query),
        "description": (operation.get("summary") or "") + f"\n\nOperation: `{step.method.upper()} {step.path}`",
    }
    if step.body is not None:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(step.body, indent=2),
            "options": {"raw": {"language": "json"}},
        }
    if generic:
        exec_lines = [
            "pm.test('no server error', function () { pm.expect(pm.response.code).to.be.below(500); });",
            "if (pm.response.code >= 400) { pm.test('one error shape', function () { "
            "pm.expect(Object.keys(pm.response.json())).to.eql(['error']); }); }",
        ]
    else:
        exec_lines = _tests(spec, operation, step)
    return {
        "name": step.name,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": exec_lines}}],
        "request": request,
        "response": [],
    }


# Run after every request: nothing secret in any answer, and every answer names its request id.
COLLECTION_TESTS = [
    "pm.test('answer carries X-Request-Id', function () { pm.response.to.have.header('X-Request-Id'); });",
    "pm.test('no credential in the answer', function () {",
    "  var text = pm.response.text();",
    "  ['client_secret', 'bank_password'].forEach(function (name) {",
    "    var value = pm.environment.get(name);",
    "    if (value) { pm.expect(text).to.not.include(value); }",
    "  });",
    "});",
]


def build_collection(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The Postman collection (v2.1) for ``spec``: the walk-through, then any operation it does not cover."""
    known = {(m, p): op for m, p, op in operations(spec)}
    steps: list[tuple[Step, dict[str, Any], bool]] = []
    folder_names, flow_steps = walkthrough()
    for step in flow_steps:
        operation = known.get((step.method, step.path))
        if operation is not None:
            steps.append((step, operation, False))
    walked = {(s.method, s.path) for s in flow_steps}
    for method, path, operation in operations(spec):
        if (method, path) not in walked:
            steps.append((_generic_step(method, path, operation, spec), operation, True))
    folders: dict[str, list[dict[str, Any]]] = {key: [] for key in folder_names}
    for step, operation, generic in steps:
        folders[step.folder].append(_item(spec, step, operation, generic))
    return {
        "info": {
            "name": f"{spec['info']['title']} {spec['info']['version']}",
            "description": "Generated from the broker's /openapi.json by scripts/postman.py; do not edit by hand. "
            "Run it in order: each request sets the variables the next ones use. See docs/postman/README.md.",
            "schema": SCHEMA_URL,
        },
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": COLLECTION_TESTS}}],
        "item": [{"name": folder_names[key], "item": items} for key, items in folders.items() if items],
        "variable": [{"key": key, "value": ""} for key in sorted(set(PATH_VARIABLES.values()) | {"link_token"})],
    }


def build_environment(values: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The environment file: the demo's URLs and sign-ins (``postman_flow.json``), with ``values`` overriding them."""
    given = dict(values or {})
    return {
        "name": "LedgerLink demo (make demo)",
        "values": [
            {"key": item["key"], "value": given.get(item["key"], item["value"]), "type": item["type"], "enabled": True}
            for item in flow_document()["environment"]
        ],
        "_postman_variable_scope": "environment",
    }


def render(document: Mapping[str, Any]) -> str:
    """Stable text of a document (sorted nowhere: order is meaningful in a collection)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected_files(spec: Mapping[str, Any] | None = None) -> dict[Path, str]:
    """What docs/postman/ should hold for the current spec."""
    spec = spec or broker_spec()
    return {COLLECTION: render(build_collection(spec)), ENVIRONMENT: render(build_environment())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/postman/ is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
