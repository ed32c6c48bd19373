"""Storage: migrations (SQLite always, PostgreSQL when reachable, concurrent starts), secrets hashed and rotated."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from broker.errors import AuthenticationFailed
from broker.lender import clients
from broker.revocations import PROPAGATION_BOUND
from broker.storage import Client, Database
from tests.broker_support import (
    FakeUpstream,
    FrozenClock,
    assert_error,
    basic,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
    reachable,
)
from tests.concurrency import start_together
from tests.scaleout_support import fresh_database

TABLES = {"alembic_version", "clients", "accounts", "link_tokens", "audit_log"}


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not reachable(5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with fresh_database() as url:
        yield url


def test_sqlite_is_migrated_at_startup(tmp_path: Any) -> None:
    with broker_app(tmp_path) as app:
        engine = app.extensions["broker"].db.engine
        assert set(inspect(engine).get_table_names()) >= TABLES


def _upgrade_concurrently(url: str, copies: int = 4) -> list[BaseException]:
    return start_together(lambda: Database(url), Database.upgrade, Database.dispose, copies)


def test_concurrent_upgrades_on_sqlite_take_turns(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    assert _upgrade_concurrently(url) == []
    db = Database(url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.dispose()


@pytest.mark.postgres
def test_postgres_concurrent_upgrades_and_a_full_flow(tmp_path: Any, postgres_url: str) -> None:
    from broker.config import database_url

    assert _upgrade_concurrently(database_url({"DATABASE_URL": postgres_url}, "")) == []
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport, DATABASE_URL=postgres_url) as app:
        assert not app.extensions["broker"].db.is_sqlite
        lender = new_client(app)
        key = new_account(app, lender, external_id="pg-1")
        assert new_account(app, lender, external_id="pg-1") == key
        minted = new_link_token(app, lender, key)
        client = app.test_client()
        assert client.get("/v1/link/data/invoices", headers=bearer(minted["link_token"])).status_code == 200
        assert (
            client.delete(
                f"/v1/link_tokens/{minted['id']}", headers={"Authorization": lender["Authorization"]}
            ).status_code
            == 204
        )
        assert_error(client.get("/v1/link/data/invoices", headers=bearer(minted["link_token"])), 401)
        assert client.get("/readyz").status_code == 200


def test_client_secrets_are_stored_hashed(tmp_path: Any) -> None:
    with broker_app(tmp_path) as app:
        lender = new_client(app)
        with app.extensions["broker"].db.session() as session:
            stored = session.scalars(select(Client)).one()
        assert lender["secret"] not in stored.secret_hash and stored.secret_hash.startswith("scrypt$")
        assert clients.check_secret(stored.secret_hash, lender["secret"])
        assert not clients.check_secret(stored.secret_hash, lender["secret"] + "x")
        assert not clients.check_secret("garbage", lender["secret"])


@pytest.mark.parametrize(("grace_hours", "after", "old_works"), [(2, 3600, True), (2, 7201, False), (0, 0, False)])
def test_rotation_keeps_the_old_secret_for_the_grace_period(
    tmp_path: Any, grace_hours: float, after: int, old_works: bool
) -> None:
    clock = FrozenClock()
    with broker_app(tmp_path, CLOCK=clock, CLIENT_AUTH_CACHE_SECONDS=0) as app:
        lender = new_client(app)
        state = app.extensions["broker"]
        with state.db.session() as session:
            new_secret = clients.rotate_secret(
                session,
                lender["client_id"],
                timedelta(hours=grace_hours),
                state.now(),
                app.config["CLIENT_SECRET_HASH_COST"],
            )
        clock.advance(after)
        client = app.test_client()
        assert client.get("/v1/accounts", headers=basic(lender["client_id"], new_secret)).status_code == 200
        old = client.get("/v1/accounts", headers=basic(lender["client_id"], lender["secret"]))
        assert old.status_code == (200 if old_works else 401)


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every scrypt check the authenticator runs (the real check still runs)."""
    calls: list[str] = []
    real = clients.check_secret

    def counting(stored: str | None, secret: str) -> bool:
        calls.append(secret)
        return real(stored, secret)

    monkeypatch.setattr(clients, "check_secret", counting)
    return calls


def _rotate(app: Any, client_id: str, grace: timedelta) -> str:
    """Rotate the client's secret straight in the database, as another process would (this one's memory is not
    told); return the new secret."""
    state = app.extensions["broker"]
    with state.db.session() as session:
        return clients.rotate_secret(session, client_id, grace, state.now(), app.config["CLIENT_SECRET_HASH_COST"])


@contextlib.contextmanager
def _remembered(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, FrozenClock, list[str], str, dict[str, str]]]:
    """A broker whose memory holds one client's secret (one scrypt so far): the app, its clock, the scrypt checks
    run, the client's id and the headers that succeeded."""
    clock = FrozenClock()
    checks = _counting_checks(monkeypatch)
    with broker_app(tmp_path, CLOCK=clock, CLIENT_AUTH_CACHE_SECONDS=60) as app:
        lender = new_client(app)
        headers = basic(lender["client_id"], lender["secret"])
        assert app.test_client().get("/v1/accounts", headers=headers).status_code == 200
        assert len(checks) == 1
        yield app, clock, checks, lender["client_id"], headers


