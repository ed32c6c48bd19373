"""Storage of map and reconcile: migration 0004 matches the models on SQLite and PostgreSQL, and saves are durable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from broker.review.models import AccountMapping, MappingChange, MatchDecision, ReconciliationState, StandardChartRow
from broker.storage import Base, Database
from broker.storage.models import Account, Client
from tests.broker_support import reachable

REVIEW_TABLES = {
    "standard_charts",
    "account_mappings",
    "mapping_changes",
    "match_decisions",
    "reconciliation_changes",
    "reconciliation_states",
}
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _sqlite(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'broker.sqlite3'}"


@pytest.fixture
def postgres() -> Iterator[str]:
    if not reachable(5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"broker_review_{uuid.uuid4().hex[:12]}"
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
        return _sqlite(tmp_path)
    return str(request.getfixturevalue("postgres"))


def test_the_migration_creates_exactly_what_the_models_declare(url: str) -> None:
    db = Database(url)
    try:
        db.upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        ours = [d for d in diff if any(t in repr(d) for t in REVIEW_TABLES)]
        assert ours == []
    finally:
        db.dispose()


def test_saved_rows_survive_a_new_process_and_duplicates_are_refused(url: str) -> None:
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        session.add(Client(id="cl_1", name="L", secret_hash="x", origins="https://a.example", created_at=NOW))
        session.flush()
        account = Account(
            account_key="ak_1",
            client_id="cl_1",
            name="Co",
            email="a@b.c",
            region="default",
            subdomain="co",
            created_at=NOW,
        )
        session.add(account)
        session.flush()
        session.add_all(
            [
                StandardChartRow(client_id="cl_1", chart="{}", updated_at=NOW),
                AccountMapping(
                    account_id=account.id,
                    source_account_id="acct_1",
                    category="cash",
                    learning_key="checking",
                    saved_at=NOW,
                    saved_by="link:j1",
                ),
                MappingChange(
                    account_id=account.id,
                    source_account_id="acct_1",
                    old_category=None,
                    new_category="cash",
                    at=NOW,
                    actor="link:j1",
                ),
                MatchDecision(
                    account_id=account.id,
                    match_key="k" * 64,
                    bank_ids="b1",
                    ledger_ids="l1 l2",
                    decision="confirmed",
                    decided_at=NOW,
                    decided_by="link:j1",
                ),
                ReconciliationState(account_id=account.id, reliable_through=date(2026, 9, 30), completed_at=NOW),
            ]
        )
        session.commit()
        account_id = account.id
    db.dispose()
    again = Database(url)
    try:
        with again.session() as session:
            assert session.scalars(select(AccountMapping.category)).all() == ["cash"]
            state = session.get(ReconciliationState, account_id)
            assert state is not None and state.reliable_through == date(2026, 9, 30) and state.completed_at == NOW
            session.add(
                MatchDecision(
                    account_id=account_id,
                    match_key="k" * 64,
                    bank_ids="b1",
                    ledger_ids="l1 l2",
                    decision="rejected",
                    decided_at=NOW,
                    decided_by="link:j2",
                )
            )
            with pytest.raises(IntegrityError):
                session.commit()
    finally:
        again.dispose()


def test_the_map_step_reads_the_trial_balance_side_for_names_alone(tmp_path: Any) -> None:
    """An account known only by its name is placed by its balance's side: "Owner account" in debit is money the owner
    owes the company (an asset), in credit it is the owner's equity."""
    from broker.review.books import Books
    from broker.review.mapping_store import mapping_view

    db = Database(_sqlite(tmp_path))
    db.upgrade()
    accounts = [{"id": "own", "name": "Owner account"}, {"id": "bank", "name": "Operating bank account"}]

    def shown(amount: int) -> str | None:
        entry = {"lines": [{"account_id": "own", "amount": amount}, {"account_id": "bank", "amount": -amount}]}
        with db.session() as session:
            key = f"ak_{uuid.uuid4().hex[:8]}"
            if session.get(Client, "cl_tb") is None:
                session.add(Client(id="cl_tb", name="L", secret_hash="x", origins="https://a.example", created_at=NOW))
                session.flush()
            account = Account(
                account_key=key,
                client_id="cl_tb",
                name="Co",
                email="a@b.c",
                region="default",
                subdomain=key,
                created_at=NOW,
            )
            session.add(account)
            session.flush()
            view = mapping_view(session, account, Books(accounts, [entry], [], []))
        row = next(item for item in view["accounts"] if item["id"] == "own")
        assert row["balance"] == amount
        return row["suggestion"]["category"]

    assert shown(-50_000) == "owner_equity"
    assert shown(50_000) != "owner_equity"
