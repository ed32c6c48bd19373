"""The deployment files: every variable the compose file and its env example set is one an app or gunicorn reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from broker.config import DEFAULTS as BROKER_DEFAULTS
from broker.webhooks.service import SETTINGS as WEBHOOK_SETTINGS
from example_host_app.config import DEFAULTS as HOST_DEFAULTS
from sandbox.config import DEFAULTS as SANDBOX_DEFAULTS
from sandbox.config import DEMO_CREDENTIALS

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
INJECTED = {"UPSTREAM_TRANSPORT", "CLOCK", "WEBHOOK_TRANSPORT", "BROKER_TRANSPORT"}  # set by tests, not by environment
# Read by something other than our apps: the PostgreSQL image, prometheus_client; and the unprefixed two.
OTHERS = {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_URL", "REDIS_URL"}


def known_variables() -> set[str]:
    names = {f"BROKER_{k}" for k in {*BROKER_DEFAULTS, *WEBHOOK_SETTINGS} - INJECTED}
    names |= {f"SANDBOX_{k}" for k in {*SANDBOX_DEFAULTS, *DEMO_CREDENTIALS}}
    names |= {f"HOST_{k}" for k in set(HOST_DEFAULTS) - INJECTED}
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', gunicorn))
    return names | OTHERS


def compose_variables(text: str) -> set[str]:
    """Names set under ``environment:`` (``NAME: value`` lines) and names interpolated as ``${NAME...}``."""
    keys = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+):", text, flags=re.MULTILINE))
    return keys | set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", text))


def test_compose_sets_only_variables_the_apps_know() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    found = compose_variables(text)
    assert {"BROKER_SECRET_KEYS", "DATABASE_URL", "REDIS_URL", "BROKER_METRICS_TOKEN", "HOST_CLIENT_ID"} <= found
    assert found - known_variables() == set()


def test_the_env_example_names_every_secret_compose_requires_and_nothing_unknown() -> None:
    compose = (DEPLOY / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):\?", compose))
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), flags=re.MULTILINE))
    assert required == example
    assert example - known_variables() == set()


@pytest.mark.parametrize("target", ["base", "broker", "sandbox", "host"])
def test_the_dockerfile_has_every_target_compose_builds(target: str) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(rf"^FROM \S+ AS {target}$", dockerfile, flags=re.MULTILINE)
    if target != "base":
        assert f"target: {target}" in (DEPLOY / "compose.yaml").read_text()


def test_the_known_variable_check_can_fail() -> None:
    assert compose_variables("  environment:\n    BROKER_NO_SUCH_SETTING: 1\n") - known_variables() == {
        "BROKER_NO_SUCH_SETTING"
    }


def test_every_gunicorn_worker_freezes_what_its_app_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker's config and ``common.serving`` (the sandbox's and host app's) freeze the app at worker start, and
    every way the project starts gunicorn uses one of them."""
    import gc
    import runpy

    root = DEPLOY.parent
    # The config sets this for its workers when it is missing; set here, it is undone after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    broker_config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        broker_config["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    configs = re.findall(r'CMD \["gunicorn", "-c", "([^"]+)"', (DEPLOY / "Dockerfile").read_text())
    assert configs == ["deploy/gunicorn.conf.py", "python:common.serving", "python:common.serving"]
    for path in ("scripts/stack.py", "tests/scaleout_support.py"):
        assert '"-c", "python:common.serving"' in (root / path).read_text(), path
