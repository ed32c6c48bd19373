"""The retry transport and the per-company pacer, on MockTransport with a fake clock and a recording sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from broker.upstream.pacer import CompanyPacer, PacingTimeout
from broker.upstream.retry import DeadlineExceeded, RetryPolicy, RetryTransport, parse_retry_after


class FakeTime:
    """Monotonic and wall clocks that only move when ``sleep`` is called."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def scripted(*replies: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    return httpx.MockTransport(handler), seen


def client_for(transport: httpx.MockTransport, time: FakeTime, **policy: float) -> httpx.Client:
    settings = {"max_attempts": 4, "backoff_base": 0.1, "backoff_max": 1.0, "retry_after_cap": 5.0, "deadline": 10.0}
    settings.update(policy)
    retry = RetryTransport(
        transport,
        RetryPolicy(**settings),
        sleep=time.sleep,
        clock=time.clock,
        wall_clock=time.clock,  # type: ignore[arg-type]
    )
    return httpx.Client(transport=retry, base_url="http://up.test")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_burst_of_5xx_is_survived(status: int) -> None:
    transport, seen = scripted(httpx.Response(status), httpx.Response(status), httpx.Response(200, json=[1]))
    time = FakeTime()
    response = client_for(transport, time).get("/api/invoices")
    assert response.status_code == 200 and len(seen) == 3
    assert len(time.slept) == 2 and all(0 <= s <= 0.2 for s in time.slept)  # full jitter below the ceiling


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 422])
def test_other_4xx_are_never_retried(status: int) -> None:
    transport, seen = scripted(httpx.Response(status), httpx.Response(200))
    response = client_for(transport, FakeTime()).get("/api/invoices")
    assert response.status_code == status and len(seen) == 1


def test_attempts_are_limited_and_the_last_answer_returned() -> None:
    transport, seen = scripted(httpx.Response(503))
    time = FakeTime()
    response = client_for(transport, time, max_attempts=3).get("/api/x")
    assert response.status_code == 503 and len(seen) == 3 and len(time.slept) == 2


def test_backoff_grows_exponentially_and_is_capped() -> None:
    transport, _ = scripted(httpx.Response(500))
    time = FakeTime()
    retry = RetryTransport(
        transport,
        RetryPolicy(max_attempts=8, backoff_base=0.1, backoff_max=0.4, deadline=100),
        sleep=time.sleep,
        clock=time.clock,
    )
    ceilings = [min(0.4, 0.1 * 2 ** (n - 1)) for n in range(1, 8)]
    assert [retry._backoff(n) <= c for n, c in zip(range(1, 8), ceilings, strict=True)] == [True] * 7


@pytest.mark.parametrize(
    ("header", "expected"),
    [("2", 2.0), ("0", 0.0)],
)
def test_429_waits_for_retry_after(header: str, expected: float) -> None:
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200))
    time = FakeTime()
    assert client_for(transport, time).get("/api/x").status_code == 200
    assert time.slept == [expected] and len(seen) == 2


def test_429_with_an_http_date_retry_after() -> None:
    time = FakeTime()
    when = format_datetime(datetime.fromtimestamp(time.now, UTC) + timedelta(seconds=3), usegmt=True)
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200))
    assert client_for(transport, time).get("/api/x").status_code == 200
    assert time.slept == [pytest.approx(3.0, abs=1)]


def test_429_asking_longer_than_the_cap_is_relayed_not_waited() -> None:
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200))
    time = FakeTime()
    assert client_for(transport, time).get("/api/x").status_code == 429
    assert time.slept == [] and len(seen) == 1


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadTimeout("slow"),
    ],
)
def test_connection_failures_are_retried_for_reads(error: Exception) -> None:
    transport, seen = scripted(error, httpx.Response(200))
    assert client_for(transport, FakeTime()).get("/api/x").status_code == 200 and len(seen) == 2


def test_post_is_not_retried_once_sent_but_is_when_never_connected() -> None:
    transport, seen = scripted(httpx.Response(500), httpx.Response(201))
    assert client_for(transport, FakeTime()).post("/app/api.php", json={}).status_code == 500 and len(seen) == 1
    transport, seen = scripted(httpx.ReadError("reset"), httpx.Response(201))
    with pytest.raises(httpx.ReadError):
        client_for(transport, FakeTime()).post("/app/api.php", json={})
    transport, seen = scripted(httpx.ConnectError("refused"), httpx.Response(201))
    assert client_for(transport, FakeTime()).post("/app/api.php", json={}).status_code == 201 and len(seen) == 2


def test_the_overall_deadline_stops_retrying() -> None:
    time = FakeTime()

    def slow(request: httpx.Request) -> httpx.Response:
        time.now += 0.6  # each attempt takes 0.6 s
        raise httpx.ReadTimeout("slow", request=request)

    retry = RetryTransport(
        httpx.MockTransport(slow),
        RetryPolicy(max_attempts=100, deadline=2.0, backoff_base=0.01),
        sleep=time.sleep,
        clock=time.clock,
    )
    with pytest.raises(httpx.TimeoutException):
        httpx.Client(transport=retry).get("http://up.test/api/x")
    assert time.now - 1000.0 <= 2.7  # no attempt started after the deadline


def test_each_attempt_timeout_is_shrunk_to_the_remaining_deadline() -> None:
    seen: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200)

    time = FakeTime()
    retry = RetryTransport(httpx.MockTransport(handler), RetryPolicy(deadline=1.5), sleep=time.sleep, clock=time.clock)
    httpx.Client(transport=retry, timeout=10.0).get("http://up.test/api/x")
    assert seen[0]["read"] == 1.5 and seen[0]["connect"] == 1.5


def test_deadline_exceeded_is_a_timeout() -> None:
    assert issubclass(DeadlineExceeded, httpx.TimeoutException)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("abc", None),
        ("7", 7.0),
        ("99999999", 86400.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=2_000_000_000.0) == expected


def test_pacer_lets_rate_through_then_spaces_requests() -> None:
    time = FakeTime()
    pacer = CompanyPacer(5, clock=time.clock, sleep=time.sleep)
    for _ in range(5):
        pacer.acquire("company-a", max_wait=2)
    assert time.slept == []
    pacer.acquire("company-b", max_wait=2)  # another company has its own window
    assert time.slept == []
    pacer.acquire("company-a", max_wait=2)
    assert time.slept == [pytest.approx(1.0)]


def test_pacer_refuses_a_wait_beyond_the_callers_budget() -> None:
    time = FakeTime()
    pacer = CompanyPacer(2, clock=time.clock, sleep=time.sleep)
    pacer.acquire("a", 0)
    pacer.acquire("a", 0)
    with pytest.raises(PacingTimeout) as caught:
        pacer.acquire("a", max_wait=0.5)
    assert caught.value.wait == pytest.approx(1.0)


def test_pacer_keeps_a_real_burst_below_the_rate() -> None:
    import time as real_time

    pacer = CompanyPacer(50)
    started = real_time.monotonic()
    for _ in range(75):
        pacer.acquire("c", max_wait=5)
    assert real_time.monotonic() - started >= 0.9  # 75 calls at 50/s cannot finish in under a second
