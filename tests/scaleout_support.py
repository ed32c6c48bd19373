"""Several real broker processes (gunicorn) on one PostgreSQL database and one Redis, with a sandbox upstream.

Used by ``tests/test_scaleout.py`` and ``bench/bench_load.py``. Everything runs on loopback; every run gets a fresh
database (dropped afterwards) and a fresh Redis key prefix (deleted afterwards).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
API_USER, API_KEY, TENANT_KEY = "scale-user", "sk_scaleout_sandbox_key_0123456789", "tenant_scaleout_key_abc"
METRICS_TOKEN = "scaleout-metrics-token-" + "m" * 16
ORIGIN = "https://lender.example"


def reachable(port: int, host: str = LOOPBACK) -> bool:
    """Return whether something listens on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.3):
        return True
    return False


def missing_services() -> str | None:
    """Return why the stack cannot run here (PostgreSQL or Redis not answering), or ``None``."""
    absent = [name for name, port in (("PostgreSQL", 5432), ("Redis", 6379)) if not reachable(port)]
    return f"{' and '.join(absent)} not reachable on 127.0.0.1" if absent else None


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty PostgreSQL database for one run and drop it afterwards; yield its URL."""
    from sqlalchemy import create_engine, text

    name = f"broker_scaleout_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Process:
    """One started server: its URL, process and the file its stderr (logs) goes to."""

    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log_lines(self) -> list[str]:
        """Return what the process has logged so far."""
        return self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []

    def json_logs(self) -> list[dict[str, Any]]:
        """Return the JSON log objects among its lines (gunicorn's banner lines excepted)."""
        out = []
        for line in self.log_lines():
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, dict):
                    out.append(value)
        return out


@dataclass
class Stack:
    """A sandbox, N broker instances and the shared state they use."""

    sandbox: Process
    brokers: list[Process]
    broker_env: dict[str, str]
    database_url: str
    redis_prefix: str
    processes: list[Process] = field(default_factory=list)

    def cli(self, *args: str) -> dict[str, Any]:
        """Run ``flask --app broker <args>`` against the shared database and return its JSON output."""
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "broker", *args],
            cwd=ROOT,
            env={**os.environ, **self.broker_env},
            capture_output=True,
            timeout=120,
            check=True,
        )
        return dict(json.loads(done.stdout.decode().strip().splitlines()[-1]))

    def admin(self) -> httpx.Client:
        """An Administration API client for the sandbox."""
        return httpx.Client(
            base_url=self.sandbox.url, auth=(API_KEY, ""), headers={"Account-Key": TENANT_KEY}, timeout=120
        )

    def connect_app(self, account_key: str, integration: str = "ledgerly") -> None:
        """Connect a simulated app to a company without a browser (the sandbox seeds its data)."""
        with self.admin() as admin:
            body = {"action": "sandbox_connect", "account_key": account_key, "integration": integration}
            answer = admin.post("/app/api.php", json=body)
        answer.raise_for_status()


def _start(name: str, command: list[str], env: Mapping[str, str], log_dir: Path, url: str) -> Process:
    log_path = log_dir / f"{name}.log"
    handle = open(log_path, "wb")  # noqa: SIM115 - the child writes to it for its whole life
    popen = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    handle.close()
    return Process(name, url, popen, log_path)


