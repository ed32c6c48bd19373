"""Every shell example of README.md and docs/ that calls curl runs against a live sandbox and broker, as written.

The fenced ``sh``/``bash`` blocks are extracted and run by bash with the demo's ports swapped for the live servers'
ports, the variables they expect (``CLIENT_ID``, ``KEY``, ``INVOICE_ID``...) set, and ``curl`` wrapped to record each
answer. A call must answer 2xx, or the status its ``# → NNN`` comment states, with the JSON keys that comment shows.
A block pointing at a port that is neither the broker's (8001) nor the sandbox's (8002, or 8102 alone) fails.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.broker_support import sandbox_and_broker
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BROKER_PORTS = ("8001",)
SANDBOX_PORTS = ("8002", "8102")
HOST_ORIGIN = "http://localhost:8000"  # the demo lender's page: an origin in bodies, never called
DEMO_SANDBOX = {
    "ENV": "test",
    "API_USER": "demo",
    "API_KEY": "sk_sandbox_demo_key_change_me",
    "TENANT_KEY": "tenant_demo_account_key",
    "SYNC_IN_BACKGROUND": False,
}
FENCE = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.M | re.S)
ANNOTATION = re.compile(r"#\s*(?:→|->)\s*(\d{3}(?:\s+or\s+\d{3})*)\b(.*)$")
WRAPPER = r"""set -euo pipefail
__calls=0
curl() {
  __calls=$((__calls + 1))
  command curl -o "$DOC_OUT/$__calls.body" -w '%{http_code}' "$@" > "$DOC_OUT/$__calls.status"
  cat "$DOC_OUT/$__calls.body"
}
"""


@dataclass(frozen=True)
class Example:
    """One fenced shell block that calls curl."""

    document: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def examples() -> list[Example]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if re.search(r"(^|[\s(])curl\s", match.group(1), re.M):
                line = text[: match.start()].count("\n") + 2
                found.append(Example(str(document.relative_to(ROOT)), line, match.group(1)))
    return found


def _statuses(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d{3}", text))


def expectations(block: str) -> list[tuple[tuple[int, ...], list[str]]]:
    """Per curl call in the block's order: the statuses its ``# → NNN [or NNN]`` comment states (empty: any 2xx) and
    the JSON keys that comment shows."""
    calls: list[tuple[tuple[int, ...], list[str]]] = []
    lines = block.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            if calls and (found := ANNOTATION.search(stripped)):
                calls[-1] = (_statuses(found.group(1)), re.findall(r'"(\w+)":', found.group(2)))
        elif re.search(r"(^|[\s(])curl\s", stripped):
            found = ANNOTATION.search(stripped)
            calls.append((_statuses(found.group(1)), []) if found else ((), []))
            while lines[index].rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                if (tail := ANNOTATION.search(lines[index])) is not None:
                    calls[-1] = (_statuses(tail.group(1)), [])
    return calls


@dataclass
class World:
    sandbox_url: str
    broker_url: str
    variables: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The sandbox with the demo's credentials and a broker; a lender with both documented origins; a company with
    Ledgerly connected; the ids the examples name."""
    folder = tmp_path_factory.mktemp("docs")
    with (
        sandbox_and_broker(folder, DEMO_SANDBOX, RATELIMIT_PER_ADDRESS="100000 per minute") as stack,
        live_server(stack.broker) as broker,
        httpx.Client(timeout=120) as http,
    ):
        origins = ["--origin", "https://acme.example", "--origin", HOST_ORIGIN]
        created = stack.broker.test_cli_runner().invoke(args=["create-client", "Docs Lender", *origins])
        assert created.exit_code == 0, created.output
        lender = json.loads(created.output)
        auth = (lender["client_id"], lender["client_secret"])
        company = http.post(f"{broker.url}/v1/accounts", auth=auth, json={"name": "Docs Café", "email": "o@docs.test"})
        key = company.json()["account_key"]
        connected = http.post(
            f"{stack.sandbox_url}/app/api.php",
            json={"action": "sandbox_connect", "account_key": key, "integration": "ledgerly"},
            auth=(DEMO_SANDBOX["API_KEY"], ""),
            headers={"Account-Key": DEMO_SANDBOX["TENANT_KEY"]},
        )
        assert connected.status_code == 201, connected.text
        invoice = http.get(f"{broker.url}/v1/accounts/{key}/data/invoices", auth=auth).json()[0]
        token = http.post(
            f"{broker.url}/v1/link_tokens", auth=auth, json={"account_key": key, "origin": "https://acme.example"}
        ).json()
        yield World(
            stack.sandbox_url,
            broker.url,
            {
                "CLIENT_ID": lender["client_id"],
                "CLIENT_SECRET": lender["client_secret"],
                "KEY": key,
                "ACCOUNT_KEY": key,
                "INVOICE_ID": invoice["id"],
                "TOKEN_ID": token["id"],
                "SOURCE_ID": invoice["source_url"].rstrip("/").rsplit("/", 1)[-1],
                "DATABASE_URL": f"sqlite:///{folder / 'broker.sqlite3'}",
            },
        )


def runnable(example: Example, world: World) -> str:
    """The block with the live servers' URLs, the repository's tools and the one documented placeholder filled in."""
    text = example.text
    for port in re.findall(r"127\.0\.0\.1:(\d+)", text):
        assert port in BROKER_PORTS + SANDBOX_PORTS, (
            f"{example.id} calls 127.0.0.1:{port}, which is neither the broker (8001) nor the sandbox (8002)"
        )
    for port in BROKER_PORTS:
        text = text.replace(f"http://127.0.0.1:{port}", world.broker_url)
    for port in SANDBOX_PORTS:
        text = text.replace(f"http://127.0.0.1:{port}", world.sandbox_url)
    text = text.replace(".venv/bin/", str(Path(sys.executable).parent) + "/")
    return text.replace("<id>", "$SOURCE_ID")


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.id)
def test_the_documented_example_runs_as_written(example: Example, world: World, tmp_path: Path) -> None:
    out = tmp_path / "answers"
    out.mkdir()
    script = WRAPPER + runnable(example, world)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DOC_OUT": str(out), **world.variables}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{example.id} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    answers = _answers(out)
    expected = expectations(example.text)
    loops = re.search(r"^\s*(for|while)\s", example.text, re.M) is not None
    assert len(answers) >= len(expected) if loops else len(answers) == len(expected), (example.id, answers)
    for number, (status, body) in enumerate(answers):
        want, keys = expected[number] if not loops and number < len(expected) else ((), [])
        where = f"{example.id}, call {number + 1}: {body[:300]!r}"
        assert status in want if want else 200 <= status < 300, f"{where} answered {status}, not {want or '2xx'}"
        for key in keys:
            assert f'"{key}"' in body, f"{where} has no {key!r}, which the example shows"


def _answers(out: Path) -> list[tuple[int, str]]:
    count = len(list(out.glob("*.status")))
    answers: list[tuple[int, Any]] = []
    for number in range(1, count + 1):
        status = int((out / f"{number}.status").read_text() or 0)
        answers.append((status, (out / f"{number}.body").read_text(errors="replace")))
    return answers
