"""SQLAlchemy engines for the apps, and a lock so that processes starting at once change a schema one at a time.

SQLite (the embedded default) gets WAL, a busy timeout, foreign keys and cross-thread use; any other URL gets
pre-ping. ``schema_lock`` is a file lock beside a SQLite file, or a PostgreSQL advisory lock: gunicorn workers and
broker instances that start together take turns, so the second finds the schema made instead of racing to make it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

POOL_SIZE = 12
POOL_OVERFLOW = 20


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings this project runs every database with."""
    if not url.startswith("sqlite"):
        # Enough kept-open connections for every request thread of a gunicorn worker (8 by default) and the
        # background senders: past pool_size SQLAlchemy closes each returned connection, and PostgreSQL then starts
        # a new backend process per request (seen under bench/bench_load.py with the default of 5).
        return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across crashes of the process, not of power
    cursor.close()


@contextlib.contextmanager
def schema_lock(engine: Engine, lock_id: int) -> Iterator[None]:
    """Hold, for the block, the lock that guards this database's schema (one ``lock_id`` per app)."""
    if engine.url.get_backend_name() == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            yield  # a private database: no other process can see it
            return
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(f"{path}.migrate.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
            connection.commit()
