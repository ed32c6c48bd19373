"""Link tokens: binding, expiry on a frozen clock, revocation (memory and Redis), key rotation, bad input."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from broker.errors import InvalidToken
from broker.tokens import LINK_SALT, LinkTokens, MemoryRevocations, RedisRevocations
from tests.broker_support import FrozenClock, reachable

KEY_A = "key-a-0123456789abcdefghijklmnopqrstuv"
KEY_B = "key-b-0123456789abcdefghijklmnopqrstuv"


def make(keys: list[str], clock: FrozenClock, store: object | None = None) -> LinkTokens:
    return LinkTokens(keys, store or MemoryRevocations(clock), max_lifetime=3600, clock=clock)  # type: ignore[arg-type]


def mint(tokens: LinkTokens, lifetime: int = 1800) -> str:
    token, _ = tokens.mint(
        client_id="cli_1", account_key="ak_1", origin="https://a.example", scopes=["read", "map"], lifetime=lifetime
    )
    return token


def test_verify_returns_the_bound_claims() -> None:
    clock = FrozenClock()
    tokens = make([KEY_A], clock)
    claims = tokens.verify(mint(tokens))
    assert (claims.client_id, claims.account_key, claims.origin) == ("cli_1", "ak_1", "https://a.example")
    assert claims.scopes == ("map", "read")
    assert claims.expires_at == int(clock.now) + 1800


@pytest.mark.parametrize(
    ("lifetime", "elapsed", "valid"),
    [(1800, 1799, True), (1800, 1800, False), (60, 61, False), (3600, 3599, True), (3600, 3601, False)],
)
def test_expiry_follows_the_token_lifetime(lifetime: int, elapsed: int, valid: bool) -> None:
    clock = FrozenClock()
    tokens = make([KEY_A], clock)
    token = mint(tokens, lifetime)
    tokens.verify(token)  # its signature is now remembered: that must not lengthen its life
    clock.advance(elapsed)
    for verifier in (tokens, make([KEY_A], clock)):  # checked before, and seen for the first time
        if valid:
            verifier.verify(token)
        else:
            with pytest.raises(InvalidToken, match="expired"):
                verifier.verify(token)


def _tamper(token: str) -> str:
    payload, stamp, signature = token.rsplit(".", 2)
    return f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{stamp}.{signature}"


BAD_TOKENS = [
    pytest.param(lambda t: _tamper(t), id="tampered-payload"),
    pytest.param(lambda t: t[:-3] + ("xyz" if not t.endswith("xyz") else "abc"), id="tampered-signature"),
    pytest.param(lambda t: "", id="empty"),
    pytest.param(lambda t: "x" * 5000, id="over-long"),
    pytest.param(lambda t: t + "a" * 3000, id="over-long-suffix"),
    pytest.param(lambda t: None, id="none"),
    pytest.param(lambda t: 12345, id="int"),
    pytest.param(lambda t: t.encode(), id="bytes"),
    pytest.param(lambda t: ["a"], id="list"),
    pytest.param(lambda t: "été.☃.x", id="unicode"),
    pytest.param(lambda t: "....", id="dots"),
    pytest.param(lambda t: URLSafeTimedSerializer(KEY_A, salt="another.purpose").dumps({"jti": "j"}), id="wrong-salt"),
    pytest.param(lambda t: URLSafeTimedSerializer(KEY_B, salt=LINK_SALT).dumps({"jti": "j"}), id="wrong-key"),
    pytest.param(lambda t: URLSafeTimedSerializer(KEY_A, salt=LINK_SALT).dumps({"jti": "j"}), id="wrong-shape"),
    pytest.param(
        lambda t: URLSafeTimedSerializer(KEY_A, salt=LINK_SALT).dumps(
            {"jti": "j", "cli": "c", "acc": "a", "org": "o", "scp": ["admin"], "exp": 2**40}
        ),
        id="unknown-scope",
    ),
]


@pytest.mark.parametrize("spoil", BAD_TOKENS)
def test_bad_tokens_are_invalid_never_another_error(spoil: object) -> None:
    clock = FrozenClock()
    tokens = make([KEY_A], clock)
    with pytest.raises(InvalidToken):
        tokens.verify(spoil(mint(tokens)))  # type: ignore[operator]


def test_a_token_signed_in_the_future_is_refused_even_once_checked() -> None:
    clock = FrozenClock()
    tokens = make([KEY_A], clock)
    token = mint(tokens)
    tokens.verify(token)
    clock.advance(-5)  # another instance's clock, or this one set back
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token)


@pytest.mark.parametrize("spoil", BAD_TOKENS[:2])
def test_a_checked_token_does_not_vouch_for_a_spoiled_copy(spoil: object) -> None:
    clock = FrozenClock()
    tokens = make([KEY_A], clock)
    token = mint(tokens)
    tokens.verify(token)
    with pytest.raises(InvalidToken):
        tokens.verify(spoil(token))  # type: ignore[operator]


def test_revoked_token_is_invalid_until_it_would_have_expired() -> None:
    clock = FrozenClock()
    store = MemoryRevocations(clock)
    tokens = make([KEY_A], clock, store)
    token = mint(tokens, 600)
    claims = tokens.verify(token)
    tokens.revoke(claims)
    with pytest.raises(InvalidToken, match="revoked"):
        tokens.verify(token)
    assert store.is_revoked(claims.jti)
    clock.advance(602)
    assert not store.is_revoked(claims.jti)  # forgotten once the token is dead anyway


def test_rotation_first_key_signs_all_verify() -> None:
    clock = FrozenClock()
    old = make([KEY_A], clock)
    token_from_old = mint(old)
    rotated = make([KEY_B, KEY_A], clock)
    assert rotated.verify(token_from_old).account_key == "ak_1"
    token_from_new = mint(rotated)
    assert make([KEY_B], clock).verify(token_from_new)
    with pytest.raises(InvalidToken):
        make([KEY_B], clock).verify(token_from_old)  # the old key retired: its tokens die


def test_mint_refuses_a_lifetime_beyond_the_maximum() -> None:
    tokens = make([KEY_A], FrozenClock())
    with pytest.raises(ValueError, match="lifetime"):
        mint(tokens, 3601)


@pytest.mark.redis
@pytest.mark.skipif(not reachable(6379), reason="Redis is not reachable on 127.0.0.1:6379")
def test_redis_revocations_are_shared_and_expire() -> None:
    import redis

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"broker-test:{uuid.uuid4().hex}:"
    try:
        clock = FrozenClock()
        first = make([KEY_A], clock, RedisRevocations(connection, prefix))
        second = make([KEY_A], clock, RedisRevocations(connection, prefix))  # another process, same Redis
        token = mint(first, 120)
        first.revoke(first.verify(token))
        with pytest.raises(InvalidToken, match="revoked"):
            second.verify(token)
        keys = list(connection.scan_iter(f"{prefix}revoked:*"))
        assert len(keys) == 1 and 0 < connection.ttl(keys[0]) <= 121  # gone from Redis when the token dies
    finally:
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)
        connection.close()


def _wait_until(condition: Any, seconds: float) -> float:
    """Poll ``condition`` until it holds; return how long it took (or fail after ``seconds``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition not met in time"
        time.sleep(0.005)
    return time.monotonic() - started


@pytest.mark.redis
@pytest.mark.skipif(not reachable(6379), reason="Redis is not reachable on 127.0.0.1:6379")
def test_redis_revocations_reach_another_instance_within_the_bound_without_a_round_trip() -> None:
    import redis

    from broker.revocations import PROPAGATION_BOUND

    prefix = f"broker-test:{uuid.uuid4().hex}:"
    connections = [redis.Redis.from_url("redis://127.0.0.1:6379/0") for _ in range(2)]
    first, second = (RedisRevocations(c, prefix) for c in connections)
    try:
        first.revoke("jti-before-start", 60)  # published before the second instance listens: loaded on subscribe
        second.is_revoked("warm-up")
        _wait_until(lambda: second.in_sync, 5)
        assert second.is_revoked("jti-before-start")
        first.revoke("jti-live", 60)
        took = _wait_until(lambda: second.is_revoked("jti-live"), PROPAGATION_BOUND)
        assert took < PROPAGATION_BOUND and not second.is_revoked("jti-other")
    finally:
        for store in (first, second):
            store.close()
        for key in connections[0].scan_iter(f"{prefix}*"):
            connections[0].delete(key)
        for c in connections:
            c.close()


@pytest.mark.redis
@pytest.mark.skipif(not reachable(6379), reason="Redis is not reachable on 127.0.0.1:6379")
def test_a_stale_local_copy_is_not_trusted() -> None:
    import redis

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"broker-test:{uuid.uuid4().hex}:"
    offset = [0.0]
    store = RedisRevocations(connection, prefix, monotonic=lambda: time.monotonic() + offset[0])
    try:
        store.is_revoked("warm-up")
        _wait_until(lambda: store.in_sync, 5)
        store.close()  # the listener stops: its last proof of freshness ages
        offset[0] = 5.0
        connection.set(f"{prefix}revoked:jti-unpublished", b"1", ex=60)  # a revocation whose message was lost
        assert not store.in_sync and store.is_revoked("jti-unpublished")  # asked Redis itself
    finally:
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)
        connection.close()


