"""The consent gate: a second of memory per process, forgotten at once on this process's changes, expiry exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from broker.consents.gate import ConsentGate
from broker.consents.models import ConsentReceipt, ConsentTerms
from broker.errors import AccessExpired, ConsentRevoked
from broker.storage import Database
from broker.storage.models import Account, Client

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'broker.sqlite3'}")
    database.upgrade()
    with database.session() as session:
        session.add(Client(id="cli_gate", name="Gate", secret_hash="x", origins="https://l.example", created_at=NOW))
        session.flush()
        session.add(
            Account(
                id=1,
                account_key="key_gate",
                client_id="cli_gate",
                name="Co",
                email="co@example.test",
                region="us",
                subdomain="co",
                created_at=NOW,
            )
        )
        session.flush()  # the tables have no relationships to order the inserts by
        session.add(
            ConsentTerms(account_id=1, company_ref="co_gate", access_expires_at=NOW + timedelta(days=9), updated_at=NOW)
        )
        session.commit()
    yield database
    database.dispose()


class Sessions:
    """A session factory that counts how often the gate asks the database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.opened = 0

    def __call__(self) -> Session:
        self.opened += 1
        return self.db.session()


def set_end(db: Database, when: datetime) -> None:
    """Change the lender's end of access as another process would (nothing tells the gate)."""
    with db.session() as session:
        row = session.get(ConsentTerms, 1)
        assert row is not None
        row.access_expires_at = when
        session.commit()


def revoke_receipt(db: Database) -> None:
    with db.session() as session:
        session.add(
            ConsentReceipt(
                id="rcpt_1",
                account_id=1,
                client_id="cli_gate",
                kid="k",
                receipt="r",
                claims="{}",
                issued_at=NOW,
                expires_at=NOW + timedelta(days=90),
                link_nonce="n",
                revoked_at=NOW,
                revoked_by="owner:receipt_link",
            )
        )
        session.commit()


def test_a_change_by_another_process_is_seen_within_the_bound_and_not_before(db: Database) -> None:
    clock, sessions = Clock(), Sessions(db)
    gate = ConsentGate(ttl=1.0, monotonic=clock)
    gate.check(sessions, 1, NOW)
    set_end(db, NOW - timedelta(minutes=1))
    clock.value += 0.9
    gate.check(sessions, 1, NOW)  # still remembered: the other process's change is not seen yet
    assert sessions.opened == 1
    clock.value += 0.2
    with pytest.raises(AccessExpired):
        gate.check(sessions, 1, NOW)
    assert sessions.opened == 2


def test_a_change_made_here_is_seen_at_once(db: Database) -> None:
    clock, sessions = Clock(), Sessions(db)
    gate = ConsentGate(ttl=1.0, monotonic=clock)
    gate.check(sessions, 1, NOW)
    revoke_receipt(db)
    gate.forget(1)
    with pytest.raises(ConsentRevoked):
        gate.check(sessions, 1, NOW)


def test_the_end_of_access_is_exact_without_asking_the_database_again(db: Database) -> None:
    clock, sessions = Clock(), Sessions(db)
    gate = ConsentGate(ttl=1.0, monotonic=clock)
    gate.check(sessions, 1, NOW + timedelta(days=9) - timedelta(seconds=1))
    with pytest.raises(AccessExpired):
        gate.check(sessions, 1, NOW + timedelta(days=9))
    assert sessions.opened == 1


def test_a_load_that_straddles_a_forget_is_not_remembered(db: Database) -> None:
    clock = Clock()
    gate = ConsentGate(ttl=1.0, monotonic=clock)
    opened = 0

    def racing_session() -> Session:
        nonlocal opened
        opened += 1
        gate.forget(1)  # this process commits a change while the load runs
        return db.session()

    gate.check(racing_session, 1, NOW)
    gate.check(racing_session, 1, NOW)
    assert opened == 2
