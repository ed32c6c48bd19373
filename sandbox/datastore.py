"""Normalized common-model objects and their raw source records: write a connection's sync, read pages and ids."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, text

from common.dates import iso
from common.pagination import PAGE_SIZE
from sandbox.db import Database
from sandbox.fixtures.model import DATE_FIELDS, CommonObject, RawRecord
from sandbox.models import DataObject, SourceRecord

# The collections of the common data model, each with the name of the field that start/end filter on (None: undated).
COLLECTIONS: dict[str, str | None] = DATE_FIELDS


def source_record_key(integration: str, source_type: str, source_id: str) -> str:
    """Return the id of a raw record (same rule as ``sandbox.fixtures.ids.source_record_id``)."""
    from sandbox.fixtures.ids import source_record_id

    return source_record_id(integration, source_type, source_id)


def replace_connection_data(
    db: Database,
    *,
    account_key: str,
    connection_id: str,
    integration: str,
    raw_records: Iterable[RawRecord],
    objects: Iterable[CommonObject],
    retrieved: datetime,
) -> dict[str, int]:
    """Replace everything one connection contributed with a fresh sync's records; return counts per object type."""
    raw_rows = []
    for raw in raw_records:
        raw_rows.append(
            {
                "account_key": account_key,
                "id": source_record_key(integration, raw.source_type, raw.source_id),
                "connection_id": connection_id,
                "integration": integration,
                "source_type": raw.source_type,
                "source_id": raw.source_id,
                "retrieved": retrieved,
                "raw": json.dumps(raw.payload, separators=(",", ":")),
            }
        )
    counts: dict[str, int] = {}
    object_rows = []
    for obj in objects:
        payload = {"id": obj.id, **obj.fields, "integration": integration, "source_id": obj.source_id}
        object_rows.append(
            {
                "account_key": account_key,
                "object_type": obj.object_type,
                "id": obj.id,
                "connection_id": connection_id,
                "seq": 0,
                "date": obj.date,
                "source_record_id": source_record_key(integration, obj.source_type, obj.source_id),
                "source_id": obj.source_id,
                "payload": json.dumps(payload, separators=(",", ":")),
            }
        )
        counts[obj.object_type] = counts.get(obj.object_type, 0) + 1
    with db.session() as session:
        session.execute(delete(DataObject).where(DataObject.connection_id == connection_id))
        session.execute(delete(SourceRecord).where(SourceRecord.connection_id == connection_id))
        for chunk in _chunks(raw_rows, 2000):
            session.execute(insert(SourceRecord), chunk)
        for chunk in _chunks(object_rows, 2000):
            session.execute(insert(DataObject), chunk)
        _renumber(session, account_key)
    return counts


def remove_connection_data(db: Database, *, account_key: str, connection_id: str) -> None:
    """Hide a disconnected app's data: its objects and raw records leave the Data API."""
    with db.session() as session:
        session.execute(delete(DataObject).where(DataObject.connection_id == connection_id))
        session.execute(delete(SourceRecord).where(SourceRecord.connection_id == connection_id))
        _renumber(session, account_key)


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _renumber(session: Any, account_key: str) -> None:
    # Dense positions per collection make page N a range lookup on an index: its cost does not grow with N.
    session.execute(
        text(
            "UPDATE data_objects SET seq = ranked.position FROM ("
            " SELECT object_type AS kind, id AS object_id,"
            "  row_number() OVER (PARTITION BY object_type ORDER BY date, id) AS position"
            " FROM data_objects WHERE account_key = :key) AS ranked"
            " WHERE data_objects.account_key = :key AND data_objects.object_type = ranked.kind"
            " AND data_objects.id = ranked.object_id"
        ),
        {"key": account_key},
    )


def _render(payload: str, source_record_id: str, base_url: str) -> dict[str, Any]:
    obj: dict[str, Any] = json.loads(payload)
    obj["source_url"] = _source_url(source_record_id, base_url)
    return obj


