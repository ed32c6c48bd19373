"""Operator commands: create-client prints credentials as JSON, rotation, listing, db-upgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.broker_support import basic, broker_app


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    with broker_app(tmp_path) as app:
        yield app


def test_create_client_prints_json_credentials_that_work(app: Flask, tmp_path: Any) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-client", "Acme Lending", "--origin", "https://acme.example", "--origin", "http://localhost:3000"]
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert set(created) == {"client_id", "client_secret", "origins", "database"}
    assert created["database"] == f"sqlite:///{tmp_path / 'broker.sqlite3'}"  # the database it wrote to
    assert created["origins"] == ["http://localhost:3000", "https://acme.example"]
    response = app.test_client().get("/v1/accounts", headers=basic(created["client_id"], created["client_secret"]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ["create-client", "X"],
        ["create-client", "X", "--origin", "not an origin"],
        ["create-client", "X", "--origin", "https://a.example/path"],
    ],
)
def test_create_client_refuses_bad_input(app: Flask, args: list[str]) -> None:
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0


def test_rotate_and_list(app: Flask) -> None:
    runner = app.test_cli_runner()
    created = json.loads(runner.invoke(args=["create-client", "A", "--origin", "https://a.example"]).output)
    rotated = runner.invoke(args=["rotate-client-secret", created["client_id"], "--grace-hours", "0"])
    assert rotated.exit_code == 0
    new_secret = json.loads(rotated.output)["client_secret"]
    client = app.test_client()
    assert client.get("/v1/accounts", headers=basic(created["client_id"], new_secret)).status_code == 200
    assert client.get("/v1/accounts", headers=basic(created["client_id"], created["client_secret"])).status_code == 401
    listed = [json.loads(line) for line in runner.invoke(args=["list-clients"]).output.splitlines()]
    assert [c["client_id"] for c in listed] == [created["client_id"]]
    assert "secret" not in json.dumps(listed)
    assert runner.invoke(args=["rotate-client-secret", "cli_nope"]).exit_code != 0


def test_db_upgrade_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db-upgrade"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
