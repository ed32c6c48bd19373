"""Audit entries of proxied reads: written in batches off the request path, and none lost on a clean shutdown."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from broker import create_app
from broker.storage import AuditEntry, Database
from broker.storage.audit_writer import AuditWriter, PendingEntry
from tests.broker_support import FakeUpstream, auth_headers, new_account, new_client, settings


def _reads(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).where(AuditEntry.action == "data.read")) or 0)


def test_every_read_is_written_when_the_broker_closes(tmp_path: Any) -> None:
    app = create_app(settings(tmp_path, FakeUpstream().transport))
    state = app.extensions["broker"]
    lender = new_client(app)
    key = new_account(app, lender)
    for page in range(1, 41):
        response = app.test_client().get(f"/v1/accounts/{key}/data/invoices?page={page}", headers=auth_headers(lender))
        assert response.status_code == 200
    state.close()  # what gunicorn's worker_exit and interpreter exit do
    assert state.audit.queued == 0
    assert _reads(Database(state.db.url)) == 40


def test_entries_are_written_in_the_background_within_the_interval(tmp_path: Any) -> None:
    db = Database(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    db.upgrade()
    writer = AuditWriter(db, interval=0.05)
    try:
        for n in range(5):
            writer.add(PendingEntry(datetime.now(UTC), "client:cli_x", "data.read", None, f"invoices/{n}", None))
        deadline = time.monotonic() + 5
        while _reads(db) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _reads(db) == 5 and writer.queued == 0
    finally:
        writer.close()
        db.dispose()


def test_a_full_queue_makes_the_request_write_its_own_entry(tmp_path: Any) -> None:
    db = Database(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    db.upgrade()
    writer = AuditWriter(db, interval=60, max_queued=2)
    try:
        for n in range(5):
            writer.add(PendingEntry(datetime.now(UTC), "client:cli_x", "data.read", None, f"bills/{n}", None))
        assert writer.queued == 2 and _reads(db) == 3  # nothing dropped to make room
    finally:
        writer.close()
    assert _reads(db) == 5
    db.dispose()
