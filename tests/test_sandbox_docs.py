"""The sandbox's documents say what the code does: every sign-in, admin action, fault switch and event is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox import admin_api
from sandbox.apps.server.users import APP_OWNERS, BANK_LOCKED_USERS, BANK_MFA_CODE, BANK_USERS
from sandbox.faults import MS_KEYS, RATE_KEYS
from sandbox.webhooks import EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


SIGN_INS = [
    *(f"`{value}`" for owner in APP_OWNERS.values() for value in owner),
    *(f"`{value}`" for pair in BANK_USERS.items() for value in pair),
    f"`{BANK_MFA_CODE}`",
]


@pytest.mark.parametrize("document", ["README.md", "docs/sandbox.md"])
@pytest.mark.parametrize("value", SIGN_INS)
def test_every_test_user_password_and_code_is_in_demo_sign_ins(document: str, value: str) -> None:
    assert value in _section((ROOT / document).read_text(encoding="utf-8"), "Demo sign-ins")


def test_the_locked_user_is_called_locked() -> None:
    section = _section(GUIDE, "Demo sign-ins")
    assert all(re.search(rf"`{user}`.*locked", section) for user in BANK_LOCKED_USERS)


def _actions() -> set[str]:
    source = Path(admin_api.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'action == "([a-z_]+)"', source))


@pytest.mark.parametrize("action", sorted(_actions()))
def test_every_administration_action_is_documented(action: str) -> None:
    assert f"| `{action}` |" in _section(GUIDE, "Administration API")


@pytest.mark.parametrize("switch", [*RATE_KEYS, *MS_KEYS, "retry_after", "seed", "targets"])
def test_every_fault_switch_is_documented(switch: str) -> None:
    assert f"| `{switch}` |" in _section(GUIDE, "Fault injection")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_webhook_type_is_documented(event_type: str) -> None:
    assert f"| `{event_type}` |" in _section(GUIDE, "Webhooks")


def test_readme_links_to_the_guide_and_its_sections_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/sandbox.md)" in readme
    for anchor in re.findall(r"docs/sandbox\.md#([a-z0-9-]+)", readme):
        titles = [
            re.sub(r"[^a-z0-9 -]", "", t.lower()).replace(" ", "-") for t in re.findall(r"^#+ (.+)$", GUIDE, re.M)
        ]
        assert anchor in titles
