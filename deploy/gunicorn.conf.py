"""Gunicorn settings for the broker in production: several workers, JSON logs, metrics summed over workers.

Run: ``gunicorn -c deploy/gunicorn.conf.py``. Every value can be changed by environment (``BROKER_BIND``,
``BROKER_WORKERS``, ``BROKER_THREADS``, ``BROKER_TIMEOUT``, ``BROKER_FORWARDED_ALLOW_IPS``) or on the command line.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger

wsgi_app = "broker:create_app()"
bind = [os.environ.get("BROKER_BIND", "127.0.0.1:8001")]
workers = int(os.environ.get("BROKER_WORKERS", "2"))
# Threads, because a worker spends most of its time waiting for the upstream; each worker's pools are thread-safe.
worker_class = "gthread"
threads = int(os.environ.get("BROKER_THREADS", "8"))
timeout = int(os.environ.get("BROKER_TIMEOUT", "30"))  # above BROKER_UPSTREAM_DEADLINE (15 s by default)
graceful_timeout = 20
keepalive = 5
max_requests = 20_000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 2_000
# No preload: each worker builds its own app after the fork, so database pools, the Redis client and the webhook
# sender thread are never shared between processes.
preload_app = False
forwarded_allow_ips = os.environ.get("BROKER_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the broker logs one JSON line per request itself (broker.access), with the request id


class BrokerLogger(Logger):
    """gunicorn's logger without access lines: with ``logconfig_dict`` set, gunicorn formats one for every request
    even though no handler prints it (about a tenth of a millisecond per request in the profile, for nothing)."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


logger_class = BrokerLogger
errorlog = "-"
loglevel = os.environ.get("BROKER_LOG_LEVEL", "info").lower()
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "broker.observability.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": loglevel.upper(), "propagate": False}},
    "root": {"level": loglevel.upper(), "handlers": []},  # the app installs its own handler (broker.observability.logs)
}

# Metrics: with several workers, each writes its series to files in one directory that any worker reads back when
# scraped (prometheus_client's multiprocess mode). The variable must be set before a worker imports prometheus_client,
# so it is set here, in the master, before the fork.
if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="broker-metrics-")


def on_starting(server: Any) -> None:
    """Empty the metrics directory: files left by a previous run would be added to this one's counts."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def post_worker_init(worker: Any) -> None:
    """Freeze what the app built at start out of the garbage collector's sight (``common.serving``)."""
    from common.serving import post_worker_init as freeze_app

    freeze_app(worker)


def child_exit(server: Any, worker: Any) -> None:
    """Let multiprocess metrics forget a worker that exited (its counters stay counted)."""
    from broker.observability.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def worker_exit(server: Any, worker: Any) -> None:
    """Close the worker's broker (it writes the audit entries still queued) before the worker process ends."""
    state = getattr(getattr(worker, "wsgi", None), "extensions", {}).get("broker")
    if state is not None:
        state.close()
