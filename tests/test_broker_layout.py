"""The folder's rules hold: Flask-free core modules, one-sentence docstrings, modules under ~400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BROKER = Path(__file__).resolve().parent.parent / "broker"
FLASK_FREE = [
    "tokens.py",
    "proxy.py",
    "clients.py",
    "accounts.py",
    "config.py",
    "errors.py",
    "upstream/client.py",
    "upstream/retry.py",
    "upstream/pacer.py",
    "upstream/errors.py",
    "storage/db.py",
    "storage/models.py",
]
OWN = [
    *FLASK_FREE,
    "__init__.py",
    "auth.py",
    "cli.py",
    "limits.py",
    "logs.py",
    "schemas.py",
    "state.py",
    "views/lender.py",
    "views/data.py",
    "views/link.py",
    "views/health.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.update({alias.name, alias.name.split(".")[0]})
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update({node.module, node.module.split(".")[0]})
    return names


@pytest.mark.parametrize("module", FLASK_FREE)
def test_core_modules_import_nothing_from_flask(module: str) -> None:
    assert not _imports(BROKER / module) & {"flask", "werkzeug", "flask_smorest", "flask_limiter", "common.web"}


@pytest.mark.parametrize("module", OWN)
def test_modules_are_small_and_say_what_they_are(module: str) -> None:
    source = (BROKER / module).read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring and docstring.splitlines()[0].endswith(".")
    assert len(source.splitlines()) < 400
