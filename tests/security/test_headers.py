"""Header smuggling on a real socket: CRLF, duplicate and oversize headers, oversize bodies; never a 5xx or a leak."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.broker_support import auth_headers
from tests.live_server import live_server
from tests.security.support import Lender, assert_no_secret, refused


@pytest.fixture(scope="module")
def server(lender_world: Lender) -> Iterator[Any]:
    with live_server(lender_world.app) as running:
        yield running


def raw(server: Any, head: str, body: bytes = b"") -> tuple[int, dict[str, list[str]], bytes]:
    """Send bytes as they are (no client library tidies them) and parse the status, headers and body."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if _complete(data):
                break
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(lines[0].split()[1]), headers, rest


def _complete(data: bytes) -> bool:
    """Whether ``data`` holds a whole answer (the server may keep reading an oversize body it refused)."""
    head, found, rest = data.partition(b"\r\n\r\n")
    if not found:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(rest) >= int(value)
    return False


def _request(path: str, *lines: str, method: str = "GET") -> str:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + "".join(f"{x}\r\n" for x in lines)
        + "\r\n"
    )


def _error(status: int, body: bytes) -> dict[str, Any]:
    error = json.loads(body)["error"]
    assert set(error) >= {"code", "message", "request_id"}, error
    return dict(error)


def test_crlf_in_a_header_value_cannot_inject_a_header(server: Any, lender: Lender, caplog: Any) -> None:
    auth = auth_headers(lender.a)["Authorization"]
    status, headers, body = raw(
        server, _request("/v1/accounts", f"Authorization: {auth}", "X-Request-Id: abcdefgh%0d%0aSet-Cookie: x=1")
    )
    assert status == 200 and "set-cookie" not in headers
    assert headers["x-request-id"][0] != "abcdefgh%0d%0aSet-Cookie: x=1"
    assert_no_secret([body.decode(), str(headers)], lender.secrets, caplog)


def test_crlf_in_the_path_is_refused(server: Any, lender: Lender) -> None:
    status, headers, body = raw(server, _request(f"/v1/accounts/{lender.key_a}/data/invoices%0d%0aX-Evil:%201"))
    assert status in (401, 404) and "x-evil" not in headers
    _error(status, body)
    assert not lender.upstream.data_requests


def test_duplicate_authorization_headers_do_not_authenticate(server: Any, lender: Lender, caplog: Any) -> None:
    good, other = auth_headers(lender.a)["Authorization"], auth_headers(lender.b)["Authorization"]
    for pair in ((good, "Basic bm9wZTpub3Bl"), ("Basic bm9wZTpub3Bl", good), (good, other)):
        status, _headers, body = raw(server, _request("/v1/accounts", *(f"Authorization: {v}" for v in pair)))
        if status == 200:  # werkzeug joins duplicates; a joined value never is valid Basic credentials
            pytest.fail("duplicate Authorization headers authenticated")
        assert status == 401 and _error(status, body)["code"] == "unauthorized"
        assert_no_secret([body.decode()], lender.secrets, caplog)


def test_duplicate_account_key_headers_never_reach_the_upstream(server: Any, lender: Lender) -> None:
    auth = auth_headers(lender.a)["Authorization"]
    lines = (f"Authorization: {auth}", f"X-Account-Key: {lender.key_b}", f"X_ACCOUNT_KEY: {lender.key_b}")
    status, _headers, body = raw(server, _request(f"/v1/accounts/{lender.key_a}/data/invoices", *lines))
    assert status == 200, body[:200]
    (sent,) = lender.upstream.data_requests
    assert sent.headers.get_list("X-Account-Key") == [lender.key_a]
    assert lender.key_b not in body.decode()


@pytest.mark.parametrize("size", [5_000, 70_000])
def test_oversize_authorization_header_is_refused(server: Any, lender: Lender, size: int) -> None:
    status, _headers, body = raw(server, _request("/v1/accounts", "Authorization: Basic " + "A" * size))
    assert status in (400, 401, 431)
    if status == 401:
        _error(status, body)


def test_oversize_body_is_413(server: Any, lender: Lender, caplog: Any) -> None:
    auth = auth_headers(lender.a)["Authorization"]
    payload = json.dumps({"name": "x" * 200_000, "email": "a@b.test"}).encode()
    head = _request(
        "/v1/accounts",
        f"Authorization: {auth}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        method="POST",
    )
    status, _headers, body = raw(server, head, payload)
    assert status == 413 and _error(status, body)["code"] == "payload_too_large"
    assert_no_secret([body.decode()], lender.secrets, caplog)


def test_a_lying_content_length_is_not_a_5xx(server: Any, lender: Lender) -> None:
    auth = auth_headers(lender.a)["Authorization"]
    head = _request(
        "/v1/accounts",
        f"Authorization: {auth}",
        "Content-Type: application/json",
        "Content-Length: 10",
        "Transfer-Encoding: chunked",
        method="POST",
    )
    status, _headers, _body = raw(server, head, b"0\r\n\r\n")
    assert 400 <= status < 500


def test_test_client_cannot_even_send_crlf(lender: Lender, caplog: Any) -> None:
    with pytest.raises(ValueError, match="newline"):
        lender.http.get("/v1/accounts", headers={"X-Request-Id": "a\r\nb"})
    answer = lender.http.get("/v1/accounts", headers={"Authorization": "Basic " + "A" * 5000})
    refused(answer, 401, "unauthorized", lender.secrets, caplog)