def _source_url(source_record_id: str, base_url: str) -> str:
    return f"{base_url}/api/source_records/{source_record_id}"


def _rendered_text(payload: str, source_record_id: str, base_url: str) -> str:
    """``_render`` as JSON text without decoding the stored object: a payload is always a JSON object written by
    ``replace_connection_data`` (``{"id":...}``) that has no ``source_url`` of its own, so the link is appended."""
    return f'{payload[:-1]},"source_url":{json.dumps(_source_url(source_record_id, base_url))}}}'


@dataclass(frozen=True)
class Collection:
    """One company's objects of one type, and the public URL their ``source_url`` links start with."""

    account_key: str
    object_type: str
    base_url: str


def read_page(
    db: Database, collection: Collection, *, page: int, first_day: date | None = None, last_day: date | None = None
) -> str:
    """Return page ``page`` (30 objects) of a collection as a JSON array, optionally limited to business dates in a
    day range. The objects are stored as JSON and sent as they are (with their ``source_url``), never decoded."""
    scope = (DataObject.account_key == collection.account_key, DataObject.object_type == collection.object_type)
    query = select(DataObject.payload, DataObject.source_record_id).where(*scope)
    dated = COLLECTIONS.get(collection.object_type) is not None
    with db.session() as session:
        # Positions follow (date, id), so a day range is one run of positions: page N of it is a range lookup on
        # the position index that starts at the range's first position, and costs the same for every N.
        first_position = 1
        if dated and first_day:
            found = session.scalar(
                select(DataObject.seq)
                .where(*scope, DataObject.date >= first_day.isoformat())
                .order_by(DataObject.date, DataObject.seq)
                .limit(1)
            )
            if found is None:
                return "[]"
            first_position = found
        if dated and last_day:
            query = query.where(DataObject.date <= last_day.isoformat())
        low = first_position + (page - 1) * PAGE_SIZE
        query = query.where(DataObject.seq >= low, DataObject.seq < low + PAGE_SIZE).order_by(DataObject.seq)
        rows = session.execute(query).all()
    return f"[{','.join(_rendered_text(payload, src, collection.base_url) for payload, src in rows)}]"


def read_one(db: Database, collection: Collection, object_id: str) -> dict[str, Any] | None:
    """Return one object of a collection by id, or None."""
    with db.session() as session:
        row = session.get(DataObject, (collection.account_key, collection.object_type, object_id))
        if row is None:
            return None
        return _render(row.payload, row.source_record_id, collection.base_url)


def read_all(db: Database, *, account_key: str, object_type: str) -> list[dict[str, Any]]:
    """Return every object of a collection (used to compute reports inside the sandbox)."""
    with db.session() as session:
        payloads = session.scalars(
            select(DataObject.payload)
            .where(DataObject.account_key == account_key, DataObject.object_type == object_type)
            .order_by(DataObject.seq)
        ).all()
    return [json.loads(p) for p in payloads]


def read_source_record(db: Database, *, account_key: str, record_id: str) -> dict[str, Any] | None:
    """Return a raw record with where it came from, or None."""
    with db.session() as session:
        row = session.get(SourceRecord, (account_key, record_id))
        if row is None:
            return None
        return {
            "id": row.id,
            "integration": row.integration,
            "source_type": row.source_type,
            "source_id": row.source_id,
            "retrieved": iso(row.retrieved),
            "raw": json.loads(row.raw),
        }


def data_date_range(db: Database, *, account_key: str, object_types: Sequence[str]) -> tuple[str | None, str | None]:
    """Return the first and last business date among the given collections of a company."""
    from sqlalchemy import func

    with db.session() as session:
        low, high = session.execute(
            select(func.min(DataObject.date), func.max(DataObject.date)).where(
                DataObject.account_key == account_key, DataObject.object_type.in_(object_types)
            )
        ).one()
    return low, high
