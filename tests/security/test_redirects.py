"""Open redirects: sandbox connect answers only to allowed URLs; the broker's callback never redirects."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.sandbox_support import LENDER, allow_lender, create_company, embed_token, query
from tests.security.support import Lender

EVIL = [
    "https://evil.example/cb",
    LENDER + ".evil.example/cb",
    LENDER + "@evil.example/cb",
    LENDER.replace("http://", "https://") + "/cb",
    "//evil.example/cb",
    "/\\evil.example",
    "javascript:alert(1)",
    "data:text/html,hi",
    LENDER[:-1],
    "",
    LENDER + "/cb\r\nLocation: https://evil.example",
]


@pytest.mark.parametrize("redirect", EVIL)
def test_sandbox_connect_refuses_a_redirect_off_the_allowed_list(sandbox_client: FlaskClient, redirect: str) -> None:
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    token = embed_token(sandbox_client, key)
    answer = sandbox_client.get("/connect/ledgerly", query_string={"embed": token, "state": "s", "redirect": redirect})
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert token not in answer.get_data(as_text=True)


@pytest.mark.parametrize("redirect", [LENDER + "/link/callback", LENDER + "/cb?x=1", LENDER])
def test_sandbox_connect_sends_the_result_to_the_allowed_place_only(sandbox_client: FlaskClient, redirect: str) -> None:
    key = create_company(sandbox_client)
    allow_lender(sandbox_client)
    answer = sandbox_client.get(
        "/connect/ledgerly", query_string={"embed": "forged", "state": "s", "redirect": redirect}
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(redirect) and query(location)["status"] == "error" and query(location)["state"] == "s"
    assert key not in location


@pytest.mark.parametrize("extra", [{"redirect": "https://evil.example"}, {"next": "https://evil.example"}, {}])
def test_broker_callback_never_redirects(lender: Lender, caplog: Any, extra: dict[str, str]) -> None:
    answer = lender.http.get("/v1/link/callback", query_string={"state": "forged", "status": "connected", **extra})
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert answer.mimetype == "text/html" and "evil.example" not in answer.get_data(as_text=True)
