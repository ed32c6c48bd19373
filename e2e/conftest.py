"""e2e hooks: remember each test's outcome so that fixtures can save screenshots and a trace when it failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
