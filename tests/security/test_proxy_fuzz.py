"""Fuzz the proxy's path and query validation (hypothesis, bounded): no 5xx, nothing invalid reaches the upstream."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker.data.proxy import ID_PATTERN, OBJECTS, REPORTS, validate_read
from broker.errors import BrokerError
from common.dates import parse_bound, parse_day
from tests.broker_support import auth_headers
from tests.security.support import Lender

BOUNDED = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
NASTY = st.sampled_from(
    ["..", ".", "%2e%2e", "/", "\\", "\r\n", "\x00", "http://evil.example", "@", "#", "?", "%", " "]
)
NAMES = st.one_of(
    st.sampled_from(sorted(OBJECTS)), st.text(max_size=20), NASTY, st.sampled_from(["INVOICES", "invoice"])
)
IDS = st.one_of(st.none(), st.from_regex(ID_PATTERN, fullmatch=True), st.text(max_size=70), NASTY)
PARAM_NAMES = st.sampled_from(["page", "start", "end", "as_of", "period", "X_ACCOUNT_KEY", "url", "Page", "page[]"])
VALUES = st.one_of(
    st.sampled_from(["1", "2", "0", "-1", "2026-01-31", "2026-02-30", "2026-01-31T05:03:23Z", "month", "decade"]),
    st.text(max_size=30),
)
QUERIES = st.lists(st.tuples(PARAM_NAMES, VALUES), max_size=4)
UPSTREAM_PATH = re.compile(r"/api/([a-z_]+)(?:/([^/]+))?")


def _valid_upstream_request(request: Any) -> None:
    match = UPSTREAM_PATH.fullmatch(request.url.path)
    assert match, request.url.path
    name, object_id = match.groups()
    assert name in OBJECTS and (object_id is None or (ID_PATTERN.match(object_id) and name not in REPORTS))
    for key, value in request.url.params.multi_items():
        assert key in {"page", "start", "end", "as_of", "period"}, key
        if key == "page":
            assert value.isdigit() and int(value) >= 1
        elif key in {"start", "end"}:
            parse_bound(value, end=key == "end")
        elif key == "as_of":
            parse_day(value)
        else:
            assert value in {"month", "quarter", "year"}
    assert "authorization" in request.headers and request.headers.get_list("X-Account-Key")


@BOUNDED
@given(name=NAMES, object_id=IDS, query=QUERIES)
def test_validate_read_accepts_only_the_allowlist(
    name: str, object_id: str | None, query: list[tuple[str, str]]
) -> None:
    try:
        read = validate_read(name, object_id, query)
    except BrokerError as error:
        assert error.status in (400, 404)
        return
    assert read.object_name in OBJECTS and (read.object_id is None or ID_PATTERN.match(read.object_id))
    assert {k for k, _ in read.params} <= {"page", "start", "end", "as_of", "period"}


@given(name=NAMES, object_id=IDS, query=QUERIES)
@BOUNDED
def test_the_proxy_never_fails_and_never_forwards_anything_invalid(
    lender_world: Lender, name: str, object_id: str | None, query: list[tuple[str, str]]
) -> None:
    lender_world.upstream.requests.clear()
    path = f"/v1/accounts/{lender_world.key_a}/data/{quote(name, safe='')}"
    if object_id is not None:
        path += "/" + quote(object_id, safe="")
    answer = lender_world.http.get(path + "?" + urlencode(query), headers=auth_headers(lender_world.a))
    assert answer.status_code < 500, (path, query, answer.status_code)
    for request in lender_world.upstream.data_requests:
        _valid_upstream_request(request)
    if answer.status_code != 200:
        assert not lender_world.upstream.data_requests
        assert set(answer.get_json()) == {"error"}
