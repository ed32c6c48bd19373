"""Compressed answers: the widget's files precompressed (brotli, gzip) with one strong ETag per encoding, JSON answers
compressed per request, ``Vary: Accept-Encoding`` everywhere, tiny bodies left alone; and the frame's first step
(one bundle, one style sheet, one catalogue) small on the wire."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

import brotli
import pytest
from flask import Flask

from tests.broker_support import ORIGIN, FakeUpstream, auth_headers, broker_app, new_account, new_client

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
STATIC = ["/widget/v1/loader.js", "/widget/v1/assets/frame/bundle.js", "/widget/v1/assets/styles/widget.css"]
STATIC += ["/widget/v1/assets/i18n/en.json", "/widget/v1/assets/i18n/fr.json"]
# What the frame's first step loads besides the bootstrap call, and the budget for all of it (compressed).
FIRST_STEP_BUDGET = 30 * 1024
BOOTSTRAP_ALLOWANCE = 2 * 1024


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    with broker_app(tmp_path, FakeUpstream().transport) as flask_app:
        yield flask_app


def _get(app: Flask, path: str, encoding: str, **headers: str) -> Any:
    return app.test_client().get(path, headers={"Accept-Encoding": encoding, **headers})


@pytest.mark.parametrize("path", STATIC)
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_widget_files_are_sent_precompressed_with_their_own_strong_etag(app: Flask, path: str, encoding: str) -> None:
    plain = _get(app, path, "identity")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = _get(app, path, encoding)
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert DECODE[encoding](packed.data) == plain.data
    assert len(packed.data) < len(plain.data) * 0.6  # minified files: the loader, 3.8 KB, packs to 53 %
    etag = packed.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag) and etag != plain.headers["ETag"]  # strong, one per representation
    again = _get(app, path, encoding, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert _get(app, path, "identity", **{"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [("gzip, deflate, br, zstd", "br"), ("br;q=0, gzip", "gzip"), ("gzip;q=0.5, br;q=0.8", "br"), ("*", "br")],
)
def test_brotli_only_where_asked(app: Flask, accept: str, chosen: str) -> None:
    assert _get(app, STATIC[1], accept).headers["Content-Encoding"] == chosen


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_json_answers_are_compressed_when_asked(app: Flask, encoding: str) -> None:
    plain = _get(app, "/openapi.json", "identity")
    packed = _get(app, "/openapi.json", encoding)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(DECODE[encoding](packed.data)) == plain.get_json()
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3


def test_proxied_data_is_compressed_and_unchanged(app: Flask) -> None:
    client = new_client(app, origins=(ORIGIN,))
    key = new_account(app, client)
    path = f"/v1/accounts/{key}/data/invoices?page=1"
    plain = app.test_client().get(path, headers={**auth_headers(client), "Accept-Encoding": "identity"})
    packed = app.test_client().get(path, headers={**auth_headers(client), "Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert packed.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz"])
def test_tiny_bodies_are_not_compressed(app: Flask, path: str) -> None:
    response = _get(app, path, "gzip, br")
    assert len(response.data) < 500 and "Content-Encoding" not in response.headers


def test_the_frame_loads_one_bundle_and_one_style_sheet_and_its_first_step_fits_the_budget(app: Flask) -> None:
    page = _get(app, "/widget/v1/frame?origin=https://nobody.example", "gzip")
    html = gzip.decompress(page.data).decode() if page.headers.get("Content-Encoding") else page.data.decode()
    # The bundle is fetched by a modulepreload link and run by the boot script (widget/src/frame/boot.js).
    scripts = re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="([^"?]+)(?:\?v=\w+)?"', html)
    assert not re.findall(r"<script[^>]*src=", html)
    sheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"?]+)(?:\?v=\w+)?"', html)
    assert scripts == ["/widget/v1/assets/frame/bundle.js"] and sheets == ["/widget/v1/assets/styles/widget.css"]
    # Budget with gzip, the larger of the two (a browser that does not ask for brotli gets it).
    sizes = [len(_get(app, path, "gzip").data) for path in [*scripts, *sheets, "/widget/v1/assets/i18n/en.json"]]
    assert len(page.data) + sum(sizes) + BOOTSTRAP_ALLOWANCE < FIRST_STEP_BUDGET, sizes
