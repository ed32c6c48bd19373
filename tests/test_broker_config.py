"""Configuration: defaults, BROKER_ environment, test mapping; refused when a secret is missing or unsafe."""

from __future__ import annotations

import json
from typing import Any

import pytest

from broker import create_app
from broker.config import DEV_SECRET_KEY, database_url, load_settings
from broker.errors import ConfigurationError
from tests.broker_support import settings

PROD_ENV = {
    "BROKER_ENV": "production",
    "BROKER_SECRET_KEYS": "new-key-0123456789abcdefghijklmnopqrstuvwxyz, old-key-0123456789abcdefghijklmnopqrstuvw",
    "BROKER_UPSTREAM_ADMIN_URL": "https://admin.example.com",
    "BROKER_UPSTREAM_DATA_URL": "https://tenant.example.com",
    "BROKER_UPSTREAM_API_USER": "user",
    "BROKER_UPSTREAM_API_KEY": "key-xyz",
    "BROKER_UPSTREAM_TENANT_KEY": "tenant",
}


def test_environment_is_read_with_the_prefix_and_keys_split_newest_first() -> None:
    loaded = load_settings(
        environ={
            **PROD_ENV,
            "BROKER_UPSTREAM_DEADLINE": "7.5",
            "BROKER_UPSTREAM_MAX_ATTEMPTS": "2",
            "DATABASE_URL": "postgresql://u@db/broker",
            "REDIS_URL": "redis://r:6379/1",
        }
    )
    assert loaded["SECRET_KEYS"] == [
        "new-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "old-key-0123456789abcdefghijklmnopqrstuvw",
    ]
    assert loaded["SECRET_KEY"] == loaded["SECRET_KEYS"][0]
    assert (loaded["UPSTREAM_DEADLINE"], loaded["UPSTREAM_MAX_ATTEMPTS"]) == (7.5, 2)
    assert loaded["REDIS_URL"] == "redis://r:6379/1"
    assert database_url(loaded, "/inst") == "postgresql+psycopg://u@db/broker"


def test_test_mapping_overrides_the_environment() -> None:
    loaded = load_settings({"UPSTREAM_API_USER": "from-test"}, environ=PROD_ENV)
    assert loaded["UPSTREAM_API_USER"] == "from-test"


def test_regions_from_json() -> None:
    region = {
        "admin_url": "https://admin.ca.example",
        "data_url": "https://t.ca.example",
        "api_user": "u",
        "api_key": "k",
        "tenant_key": "t",
    }
    loaded = load_settings(environ={**PROD_ENV, "BROKER_UPSTREAM_REGIONS": json.dumps({"ca": region})})
    assert list(loaded["REGIONS"]) == ["default", "ca"]
    assert loaded["REGIONS"]["ca"].data_url == "https://t.ca.example"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"BROKER_SECRET_KEYS": ""}, "BROKER_SECRET_KEYS is required"),
        ({"BROKER_SECRET_KEYS": "short"}, "at least 32 characters"),
        ({"BROKER_SECRET_KEYS": DEV_SECRET_KEY}, "dev-only default"),
        ({"BROKER_UPSTREAM_API_KEY": ""}, "BROKER_UPSTREAM_API_KEY is required"),
        ({"BROKER_UPSTREAM_TENANT_KEY": ""}, "BROKER_UPSTREAM_TENANT_KEY is required"),
        ({"BROKER_UPSTREAM_DATA_URL": "ftp://x"}, "BROKER_UPSTREAM_DATA_URL"),
        ({"BROKER_UPSTREAM_DATA_URL": "http://public.example.com"}, "https in production"),
        ({"BROKER_UPSTREAM_REGIONS": "{not json"}, "BROKER_UPSTREAM_REGIONS has an invalid value"),
        ({"BROKER_UPSTREAM_REGIONS": '{"ca": {"admin_url": "https://a.example"}}'}, "missing data_url"),
        ({"BROKER_UPSTREAM_DEADLINE": "soon"}, "BROKER_UPSTREAM_DEADLINE"),
        ({"BROKER_UPSTREAM_COMPANY_RPS": "150"}, "below the upstream"),
        ({"BROKER_ENV": "staging"}, "BROKER_ENV"),
    ],
)
def test_unsafe_or_missing_settings_stop_startup(change: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(environ={**PROD_ENV, **change})


def test_development_defaults_are_announced(capsys: pytest.CaptureFixture[str]) -> None:
    loaded = load_settings(environ={"BROKER_ENV": "development"})
    assert loaded["SECRET_KEYS"] == [DEV_SECRET_KEY]
    assert "DEVELOPMENT MODE" in capsys.readouterr().err


def test_production_gets_no_dev_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigurationError, match="BROKER_SECRET_KEYS is required"):
        load_settings(environ={"BROKER_ENV": "production"})
    assert "DEVELOPMENT MODE" not in capsys.readouterr().err


def test_create_app_refuses_without_a_secret(tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError):
        create_app(settings(tmp_path, SECRET_KEYS=[]))
