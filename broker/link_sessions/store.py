"""Link sessions' life without Flask: the record of each session, progress, resume, exit, success and the views.

A record is keyed by the link token's id (``jti``, never shown) and named by its public ``link_session_id``. The
owner's work itself (connections upstream, mappings, reconciliation decisions) is stored per company already; a
record remembers where the owner was and what was done, so a new token for the same company can resume there.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broker.errors import LinkSessionNotFound, NothingToResume
from broker.link.models import LinkAttempt
from broker.link_sessions.models import LinkSessionRecord
from broker.storage import insert_or_race_winner
from broker.storage.models import Account
from broker.tokens import LinkClaims
from common.dates import iso

STEPS = ("connect", "map", "reconcile", "review")
RESUME_WINDOW = timedelta(days=30)


def _stamp(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def record_by_jti(db: Session, jti: str) -> LinkSessionRecord | None:
    """Return the record of a token's session, if it was ever opened."""
    return db.scalars(select(LinkSessionRecord).where(LinkSessionRecord.jti == jti)).first()


def record_for(db: Session, claims: LinkClaims, account: Account, now: datetime) -> LinkSessionRecord:
    """Return the record of the token's session, creating it the first time (two requests at once make one)."""
    found = record_by_jti(db, claims.jti)
    if found is not None:
        return found
    row = LinkSessionRecord(
        id="lks_" + secrets.token_urlsafe(16),
        jti=claims.jti,
        client_id=claims.client_id,
        account_id=account.id,
        mode=claims.mode,
        integration=claims.integration,
        step="connect",
        steps_done="",
        apps_carried="[]",
        status_reads=0,
        created_at=now,
        updated_at=now,
    )
    row, _inserted = insert_or_race_winner(db, row, lambda: record_by_jti(db, claims.jti))
    db.commit()
    return row


def steps_done(row: LinkSessionRecord) -> list[str]:
    """The steps the owner finished, in the flow's order."""
    done = set(row.steps_done.split())
    return [step for step in STEPS if step in done]


def apps_connected(db: Session, row: LinkSessionRecord) -> list[dict[str, Any]]:
    """The apps connected in this session and in the sessions it resumed: ``{integration, connected_at}``."""
    found: dict[str, str | None] = {}
    for item in json.loads(row.apps_carried or "[]"):
        found.setdefault(str(item["integration"]), item.get("connected_at"))
    attempts = db.scalars(
        select(LinkAttempt)
        .where(LinkAttempt.jti == row.jti, LinkAttempt.status == "connected")
        .order_by(LinkAttempt.finished_at)
    )
    for attempt in attempts:
        found[attempt.integration] = _stamp(attempt.finished_at)
    return [{"integration": key, "connected_at": value} for key, value in found.items()]


def carried_apps(row: LinkSessionRecord) -> list[str]:
    """The apps connected in the earlier sessions this one resumed."""
    return [str(item["integration"]) for item in json.loads(row.apps_carried or "[]")]


def has_progress(db: Session, row: LinkSessionRecord) -> bool:
    """Whether leaving now leaves something to resume: a step past the first, a step done, or an app connected."""
    return row.step != STEPS[0] or bool(steps_done(row)) or bool(apps_connected(db, row))


def resumable(db: Session, row: LinkSessionRecord) -> bool:
    """Whether a new token for the same company could pick this session up (what ``onExit``'s ``resumable`` says);
    never an update-mode session (a new update-mode token starts at the app's sign-in)."""
    return row.mode == "create" and row.succeeded_at is None and row.resumed_by is None and has_progress(db, row)


def _candidate(db: Session, row: LinkSessionRecord, now: datetime) -> LinkSessionRecord | None:
    """The latest earlier session of the same company and lender left unfinished with something done."""
    if row.mode != "create" or row.succeeded_at is not None or row.resumed_from is not None or row.resumed_by:
        return None
    query = (
        select(LinkSessionRecord)
        .where(
            LinkSessionRecord.client_id == row.client_id,
            LinkSessionRecord.account_id == row.account_id,
            LinkSessionRecord.id != row.id,
            LinkSessionRecord.mode == "create",
            LinkSessionRecord.succeeded_at.is_(None),
            LinkSessionRecord.resumed_by.is_(None),
            LinkSessionRecord.created_at >= now - RESUME_WINDOW,
            LinkSessionRecord.created_at <= row.created_at,
        )
        .order_by(LinkSessionRecord.created_at.desc(), LinkSessionRecord.id.desc())
        .limit(5)
    )
    return next((earlier for earlier in db.scalars(query) if has_progress(db, earlier)), None)


def status_of(row: LinkSessionRecord) -> str:
    """``succeeded``, ``resumed`` (a newer session took over), ``exited`` or ``open``."""
    if row.succeeded_at is not None:
        return "succeeded"
    if row.resumed_by is not None:
        return "resumed"
    return "exited" if row.exited_at is not None else "open"


def progress_view(db: Session, row: LinkSessionRecord, now: datetime) -> dict[str, Any]:
    """What the frame needs to know where to open: this session's progress and whether an earlier one can resume."""
    earlier = _candidate(db, row, now)
    open_at = "connect" if row.mode == "update" else (_further(row.step, earlier.step) if earlier else row.step)
    return {
        "link_session_id": row.id,
        "mode": row.mode,
        "integration": row.integration,
        "status": status_of(row),
        "step": row.step,
        "steps_done": steps_done(row),
        "apps_connected": apps_connected(db, row),
        "resumable": resumable(db, row),
        "resumed_from": row.resumed_from,
        "open_at": open_at,
        "resume": {
            "available": earlier is not None,
            "link_session_id": earlier.id if earlier else None,
            "step": earlier.step if earlier else None,
            "steps_done": steps_done(earlier) if earlier else [],
            "apps_connected": apps_connected(db, earlier) if earlier else [],
        },
    }


