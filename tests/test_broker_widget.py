"""The widget's files as the broker serves them: the loader's cache, ETag and SRI, the frame's CSP, the asset list."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.broker_support import ORIGIN, OTHER_ORIGIN, FakeUpstream, broker_app, new_client

MAX_LOADER_GZIP_BYTES = 2048  # issue 16


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    with broker_app(tmp_path, FakeUpstream().transport) as flask_app:
        new_client(flask_app, origins=(ORIGIN,))
        yield flask_app


def test_loader_is_long_cached_with_an_etag_and_matches_its_published_sri(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/widget/v1/loader.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age=604800" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"  # integrity= needs a CORS-readable response
    etag = response.headers["ETag"]
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(response.data).digest()).decode()
    printed = app.test_cli_runner().invoke(args=["widget-sri"]).output.splitlines()
    assert printed[0] == integrity
    assert f'integrity="{integrity}"' in printed[1] and 'crossorigin="anonymous"' in printed[1]
    again = client.get("/widget/v1/loader.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag


def test_loader_is_under_2_kb_gzipped(app: Flask) -> None:
    body = app.test_client().get("/widget/v1/loader.js").data
    assert len(gzip.compress(body, compresslevel=9)) < MAX_LOADER_GZIP_BYTES


@pytest.mark.parametrize(
    ("origin", "ancestors"),
    [(ORIGIN, f"frame-ancestors {ORIGIN}"), (OTHER_ORIGIN, "frame-ancestors 'none'"), ("", "frame-ancestors 'none'")],
    ids=["registered", "unregistered", "missing"],
)
def test_frame_csp_lets_only_the_registered_origin_frame_it(app: Flask, origin: str, ancestors: str) -> None:
    response = app.test_client().get("/widget/v1/frame", query_string={"origin": origin, "mode": "modal"})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert csp.endswith(ancestors)
    assert "style-src 'self';" in csp and "unsafe-inline" not in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # One inline script, the boot script, allowed by its hash and by nothing wider; no inline style.
    inline = re.findall(rb"<script>(.*?)</script>", response.data, re.S)
    assert len(inline) == 1 and b"ledgerlinkBoot" in inline[0]
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in csp
    assert b"style=" not in response.data


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("frame/app.js", 200),
        ("messages.js", 200),
        ("styles/widget.css", 200),
        ("i18n/fr.json", 200),
        ("i18n/de.json", 404),
        ("../pyproject.toml", 404),
        ("frame/../../package.json", 404),
        ("frame/index.html", 404),
    ],
)
def test_only_listed_assets_are_served(app: Flask, path: str, status: int) -> None:
    response = app.test_client().get(f"/widget/v1/assets/{path}")
    assert response.status_code == status
    if status == 200:
        assert response.headers["ETag"] and "max-age" in response.headers["Cache-Control"]


def test_the_frame_names_its_bundle_and_style_sheet_by_version_and_those_are_kept_a_year(app: Flask) -> None:
    client = app.test_client()
    html = client.get(f"/widget/v1/frame?origin={ORIGIN}").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="(/widget/v1/assets/[^"]+)"', html)
    assert [url.split("?")[0] for url in urls] == [
        "/widget/v1/assets/styles/widget.css",
        "/widget/v1/assets/frame/bundle.js",
    ]
    for url in urls:
        path, version = url.split("?v=")
        plain = client.get(path)
        assert version == plain.headers["ETag"].strip('"')  # the version is the file's content: a release changes it
        kept = client.get(url)
        assert kept.data == plain.data and kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Another version (a page from before a release): today's body, kept an hour, not a year.
        stale = client.get(f"{path}?v=0123")
        assert stale.data == plain.data and stale.headers["Cache-Control"] == "public, max-age=3600"


def test_the_later_steps_import_the_bundle_by_the_url_the_frame_page_loads_it_by(app: Flask) -> None:
    """One URL, one module instance: a later module importing the bundle by another URL would run the frame twice."""
    client = app.test_client()
    html = client.get(f"/widget/v1/frame?origin={ORIGIN}").get_data(as_text=True)
    (bundle,) = re.findall(r'<link rel="modulepreload" href="/widget/v1/assets/frame/(bundle\.js\?v=[0-9a-f]+)"', html)
    later = client.get("/widget/v1/assets/frame/later.js")
    assert later.status_code == 200 and later.mimetype == "text/javascript"
    imported = set(re.findall(r'from\s*"\./([^"]+)"', later.get_data(as_text=True)))
    assert imported == {bundle}
