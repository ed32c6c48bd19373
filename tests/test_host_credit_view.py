"""The credit view names apps as people know them and shows dates as people read them, never keys or ISO stamps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from example_host_app import present
from tests.test_host_app import ACCOUNT, FakeBrokerLog, host_app

KEY = ACCOUNT["account_key"]
CONNECTED = {
    **ACCOUNT,
    "connections": [
        {"integration": "northbank", "status": "healthy", "created": "2026-11-02T09:15:00Z", "last_sync": None},
        {
            "integration": "ledgerly",
            "status": "healthy",
            "created": "2026-11-02T09:14:03Z",
            "last_sync": "2026-12-03T11:03:05.199882+00:00",
        },
    ],
}
CATALOGUE = [
    {"key": "ledgerly", "name": "Ledgerly", "category": "accounting"},
    {"key": "northbank", "name": "Northbank", "category": "banking"},
]
MAPPING = {"saved_at": "2026-11-20T16:40:00Z", "mappings": [{"account_id": "a1", "category": "revenue"}]}
RECONCILIATION = {
    "match_rate": {"count": 0.9, "amount": 0.95},
    "summary": {"matches": 1, "confirmed": 1, "rejected": 0, "pending": 0},
    "reliable_through": "2026-10-31",
    "decisions": [
        {"decision": "confirmed", "bank_ids": ["b1"], "ledger_ids": ["l1"], "decided_at": "2026-11-21T08:00:00Z"}
    ],
    "unmatched_bank": [
        {"id": "b9", "date": "2026-10-12", "description": "Card fee", "amount": -250, "currency": "USD"}
    ],
    "unmatched_ledger": [],
    "accounts": [],
}
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}(T| \d)")


class CreditBroker(FakeBrokerLog):
    """The lender API of a company with two connected apps, a saved mapping and a finished reconciliation."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == f"/v1/accounts/{KEY}":
            return httpx.Response(200, json=CONNECTED)
        if path == f"/v1/accounts/{KEY}/data/integrations":
            return httpx.Response(200, json=CATALOGUE if request.url.params.get("page") == "1" else [])
        if path == f"/v1/accounts/{KEY}/data/connections":
            return httpx.Response(
                200, json=[{"id": "c1", "integration": "ledgerly", "last_sync": "2026-12-03T11:03:05Z"}]
            )
        if path == f"/v1/accounts/{KEY}/mapping":
            return httpx.Response(200, json=MAPPING)
        if path == f"/v1/accounts/{KEY}/reconciliation":
            return httpx.Response(200, json=RECONCILIATION)
        return super().__call__(request)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with host_app(tmp_path, CreditBroker()) as flask_app:
        yield flask_app


def visible_text(html: str) -> str:
    """What a reader sees: no tags (so no ``datetime`` attributes), entities decoded."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_credit_view_names_apps_and_reads_dates_like_people_do(app: Flask) -> None:
    html = app.test_client().get(f"/companies/{KEY}").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">([^<]+)', html)
    assert {"Ledgerly", "Northbank"} <= {row.strip() for row in rows}, rows
    text = visible_text(html)
    assert not re.search(r"\bledgerly\b|\bnorthbank\b", text), "a raw app key is shown"
    assert not ISO_STAMP.search(text), ISO_STAMP.search(text)
    for shown in ("3 Dec 2026, 11:03 UTC", "2 Nov 2026, 09:14 UTC", "20 Nov 2026, 16:40 UTC", "31 Oct 2026"):
        assert shown in text
    assert '<time datetime="2026-12-03T11:03:05.199882+00:00">' in html  # machines still get the exact moment


def test_the_explorer_names_the_source_app_and_reads_dates(app: Flask) -> None:
    html = app.test_client().get(f"/companies/{KEY}/data?object=connections").get_data(as_text=True)
    text = visible_text(html)
    assert "Ledgerly" in text and "3 Dec 2026, 11:03 UTC" in text
    assert not ISO_STAMP.search(text)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-10-31", "31 Oct 2026"),
        ("2026-12-03T11:03:05Z", "3 Dec 2026, 11:03 UTC"),
        ("2026-12-03T12:03:05+01:00", "3 Dec 2026, 11:03 UTC"),
        (None, "\u2013"),
        ("", "\u2013"),
        ("soon", "soon"),
    ],
)
def test_when_reads_dates_and_moments(value: Any, shown: str) -> None:
    assert present.when(value) == shown


def test_an_app_the_catalogue_does_not_know_keeps_its_key() -> None:
    names = present.app_names([{"key": "ledgerly", "name": "Ledgerly"}, {"name": "no key"}, "junk"])
    assert names == {"ledgerly": "Ledgerly"}
    assert present.app_name("ledgerly", names) == "Ledgerly" and present.app_name("xenon", names) == "xenon"
