"""The sandbox's database: workers starting at once on a new database all come up, with the whole schema and one
registration of the connector at each app."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import inspect

from sandbox.apps.catalog import APPS
from sandbox.appserver.views import register_connector
from sandbox.db import Database
from sandbox.models import AppClient, Base

CONNECTOR = {"CONNECTOR_CLIENT_ID": "ledgerlink-connector", "CONNECTOR_CLIENT_SECRET": "connector-secret-for-tests"}


def _create_concurrently(url: str, copies: int = 4) -> list[BaseException]:
    """Run ``create_all`` from ``copies`` databases at the same moment, as gunicorn workers booting together do."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(copies)

    def run() -> None:
        db = Database(url)
        try:
            barrier.wait()
            db.create_all(lambda started: register_connector(started, CONNECTOR))
        except BaseException as error:
            errors.append(error)
        finally:
            db.engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_workers_starting_together_on_a_new_sqlite_file_take_turns(tmp_path: Any) -> None:
    for round_ in range(5):
        url = f"sqlite:///{tmp_path / f'sandbox-{round_}.sqlite3'}"
        assert _create_concurrently(url) == []
        db = Database(url)
        assert set(inspect(db.engine).get_table_names()) == set(Base.metadata.tables)
        with db.session() as session:
            assert session.query(AppClient).count() == len(APPS)  # the connector, once at each simulated app
        db.engine.dispose()
