"""Generate the Postman collection (v2.1) and demo environment from the broker's OpenAPI document.

``python scripts/postman.py`` rewrites ``docs/postman/``; ``--check`` exits 1 when the checked-in files are stale.
Every operation of ``/openapi.json`` becomes a request; the walk-through below (``FLOW``) orders them so that one
``newman run`` creates a company, mints a link token, reads data, connects an app and cleans up. An operation the
walk-through does not know yet still gets a request built from its schema and generic assertions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "postman"
COLLECTION = OUT / "ledgerlink.postman_collection.json"
ENVIRONMENT = OUT / "ledgerlink-demo.postman_environment.json"
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
ENVIRONMENT_VALUES = (
    ("broker_url", "http://127.0.0.1:8001", "default"),
    ("client_id", "paste client_id printed by make demo", "default"),
    ("client_secret", "paste client_secret printed by make demo", "secret"),
    ("origin", "http://localhost:8000", "default"),
    ("bank_username", "maple.owner", "default"),
    ("bank_password", "northbank-demo-1", "secret"),
    ("bank_code", "123456", "secret"),
)


@dataclass(frozen=True)
class Step:
    """One request of the walk-through: which operation, with what input, expecting what."""

    folder: str
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


PROBES, ACCOUNTS, DATA, OTHER, WIDGET, REVIEW, WEBHOOKS, CONSENTS, CLEANUP = FOLDERS = (
    "Probes",
    "Lender: accounts and link tokens",
    "Lender: company data (read-only proxy)",
    "Other endpoints (generic requests; add them to FLOW in scripts/postman.py)",
    "Widget: session, catalogue, connect, data",
    "Lender: mapping, statements, reconciliation, coverage, link sessions",
    "Lender: webhooks",
    "Consents: receipts, verification, invitations",
    "Clean up",
)
FLOW: tuple[Step, ...] = (
    Step(PROBES, "get", "/healthz", "Liveness", (200,)),
    Step(PROBES, "get", "/readyz", "Readiness (database and upstream)", (200,)),
    Step(
        ACCOUNTS,
        "post",
        "/v1/accounts",
        "Create a company account (idempotent on external_id)",
        (201, 200),
        body={"name": "Postman Bakery Ltd", "email": "owner@postman-bakery.test", "external_id": "postman-example"},
        capture={"account_key": "body.account_key"},
    ),
    Step(ACCOUNTS, "post", "/v1/accounts", "Create: a bad email is a 422", (422,), body={"name": "x", "email": "no"}),
    Step(ACCOUNTS, "get", "/v1/accounts", "List your company accounts", (200,), query=(("page", "1"),)),
    Step(ACCOUNTS, "get", "/v1/accounts", "List: wrong credentials are a 401", (401,), auth="bad_basic"),
    Step(ACCOUNTS, "get", "/v1/accounts/{account_key}", "One account with its connections", (200,)),
    Step(
        ACCOUNTS,
        "get",
        "/v1/accounts/{account_key}",
        "One account: an unknown key is a 404",
        (404,),
        path_values={"account_key": "not-my-company"},
    ),
    Step(
        ACCOUNTS,
        "post",
        "/v1/link_tokens",
        "Mint a link token for the embedding page",
        (201,),
        body={
            "account_key": "{{account_key}}",
            "origin": "{{origin}}",
            "scopes": ["link", "read", "map", "reconcile"],
            "expires_in": 900,
        },
        capture={"link_token": "body.link_token", "link_token_id": "body.id"},
        checks=("pm.expect(pm.response.json().scopes).to.have.members(['link', 'read', 'map', 'reconcile']);",),
    ),
    Step(
        ACCOUNTS,
        "post",
        "/v1/link_tokens",
        "Mint: an origin you did not register is a 422",
        (422,),
        body={"account_key": "{{account_key}}", "origin": "https://not-registered.example"},
    ),
    Step(
        ACCOUNTS,
        "post",
        "/v1/link_tokens",
        "Mint in update mode: an app the company never connected is a 422",
        (422,),
        body={"account_key": "{{account_key}}", "origin": "{{origin}}", "mode": "update", "integration": "payday"},
        error_code="integration_not_connected",
    ),
    Step(ACCOUNTS, "get", "/v1/requirements", "Your coverage requirements (all zero until set)", (200,)),
    Step(
        ACCOUNTS,
        "put",
        "/v1/requirements",
        "Set your coverage requirements (none, for this walk-through)",
        (200,),
        body={"books_months": 0, "bank_months": 0, "mapped_percent": 0, "reliable_through_required": False},
    ),
    Step(
        ACCOUNTS,
        "put",
        "/v1/requirements",
        "Requirements: a share above 100 is a 422",
        (422,),
        body={"books_months": 12, "bank_months": 3, "mapped_percent": 101, "reliable_through_required": True},
    ),
    Step(
        DATA,
        "get",
        "/v1/accounts/{account_key}/data/{object_name}",
        "Read the app catalogue (integrations)",
        (200,),
        path_values={"object_name": "integrations"},
        query=(("page", "1"),),
        capture={"object_id": "body[0].key"},
        checks=("pm.expect(pm.response.json()).to.be.an('array').that.is.not.empty;",),
    ),
    Step(
        DATA,
        "get",
        "/v1/accounts/{account_key}/data/{object_name}",
        "Read invoices in a date range",
        (200,),
        path_values={"object_name": "invoices"},
        query=(("page", "1"), ("start", "2026-01-01"), ("end", "2026-03-31")),
        checks=("pm.expect(pm.response.json()).to.be.an('array');",),
    ),
    Step(
        DATA,
        "get",
        "/v1/accounts/{account_key}/data/{object_name}",
        "Read: an object outside the data model is a 404",
        (404,),
        path_values={"object_name": "passwords"},
    ),
    Step(
        DATA,
        "get",
        "/v1/accounts/{account_key}/data/{object_name}",
        "Read: an unknown query parameter is a 400",
        (400,),
        path_values={"object_name": "invoices"},
        query=(("X_ACCOUNT_KEY", "someone-else"),),
        error_code="unknown_parameter",
    ),
    Step(
        DATA,
        "get",
        "/v1/accounts/{account_key}/data/{object_name}/{object_id}",
        "Read one object by id",
        (200,),
        path_values={"object_name": "integrations"},
    ),
    Step(
        WIDGET, "get", "/v1/link/session", "The widget session", (200,), checks=("pm.expect(body).to.be.an('object');",)
    ),
    Step(WIDGET, "get", "/v1/link/session", "Session: a tampered token is a 401", (401,), auth="bad_bearer"),
    Step(
        WIDGET,
        "get",
        "/v1/link/bootstrap",
        "The frame's first call: session and catalogue together",
        (200,),
        checks=("pm.expect(body.session).to.be.an('object');", "pm.expect(body.integrations).to.be.an('array');"),
    ),
    Step(WIDGET, "get", "/v1/link/integrations", "App catalogue with connection status", (200,)),
    Step(WIDGET, "get", "/v1/link/connections", "Connections and sync progress", (200,)),
    Step(
        WIDGET,
        "get",
        "/v1/link/data/{object_name}",
        "Widget read: chart of accounts",
        (200,),
        path_values={"object_name": "accounts"},
        query=(("page", "1"),),
    ),
    Step(
        WIDGET,
        "get",
        "/v1/link/data/{object_name}/{object_id}",
        "Widget read: one object by id",
        (200,),
        path_values={"object_name": "integrations"},
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/attempts",
        "Start connecting the bank (credentials app)",
        (201,),
        body={"integration": "northbank"},
        capture={"attempt_id": "body.attempt_id"},
    ),
    Step(WIDGET, "get", "/v1/link/attempts/{attempt_id}", "Attempt status", (200,)),
    Step(
        WIDGET,
        "post",
        "/v1/link/attempts/{attempt_id}/credentials",
        "Sign in to the bank (answers mfa_required)",
        (200,),
        body={"username": "{{bank_username}}", "password": "{{bank_password}}"},
        checks=("pm.expect(body.status).to.eql('mfa_required');",),
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/attempts/{attempt_id}/mfa",
        "Send the MFA code (answers connected)",
        (200,),
        body={"code": "{{bank_code}}"},
        checks=("pm.expect(body.status).to.eql('connected');",),
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/attempts/{attempt_id}/upload",
        "Upload: no CSV file is a 4xx",
        (400, 409, 422),
    ),
    Step(
        WIDGET,
        "get",
        "/v1/link/callback",
        "Popup callback with an unknown state (HTML page, 400)",
        (400,),
        query=(("state", "not-a-real-state"), ("status", "connected"), ("integration", "ledgerly")),
        html=True,
    ),
    Step(WIDGET, "get", "/v1/link/mapping", "Chart of accounts with suggested categories", (200,)),
    Step(
        WIDGET,
        "put",
        "/v1/link/mapping",
        "Save mappings: an empty list is a 422",
        (422,),
        body={"mappings": []},
    ),
    Step(WIDGET, "get", "/v1/link/reconciliation", "Bank against ledger, suggested matches", (200,)),
    Step(
        WIDGET,
        "post",
        "/v1/link/reconciliation",
        "Reconciliation: a reliable-through date in the future is a 422",
        (422,),
        body={"decisions": [], "reliable_through": "2999-01-01"},
    ),
    Step(WIDGET, "get", "/v1/link/consent_terms", "The lender's purpose and end of access, shown to the owner", (200,)),
    Step(WIDGET, "get", "/v1/link/notes", "The owner's notes and attestation", (200,)),
    Step(
        WIDGET,
        "put",
        "/v1/link/notes",
        "Explain a difference (reason from a closed list, history kept)",
        (200,),
        body={"notes": [{"subject_kind": "difference", "subject_id": "ba_1:2026-10", "reason": "timing"}]},
    ),
    Step(
        WIDGET,
        "put",
        "/v1/link/notes",
        "Notes: reason other without text is a 422",
        (422,),
        body={"notes": [{"subject_kind": "bank_line", "subject_id": "bt_1", "reason": "other"}]},
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/attestation",
        "Attest the books complete through a date",
        (201,),
        body={"name": "Postman Owner", "complete_through": "2026-10-31", "language": "en"},
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/invitations",
        "Invite an accountant (a single-use link to send)",
        (201,),
        body={"name": "Postman Accountant", "expires_in": 3600},
    ),
    Step(
        WIDGET,
        "put",
        "/v1/link/progress",
        "Record the step reached (for resuming later)",
        (200,),
        body={"step": "review", "done": ["connect", "map", "reconcile"]},
    ),
    Step(WIDGET, "get", "/v1/link/progress", "Where to open, and whether an earlier session can resume", (200,)),
    Step(
        WIDGET,
        "post",
        "/v1/link/resume",
        "Resume: with no earlier unfinished session it is a 409",
        (409,),
        error_code="nothing_to_resume",
    ),
    Step(
        WIDGET,
        "post",
        "/v1/link/exit",
        "Leaving: says whether there is something to resume",
        (200,),
        body={"step": "review"},
        checks=("pm.expect(body.resumable).to.eql(true);",),
    ),
    Step(WIDGET, "get", "/v1/link/coverage", "The coverage check before success", (200,)),
    Step(
        WIDGET,
        "post",
        "/v1/link/complete",
        "Finish the session (issues the consent receipt; the token then only reads its status once)",
        (200,),
        capture={"link_session_id": "body.link_session_id", "receipt": "body.consent.receipt"},
        checks=("pm.expect(body.account_key).to.eql(pm.environment.get('account_key'));",),
    ),
    Step(
        WIDGET,
        "get",
        "/v1/link/session",
        "After complete, the token is refused",
        (401,),
        error_code="link_session_succeeded",
    ),
    Step(WIDGET, "get", "/v1/link/status", "After complete, the token reads its session's status once", (200,)),
    Step(WIDGET, "get", "/v1/link/status", "... and only once", (401,), error_code="link_session_status_read"),
    Step(REVIEW, "get", "/v1/link_sessions/{session_id}", "The session's outcome, with your credentials", (200,)),
    Step(
        REVIEW,
        "get",
        "/v1/link_sessions/{session_id}",
        "Session: an unknown id is a 404",
        (404,),
        path_values={"session_id": "lks_unknown"},
    ),
    Step(REVIEW, "get", "/v1/accounts/{account_key}/coverage", "The company's coverage check", (200,)),
    Step(
        WEBHOOKS,
        "post",
        "/v1/webhooks",
        "Register a webhook endpoint (secret shown once)",
        (201,),
        body={"url": "https://hooks.postman-bakery.example/ledgerlink", "events": ["link.succeeded"]},
        capture={"webhook_endpoint_id": "body.id"},
    ),
    Step(WEBHOOKS, "get", "/v1/webhooks", "List webhook endpoints (no secrets)", (200,)),
    Step(
        WEBHOOKS,
        "get",
        "/v1/webhooks/{endpoint_id}/deliveries",
        "Delivery log of an endpoint",
        (200,),
        query=(("page", "1"),),
    ),
    Step(
        WEBHOOKS,
        "post",
        "/v1/webhook_deliveries/{delivery_id}/redeliver",
        "Redeliver: an unknown delivery is a 404",
        (404,),
        path_values={"delivery_id": "whd_unknown"},
    ),
    Step(
        WEBHOOKS,
        "post",
        "/v1/upstream/webhooks",
        "Upstream receiver: an unsigned body is refused",
        (400, 401),
        body={"id": "evt_1", "type": "sync.completed", "account_key": "x", "data": {}},
    ),
    Step(REVIEW, "get", "/v1/standard_chart", "Your standard chart of accounts", (200,)),
    Step(
        REVIEW,
        "put",
        "/v1/standard_chart",
        "Replace the chart: an empty chart is a 422",
        (422,),
        body={"nodes": []},
    ),
    Step(REVIEW, "get", "/v1/accounts/{account_key}/mapping", "Mapping (404 before the owner saves one)", (404,)),
    Step(
        REVIEW,
        "get",
        "/v1/accounts/{account_key}/statements",
        "Mapped statements (404 before a mapping exists)",
        (404,),
        query=(("period", "quarter"),),
    ),
    Step(
        REVIEW,
        "get",
        "/v1/accounts/{account_key}/reconciliation",
        "Reconciliation result (404 until completed)",
        (404,),
    ),
    Step(CONSENTS, "get", "/.well-known/jwks.json", "The public keys that verify receipts", (200,)),
    Step(
        CONSENTS,
        "post",
        "/consents/verify",
        "Verify the receipt of the session above",
        (200,),
        body={"receipt": "{{receipt}}"},
        checks=("pm.expect(body.genuine).to.eql(true);",),
    ),
    Step(
        CONSENTS,
        "post",
        "/consents/verify",
        "Verify: a forged receipt is not genuine",
        (200,),
        body={"receipt": "eyJhbGciOiJub25lIn0.e30."},
        checks=("pm.expect(body.genuine).to.eql(false);",),
    ),
    Step(CONSENTS, "get", "/v1/accounts/{account_key}/consents", "The company's receipts", (200,)),
    Step(
        CONSENTS,
        "post",
        "/consents/receipt",
        "Receipt page: a bad link token is a 400",
        (400,),
        body={"token": "not-a-receipt-link"},
        error_code="invalid_consent_link",
    ),
    Step(
        CONSENTS,
        "post",
        "/consents/revoke",
        "Revoke: a bad link token is a 400",
        (400,),
        body={"token": "not-a-receipt-link"},
        error_code="invalid_consent_link",
    ),
    Step(
        CONSENTS,
        "post",
        "/v1/invitations/accept",
        "Accept an invitation: a bad token is a 400",
        (400,),
        body={"token": "not-an-invitation"},
        error_code="invalid_invitation",
    ),
    Step(CLEANUP, "delete", "/v1/webhooks/{endpoint_id}", "Delete the webhook endpoint", (204,)),
    Step(
        CLEANUP,
        "post",
        "/v1/link_tokens",
        "Mint another link token",
        (201,),
        body={"account_key": "{{account_key}}", "origin": "{{origin}}"},
        capture={"link_token": "body.link_token", "link_token_id": "body.id"},
    ),
    Step(CLEANUP, "delete", "/v1/link_tokens/{token_id}", "Revoke it", (204,)),
    Step(CLEANUP, "get", "/v1/link/session", "A revoked token is refused", (401,), error_code="invalid_token"),
)


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
    for step in FLOW:
        operation = known.get((step.method, step.path))
        if operation is not None:
            steps.append((step, operation, False))
    walked = {(s.method, s.path) for s in FLOW}
    for method, path, operation in operations(spec):
        if (method, path) not in walked:
            steps.append((_generic_step(method, path, operation, spec), operation, True))
    folders: dict[str, list[dict[str, Any]]] = {name: [] for name in FOLDERS}
    for step, operation, generic in steps:
        folders.setdefault(step.folder, []).append(_item(spec, step, operation, generic))
    return {
        "info": {
            "name": f"{spec['info']['title']} {spec['info']['version']}",
            "description": "Generated from the broker's /openapi.json by scripts/postman.py; do not edit by hand. "
            "Run it in order: each request sets the variables the next ones use. See docs/postman/README.md.",
            "schema": SCHEMA_URL,
        },
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": COLLECTION_TESTS}}],
        "item": [{"name": name, "item": items} for name, items in folders.items() if items],
        "variable": [{"key": key, "value": ""} for key in sorted(set(PATH_VARIABLES.values()) | {"link_token"})],
    }


def build_environment(values: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The environment file: the demo's URLs and sign-ins, with ``values`` overriding them."""
    given = dict(values or {})
    return {
        "name": "LedgerLink demo (make demo)",
        "values": [
            {"key": key, "value": given.get(key, default), "type": kind, "enabled": True}
            for key, default, kind in ENVIRONMENT_VALUES
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
