"""The Postman collection is generated from /openapi.json, covers every operation, and passes under newman."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scripts import postman
from tests.stack_support import live_stack

NEWMAN_DIR = postman.ROOT / "tools" / "newman"
NEWMAN = NEWMAN_DIR / "node_modules" / ".bin" / "newman"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return postman.broker_spec()


def test_checked_in_collection_is_current(spec: dict[str, Any]) -> None:
    for path, text in postman.expected_files(spec).items():
        assert path.exists(), f"{path} is missing: run `python scripts/postman.py`"
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `python scripts/postman.py`"


def test_every_operation_has_a_request(spec: dict[str, Any]) -> None:
    collection = postman.build_collection(spec)
    requests = [item["request"] for folder in collection["item"] for item in folder["item"]]
    sent = {(r["method"].lower(), "/" + "/".join(r["url"]["path"])) for r in requests}
    for method, path, _operation in postman.operations(spec):
        assert any(m == method and _matches(p, path) for m, p in sent), (method, path)
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")


def _matches(path: str, pattern: str) -> bool:
    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(
        w in ("*", p) or w.startswith("{") for p, w in zip(parts, wanted, strict=True)
    )


def test_walkthrough_names_only_real_operations(spec: dict[str, Any]) -> None:
    known = {(m, p) for m, p, _ in postman.operations(spec)}
    unknown = [(s.method, s.path) for s in postman.flow() if (s.method, s.path) not in known]
    assert not unknown, f"the walk-through names operations that /openapi.json no longer has: {unknown}"


def _ensure_newman() -> Path:
    if NEWMAN.exists():
        return NEWMAN
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("newman is missing and npm is not installed: run `npm ci` in tools/newman/")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NEWMAN_DIR, check=True, timeout=300)
    return NEWMAN


@pytest.mark.e2e
def test_newman_run_against_live_stack(tmp_path: Path) -> None:
    newman = _ensure_newman()
    with live_stack(tmp_path) as stack:
        environment = postman.build_environment(
            {
                "broker_url": stack.broker_url,
                "client_id": stack.client_id,
                "client_secret": stack.client_secret,
                "origin": stack.origin,
            }
        )
        env_file = tmp_path / "env.json"
        env_file.write_text(json.dumps(environment), encoding="utf-8")
        report = tmp_path / "newman.json"
        run = subprocess.run(
            [
                str(newman), "run", str(postman.COLLECTION), "--environment", str(env_file),
                "--reporters", "cli,json", "--reporter-json-export", str(report),
                "--timeout-request", "30000", "--color", "off", "--disable-unicode",
            ],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    stats = json.loads(report.read_text(encoding="utf-8"))["run"]["stats"]
    summary = {k: (v["total"], v["failed"]) for k, v in stats.items()}
    print(f"newman: {summary}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert stats["assertions"]["failed"] == 0 and stats["requests"]["failed"] == 0, summary
    assert stats["assertions"]["total"] >= 3 * stats["requests"]["total"], summary
    assert stack.client_secret not in run.stdout
