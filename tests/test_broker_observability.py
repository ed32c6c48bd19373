"""Observability: JSON request logs with the request id, the id forwarded upstream, and the protected /metrics."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from typing import Any

import httpx
import pytest

from broker.config import load_settings
from broker.errors import ConfigurationError
from broker.observability.logs import REDACTOR, JsonFormatter, TextFormatter, configure_logging
from tests.broker_support import (
    API_KEY,
    FakeUpstream,
    assert_error,
    auth_headers,
    bearer,
    broker_app,
    new_account,
    new_client,
    new_link_token,
    settings,
)

METRICS_TOKEN = "metrics-token-0123456789abcdef"


def _access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "broker.access"]


def test_every_request_gives_one_json_line_with_route_status_duration_and_client(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    upstream = FakeUpstream()
    caplog.set_level(logging.INFO)
    with broker_app(tmp_path, upstream.transport) as app:
        lender = new_client(app)
        key = new_account(app, lender)
        caplog.clear()
        response = app.test_client().get(
            f"/v1/accounts/{key}/data/invoices", headers={**auth_headers(lender), "X-Request-Id": "req-abc-123456"}
        )
    assert response.status_code == 200
    (record,) = _access_records(caplog)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["request_id"] == "req-abc-123456" == response.headers["X-Request-Id"]
    assert fields["method"] == "GET" and fields["status"] == 200 and fields["level"] == "INFO"
    assert fields["route"] == "/v1/accounts/<account_key>/data/<object_name>"
    assert fields["client_id"] == lender["client_id"] and fields["logger"] == "broker.access"
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0
    assert fields["time"].endswith("Z") and key not in line


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abcdef12", True),
        ("trace.id-0123_ABC", True),
        ("x" * 64, True),
        ("short", False),
        ("x" * 65, False),
        ("has space in it", False),
        ("semi;colon;value", False),
        ("", False),
    ],
)
def test_a_sane_request_id_is_kept_and_forwarded_else_a_new_one_is_made(
    tmp_path: Any, incoming: str, kept: bool
) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport) as app:
        lender = new_client(app)
        token = new_link_token(app, lender, new_account(app, lender))["link_token"]
        response = app.test_client().get("/v1/link/data/invoices", headers={**bearer(token), "X-Request-Id": incoming})
    assert response.status_code == 200
    rid = response.headers["X-Request-Id"]
    assert (rid == incoming) is kept and len(rid) >= 8
    assert upstream.data_requests[-1].headers["X-Request-Id"] == rid  # the sandbox can log the same id


def test_upstream_calls_outside_a_request_carry_no_stale_request_id(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(tmp_path, upstream.transport) as app:
        lender = new_client(app)
        key = new_account(app, lender)
        state = app.extensions["broker"]
        state.upstreams["default"].connection_health(key)
    assert "X-Request-Id" in upstream.requests[0].headers  # account creation ran inside a request
    assert "X-Request-Id" not in upstream.requests[-1].headers


def test_json_and_text_lines_are_redacted_whole_extras_and_tracebacks_included() -> None:
    secret = "sk_live_never_log_this_value_42"
    REDACTOR.add(secret)
    try:
        raise RuntimeError(f"boom with {secret}")
    except RuntimeError:
        import sys

        record = logging.LogRecord("broker.x", logging.ERROR, __file__, 1, "failed %s", (secret,), sys.exc_info())
    record.client_note = f"Bearer {secret}"
    json_line = JsonFormatter().format(record)
    text_line = TextFormatter().format(record)
    for line in (json_line, text_line):
        assert secret not in line and "[redacted]" in line
    fields = json.loads(json_line)
    assert fields["level"] == "ERROR" and "RuntimeError" in fields["exception"] and fields["client_note"]


@pytest.mark.parametrize(("fmt", "parses_as_json"), [("json", True), ("text", False)])
def test_configure_logging_writes_the_chosen_format_once(fmt: str, parses_as_json: bool) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        handler = configure_logging(fmt, "INFO", stream=stream)
        assert configure_logging(fmt, "INFO", stream=stream) is handler  # idempotent: one handler per process
        handler.setStream(stream)
        logging.getLogger("broker.test").info("hello %s", "there")
        line = stream.getvalue().strip().splitlines()[-1]
        if parses_as_json:
            assert json.loads(line)["message"].startswith("hello")
        else:
            assert " INFO broker.test [-] hello" in line
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"LOG_FORMAT": "xml"}, "BROKER_LOG_FORMAT"),
        ({"LOG_LEVEL": "chatty"}, "BROKER_LOG_LEVEL"),
        ({"METRICS_TOKEN": "short"}, "BROKER_METRICS_TOKEN"),
    ],
)
def test_bad_observability_settings_stop_start_up(tmp_path: Any, overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_settings(settings(tmp_path, **overrides), environ={})


def test_environment_sets_log_format_and_metrics_token(tmp_path: Any) -> None:
    base = {k: v for k, v in settings(tmp_path).items() if k not in {"LOG_FORMAT", "METRICS_TOKEN"}}
    loaded = load_settings(base, environ={"BROKER_LOG_FORMAT": "text", "BROKER_METRICS_TOKEN": METRICS_TOKEN})
    assert loaded["LOG_FORMAT"] == "text" and loaded["METRICS_TOKEN"] == METRICS_TOKEN


@pytest.mark.parametrize(
    ("token_setting", "headers", "status"),
    [
        (None, {"Authorization": f"Bearer {METRICS_TOKEN}"}, 404),
        (METRICS_TOKEN, {}, 401),
        (METRICS_TOKEN, {"Authorization": "Bearer wrong-token-0123456789abcdef"}, 401),
        (METRICS_TOKEN, {"Authorization": f"Basic {METRICS_TOKEN}"}, 401),
        (METRICS_TOKEN, {"Authorization": "Bearer " + "x" * 5000}, 401),
        (METRICS_TOKEN, {"Authorization": "Bearer caf\u00e9-token"}, 401),
    ],
)
def test_metrics_refuse_without_the_bearer_secret_in_the_json_shape(
    tmp_path: Any, token_setting: str | None, headers: dict[str, str], status: int
) -> None:
    with broker_app(tmp_path, FakeUpstream().transport, METRICS_TOKEN=token_setting) as app:
        response = app.test_client().get("/metrics", headers=headers)
    assert_error(response, status)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _samples(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def test_metrics_count_requests_upstream_calls_retries_limits_and_tokens(tmp_path: Any) -> None:
    upstream = FakeUpstream()
    with broker_app(
        tmp_path, upstream.transport, METRICS_TOKEN=METRICS_TOKEN, RATELIMIT_PER_COMPANY="3 per minute"
    ) as app:
        lender = new_client(app)
        key = new_account(app, lender)
        token = new_link_token(app, lender, key)["link_token"]
        client = app.test_client()
        assert client.get("/v1/link/data/invoices", headers=bearer(token)).status_code == 200
        upstream.script = [httpx.Response(500), httpx.Response(503)]  # two retries, then the default answer
        assert client.get(f"/v1/accounts/{key}/data/bills", headers=auth_headers(lender)).status_code == 200
        assert client.get("/v1/link/data/invoices", headers=bearer(token)).status_code == 200
        assert_error(client.get("/v1/link/data/invoices", headers=bearer(token)), 429)
        assert_error(client.get("/v1/link/data/invoices", headers=bearer(token[:-3] + "abc")), 401)
        assert_error(client.get("/v1/link/data/invoices", headers=bearer("not-a-token")), 401)
        response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    samples = _samples(text)
    route = "/v1/link/data/<object_name>"
    assert samples[f'broker_http_requests_total{{method="GET",route="{route}",status="200"}}'] == 2
    assert samples[f'broker_http_requests_total{{method="GET",route="{route}",status="429"}}'] == 1
    assert samples[f'broker_http_requests_total{{method="GET",route="{route}",status="401"}}'] == 2
    assert samples['broker_http_requests_total{method="POST",route="/v1/accounts",status="201"}'] == 1
    assert samples['broker_upstream_retries_total{reason="5xx",region="default"}'] == 2
    assert samples['broker_upstream_request_duration_seconds_count{api="data",outcome="2xx",region="default"}'] == 3
    assert samples['broker_upstream_request_duration_seconds_count{api="admin",outcome="2xx",region="default"}'] == 1
    assert samples['broker_rate_limit_rejections_total{limit="company"}'] == 1
    assert samples["broker_link_tokens_minted_total"] == 1
    assert samples['broker_link_token_verification_failures_total{reason="signature"}'] == 2
    for secret in (key, token, lender["secret"], API_KEY, METRICS_TOKEN):
        assert secret not in text


def test_address_limit_rejections_are_counted(tmp_path: Any) -> None:
    with broker_app(
        tmp_path, FakeUpstream().transport, METRICS_TOKEN=METRICS_TOKEN, RATELIMIT_PER_ADDRESS="2 per minute"
    ) as app:
        client = app.test_client()
        statuses = [client.get("/v1/accounts").status_code for _ in range(3)]
        metrics = client.get("/metrics", headers=bearer(METRICS_TOKEN))  # exempt from the address limit
    assert statuses == [401, 401, 429] and metrics.status_code == 200
    assert _samples(metrics.get_data(as_text=True))['broker_rate_limit_rejections_total{limit="address"}'] == 1


def test_with_a_log_format_each_record_is_printed_once(tmp_path: Any) -> None:
    """Flask's own stderr handler on the app's logger is dropped, so a line is not printed twice beside ours.

    In a fresh interpreter: pytest's capture handlers on the root logger would hide Flask's handler here.
    """
    script = (
        "import sys; from pathlib import Path; from broker import create_app;"
        "from tests.broker_support import settings;"
        "app = create_app(settings(Path(sys.argv[1]), LOG_FORMAT='text')); app.logger.warning('one line');"
        "app.extensions['broker'].close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr.count("one line") == 1, done.stderr
