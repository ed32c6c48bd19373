"""The e2e suite's fixtures, and a hook that remembers each test's outcome so that fixtures can save screenshots and
a trace when it failed.

Fixtures live here (and the browser ones that ``tests/security`` shares, ``browser``, ``world`` and ``context``, in
the root ``conftest.py``); the modules next to this file hold helpers (functions, classes, context managers) that
tests import. A fixture's scope says what tests share: a product ``stack``, ``restartable_world`` or bare ``sandbox``
per test module, a fresh page per test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

from e2e.journey import running_stack
from e2e.restart_fixtures import RestartableWorld, running_restartable_world
from e2e.sandbox_pages import PHONE, Sandbox, running_sandbox
from e2e.widget_fixtures import traced_context
from scripts.stack import Stack


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The product on loopback (``scripts/stack.py``: three gunicorn processes) for the tests of one module."""
    with running_stack() as running:
        yield running


@pytest.fixture(scope="module")
def restartable_world() -> Iterator[RestartableWorld]:
    """Sandbox, a restartable broker on an SQLite file, and the lender's page, for one test module."""
    with running_restartable_world() as running:
        yield running


@pytest.fixture(name="sandbox", scope="module")
def sandbox_fixture() -> Iterator[Sandbox]:
    """A sandbox alone on loopback with a lender's callback on another site, for one test module."""
    with running_sandbox() as running:
        yield running


@pytest.fixture
def new_context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Make browser contexts with given options (1280 x 900, 20 s timeouts unless they say otherwise); each keeps a
    trace and screenshots when the test fails."""
    with contextlib.ExitStack() as made:

        def make(**options: Any) -> Any:
            viewport = {"viewport": {"width": 1280, "height": 900}, **options}
            return made.enter_context(traced_context(browser, request.node, timeout_ms=20_000, **viewport))

        yield make


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh phone-sized profile; screenshots and a trace are kept when the test fails."""
    with traced_context(browser, request.node, viewport=PHONE) as ctx:
        yield ctx.new_page()
