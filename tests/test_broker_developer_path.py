"""A lender developer's first steps: the CLI's help without configuration, a command that says what is missing, the
demo's command that adds a client to the demo's own database, and 401s that tell an unknown client from a wrong
secret."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from tests.broker_support import assert_error, basic, new_client

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")


def _bare_environment() -> dict[str, str]:
    """This process's environment without any broker setting (a new shell)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BROKER_") and k not in ("DATABASE_URL",)}


def _flask(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLASK, "--app", "broker", *args], cwd=cwd, env=_bare_environment(), capture_output=True, text=True, timeout=120
    )


def test_the_cli_help_lists_the_commands_without_any_configuration(tmp_path: Path) -> None:
    done = _flask("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for command in ("create-client", "rotate-client-secret", "list-clients", "db-upgrade", "widget-sri"):
        assert command in done.stdout
    assert _flask("create-client", "--help", cwd=tmp_path).returncode == 0


def test_a_command_without_configuration_says_what_is_missing_and_writes_nothing(tmp_path: Path) -> None:
    done = _flask("create-client", "Acme", "--origin", "https://acme.example", cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "BROKER_SECRET_KEYS is required" in done.stderr and "DATABASE_URL" in done.stderr
    assert not list(tmp_path.rglob("*.sqlite3"))


def test_make_demo_prints_the_command_that_adds_a_client_to_the_demo_database(tmp_path: Path) -> None:
    from scripts import demo
    from scripts.stack import Stack

    stack = Stack(tmp_path / "demo", {"host": 8000, "broker": 8001, "sandbox": 8002})
    stack.lender = {"client_id": "cli_demo", "client_secret": "secret"}
    printed = demo.instructions(stack, "ak_demo")
    line = next(line.strip() for line in printed.splitlines() if "create-client" in line)
    elsewhere = tmp_path / "elsewhere"  # another working folder: the command must not depend on it
    elsewhere.mkdir()
    done = subprocess.run(
        ["bash", "-c", line], cwd=elsewhere, env=_bare_environment(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout.strip().splitlines()[-1])
    database = tmp_path / "demo" / "broker.sqlite3"
    assert created["database"] == f"sqlite:///{database}"
    with sqlite3.connect(database) as connection:
        origins = connection.execute("SELECT origins FROM clients WHERE id = ?", (created["client_id"],)).fetchone()
    assert origins == (demo.ANOTHER_LENDER[1],)
    assert not list(elsewhere.rglob("*.sqlite3"))


def test_a_401_tells_an_unknown_client_from_a_wrong_secret_without_echoing_either(app: Flask) -> None:
    lender = new_client(app)
    client = app.test_client()
    unknown = assert_error(client.get("/v1/accounts", headers=basic("cli_nobody_here", "s3cr3t-sent")), 401)
    wrong = assert_error(client.get("/v1/accounts", headers=basic(lender["client_id"], "s3cr3t-sent")), 401)
    assert unknown["code"] == wrong["code"] == "unauthorized"
    assert unknown["message"].startswith("Unknown client id")
    assert wrong["message"].startswith("Wrong client secret")
    for error in (unknown, wrong):
        text: Any = json.dumps(error)
        assert "s3cr3t-sent" not in text and "cli_nobody_here" not in text and lender["client_id"] not in text
        assert lender["secret"] not in text