@pytest.mark.redis
@pytest.mark.skipif(not reachable(6379), reason="Redis is not reachable on 127.0.0.1:6379")
def test_a_revocation_on_one_instance_stops_reads_on_another_within_the_bound(tmp_path: Any) -> None:
    from broker.revocations import PROPAGATION_BOUND
    from tests.broker_support import FakeUpstream, auth_headers, bearer, broker_app, new_account, new_client
    from tests.broker_support import new_link_token as mint_through_api

    upstream = FakeUpstream()
    shared = {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": f"broker-test:{uuid.uuid4().hex}:"}
    with (
        broker_app(tmp_path, upstream.transport, **shared) as one,
        broker_app(tmp_path, upstream.transport, **shared) as two,
    ):
        lender = new_client(one)
        minted = mint_through_api(one, lender, new_account(one, lender))
        read = lambda: two.test_client().get("/v1/link/data/invoices", headers=bearer(minted["link_token"]))  # noqa: E731
        assert read().status_code == 200
        _wait_until(lambda: two.extensions["broker"].tokens.revocations.in_sync, 5)
        revoked = one.test_client().delete(f"/v1/link_tokens/{minted['id']}", headers=auth_headers(lender))
        assert revoked.status_code == 204
        took = _wait_until(lambda: read().status_code == 401, PROPAGATION_BOUND)
        assert took < PROPAGATION_BOUND and read().get_json()["error"]["code"] == "invalid_token"
        import redis

        connection = redis.Redis.from_url(shared["REDIS_URL"])
        for key in connection.scan_iter(f"{shared['REDIS_KEY_PREFIX']}*"):
            connection.delete(key)
        connection.close()
