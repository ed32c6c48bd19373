"""The tree's rules hold: features in packages, Flask-free cores, small modules that say what they are, one name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKER = ROOT / "broker"
PRODUCT = ("broker", "common", "sandbox", "example_host_app")
MAX_TOP_LEVEL_MODULES = 15
MAX_LINES = 400
# Pure cores: they know nothing of HTTP frameworks, so they can be used as a library and tested without an app.
FLASK_FREE_PACKAGES = ("upstream", "mapping", "reconcile")
FLASK_FREE_MODULES = (
    "tokens.py",
    "signed_links.py",
    "config.py",
    "errors.py",
    "data/proxy.py",
    "lender/clients.py",
    "lender/accounts.py",
    "review/statements.py",
    "review/books.py",
)
WEB = {"flask", "werkzeug", "flask_smorest", "flask_limiter", "common.web"}


def _product_modules() -> list[Path]:
    found = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "fixtures" in parts:
                continue
            found.append(path)
    return found


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.update({alias.name, alias.name.split(".")[0]})
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update({node.module, node.module.split(".")[0]})
    return names


def _flask_free() -> list[Path]:
    paths = [BROKER / name for name in FLASK_FREE_MODULES]
    for package in FLASK_FREE_PACKAGES:
        paths.extend(sorted((BROKER / package).rglob("*.py")))
    paths.extend(sorted((BROKER / "storage").glob("*.py")))
    return paths


@pytest.mark.parametrize("path", _flask_free(), ids=_name)
def test_core_modules_import_nothing_from_flask(path: Path) -> None:
    assert not _imports(path) & WEB


@pytest.mark.parametrize("path", _product_modules(), ids=_name)
def test_modules_are_small_and_say_what_they_are(path: Path) -> None:
    source = path.read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring, "a module starts with a one-sentence docstring"
    assert docstring.splitlines()[0].endswith(".")
    assert len(source.splitlines()) <= MAX_LINES


def test_the_broker_is_laid_out_by_feature() -> None:
    top_level = sorted(p.name for p in BROKER.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level
    for package in sorted(p.parent for p in BROKER.glob("*/__init__.py")):
        if package.name != "migrations":
            assert (package / "README.md").is_file(), f"{package.name}/ says what it owns in a README.md"


def test_no_class_name_is_defined_twice_across_broker_and_common() -> None:
    seen: dict[str, str] = {}
    for path in [*sorted(BROKER.rglob("*.py")), *sorted((ROOT / "common").rglob("*.py"))]:
        if "migrations" in path.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name != "Base":
                assert node.name not in seen, f"{node.name} in {seen.get(node.name)} and {_name(path)}"
                seen[node.name] = _name(path)


def _literal_code_or_status(call: ast.Call) -> bool:
    return any(k.arg in {"code", "status"} and isinstance(k.value, ast.Constant) for k in call.keywords)


@pytest.mark.parametrize("path", sorted(p for p in BROKER.rglob("*.py") if "migrations" not in p.parts), ids=_name)
def test_raise_sites_leave_codes_and_statuses_to_the_error_classes(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            assert not _literal_code_or_status(node.exc), f"{_name(path)}:{node.lineno} sets a code: make a subclass"
