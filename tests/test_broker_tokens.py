"""Link tokens: binding, expiry on a frozen clock, revocation (memory and Redis), key rotation, bad input."""

from __future__ import annotations

import uuid

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
    clock.advance(elapsed)
    if valid:
        tokens.verify(token)
    else:
        with pytest.raises(InvalidToken):
            tokens.verify(token)


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
