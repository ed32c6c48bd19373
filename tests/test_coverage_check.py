"""The coverage check's arithmetic (months covered, mapped share, accounts to map, fixes) and the token's mode."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from broker.coverage.check import Facts, Requirements, accounts_to_map, check, mapped_percent, months_covered
from broker.errors import InvalidToken
from broker.tokens import LinkTokens, MemoryRevocations
from tests.broker_support import FrozenClock

BROKER = Path(__file__).resolve().parent.parent / "broker"


@pytest.mark.parametrize(
    ("dates", "months"),
    [
        ([], 0),
        (["2026-01-31", "2026-01-01", "2026-02-10T10:00:00Z"], 2),
        ([date(2025, 12, 1), "2026-01-05"], 2),
        ([None, "", "garbage", "2026-13", "20x6-01-01"], 0),
        ([f"2025-{m:02d}-15" for m in range(1, 13)] + ["2026-01-01"], 13),
    ],
)
def test_months_covered_counts_distinct_calendar_months(dates: list[Any], months: int) -> None:
    assert months_covered(dates) == months


@pytest.mark.parametrize(
    ("balances", "percent", "to_reach_95"),
    [
        ([], 0.0, 0),
        ([(100, True), (-100, True)], 100.0, 0),
        ([(900, True), (100, False)], 90.0, 1),
        ([(500, False), (-300, False), (150, False), (50, False)], 0.0, 3),  # 500+300+150 = 95 %
        ([(0, False), (0, False)], 0.0, 2),  # no balances: every account must be mapped
        ([(0, True)], 100.0, 0),
        ([(2, True), (1, False)], 66.6, 1),  # floored, never rounded up to meet a minimum
    ],
)
def test_mapped_share_and_accounts_to_map(balances: list[tuple[int, bool]], percent: float, to_reach_95: int) -> None:
    assert mapped_percent(balances) == percent
    assert accounts_to_map(balances, 95) == to_reach_95


FACTS = Facts(
    journal_dates=[f"2026-{m:02d}-01" for m in range(1, 11)],
    bank_dates=["2026-09-01", "2026-10-01"],
    balances=[(900, True), (60, False), (40, False)],
    reliable_through=None,
)


@pytest.mark.parametrize(
    ("requirements", "facts", "unmet"),
    [
        (Requirements(), FACTS, {}),
        (
            Requirements(12, 3, 95.0, True),
            FACTS,
            {
                "books_months": ("more_books_history", 2, "Add 2 more months of history"),
                "bank_months": ("more_bank_history", 1, "Add 1 more month of history"),
                "mapped_percent": ("map_accounts", 1, "Map 1 more account."),
                "reliable_through": ("set_reliable_through", None, "State the date"),
            },
        ),
        (
            Requirements(1, 1, 50.0, True),
            Facts([], [], [], date(2026, 9, 30)),
            {
                "books_months": ("connect_accounting", None, "Connect the accounting app."),
                "bank_months": ("connect_bank", None, "Connect the bank."),
                "mapped_percent": ("connect_accounting", None, "Connect the accounting app."),
            },
        ),
        (
            Requirements(10, 2, 90.0, True),
            Facts(FACTS.journal_dates, FACTS.bank_dates, FACTS.balances, date.today()),
            {},
        ),
    ],
)
def test_check_says_what_is_missing_in_plain_words(
    requirements: Requirements, facts: Facts, unmet: dict[str, tuple[str, int | None, str]]
) -> None:
    result = check(requirements, facts)
    assert result["met"] is (not unmet)
    found = {item["name"]: item for item in result["requirements"]}
    assert list(found) == ["books_months", "bank_months", "mapped_percent", "reliable_through"]
    for name, item in found.items():
        assert item["met"] is (name not in unmet)
        if name in unmet:
            code, count, words = unmet[name]
            assert (item["fix"]["code"], item["fix"]["count"]) == (code, count)
            assert item["fix"]["message"].startswith(words)
        else:
            assert item["fix"] is None


def _tokens(clock: FrozenClock) -> LinkTokens:
    return LinkTokens(["k" * 32], MemoryRevocations(clock), clock=clock)


@pytest.mark.parametrize(("mode", "integration"), [("create", None), ("update", "ledgerly")])
def test_a_token_carries_its_mode_and_app(mode: str, integration: str | None) -> None:
    tokens = _tokens(FrozenClock())
    token, _ = tokens.mint(
        client_id="c",
        account_key="a",
        origin="https://o.example",
        scopes=["link"],
        lifetime=60,
        mode=mode,
        integration=integration,
    )
    claims = tokens.verify(token)
    assert (claims.mode, claims.integration) == (mode, integration)


@pytest.mark.parametrize(
    "extra",
    [{"mod": "update"}, {"mod": "update", "int": ""}, {"mod": "replace", "int": "x"}, {"mod": "create", "int": "x"}],
)
def test_a_signed_token_with_a_bad_mode_is_invalid(extra: dict[str, Any]) -> None:
    tokens = _tokens(FrozenClock())
    payload = {"jti": "j", "cli": "c", "acc": "a", "org": "https://o.example", "scp": ["link"], "exp": 2_000_000_000}
    forged = tokens._serializer.dumps({**payload, **extra})
    with pytest.raises(InvalidToken):
        tokens.verify(forged)


def test_a_revoked_token_can_be_read_once_more_only_by_asking_and_is_explained() -> None:
    clock = FrozenClock()
    tokens = _tokens(clock)
    token, claims = tokens.mint(
        client_id="c", account_key="a", origin="https://o.example", scopes=["link"], lifetime=60
    )
    tokens.revoke(claims)
    with pytest.raises(InvalidToken) as plain:
        tokens.verify(token)
    assert plain.value.code == "invalid_token"
    assert tokens.verify(token, ignore_revocation=True).jti == claims.jti

    class Explained(InvalidToken):
        code = "explained"

    tokens.explain_revocation = lambda _claims: Explained()
    with pytest.raises(Explained):
        tokens.verify(token)


@pytest.mark.parametrize("module", ["coverage/check.py", "coverage/store.py", "link_sessions/store.py"])
def test_the_feature_cores_import_nothing_from_flask(module: str) -> None:
    tree = ast.parse((BROKER / module).read_text())
    names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {name.split(".")[0] for name in names} & {"flask", "werkzeug", "flask_smorest"}