def wait_ready(process: Process, path: str, timeout: float = 90.0) -> None:
    """Wait until ``process`` answers 200 on ``path``, or raise with its last log lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(process.url + path, timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    tail = "\n".join(process.log_lines()[-20:])
    raise RuntimeError(f"{process.name} did not become ready on {path}:\n{tail}")


def start_sandbox(log_dir: Path, workers: int = 1, **overrides: str) -> Process:
    """Start the sandbox under gunicorn (``overrides``: more environment); its access log records request ids."""
    port = free_port()
    env = {
        "SANDBOX_ENV": "development",
        "SANDBOX_API_USER": API_USER,
        "SANDBOX_API_KEY": API_KEY,
        "SANDBOX_TENANT_KEY": TENANT_KEY,
        "SANDBOX_DATABASE_URL": f"sqlite:///{log_dir / 'sandbox.sqlite3'}",
        "SANDBOX_PUBLIC_URL": f"http://{LOOPBACK}:{port}",
        "SANDBOX_SYNC_IN_BACKGROUND": "false",
        "SANDBOX_DATA_END": "2026-10-31",
        **overrides,
    }
    command = [
        str(BIN / "gunicorn"), "-c", "python:common.serving",
        "--workers", str(workers), "--threads", "16", "--worker-class", "gthread",
        "--bind", f"{LOOPBACK}:{port}",
        "--access-logfile", "-", "--access-logformat", "sandbox %(m)s %(U)s %(s)s rid=%({x-request-id}i)s",
        "sandbox:create_app()",
    ]  # fmt: skip
    process = _start("sandbox", command, env, log_dir, f"http://{LOOPBACK}:{port}")
    wait_ready(process, "/")
    return process


def broker_environment(sandbox_url: str, database_url: str, prefix: str, **overrides: str) -> dict[str, str]:
    """Return the environment of a broker instance in the stack."""
    env = {
        "BROKER_ENV": "testing",  # testing: lender webhooks may point at loopback receivers
        "BROKER_LOG_FORMAT": "json",
        "BROKER_SECRET_KEYS": "scaleout-secret-" + secrets.token_urlsafe(24),
        "BROKER_UPSTREAM_ADMIN_URL": sandbox_url,
        "BROKER_UPSTREAM_DATA_URL": sandbox_url,
        "BROKER_UPSTREAM_API_USER": API_USER,
        "BROKER_UPSTREAM_API_KEY": API_KEY,
        "BROKER_UPSTREAM_TENANT_KEY": TENANT_KEY,
        "BROKER_CLIENT_SECRET_HASH_COST": "12",
        "BROKER_AUTO_MIGRATE": "true",
        "BROKER_METRICS_TOKEN": METRICS_TOKEN,
        "BROKER_REDIS_KEY_PREFIX": prefix,
        "BROKER_WEBHOOK_POLL_INTERVAL": "0.2",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
    }
    env.update(overrides)
    return env


def start_brokers(
    env: Mapping[str, str], log_dir: Path, started: list[Process], instances: int = 2, workers: int = 2
) -> list[Process]:
    """Start ``instances`` gunicorn broker instances at the same moment (appended to ``started``), wait for each."""
    brokers = []
    for index in range(instances):
        port = free_port()
        command = [
            str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind", f"{LOOPBACK}:{port}", "--workers", str(workers),
        ]  # fmt: skip
        metrics_dir = log_dir / f"metrics-{index}"
        brokers.append(
            _start(
                f"broker-{index}",
                command,
                {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                log_dir,
                f"http://{LOOPBACK}:{port}",
            )
        )
        started.append(brokers[-1])
    for process in brokers:
        wait_ready(process, "/readyz")
    return brokers


def stop(processes: list[Process]) -> None:
    """Stop processes gracefully, then for good."""
    for process in processes:
        if process.popen.poll() is None:
            process.popen.terminate()
    for process in processes:
        try:
            process.popen.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(timeout=5)


def _forget_redis_keys(prefix: str) -> None:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
    finally:
        connection.close()


@contextlib.contextmanager
def scaleout_stack(
    log_dir: Path, *, instances: int = 2, workers: int = 2, sandbox_workers: int = 1, **overrides: str
) -> Iterator[Stack]:
    """Run a sandbox and ``instances`` brokers of ``workers`` each on a fresh database and Redis prefix."""
    prefix = f"scaleout:{uuid.uuid4().hex[:12]}:"
    with fresh_database() as database_url:
        sandbox = start_sandbox(log_dir, sandbox_workers)
        processes = [sandbox]
        try:
            env = broker_environment(sandbox.url, database_url, prefix, **overrides)
            brokers = start_brokers(env, log_dir, processes, instances, workers)
            yield Stack(sandbox, brokers, env, database_url, prefix, processes)
        finally:
            stop(processes)
            _forget_redis_keys(prefix)


@contextlib.contextmanager
def one_broker_stack(prefix: str, sandbox_env: Mapping[str, str] | None = None, **broker_env: str) -> Iterator[Stack]:
    """A sandbox and one broker instance (one worker, threads) on SQLite, without Redis, in gunicorn, as the benches
    measure them; yield the stack, stop both at the end."""
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as name:
        folder = Path(name)
        processes = [start_sandbox(folder, 1, **(sandbox_env or {}))]
        try:
            env = broker_environment(
                processes[0].url,
                f"sqlite:///{folder / 'broker.sqlite3'}",
                f"{prefix}:",
                REDIS_URL="",
                BROKER_LOG_LEVEL="WARNING",
                **broker_env,
            )
            broker = start_brokers(env, folder, processes, instances=1, workers=1)[0]
            yield Stack(processes[0], [broker], env, env["DATABASE_URL"], f"{prefix}:", processes)
        finally:
            stop(processes)
