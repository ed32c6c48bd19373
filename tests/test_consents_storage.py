"""Storage of issue 18: migration 0100 creates exactly what the consent, note and invitation models declare."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import broker.consents.models
import broker.invitations.models
import broker.owner_notes.models  # noqa: F401 - registers the tables on Base.metadata
from broker.storage import Base, Database
from tests.broker_support import reachable

TABLES = {
    "consent_terms",
    "consent_receipts",
    "owner_notes",
    "owner_note_changes",
    "owner_attestations",
    "accountant_invitations",
}


@pytest.fixture
def postgres() -> Iterator[str]:
    if not reachable(5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"broker_consents_{uuid.uuid4().hex[:12]}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    return str(request.getfixturevalue("postgres"))


def test_the_migration_creates_exactly_what_the_models_declare(url: str) -> None:
    db = Database(url if not url.startswith("postgresql://") else "postgresql+psycopg://" + url[len("postgresql://") :])
    try:
        db.upgrade()
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) >= TABLES
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        ours = [d for d in diff if any(t in repr(d) for t in TABLES)]
        assert ours == []
    finally:
        db.dispose()


def test_the_migration_goes_down_and_up_again(tmp_path: Any) -> None:
    from alembic import command
    from alembic.config import Config

    from broker.storage.db import MIGRATIONS

    db = Database(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    try:
        db.upgrade()
        with db.engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.downgrade(config, "0004_map_reconcile")
            assert not TABLES & set(inspect(connection).get_table_names())
            command.upgrade(config, "head")
            assert set(inspect(connection).get_table_names()) >= TABLES
    finally:
        db.dispose()
