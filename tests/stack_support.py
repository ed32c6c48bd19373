"""A live sandbox and broker wired together on loopback, with a lender created by the broker's CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from tests.broker_support import SANDBOX_CONFIG, create_lender, sandbox_and_broker
from tests.live_server import live_server

__all__ = ["LENDER_ORIGIN", "SANDBOX_CONFIG", "LiveStack", "live_stack"]

LENDER_ORIGIN = "http://localhost:8000"


@dataclass
class LiveStack:
    """URLs of the two servers, their apps, and the lender's credentials."""

    sandbox_url: str
    broker_url: str
    sandbox: Flask
    broker: Flask
    client_id: str
    client_secret: str
    origin: str = LENDER_ORIGIN


@contextlib.contextmanager
def live_stack(folder: Path, **broker_overrides: Any) -> Iterator[LiveStack]:
    """Start the sandbox and a broker pointed at it; create the lender with ``flask create-client``."""
    with (
        sandbox_and_broker(folder, RATELIMIT_PER_ADDRESS="100000 per minute", **broker_overrides) as stack,
        live_server(stack.broker) as broker,
    ):
        lender = create_lender(stack.broker, "Postman Lender", LENDER_ORIGIN)
        yield LiveStack(
            stack.sandbox_url, broker.url, stack.sandbox, stack.broker, lender["client_id"], lender["client_secret"]
        )
