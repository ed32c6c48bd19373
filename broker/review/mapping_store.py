"""Saved mappings: a lender's standard chart, each company's mapping with its history, and learning across companies."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.errors import MappingNotSaved, SaveConflict, Unprocessable
from broker.mapping import ChartError, StandardChart, default_chart, learning_key, load_chart, suggest_mappings
from broker.review.books import Books
from broker.review.models import AccountMapping, MappingChange, StandardChartRow
from broker.storage.models import Account
from common.dates import iso

MAX_ITEMS = 2000
HISTORY_SHOWN = 200


def commit_or_conflict(session: Session) -> None:
    """Commit a save, or raise ``SaveConflict`` when another request saved the same row first (a retry is
    idempotent)."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SaveConflict() from None


# -- the standard chart --------------------------------------------------------------------------------------------
def chart_for(session: Session, client_id: str) -> tuple[StandardChart, bool]:
    """Return the client's standard chart and whether it is the client's own (else the default)."""
    row = session.get(StandardChartRow, client_id)
    if row is None:
        return default_chart(), False
    return load_chart(json.loads(row.chart)), True


def chart_view(chart: StandardChart, custom: bool, updated_at: datetime | None = None) -> dict[str, Any]:
    """The chart as the API shows it: the tree, plus every leaf with its path for a picker."""
    leaves = []
    for leaf in chart.leaves():
        path: list[str] = []
        code = chart.parent(leaf.code)
        while code is not None:
            node = chart.find(code)
            if node is not None:
                path.insert(0, node.name)
            code = chart.parent(code)
        item: dict[str, Any] = {"code": leaf.code, "name": leaf.name, "name_fr": leaf.name_fr}
        leaves.append(item | {"statement": leaf.statement} | {"side": leaf.side, "path": path})
    return {
        **chart.to_dict(),
        "leaves": leaves,
        "custom": custom,
        "updated_at": iso(updated_at) if updated_at else None,
    }


def replace_chart(session: Session, client_id: str, data: object, *, now: datetime) -> dict[str, Any]:
    """Validate and store the client's chart (422 listing every problem); it applies to every company at once."""
    try:
        chart = load_chart(data)
    except ChartError as error:
        raise Unprocessable(
            "The standard chart is not valid.", code=error.code, details={"problems": error.errors}
        ) from None
    row = session.get(StandardChartRow, client_id)
    text = json.dumps(chart.to_dict(), separators=(",", ":"))
    if row is None:
        session.add(StandardChartRow(client_id=client_id, chart=text, updated_at=now))
    else:
        row.chart, row.updated_at = text, now
    session.commit()
    return chart_view(chart, True, now)


def get_chart(session: Session, client_id: str) -> dict[str, Any]:
    """The client's chart as the API shows it."""
    row = session.get(StandardChartRow, client_id)
    chart, custom = chart_for(session, client_id)
    return chart_view(chart, custom, row.updated_at if row else None)


# -- saved mappings ------------------------------------------------------------------------------------------------
def saved_rows(session: Session, account: Account) -> dict[str, AccountMapping]:
    """The company's saved mapping rows by source account id."""
    rows = session.scalars(select(AccountMapping).where(AccountMapping.account_id == account.id))
    return {row.source_account_id: row for row in rows}


def saved_mapping(session: Session, account: Account) -> dict[str, str]:
    """The company's saved mapping: source account id to category code."""
    return {key: row.category for key, row in saved_rows(session, account).items()}


def learned(session: Session, account: Account) -> dict[str, str]:
    """What the same lender's other companies confirmed, by learning key: the most common category, then the latest."""
    rows = session.execute(
        select(AccountMapping.learning_key, AccountMapping.category, AccountMapping.saved_at)
        .join(Account, Account.id == AccountMapping.account_id)
        .where(Account.client_id == account.client_id, AccountMapping.account_id != account.id)
    ).all()
    votes: dict[str, Counter[str]] = {}
    latest: dict[tuple[str, str], datetime] = {}
    for key, category, saved_at in rows:
        if not key:
            continue
        votes.setdefault(key, Counter())[category] += 1
        latest[(key, category)] = max(saved_at, latest.get((key, category), saved_at))
    return {
        key: max(counter, key=lambda category: (counter[category], latest[(key, category)], category))
        for key, counter in votes.items()
    }


