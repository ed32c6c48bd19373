"""Reconnect in place from the example host app: the credit view's "Ask the owner to reconnect" mints an update-mode
token through the broker and gives a link; the owner's page gets that token by POST (never in a URL)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.test_host_app import ACCOUNT, csrf_of, host_app

KEY = ACCOUNT["account_key"]
BROKEN = {
    **ACCOUNT,
    "connections": [
        {"integration": "ledgerly", "status": "error", "error": "The app revoked access.", "reason": "token_revoked"},
        {"integration": "northbank", "status": "healthy"},
    ],
}
CATALOGUE = [{"key": "ledgerly", "name": "Ledgerly"}, {"key": "northbank", "name": "Northbank"}]


class ReconnectBroker:
    """The lender API of a company whose Ledgerly connection broke; it mints tokens like the broker does."""

    def __init__(self) -> None:
        self.minted: list[dict[str, object]] = []
        self.lifetime = timedelta(minutes=30)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/link_tokens":
            body = json.loads(request.content)
            if body.get("integration") not in {c["integration"] for c in BROKEN["connections"]}:
                error = {"code": "integration_not_connected", "message": "The company has no connection to it."}
                return httpx.Response(422, json={"error": error})
            self.minted.append(body)
            expires = (datetime.now(UTC) + self.lifetime).isoformat().replace("+00:00", "Z")
            return httpx.Response(201, json={"id": "t1", "link_token": f"lt_{len(self.minted)}", "expires_at": expires})
        if path == f"/v1/accounts/{KEY}":
            return httpx.Response(200, json=BROKEN)
        if path == f"/v1/accounts/{KEY}/data/integrations":
            return httpx.Response(200, json=CATALOGUE if request.url.params.get("page") == "1" else [])
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "No such thing."}})


@pytest.fixture
def broker() -> ReconnectBroker:
    return ReconnectBroker()


@pytest.fixture
def app(tmp_path: Path, broker: ReconnectBroker) -> Iterator[Flask]:
    with host_app(tmp_path, broker) as flask_app:
        flask_app.extensions["example_host_app"].store.add_company(KEY, "Maple & Rye", "owner@maple.test")
        yield flask_app


def ask(client: FlaskClient, integration: str) -> httpx.Response:
    token = csrf_of(client, f"/companies/{KEY}")
    form = {"integration": integration, "csrf_token": token}
    return client.post(f"/companies/{KEY}/reconnect", data=form, follow_redirects=True)


def owner_link(html: str, integration: str) -> str:
    found = re.search(rf'id="reconnect-link-{integration}" href="([^"]+)"', html)
    assert found, "no reconnect link on the credit view"
    return found.group(1)


def test_the_credit_view_offers_to_reconnect_only_the_broken_connection(app: Flask) -> None:
    html = app.test_client().get(f"/companies/{KEY}").get_data(as_text=True)
    assert re.findall(r'data-reconnect="([^"]+)"', html) == ["ledgerly"]
    assert "Ask the owner to reconnect" in html and "The app revoked access." in html


def test_asking_mints_an_update_mode_token_and_shows_a_link_the_owner_opens(
    app: Flask, broker: ReconnectBroker
) -> None:
    client = app.test_client()
    answer = ask(client, "ledgerly")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "send it to the owner" in html
    assert broker.minted == [
        {
            "account_key": KEY,
            "origin": "http://localhost:5000",
            "scopes": ["link"],
            "mode": "update",
            "integration": "ledgerly",
        }
    ]
    link = owner_link(html, "ledgerly")
    assert "lt_1" not in link and link.startswith("http://localhost/reconnect/")
    owner = app.test_client()  # another browser: the owner's
    page = owner.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "<h1>Reconnect Ledgerly</h1>" in text and "lt_1" not in text
    token_url = re.search(r'data-token-url="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    csrf = re.search(r'data-csrf="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    assert owner.post(token_url).status_code == 400, "CSRF-protected"
    got = owner.post(token_url, headers={"X-CSRF-Token": csrf})
    assert got.status_code == 201 and got.get_json()["link_token"] == "lt_1"
    assert len(broker.minted) == 1, "the token minted for the link is used while it lasts"


def test_the_owners_page_speaks_french_when_asked(app: Flask) -> None:
    client = app.test_client()
    link = owner_link(ask(client, "ledgerly").get_data(as_text=True), "ledgerly")
    text = app.test_client().get(link + "?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in text and "<h1>Reconnecter Ledgerly</h1>" in text
    assert 'data-locale="fr"' in text


def test_a_token_near_its_end_is_replaced_by_a_fresh_one(app: Flask, broker: ReconnectBroker) -> None:
    broker.lifetime = timedelta(seconds=30)
    link = owner_link(ask(app.test_client(), "ledgerly").get_data(as_text=True), "ledgerly")
    owner = app.test_client()
    csrf = re.search(r'data-csrf="([^"]+)"', owner.get(link).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    token_url = link.replace("http://localhost", "") + "/link_token"
    broker.lifetime = timedelta(minutes=30)
    assert owner.post(token_url, headers={"X-CSRF-Token": csrf}).get_json()["link_token"] == "lt_2"
    assert owner.post(token_url, headers={"X-CSRF-Token": csrf}).get_json()["link_token"] == "lt_2"


def test_refusals_say_why_and_unknown_links_are_404(app: Flask, broker: ReconnectBroker) -> None:
    client = app.test_client()
    answer = ask(client, "payday")
    assert "The broker refused a reconnect link: The company has no connection to it." in answer.get_data(as_text=True)
    assert broker.minted == []
    assert ask(client, "../etc").status_code == 400
    assert app.test_client().get("/reconnect/nope").status_code == 404
