"""Shared pytest fixtures: a sandbox app on a temporary SQLite file (seeded with a connected company when asked),
and a broker app on a recording fake upstream. Helpers to call the sandbox's two APIs are in ``sandbox_support.py``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.broker_support import FakeUpstream, broker_app
from tests.sandbox_support import SANDBOX_TEST_CONFIG, create_company, sandbox_connect


@pytest.fixture(scope="session")
def _seeded_sandbox_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build once per run a sandbox database with a connected company; tests get a fresh copy of the file."""
    from sandbox import create_app

    path = tmp_path_factory.mktemp("seeded") / "sandbox.sqlite3"
    app = create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    client = app.test_client()
    key = create_company(client)
    sandbox_connect(client, key, "ledgerly")
    sandbox_connect(client, key, "northbank")
    app.extensions["sandbox"].close()  # closing the last connection folds the WAL into the file
    return path, key


@pytest.fixture
def sandbox_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    from sandbox import create_app

    path = tmp_path / "sandbox.sqlite3"
    if "connected_company" in request.fixturenames:
        shutil.copyfile(request.getfixturevalue("_seeded_sandbox_file")[0], path)
    app = create_app({**SANDBOX_TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    yield app
    app.extensions["sandbox"].close()


@pytest.fixture
def sandbox_client(sandbox_app: Flask) -> FlaskClient:
    return sandbox_app.test_client()


@pytest.fixture
def connected_company(sandbox_app: Flask, _seeded_sandbox_file: tuple[Path, str]) -> str:
    """A company with the Ledgerly accounting app and the Northbank bank connected (a copy of the seeded file)."""
    return _seeded_sandbox_file[1]


@pytest.fixture(name="upstream")
def upstream_fixture() -> FakeUpstream:
    """Fixture ``upstream``: a fresh recording fake upstream (the broker's unit tests)."""
    return FakeUpstream()


@pytest.fixture(name="app")
def app_fixture(tmp_path: Any, upstream: FakeUpstream) -> Iterator[Flask]:
    """Fixture ``app``: a broker app on ``tmp_path`` talking to the ``upstream`` fixture."""
    with broker_app(tmp_path, upstream.transport) as app:
        yield app
