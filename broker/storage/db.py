"""The broker's database: engine, sessions and Alembic migrations that are safe to start from several processes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from common.database import make_engine, schema_lock

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK_ID = 7_305_142_001  # arbitrary constant: one advisory lock for broker migrations

T = TypeVar("T")

log = logging.getLogger(__name__)


def insert_or_race_winner(session: Session, row: T, winner: Callable[[], T | None]) -> tuple[T, bool]:
    """Insert ``row`` (flushed, not committed) and return ``(row, True)``; when a unique constraint says another request
    inserted it first, roll back and return ``(winner(), False)``, or re-raise when ``winner`` finds nothing.

    The rollback drops whatever else the session had pending: call it before any other change.
    """
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        found = winner()
        if found is None:
            raise
        return found, False
    return row, True


class Database:
    """One engine and session factory for one broker app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """Return a new session (the caller closes it)."""
        return self.sessions()

    def ping(self) -> bool:
        """Return whether the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def upgrade(self) -> bool:
        """Bring the schema to the newest revision, holding a lock so that concurrent starts take turns.

        Returns whether this call changed the schema (``False`` when another process had already done it).
        """
        with schema_lock(self.engine, _PG_LOCK_ID), self.engine.begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = MigrationContext.configure(connection).get_current_revision()
        if before == after:
            log.info("database schema already at %s", after, extra={"migration": "none"})
            return False
        log.info("database migrated from %s to %s", before or "empty", after, extra={"migration": "applied"})
        return True

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
