"""Helpers for the sandbox's tests: its test settings and API headers, companies and connections through the
Administration API, the one error shape, embed tokens, allowed origins, and driving the sign-in pages."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from sandbox.apps.server.users import APP_OWNERS

SANDBOX_TEST_CONFIG: dict[str, Any] = {
    "ENV": "test",
    "API_USER": "tenant-user",
    "API_KEY": "sk_test_sandbox_api_key_123456",
    "TENANT_KEY": "tenant_test_key_abcdef",
    "DATA_END": date(2026, 10, 31),
    "SYNC_IN_BACKGROUND": False,
}


def basic(user: str, password: str) -> dict[str, str]:
    """Return an HTTP Basic ``Authorization`` header."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


ADMIN_HEADERS = {
    **basic(SANDBOX_TEST_CONFIG["API_KEY"], ""),
    "Account-Key": SANDBOX_TEST_CONFIG["TENANT_KEY"],
}
DATA_HEADERS = basic(SANDBOX_TEST_CONFIG["API_USER"], SANDBOX_TEST_CONFIG["API_KEY"])


def create_company(client: FlaskClient, subdomain: str = "maple-rye", **extra: Any) -> str:
    """Create a company account through the Administration API and return its account key."""
    body = {
        "name": "Maple & Rye Café",
        "email_admin": "owner@maple-rye.test",
        "password": "correct horse 1",
        "subdomain": subdomain,
        "type": "standard",
        "datashare": True,
        **extra,
    }
    response = client.post("/app/api.php", json=body, headers=ADMIN_HEADERS)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["account_key"])


def sandbox_connect(client: FlaskClient, account_key: str, integration: str, **extra: Any) -> dict[str, Any]:
    """Connect a simulated app without a browser and return the connection."""
    response = client.post(
        "/app/api.php",
        json={"action": "sandbox_connect", "account_key": account_key, "integration": integration, **extra},
        headers=ADMIN_HEADERS,
    )
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json()["connection"])


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a JSON error of the one shape, with the status (and code); return the error object."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert error.get("request_id")
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


LENDER = "http://lender.test"
REDIRECT = LENDER + "/link/callback"


def allow_lender(client: FlaskClient, url: str = LENDER) -> None:
    """Add the lender's origin to the tenant's allowed list."""
    response = client.post("/app/api.php", json={"action": "allow_url", "url": url}, headers=ADMIN_HEADERS)
    assert response.status_code == 200, response.get_json()


def embed_token(client: FlaskClient, account_key: str) -> str:
    """Return a fresh embed token bound to the company."""
    response = client.get(f"/app/api.php?action=embed_token&account_key={account_key}", headers=ADMIN_HEADERS)
    return str(response.get_json()["token"])


def query(url: str) -> dict[str, str]:
    """Return the query parameters of a URL (one value each)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def local(url: str) -> str:
    """Return the path and query of a URL, as the test client wants them."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def csrf(html: str) -> str:
    """Return the CSRF token of a page's forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def open_connect(
    client: FlaskClient, account_key: str, integration: str, *, state: str = "tenant-state-1", redirect: str = REDIRECT
) -> Any:
    """Open ``/connect/<integration>`` with a fresh embed token and return the response."""
    token = embed_token(client, account_key)
    return client.get(f"/connect/{integration}", query_string={"embed": token, "state": state, "redirect": redirect})


def consent(client: FlaskClient, authorize_url: str, integration: str, decision: str = "allow") -> str:
    """Sign in as the app's test owner, press Allow or Deny, and return the app's redirect to the connector."""
    page = client.get(local(authorize_url))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    email, password = APP_OWNERS[integration]
    token = csrf(page.get_data(as_text=True))
    signed = client.post(
        local(authorize_url), data={"csrf_token": token, "form": "signin", "email": email, "password": password}
    )
    assert signed.status_code == 303
    shown = client.get(signed.headers["Location"])
    assert shown.status_code == 200 and "decision" in shown.get_data(as_text=True)
    answer = client.post(local(authorize_url), data={"csrf_token": token, "form": "consent", "decision": decision})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return str(answer.headers["Location"])


def oauth_connect(client: FlaskClient, account_key: str, integration: str, decision: str = "allow") -> dict[str, str]:
    """Run the whole OAuth connect flow in the test client; return the query of the final redirect to the tenant."""
    started = open_connect(client, account_key, integration)
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    back = consent(client, started.headers["Location"], integration, decision)
    finished = client.get(local(back))
    assert finished.status_code == 302
    assert finished.headers["Location"].startswith(REDIRECT + "?")
    return query(finished.headers["Location"])


def health(client: FlaskClient, account_key: str) -> dict[str, dict[str, Any]]:
    """Return the company's connections by integration, as connection_health shows them."""
    response = client.get(f"/app/api.php?action=connection_health&account_key={account_key}", headers=ADMIN_HEADERS)
    return {row["integration"]: row for row in response.get_json()["connections"]}


def admin(client: FlaskClient, body: dict[str, Any]) -> Any:
    """POST an Administration API action."""
    return client.post("/app/api.php", json=body, headers=ADMIN_HEADERS)
