"""The browser fixtures shared by the e2e suite and the security suite's postMessage tests: one Chromium for the
whole run, a three-origin ``world`` (sandbox, broker, the lender's page on loopback) per test module, a fresh
profile per test.

The helpers they are built on are in ``e2e/widget_fixtures.py``; the e2e suite's other fixtures in ``e2e/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from e2e.widget_fixtures import World, chromium, running_world, traced_context


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the run."""
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """Sandbox, broker and host page on loopback for each test module: what one module leaves behind (companies,
    broken connections, lender minimums, per-address rate-limit counts) never reaches another."""
    with running_world() as running:
        yield running


@pytest.fixture
def context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser profile per test (English, desktop size); screenshots and a trace are kept when it fails."""
    with traced_context(browser, request.node, viewport={"width": 1024, "height": 800}) as ctx:
        yield ctx
