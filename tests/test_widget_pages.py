"""The broker's own pages (issue 18): the owner's receipt and the accountant's page, static under a strict CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.broker_support import FakeUpstream, broker_app


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    with broker_app(tmp_path, FakeUpstream().transport) as flask_app:
        yield flask_app


@pytest.mark.parametrize("page", ["receipt", "accountant"])
def test_each_page_is_static_unframable_and_loads_only_its_own_files(app: Flask, page: str) -> None:
    response = app.test_client().get(f"/widget/v1/{page}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "connect-src 'self';" in csp
    assert csp.endswith("frame-ancestors 'none'") and "unsafe" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html
    # Every file the page names is served (bundled, precompressed), and the script is the page's own bundle.
    names = re.findall(r'(?:src|href)="(/widget/v1/assets/[^"]+)"', html)
    # The built files by their version (kept a year by browsers); the page's shell is the frame's (pages/document.html).
    assert any(re.fullmatch(rf"/widget/v1/assets/pages/{page}\.js\?v=[0-9a-f]{{32}}", name) for name in names)
    assert "<title>LedgerLink</title>" in html and '<meta name="referrer" content="no-referrer" />' in html
    for name in names:
        asset = app.test_client().get(name, headers={"Accept-Encoding": "br"})
        assert asset.status_code == 200, name
        assert asset.headers.get("Content-Encoding") == "br", name


@pytest.mark.parametrize(
    ("path", "status"),
    [("i18n/pages/fr.json", 200), ("i18n/pages/de.json", 404), ("pages/other.js", 404), ("pages/pages.css", 200)],
)
def test_the_pages_words_and_styles_are_served_from_a_closed_list(app: Flask, path: str, status: int) -> None:
    assert app.test_client().get(f"/widget/v1/assets/{path}").status_code == status


def test_the_page_token_is_never_asked_for_in_the_url(app: Flask) -> None:
    # A token in the query is ignored (the page reads only the fragment, which never reaches the server).
    plain = app.test_client().get("/widget/v1/receipt").data
    assert app.test_client().get("/widget/v1/receipt?token=abc").data == plain
