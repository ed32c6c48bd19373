"""Run the whole product on loopback: sandbox, broker and example host app as gunicorn processes, wired together.

Used by ``make demo`` (``scripts/demo.py``) and by the end-to-end journey tests, so that what a new user runs is what
CI drives. Three origins: the host on ``http://localhost:<port>``, the broker and the sandbox on ``127.0.0.1``.
Everything the stack creates (databases, the demo lender's credentials) lives in one instance folder, so a second
start reuses it: the lender, its webhook endpoint and the companies survive a restart.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
API_USER, API_KEY, TENANT_KEY = "demo", "sk_sandbox_demo_key_change_me", "tenant_demo_account_key"
LENDER_NAME = "Northwind Lending"
WEBHOOK_PATH = "/webhooks/ledgerlink"


class StackError(RuntimeError):
    """A part of the stack did not start or could not be wired; the message says which and why."""


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@dataclass
class Stack:
    """The three apps of the product on loopback ports, sharing ``instance`` for their state."""

    instance: Path
    ports: Mapping[str, int]
    sandbox_env: Mapping[str, str] = field(default_factory=dict)
    broker_env: Mapping[str, str] = field(default_factory=dict)
    log: IO[str] | None = None  # where the servers' output goes (default: inherit)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    lender: dict[str, str] = field(default_factory=dict)

    @property
    def sandbox_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports['sandbox']}"

    @property
    def broker_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports['broker']}"

    @property
    def broker_database_url(self) -> str:
        """The broker's database: ``DATABASE_URL`` of ``broker_env``, else an SQLite file in the instance folder."""
        return self.broker_env.get("DATABASE_URL") or f"sqlite:///{self.instance / 'broker.sqlite3'}"

    @property
    def host_url(self) -> str:
        return f"http://localhost:{self.ports['host']}"

    # -- starting and stopping ----------------------------------------------------------------------------------
    def start(self) -> Stack:
        """Start sandbox, broker and host (in that order), wiring credentials between them; idempotent on state."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self.start_sandbox()
        self.start_broker()
        self._wire_lender()
        self.start_host()
        return self

    def stop(self) -> None:
        """Stop every server (gracefully, then killed after ten seconds)."""
        for name in list(self.processes):
            self.stop_app(name)
        if self.log is not None and self.log.fileno() > 2:
            self.log.close()

    def __enter__(self) -> Stack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop_app(self, name: str, *, kill: bool = False) -> None:
        """Stop one server; ``kill`` stops it at once, as a crash would."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        if kill:  # the whole process group: gunicorn's master and its worker, as a machine crash would
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def start_sandbox(self) -> None:
        env = {
            "SANDBOX_ENV": "development",
            "SANDBOX_PUBLIC_URL": self.sandbox_url,
            "SANDBOX_API_USER": API_USER,
            "SANDBOX_API_KEY": API_KEY,
            "SANDBOX_TENANT_KEY": TENANT_KEY,
            "SANDBOX_TENANT_NAME": LENDER_NAME,
            "SANDBOX_DATABASE_URL": f"sqlite:///{self.instance / 'sandbox.sqlite3'}",
            **self.sandbox_env,
        }
        self._spawn("sandbox", "sandbox:create_app()", env, [f"{LOOPBACK}:{self.ports['sandbox']}"])
        self._wait_ready("sandbox", self.sandbox_url + "/")

    def broker_environment(self) -> dict[str, str]:
        """The broker's environment: development mode, its own SQLite file and a signing key kept in the instance."""
        state = self._state()
        keys = state.get("broker_secret_key") or secrets.token_urlsafe(32)
        metrics_token = state.get("metrics_token") or secrets.token_urlsafe(32)
        self._save_state(broker_secret_key=keys, metrics_token=metrics_token)
        return {
            "BROKER_ENV": "development",
            "BROKER_SECRET_KEYS": keys,
            "BROKER_METRICS_TOKEN": metrics_token,
            "DATABASE_URL": self.broker_database_url,
            "BROKER_UPSTREAM_ADMIN_URL": self.sandbox_url,
            "BROKER_UPSTREAM_DATA_URL": self.sandbox_url,
            "BROKER_UPSTREAM_API_USER": API_USER,
            "BROKER_UPSTREAM_API_KEY": API_KEY,
            "BROKER_UPSTREAM_TENANT_KEY": TENANT_KEY,
            # the demo's one lender and its e2e runs come from one address; keep the per-address guard generous
            "BROKER_RATELIMIT_PER_ADDRESS": "6000 per minute",
            **self.broker_env,
        }

    def broker_command(self, *args: str) -> str:
        """The shell command a person runs for ``flask --app broker ARGS`` on this stack's own broker database (a
        bare ``flask --app broker`` would use another database, or none)."""
        env = {"BROKER_ENV": "development", "DATABASE_URL": self.broker_database_url}
        assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
        return f"{assignments} {shlex.join([str(BIN / 'flask'), '--app', 'broker', *args])}"

    def start_broker(self) -> None:
        """Start (or start again, after ``stop_app("broker")``) the broker on its port with its instance state."""
        self._spawn("broker", "broker:create_app()", self.broker_environment(), [f"{LOOPBACK}:{self.ports['broker']}"])
        self._wait_ready("broker", self.broker_url + "/healthz")

    def start_host(self) -> None:
        binds = [f"{LOOPBACK}:{self.ports['host']}"]
        if _ipv6_loopback():
            binds.append(f"[::1]:{self.ports['host']}")
        env = {
            "HOST_ENV": "development",
            "HOST_BROKER_URL": self.broker_url,
            "HOST_PUBLIC_URL": self.host_url,
            "HOST_CLIENT_ID": self.lender["client_id"],
            "HOST_CLIENT_SECRET": self.lender["client_secret"],
            "HOST_WEBHOOK_SECRET": self.lender["webhook_secret"],
            "HOST_SECRET_KEY": self.lender["host_secret_key"],
            "HOST_WIDGET_INTEGRITY": self.lender["widget_integrity"],
            "HOST_DATABASE_URL": f"sqlite:///{self.instance / 'host.sqlite3'}",
        }
        self._spawn("host", "example_host_app:create_app()", env, binds)
        self._wait_ready("host", f"http://{LOOPBACK}:{self.ports['host']}/")

    def metric(self, name: str) -> float:
        """Sum of a broker metric's samples (all labels) from ``/metrics``."""
        answer = httpx.get(
            f"{self.broker_url}/metrics", headers={"Authorization": f"Bearer {self._state()['metrics_token']}"}
        )
        answer.raise_for_status()
        total = 0.0
        for line in answer.text.splitlines():
            if line.startswith(name) and not line.startswith("#"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    # -- wiring ---------------------------------------------------------------------------------------------------
    def _wire_lender(self) -> None:
        """Create the lender (a broker client) and its webhook endpoint once; keep them in the instance folder."""
        state = self._state()
        if not state.get("client_id"):
            created = self._flask("broker", "create-client", LENDER_NAME, "--origin", self.host_url)
            state.update(client_id=created["client_id"], client_secret=created["client_secret"])
            self._save_state(**state)
        auth = (state["client_id"], state["client_secret"])
        if not state.get("webhook_secret"):
            answer = httpx.post(
                f"{self.broker_url}/v1/webhooks", auth=auth, json={"url": self.host_url + WEBHOOK_PATH}, timeout=30
            )
            if answer.status_code != 201:
                raise StackError(f"registering the host's webhook endpoint failed: {answer.status_code} {answer.text}")
            state["webhook_secret"] = answer.json()["secret"]
            self._save_state(**state)
        self._flask("broker", "register-upstream-webhook", self.broker_url + "/v1/upstream/webhooks")
        state.setdefault("host_secret_key", secrets.token_urlsafe(32))
        state["widget_integrity"] = self._flask("broker", "widget-sri", raw=True).splitlines()[0].strip()
        self._save_state(**state)
        self.lender = {k: str(v) for k, v in state.items()}

    def _flask(self, app: str, *args: str, raw: bool = False) -> Any:
        env = {**os.environ, **self.broker_environment()}
        done = subprocess.run(
            [str(BIN / "flask"), "--app", app, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise StackError(f"`flask --app {app} {args[0]}` failed: {done.stderr.strip()[-800:]}")
        return done.stdout if raw else json.loads(done.stdout.strip().splitlines()[-1])

    def _state(self) -> dict[str, Any]:
        path = self.instance / "demo.json"
        return dict(json.loads(path.read_text())) if path.exists() else {}

    def _save_state(self, **values: Any) -> None:
        path = self.instance / "demo.json"
        state = {**self._state(), **values}
        path.write_text(json.dumps(state, indent=2))
        path.chmod(0o600)

    # -- processes ------------------------------------------------------------------------------------------------
    def _spawn(self, name: str, app: str, env: Mapping[str, str], binds: list[str]) -> None:
        command = [str(BIN / "gunicorn"), "-c", "python:common.serving", "--workers", "1", "--threads", "8"]
        command += ["--graceful-timeout", "5"]
        for bind in binds:
            command += ["--bind", bind]
        command += ["--log-level", "warning", app]
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=self.log, start_new_session=True
        )

    def _log_tail(self, lines: int = 15) -> str:
        """The last lines of the servers' log file, when their output goes to one."""
        name = getattr(self.log, "name", None)
        if not isinstance(name, str) or not os.path.exists(name):
            return " See its output above."
        self.log.flush() if self.log else None
        tail = Path(name).read_text(errors="replace").splitlines()[-lines:]
        return "\n" + "\n".join(tail)

    def _wait_ready(self, name: str, url: str, timeout: float = 90.0) -> None:
        process = self.processes[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise StackError(f"the {name} exited with status {process.returncode} at start.{self._log_tail()}")
            try:
                httpx.get(url, timeout=2.0)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise StackError(f"the {name} did not answer at {url} within {timeout:.0f} s.")
