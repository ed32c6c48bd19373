"""Fixtures of the security suite: one broker with two lenders per test module."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.broker_support import FakeUpstream, broker_app
from tests.security.support import Lender

UNLIMITED = {k: "100000 per minute" for k in ("RATELIMIT_PER_ADDRESS", "RATELIMIT_PER_CLIENT", "RATELIMIT_PER_COMPANY")}


@pytest.fixture(scope="module")
def lender_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lender]:
    """One broker per test module (building one costs a migration run); limits are the rate-limit file's business."""
    upstream = FakeUpstream()
    with broker_app(tmp_path_factory.mktemp("security"), upstream.transport, **UNLIMITED) as app:
        yield Lender(app, upstream)


@pytest.fixture
def lender(lender_world: Lender, caplog: pytest.LogCaptureFixture) -> Lender:
    """The module's broker with an empty record of upstream calls and every log line captured."""
    caplog.set_level(logging.DEBUG)
    lender_world.upstream.requests.clear()
    return lender_world