def _further(first: str, second: str) -> str:
    return max(first, second, key=lambda step: STEPS.index(step) if step in STEPS else 0)


def save_progress(db: Session, row: LinkSessionRecord, step: str, done: list[str], now: datetime) -> None:
    """Record the step the owner is at and the steps finished (finished steps are never forgotten)."""
    row.step = step
    row.steps_done = " ".join(s for s in STEPS if s in set(row.steps_done.split()) | set(done))
    row.exited_at = None
    row.updated_at = now
    db.commit()


def resume(db: Session, row: LinkSessionRecord, now: datetime) -> tuple[bool, LinkSessionRecord]:
    """Take over the latest earlier unfinished session; return ``(resumed now, earlier)``; idempotent."""
    if row.resumed_from is not None:
        earlier = db.get(LinkSessionRecord, row.resumed_from)
        if earlier is not None:
            return False, earlier
    earlier = _candidate(db, row, now)
    if earlier is None:
        raise NothingToResume()
    taken = db.execute(
        update(LinkSessionRecord)
        .where(LinkSessionRecord.id == earlier.id, LinkSessionRecord.resumed_by.is_(None))
        .values(resumed_by=row.id, updated_at=now)
    )
    if getattr(taken, "rowcount", 0) != 1:  # another new session resumed it first
        db.rollback()
        raise NothingToResume()
    carried = {item["integration"]: item for item in apps_connected(db, earlier)}
    for item in apps_connected(db, row):
        carried.setdefault(item["integration"], item)
    row.apps_carried = json.dumps(list(carried.values()))
    row.step = _further(row.step, earlier.step)
    row.steps_done = " ".join(s for s in STEPS if s in set(row.steps_done.split()) | set(steps_done(earlier)))
    row.resumed_from = earlier.id
    row.updated_at = now
    db.commit()
    db.refresh(earlier)
    return True, earlier


def exit_session(db: Session, row: LinkSessionRecord, step: str | None, now: datetime) -> dict[str, Any]:
    """Record that the owner left (at ``step``); the answer says whether there is something to resume."""
    if step is not None and row.succeeded_at is None:
        row.step = step
    row.exited_at = now
    row.updated_at = now
    db.commit()
    return {"link_session_id": row.id, "resumable": resumable(db, row), "step": row.step}


def claim_success(db: Session, row: LinkSessionRecord, now: datetime) -> bool:
    """Mark the session succeeded unless it already was (one winner among concurrent requests)."""
    claimed = db.execute(
        update(LinkSessionRecord)
        .where(LinkSessionRecord.id == row.id, LinkSessionRecord.succeeded_at.is_(None))
        .values(succeeded_at=now, updated_at=now)
    )
    db.commit()
    db.refresh(row)
    return getattr(claimed, "rowcount", 0) == 1


def release_success(db: Session, row: LinkSessionRecord) -> None:
    """Undo a success claim whose completion failed (the owner may try again)."""
    db.rollback()
    db.execute(update(LinkSessionRecord).where(LinkSessionRecord.id == row.id).values(succeeded_at=None))
    db.commit()


def record_success(db: Session, row: LinkSessionRecord, coverage: dict[str, Any], now: datetime) -> None:
    """Keep the coverage checked at success and count the review step as done."""
    row.coverage = json.dumps(coverage)
    row.step = "review"
    row.steps_done = " ".join(s for s in STEPS if s in set(row.steps_done.split()) | {"review"})
    row.updated_at = now
    db.commit()


def consume_status_read(db: Session, row: LinkSessionRecord) -> bool:
    """Use up the one status read a succeeded session's token has; False when it was already used."""
    used = db.execute(
        update(LinkSessionRecord)
        .where(LinkSessionRecord.id == row.id, LinkSessionRecord.status_reads == 0)
        .values(status_reads=1)
    )
    db.commit()
    return getattr(used, "rowcount", 0) == 1


def session_view(db: Session, row: LinkSessionRecord) -> dict[str, Any]:
    """A session's outcome: company, apps connected, steps done, coverage at success, timestamps."""
    account = db.get(Account, row.account_id)
    assert account is not None
    return {
        "id": row.id,
        "status": status_of(row),
        "mode": row.mode,
        "integration": row.integration,
        "company": {"account_key": account.account_key, "name": account.name, "external_id": account.external_id},
        "step": row.step,
        "steps_done": steps_done(row),
        "apps_connected": apps_connected(db, row),
        "coverage": json.loads(row.coverage) if row.coverage else None,
        "resumed_from": row.resumed_from,
        "resumed_by": row.resumed_by,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "exited_at": _stamp(row.exited_at),
        "succeeded_at": _stamp(row.succeeded_at),
    }


def lender_session(db: Session, client_id: str, session_id: Any) -> dict[str, Any]:
    """One of the client's sessions; another client's session is as absent as a missing one."""
    row = db.get(LinkSessionRecord, session_id) if isinstance(session_id, str) and len(session_id) <= 40 else None
    if row is None or row.client_id != client_id:
        raise LinkSessionNotFound()
    return session_view(db, row)
