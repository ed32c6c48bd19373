"""schemathesis against the broker's and the sandbox's /openapi.json: no 5xx, every answer matches its schema.

Every operation, authenticated (broker: Basic with a client made by the CLI or a fresh bearer link token; sandbox:
Basic and the tenant key), a bounded number of examples each, derandomized so that CI is reproducible. Then the
broker statefully: sequences that follow the links schemathesis infers from the document (such as an account created,
then read with its data, statements, mapping and reconciliation; a webhook endpoint registered, then its deliveries
listed), each answer checked the same way plus "a deleted resource stays gone".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, use_after_free

from broker.data.proxy import OBJECTS
from sandbox.openapi import document as sandbox_document
from scripts.postman import broker_spec
from tests.stack_support import SANDBOX_CONFIG, LiveStack, live_stack

CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(
    max_examples=int(os.environ.get("CONTRACT_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(
    max_examples=int(os.environ.get("CONTRACT_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The live stack, one company connected to Ledgerly, and a way to mint link tokens."""
    folder: Path = tmp_path_factory.mktemp("contract")
    unlimited = {"RATELIMIT_PER_CLIENT": "100000 per minute", "RATELIMIT_PER_COMPANY": "100000 per minute"}
    with live_stack(folder, **unlimited) as live, httpx.Client(timeout=60) as http:
        lender = (live.client_id, live.client_secret)
        answer = http.post(
            f"{live.broker_url}/v1/accounts", json={"name": "Fuzz Ltd", "email": "o@fuzz.test"}, auth=lender
        )
        assert answer.status_code == 201, answer.text
        key = answer.json()["account_key"]
        connected = http.post(
            f"{live.sandbox_url}/app/api.php",
            json={"action": "sandbox_connect", "account_key": key, "integration": "ledgerly", "scale": 0.2},
            auth=(SANDBOX_CONFIG["API_KEY"], ""),
            headers={"Account-Key": SANDBOX_CONFIG["TENANT_KEY"]},
        )
        assert connected.status_code == 201, connected.text
        yield {"live": live, "account_key": key, "http": http}


def _mint(stack: dict[str, Any]) -> str:
    live: LiveStack = stack["live"]
    answer = stack["http"].post(
        f"{live.broker_url}/v1/link_tokens",
        json={"account_key": stack["account_key"], "origin": live.origin},
        auth=(live.client_id, live.client_secret),
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["link_token"])


def _operations(document: dict[str, Any]) -> dict[str, Any]:
    schema = schemathesis.openapi.from_dict(document)
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # raises on an invalid document, which is what we want
        found[operation.label] = operation
    return found


# Documents built in-process at collection time (the live servers serve the same ones; a test below checks it).
BROKER_OPERATIONS = _operations(broker_spec())
SANDBOX_OPERATIONS = _operations(sandbox_document())


def test_live_documents_are_the_ones_fuzzed(stack: dict[str, Any]) -> None:
    live: LiveStack = stack["live"]
    assert stack["http"].get(live.broker_url + "/openapi.json").json()["paths"].keys() == broker_spec()["paths"].keys()
    assert stack["http"].get(live.sandbox_url + "/openapi.json").json() == sandbox_document()


def _security(case: Any) -> set[str]:
    return {name for entry in case.operation.definition.raw.get("security") or [] for name in entry}


@pytest.mark.parametrize("label", sorted(BROKER_OPERATIONS))
def test_broker_contract(label: str, stack: dict[str, Any]) -> None:
    @FUZZ
    @given(case=BROKER_OPERATIONS[label].as_strategy())
    def check(case: Any) -> None:
        _broker_case(case, stack)

    check()


def test_broker_stateful_sequences(stack: dict[str, Any]) -> None:
    from schemathesis.generation.stateful.state_machine import StepOutput

    base = schemathesis.openapi.from_dict(broker_spec()).as_state_machine()
    steps: list[str] = []

    class BrokerWorkflow(base):  # type: ignore[misc,valid-type]
        def step(self, input: Any) -> Any:
            """One call, authenticated and checked like the stateless cases; its answer feeds the next links."""
            response = _broker_case(input.case, stack, keep_account_key=True, checks=[*CHECKS, use_after_free])
            steps.append(input.case.operation.label)
            return StepOutput(response, input.case)

    BrokerWorkflow.run(settings=STATEFUL)
    chained = [label for label in steps if "{" in label]
    assert chained, f"no step used a value from an earlier answer: {sorted(set(steps))}"


def _broker_case(
    case: Any, stack: dict[str, Any], *, keep_account_key: bool = False, checks: list[Any] | None = None
) -> Any:
    live: LiveStack = stack["live"]
    params = case.path_parameters or {}
    # Stateful steps keep a key taken from an earlier answer (hex); anything not alphanumeric is noise, replaced.
    if "account_key" in params and not (keep_account_key and str(params["account_key"]).isalnum()):
        params["account_key"] = stack["account_key"]  # other tenants' keys are the security suite's business
    if "object_name" in params and params["object_name"] not in OBJECTS:
        params["object_name"] = sorted(OBJECTS)[len(params["object_name"]) % len(OBJECTS)]
    schemes = _security(case)
    headers: dict[str, str] = {}
    if "linkToken" in schemes:
        headers["Authorization"] = f"Bearer {_mint(stack)}"
    kwargs: dict[str, Any] = {"auth": (live.client_id, live.client_secret)} if "basicAuth" in schemes else {}
    response = case.call(base_url=live.broker_url, headers=headers, timeout=30, **kwargs)
    case.validate_response(response, checks=checks or CHECKS)
    return response


@pytest.mark.parametrize("label", sorted(SANDBOX_OPERATIONS))
def test_sandbox_contract(label: str, stack: dict[str, Any]) -> None:
    @FUZZ
    @given(case=SANDBOX_OPERATIONS[label].as_strategy())
    def check(case: Any) -> None:
        _sandbox_case(case, stack)

    check()


def _sandbox_case(case: Any, stack: dict[str, Any]) -> None:
    live: LiveStack = stack["live"]
    body = case.body if isinstance(case.body, dict) else {}
    assume(body.get("action") != "faults")  # switching fault injection on would make later answers 5xx on purpose
    schemes = _security(case)
    headers: dict[str, str] = {}
    kwargs: dict[str, Any] = {}
    if "adminKey" in schemes:
        kwargs["auth"] = (SANDBOX_CONFIG["API_KEY"], "")
        headers["Account-Key"] = SANDBOX_CONFIG["TENANT_KEY"]
    if "dataKey" in schemes:
        kwargs["auth"] = (SANDBOX_CONFIG["API_USER"], SANDBOX_CONFIG["API_KEY"])
        if case.headers:
            case.headers.pop("X-Account-Key", None)
        case.query = {**(case.query or {}), "X_ACCOUNT_KEY": stack["account_key"]}
    response = case.call(base_url=live.sandbox_url, headers=headers, timeout=30, **kwargs)
    case.validate_response(response, checks=CHECKS)