def _balances(journal_entries: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for entry in journal_entries:
        for line in entry.get("lines") or []:
            amount = line.get("amount")
            if isinstance(amount, int) and not isinstance(amount, bool):
                key = str(line.get("account_id"))
                totals[key] = totals.get(key, 0) + amount
    return totals


def mapping_view(session: Session, account: Account, books: Books) -> dict[str, Any]:
    """What the map step shows: each account with its balance, suggestion, saved category and flags; progress."""
    chart, custom = chart_for(session, account.client_id)
    rows = saved_rows(session, account)
    accounts = books.ledger_accounts
    balances = _balances(books.journal_entries)
    # The trial balance's side is a signal when an account's name is all there is (debit positive, as the suggester
    # reads it); an app that reports its own balance keeps it.
    with_balances = [{"balance": balances.get(str(a.get("id")), 0)} | dict(a) for a in accounts]
    suggestions = suggest_mappings(with_balances, chart, confirmed=learned(session, account))
    ever_saved = bool(rows)
    shown = []
    for source, suggestion in zip(accounts, suggestions, strict=True):
        account_id = str(source.get("id"))
        row = rows.get(account_id)
        category = row.category if row is not None and chart.is_leaf(row.category) else None
        shown.append(
            {key: source.get(key) for key in ("code", "name", "type", "classification", "subtype", "currency")}
            | {"id": account_id, "balance": balances.get(account_id, 0), "category": category}
            | {"saved_at": iso(row.saved_at) if row else None, "suggestion": suggestion.to_dict()}
            | {
                "flags": {
                    "low_confidence": suggestion.needs_review,
                    "new": ever_saved and row is None,
                    "unmapped": category is None,
                }
            }
        )
    mapped = sum(1 for item in shown if item["category"] is not None)
    last = max((row.saved_at for row in rows.values()), default=None)
    return {
        "chart": chart_view(chart, custom),
        "accounts": shown,
        "progress": {"mapped": mapped, "total": len(shown)},
        "saved_at": iso(last) if last else None,
    }


def save_mapping(
    session: Session, account: Account, books: Books, items: Sequence[Mapping[str, Any]], *, actor: str, now: datetime
) -> dict[str, Any]:
    """Save some accounts' categories (``None`` unmaps); record each change; commit before answering.

    Saving what is already saved changes nothing and records nothing, so a retried request is harmless.
    """
    chart, _ = chart_for(session, account.client_id)
    known = {str(a.get("id")): a for a in books.accounts}
    problems: dict[str, list[str]] = {}
    seen: set[str] = set()
    for n, item in enumerate(items):
        account_id, category = item["account_id"], item["category"]
        if account_id in seen:
            problems[f"mappings.{n}.account_id"] = ["appears twice in one save"]
        elif account_id not in known:
            problems[f"mappings.{n}.account_id"] = ["is not an account of this company"]
        if category is not None and not chart.is_leaf(category):
            problems[f"mappings.{n}.category"] = ["is not a category of the standard chart you can map to"]
        seen.add(account_id)
    if problems:
        raise Unprocessable("Some mappings are not valid.", details={"fields": problems})
    rows = saved_rows(session, account)
    changed = 0
    for item in items:
        account_id, category = item["account_id"], item["category"]
        row = rows.get(account_id)
        old = row.category if row else None
        if old == category:
            continue
        changed += 1
        session.add(
            MappingChange(
                account_id=account.id,
                source_account_id=account_id,
                old_category=old,
                new_category=category,
                at=now,
                actor=actor,
            )
        )
        if category is None and row is not None:
            session.execute(delete(AccountMapping).where(AccountMapping.id == row.id))
        elif row is None and category is not None:
            key = learning_key(known[account_id])[:200]
            session.add(
                AccountMapping(
                    account_id=account.id,
                    source_account_id=account_id,
                    category=category,
                    learning_key=key,
                    saved_at=now,
                    saved_by=actor,
                )
            )
        elif row is not None and category is not None:
            row.category, row.saved_at, row.saved_by = category, now, actor
    commit_or_conflict(session)
    mapped = len(saved_rows(session, account))
    return {
        "changed": changed,
        "progress": {"mapped": mapped, "total": len(books.ledger_accounts)},
        "saved_at": iso(now),
    }


def lender_mapping(session: Session, account: Account) -> dict[str, Any]:
    """The saved mapping as the lender reads it, with category names and the latest changes."""
    rows = saved_rows(session, account)
    if not rows:
        raise MappingNotSaved()
    chart, custom = chart_for(session, account.client_id)
    history = session.scalars(
        select(MappingChange)
        .where(MappingChange.account_id == account.id)
        .order_by(MappingChange.at.desc(), MappingChange.id.desc())
        .limit(HISTORY_SHOWN)
    )

    def name(code: str | None) -> str | None:
        node = chart.find(code) if code else None
        return node.name if node else None

    return {
        "account_key": account.account_key,
        "chart": "custom" if custom else "default",
        "saved_at": iso(max(row.saved_at for row in rows.values())),
        "mappings": [
            {"account_id": row.source_account_id, "category": row.category, "category_name": name(row.category)}
            | {"saved_at": iso(row.saved_at), "saved_by": row.saved_by}
            for row in sorted(rows.values(), key=lambda r: r.source_account_id)
        ],
        "history": [
            {"account_id": c.source_account_id, "old_category": c.old_category, "new_category": c.new_category}
            | {"at": iso(c.at), "actor": c.actor}
            for c in history
        ],
    }
