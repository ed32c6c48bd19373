"""CORS and framing: the API grants no cross-origin reads; the frame may be framed only by a registered origin."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markupsafe import escape

from tests.broker_support import ORIGIN, auth_headers, bearer, new_link_token
from tests.security.support import Lender

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/link/session", "/v1/link/data/invoices", "/openapi.json"])
@pytest.mark.parametrize("origin", ["https://evil.example", ORIGIN, "null"])
def test_the_api_sends_no_cors_grant(lender: Lender, path: str, origin: str) -> None:
    token = new_link_token(lender.app, lender.a, lender.key_a)["link_token"]
    headers = bearer(token) if "/link/" in path else auth_headers(lender.a)
    for answer in (
        lender.http.get(path, headers={**headers, "Origin": origin}),
        lender.http.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        ),
    ):
        assert "Access-Control-Allow-Origin" not in answer.headers
        assert "Access-Control-Allow-Credentials" not in answer.headers


def test_only_the_loader_is_cors_readable(lender: Lender) -> None:
    answer = lender.http.get("/widget/v1/loader.js", headers={"Origin": "https://any.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in answer.headers


@pytest.mark.parametrize(
    ("claimed", "ancestors"),
    [
        (ORIGIN, ORIGIN),
        ("https://evil.example", "'none'"),
        (ORIGIN + "/path", "'none'"),
        (ORIGIN + " https://evil.example", "'none'"),
        (ORIGIN + ";script-src *", "'none'"),
        ("", "'none'"),
        ("javascript:alert(1)", "'none'"),
    ],
)
def test_frame_ancestors_is_the_registered_origin_only(lender: Lender, claimed: str, ancestors: str) -> None:
    answer = lender.http.get("/widget/v1/frame", query_string={"origin": claimed})
    csp = answer.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == ancestors
    # Our own scripts and the one inline boot script, by its hash: nothing wider.
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]{43}='", directives["script-src"]) and "unsafe-inline" not in csp
    assert "X-Frame-Options" not in answer.headers or ancestors == "'none'"


def test_the_callback_page_cannot_be_framed(lender: Lender) -> None:
    answer = lender.http.get("/v1/link/callback", query_string={"state": "x"})
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_callback_page_speaks_the_widget_s_words(lender: Lender, language: str) -> None:
    words = json.loads((ROOT / "widget" / "src" / "i18n" / "pages" / f"{language}.json").read_text(encoding="utf-8"))
    answer = lender.http.get(
        "/v1/link/callback", query_string={"state": "x"}, headers={"Accept-Language": f"{language};q=1"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and f'<html lang="{language}">' in page
    assert str(escape(words["callback.unknown"])) in page  # an attempt nobody started
    assert str(escape(words["callback.manual"])) in page
