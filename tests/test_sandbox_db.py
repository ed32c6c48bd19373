"""The sandbox's database: workers starting at once on a new database all come up, with the whole schema and one
registration of the connector at each app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from sandbox.apps.catalog import APPS
from sandbox.apps.server.views import register_connector
from sandbox.db import Database
from sandbox.models import AppClient, Base
from tests.concurrency import start_together

CONNECTOR = {"CONNECTOR_CLIENT_ID": "ledgerlink-connector", "CONNECTOR_CLIENT_SECRET": "connector-secret-for-tests"}


def _create_concurrently(url: str, copies: int = 4) -> list[BaseException]:
    """Run ``create_all`` from ``copies`` databases at the same moment, as gunicorn workers booting together do."""
    return start_together(
        lambda: Database(url),
        lambda db: db.create_all(lambda started: register_connector(started, CONNECTOR)),
        lambda db: db.engine.dispose(),
        copies,
    )


def test_workers_starting_together_on_a_new_sqlite_file_take_turns(tmp_path: Any) -> None:
    for round_ in range(5):
        url = f"sqlite:///{tmp_path / f'sandbox-{round_}.sqlite3'}"
        assert _create_concurrently(url) == []
        db = Database(url)
        assert set(inspect(db.engine).get_table_names()) == set(Base.metadata.tables)
        with db.session() as session:
            assert session.query(AppClient).count() == len(APPS)  # the connector, once at each simulated app
        db.engine.dispose()
