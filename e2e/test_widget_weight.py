"""The frame's first step in Chromium: at most 5 requests (page, bundle, style sheet, catalogue, bootstrap call), every
text answer compressed, under 30 KB on the wire in all."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.widget_fixtures import open_widget, record_frame_requests

pytestmark = pytest.mark.e2e

MAX_REQUESTS = 5
MAX_BYTES = 30 * 1024


@pytest.mark.parametrize("locale", ["", "fr"])
def test_the_first_step_takes_five_compressed_requests_under_30_kb(context: Any, world: Any, locale: str) -> None:
    page = context.new_page()
    seen = record_frame_requests(page, world.broker_url)
    frame, _ = open_widget(page, world, **({"locale": locale} if locale else {}))
    frame.locator("#results .app").first.wait_for()
    page.wait_for_timeout(300)  # the last requestfinished events
    paths = [item["path"] for item in seen]
    assert len(seen) <= MAX_REQUESTS, paths
    assert "/v1/link/bootstrap" in paths and "/v1/link/session" not in paths and "/v1/link/integrations" not in paths
    # One catalogue, the option's (the browser says English): the frame fetched it during the handshake, not the
    # browser's language's first.
    catalogues = [path for path in paths if "/i18n/" in path]
    assert catalogues == [f"/widget/v1/assets/i18n/{locale or 'en'}.json"], paths
    assert sum(item["body"] + item["headers"] for item in seen) < MAX_BYTES, seen
    assert all(item["encoding"] in ("br", "gzip") for item in seen if item["body"] >= 500), seen
