"""Fault injection: the switches' spec, seeded fates at the configured rate, the admin action, and real sockets."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest

from sandbox import create_app
from sandbox.config import ConfigError
from sandbox.faults import FaultSettings, build_settings, fate, parse_spec, target_of
from tests.live_server import live_server
from tests.sandbox_support import ADMIN_HEADERS, DATA_HEADERS, SANDBOX_TEST_CONFIG, assert_error, create_company

UNLIMITED = {"RATE_LIMIT": "1000000 per second"}  # measure the faults, not the 100 rps limiter


@pytest.fixture
def app(tmp_path: Any) -> Any:
    return create_app({**SANDBOX_TEST_CONFIG, **UNLIMITED, "DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite3'}"})


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def faults(client: Any, **body: Any) -> Any:
    return client.post("/app/api.php", json={"action": "faults", **body}, headers=ADMIN_HEADERS)


def read(client: Any, key: str) -> Any:
    return client.get("/api/connections", query_string={"X_ACCOUNT_KEY": key}, headers=DATA_HEADERS)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", None),
        ("  ", None),
        ("error_rate=0.2", FaultSettings(error_rate=0.2)),
        (
            "error_rate=0.1, rate_limit_rate=0.05,reset_rate=0.01,latency_ms=200,slow_body_ms=50,retry_after=3,seed=7",
            FaultSettings(0.1, 0.05, 0.01, 200, 50, 3, "7"),
        ),
        ("latency_ms=10,targets=data+apps", FaultSettings(latency_ms=10, targets=("data", "apps"))),
        ("error_rate=1", FaultSettings(error_rate=1.0)),
    ],
)
def test_spec_parses(spec: str, expected: FaultSettings | None) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("error_rate", "name=value"),
        ("=0.1", "name=value"),
        ("eror_rate=0.1", "unknown fault switch 'eror_rate'"),
        ("error_rate=1.5", "error_rate must be a number from 0 to 1"),
        ("error_rate=-0.1", "error_rate must be a number from 0 to 1"),
        ("error_rate=lots", "error_rate must be a number"),
        ("error_rate=0.6,rate_limit_rate=0.5", "must not exceed 1"),
        ("latency_ms=30001", "latency_ms must be a number from 0 to 30000"),
        ("latency_ms=1.5", "latency_ms must be a number"),
        ("retry_after=0", "retry_after must be a number from 1 to 3600"),
        ("targets=everything", "targets must list data and/or apps"),
        ("seed=" + "x" * 65, "seed must be 1 to 64 characters"),
    ],
)
def test_bad_specs_are_refused_by_name(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spec(spec)


def test_a_bad_environment_spec_stops_start_up(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="SANDBOX_FAULTS: unknown fault switch"):
        create_app({**SANDBOX_TEST_CONFIG, "FAULTS": "boom=1", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


@pytest.mark.parametrize(
    ("settings", "kind", "low", "high"),
    [
        (FaultSettings(error_rate=0.2, seed="a"), "error", 0.17, 0.23),
        (FaultSettings(error_rate=0.05, seed="b"), "error", 0.035, 0.065),
        (FaultSettings(rate_limit_rate=0.3, seed="c"), "rate_limited", 0.27, 0.33),
        (FaultSettings(reset_rate=0.1, seed="d"), "reset", 0.08, 0.12),
        (FaultSettings(error_rate=1.0, seed="e"), "error", 1.0, 1.0),
        (FaultSettings(latency_ms=5, seed="f"), "error", 0.0, 0.0),
    ],
)
def test_fates_come_at_the_configured_rate(settings: FaultSettings, kind: str, low: float, high: float) -> None:
    kinds = Counter(fate(settings, n).kind for n in range(1, 4001))
    assert low <= kinds[kind] / 4000 <= high, kinds


def test_fates_are_a_function_of_the_seed_and_the_request_number() -> None:
    settings = FaultSettings(error_rate=0.3, rate_limit_rate=0.1, seed="42")
    first = [fate(settings, n) for n in range(1, 301)]
    assert first == [fate(settings, n) for n in range(1, 301)]
    assert first != [fate(FaultSettings(error_rate=0.3, rate_limit_rate=0.1, seed="43"), n) for n in range(1, 301)]
    statuses = Counter(f.status for f in first if f.kind == "error")
    assert set(statuses) == {500, 502, 503}


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/api/invoices", "data"),
        ("/api", "data"),
        ("/apps/ledgerly/api/Invoice", "apps"),
        ("/apps/ledgerly/oauth/token", None),
        ("/app/api.php", None),
        ("/connect/ledgerly", None),
        ("/apis", None),
    ],
)
def test_targets(path: str, target: str | None) -> None:
    assert target_of(path) == target


def test_admin_switches_predictably_fail_data_api_requests(client: Any) -> None:
    key = create_company(client)
    described = faults(client, error_rate=0.25, rate_limit_rate=0.1, retry_after=7, seed="predict")
    assert described.status_code == 200
    assert described.get_json()["global"]["error_rate"] == 0.25
    settings = build_settings({"error_rate": 0.25, "rate_limit_rate": 0.1, "retry_after": 7, "seed": "predict"})
    for n in range(1, 121):
        expected = fate(settings, n)
        response = read(client, key)
        assert response.status_code == expected.status, n
        if expected.kind == "error":
            assert_error(response, expected.status)
        elif expected.kind == "rate_limited":
            assert_error(response, 429, "rate_limited")
            assert response.headers["Retry-After"] == "7"
    assert client.get("/app/api.php?action=faults", headers=ADMIN_HEADERS).get_json()["global"]["seed"] == "predict"
    reset = faults(client, reset=True)
    assert reset.get_json() == {"global": None, "accounts": {}}
    assert all(read(client, key).status_code == 200 for _ in range(30))


def test_switches_for_one_company_leave_the_others_alone(client: Any) -> None:
    victim, bystander = create_company(client, "victim-co"), create_company(client, "bystander-co")
    assert faults(client, account_key=victim, error_rate=1.0).status_code == 200
    assert read(client, victim).status_code in (500, 502, 503)
    assert read(client, bystander).status_code == 200
    shown = client.get("/app/api.php?action=faults", headers=ADMIN_HEADERS).get_json()
    assert shown["global"] is None and list(shown["accounts"]) == [victim]
    faults(client, account_key=victim, reset=True)
    assert read(client, victim).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"error_rate": 2}, 422),
        ({"nonsense": 1}, 422),
        ({"targets": ["data", "admin"]}, 422),
        ({"account_key": "short", "error_rate": 0.1}, 422),
        ({"account_key": "0" * 32, "error_rate": 0.1}, 404),
    ],
)
def test_bad_admin_switches_are_4xx(client: Any, body: dict[str, Any], status: int) -> None:
    response = faults(client, **body)
    assert_error(response, status)


def test_production_mode_has_no_fault_switches(tmp_path: Any) -> None:
    production = create_app(
        {
            **SANDBOX_TEST_CONFIG,
            "ENV": "production",
            "CONNECTOR_CLIENT_SECRET": "a-real-secret-for-production-1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        }
    ).test_client()
    assert_error(faults(production, error_rate=1.0), 400, "unknown_action")
    assert_error(production.get("/app/api.php?action=faults", headers=ADMIN_HEADERS), 400, "unknown_action")


def test_resets_latency_and_slow_bodies_on_a_real_socket(app: Any) -> None:
    client = app.test_client()
    key = create_company(client)
    with live_server(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        params, auth = {"X_ACCOUNT_KEY": key}, (SANDBOX_TEST_CONFIG["API_USER"], SANDBOX_TEST_CONFIG["API_KEY"])
        faults(client, reset_rate=1.0)
        with pytest.raises(httpx.HTTPError):  # the body stops half way and the connection closes
            http.get("/api/integrations", params=params, auth=auth).read()
        for switch in ({"latency_ms": 300}, {"slow_body_ms": 300}):
            faults(client, reset=True, **switch)
            started = time.perf_counter()
            response = http.get("/api/integrations", params=params, auth=auth)
            assert response.status_code == 200 and response.json()
            assert time.perf_counter() - started >= 0.29, switch
