"""Prometheus metrics for one broker app, summed over gunicorn workers when ``PROMETHEUS_MULTIPROC_DIR`` is set."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class BrokerMetrics:
    """The broker's series in a registry of its own (so that several apps in one process never collide).

    In multiprocess mode every worker writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` and a scrape of any
    worker reads them all, so ``/metrics`` shows the whole gunicorn instance whichever worker answers.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        r = self.registry
        self.http_requests = Counter(
            "broker_http_requests", "Requests answered, by method, route template and status.",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.http_duration = Histogram(
            "broker_http_request_duration_seconds", "Time to answer a request, by route template.",
            ["route"], buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.upstream_duration = Histogram(
            "broker_upstream_request_duration_seconds",
            "One logical upstream call, retries included, by region, API (admin or data) and outcome.",
            ["region", "api", "outcome"], buckets=_LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.upstream_retries = Counter(
            "broker_upstream_retries", "Extra upstream attempts, by region and reason (5xx, 429, connection).",
            ["region", "reason"], registry=r,
        )  # fmt: skip
        self.rate_limited_total = Counter(
            "broker_rate_limit_rejections", "Requests refused with 429, by limit (address, client, company, pacing).",
            ["limit"], registry=r,
        )  # fmt: skip
        self.tokens_minted = Counter("broker_link_tokens_minted", "Link tokens minted.", registry=r)
        self.token_failures = Counter(
            "broker_link_token_verification_failures", "Link tokens refused, by reason.", ["reason"], registry=r
        )

    # -- the Observer protocol (broker.observability.observe) ------------------------------------------------
    def upstream_call(self, region: str, api: str, outcome: str, seconds: float) -> None:
        self.upstream_duration.labels(region, api, outcome).observe(seconds)

    def upstream_retry(self, region: str, reason: str) -> None:
        self.upstream_retries.labels(region, reason).inc()

    def rate_limited(self, limit: str) -> None:
        self.rate_limited_total.labels(limit).inc()

    def token_minted(self) -> None:
        self.tokens_minted.inc()

    def token_rejected(self, reason: str) -> None:
        self.token_failures.labels(reason).inc()

    # -- requests and exposition -------------------------------------------------------------------------------
    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request (``route`` is the URL rule, never the raw path, which may hold secrets)."""
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_duration.labels(route).observe(seconds)

    def render(self) -> bytes:
        """Return the text exposition of every series (of every worker in multiprocess mode)."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        collected = CollectorRegistry()
        MultiProcessCollector(collected)
        return generate_latest(collected)


def mark_process_dead(pid: int) -> None:
    """Tell multiprocess mode a worker is gone (gunicorn's ``child_exit`` hook); a no-op without it."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
