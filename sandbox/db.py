"""Database engine and sessions for the sandbox: SQLite file by default, any SQLAlchemy URL by configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from common.database import make_engine, schema_lock
from sandbox.models import Base

_SCHEMA_LOCK_ID = 7_305_142_002  # arbitrary constant: the advisory lock for the sandbox's schema on PostgreSQL


class Database:
    """The sandbox's engine and a session factory; ``session()`` commits on success and rolls back on error."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_all(self, *startup_writes: Callable[[Database], None]) -> None:
        """Create missing tables (the schema only grows; no migration history), then run ``startup_writes``.

        All under one lock: gunicorn workers that start at once on a new database would otherwise race to create a
        table, or to insert the same start-up row (the connector's registration at each app).
        """
        with schema_lock(self.engine, _SCHEMA_LOCK_ID):
            Base.metadata.create_all(self.engine)
            for write in startup_writes:
                write(self)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session inside one transaction."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
