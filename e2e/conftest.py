"""e2e hooks: remember each test's outcome so that fixtures can save screenshots and a trace when it failed."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

# One sandbox + broker + host page and one Chromium for every e2e module that does not bring its own.
from e2e.widget_fixtures import browser, context, world

__all__ = ["browser", "context", "world"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
