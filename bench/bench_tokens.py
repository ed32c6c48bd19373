"""Link-token throughput: mints and verifications per second (in-memory revocations, and Redis when reachable).

With Redis, verifications read a local copy of the revoked ids kept current by pub/sub (``broker.revocations``).
A process checks a token's signature once and remembers it (``broker.tokens.CHECKED_TOKENS``): "first sight" verifies
tokens it has not seen (twice as many as it remembers, in turn), "again" one token over and over, as a widget session
does with every call.
"""

from __future__ import annotations

import itertools
import socket
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broker.tokens import CHECKED_TOKENS, LinkTokens, MemoryRevocations, RedisRevocations, RevocationStore

KEYS = ["bench-key-new-0123456789abcdefghijklmnop", "bench-key-old-0123456789abcdefghijklmnop"]
SECONDS = 1.5


def rate(label: str, action: object) -> float:
    """Call ``action`` for about SECONDS and print and return the calls per second."""
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < SECONDS:
        for _ in range(200):
            action()  # type: ignore[operator]
        count += 200
    per_second = count / (time.perf_counter() - started)
    print(f"{label:52} {per_second:10,.0f} /s  ({1e6 / per_second:6.1f} µs each)")
    return per_second


def run(store_label: str, store: RevocationStore) -> None:
    tokens = LinkTokens(KEYS, store)
    old_key_tokens = LinkTokens(KEYS[1:], store)

    def mint() -> str:
        return tokens.mint(
            client_id="cli_bench",
            account_key="ak_bench",
            origin="https://lender.example",
            scopes=["read", "map"],
            lifetime=1800,
        )[0]

    token, legacy = (
        mint(),
        old_key_tokens.mint(client_id="c", account_key="a", origin="https://l.example", scopes=["read"], lifetime=1800)[
            0
        ],
    )
    rate(f"mint ({store_label})", mint)
    unseen = itertools.cycle([mint() for _ in range(2 * CHECKED_TOKENS)])
    rate(f"verify, first sight ({store_label})", lambda: tokens.verify(next(unseen)))
    rate(f"verify, again ({store_label})", lambda: tokens.verify(token))
    rate(f"verify again, previous key after rotation ({store_label})", lambda: tokens.verify(legacy))


def main() -> None:
    run("memory revocations", MemoryRevocations())
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        print("Redis not reachable on 127.0.0.1:6379: Redis figures skipped")
        return
    import redis

    from broker.revocations import PROPAGATION_BOUND

    connection = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    store = RedisRevocations(connection, f"bench:{uuid.uuid4().hex}:")
    store.is_revoked("warm-up")  # starts the listener; until it is in sync, checks ask Redis
    deadline = time.monotonic() + 5
    while not store.in_sync and time.monotonic() < deadline:
        time.sleep(0.01)
    print(f"Redis revocations: local copy fed by pub/sub, in sync: {store.in_sync}, bound {PROPAGATION_BOUND:g} s")
    run("Redis revocations", store)
    store.close()
    connection.close()


if __name__ == "__main__":
    main()