def test_a_remembered_secret_is_renewed_without_scrypt_while_its_hash_is_unchanged(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _remembered(tmp_path, monkeypatch) as (app, clock, checks, client_id, headers):
        client = app.test_client()
        for _ in range(3):  # past each window the row is read again; the same hash is stored, so no new scrypt
            clock.advance(61)
            assert client.get("/v1/accounts", headers=headers).status_code == 200
        assert len(checks) == 1
        # Rotated elsewhere without a grace period: once the window has passed, the old secret is refused and the
        # new one checked afresh.
        new_secret = _rotate(app, client_id, timedelta(0))
        assert client.get("/v1/accounts", headers=headers).status_code == 200  # still inside the window
        clock.advance(61)
        assert_error(client.get("/v1/accounts", headers=headers), 401)
        assert client.get("/v1/accounts", headers=basic(client_id, new_secret)).status_code == 200


def test_a_remembered_secret_rotated_out_with_grace_lasts_until_the_grace_ends(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _remembered(tmp_path, monkeypatch) as (app, clock, checks, client_id, old):
        client = app.test_client()
        _rotate(app, client_id, timedelta(seconds=90))
        clock.advance(61)  # the old hash is now the previous one, still in its grace: renewed, without scrypt
        assert client.get("/v1/accounts", headers=old).status_code == 200
        assert len(checks) == 1
        clock.advance(30)  # the grace has ended, and the renewal was remembered no longer than the grace
        assert_error(client.get("/v1/accounts", headers=old), 401)


def test_concurrent_requests_with_new_credentials_share_one_scrypt(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _counting_checks(monkeypatch)
    with broker_app(tmp_path) as app:
        lender = new_client(app)
        state = app.extensions["broker"]
        found: list[str] = []

        def check(_: None) -> None:
            with state.db.session() as session:
                found.append(state.authenticator.authenticate(session, lender["client_id"], lender["secret"]).id)

        assert start_together(lambda: None, check, lambda _: None, copies=8) == []
        assert found == [lender["client_id"]] * 8
        assert len(checks) == 1  # one thread ran scrypt, the seven others found its result
        with state.db.session() as session:
            for _ in range(2):  # a wrong secret is never remembered: each attempt pays the full check
                with pytest.raises(AuthenticationFailed):
                    state.authenticator.authenticate(session, lender["client_id"], lender["secret"] + "x")
        assert len(checks) == 3


def test_secret_key_rotation_keeps_live_link_tokens(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    old_key, new_key = "old-key-" + "o" * 32, "new-key-" + "n" * 32
    with broker_app(tmp_path, upstream.transport, SECRET_KEYS=[old_key]) as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender))["link_token"]
    with broker_app(tmp_path, upstream.transport, SECRET_KEYS=[new_key, old_key]) as app:
        assert app.test_client().get("/v1/link/data/invoices", headers=bearer(token)).status_code == 200
    with broker_app(tmp_path, upstream.transport, SECRET_KEYS=[new_key]) as app:
        assert_error(app.test_client().get("/v1/link/data/invoices", headers=bearer(token)), 401, "invalid_token")


@pytest.mark.redis
@pytest.mark.skipif(not reachable(6379), reason="Redis is not reachable on 127.0.0.1:6379")
def test_two_processes_share_revocations_and_limits_through_redis(tmp_path: Any) -> None:
    import redis

    upstream = FakeUpstream()
    prefix = f"broker-test:{uuid.uuid4().hex}:"
    shared = {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": prefix, "RATELIMIT_PER_COMPANY": "3/minute"}
    try:
        with (
            broker_app(tmp_path, upstream.transport, **shared) as one,
            broker_app(tmp_path, upstream.transport, **shared) as two,
        ):
            lender = new_client(one)
            minted = new_link_token(one, lender, new_account(one, lender))
            headers = bearer(minted["link_token"])
            statuses = [
                app.test_client().get("/v1/link/data/invoices", headers=headers).status_code
                for app in (one, two, one, two)
            ]
            assert statuses == [200, 200, 200, 429]  # one budget for the company across both processes
            one.test_client().delete(
                f"/v1/link_tokens/{minted['id']}", headers={"Authorization": lender["Authorization"]}
            )
            # Revocations reach the other process through pub/sub within the stated bound (usually milliseconds).
            deadline = time.monotonic() + PROPAGATION_BOUND
            while two.test_client().get("/v1/link/data/invoices", headers=headers).status_code != 401:
                assert time.monotonic() < deadline, "the revocation did not reach the other process within the bound"
                time.sleep(0.01)
            assert_error(two.test_client().get("/v1/link/data/invoices", headers=headers), 401, "invalid_token")
    finally:
        connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
        connection.close()
