"""The upload app: chart of accounts and monthly trial balance CSVs, checked row by row, made into common objects."""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from common.dates import utcnow
from sandbox.connect import connections
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, RawRecord, make_object
from sandbox.models import Connection, UploadedFile
from sandbox.state import Sandbox

KEY = "csv_upload"
MAX_ROWS = 5000
MAX_TRIAL_BALANCE_FILES = 36
TYPES = ("asset", "liability", "equity", "revenue", "expense")
CLASSIFICATIONS = {
    "asset": ("current_asset", "fixed_asset", "other_asset"),
    "liability": ("current_liability", "long_term_liability"),
    "equity": ("equity",),
    "revenue": ("revenue", "other_income"),
    "expense": ("cost_of_sales", "operating_expense", "other_expense"),
}
DEFAULT_CLASSIFICATION = {
    "asset": "current_asset",
    "liability": "current_liability",
    "equity": "equity",
    "revenue": "revenue",
    "expense": "operating_expense",
}
CHART_COLUMNS = ("code", "name", "type")
CHART_OPTIONAL = ("classification", "subtype", "currency", "status")
TB_COLUMNS = ("period_end", "account_code", "debit", "credit")
TB_OPTIONAL = ("account_name",)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,19}$")
AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file; ``row`` counts as a spreadsheet does (the header is row 1)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        """Render as the upload page and tests read it."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class CsvFile:
    """An uploaded file: its (cleaned) name and text."""

    name: str
    text: str


@dataclass
class Parsed:
    """The result of checking an upload: errors, or the rows ready to normalize."""

    errors: list[RowError] = field(default_factory=list)
    chart: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    chart_file: str = ""
    periods: dict[date, tuple[str, list[tuple[int, dict[str, str]]]]] = field(default_factory=dict)


def clean_name(filename: str | None, default: str) -> str:
    """Return a safe display name for an uploaded file (base name, printable, at most 100 characters)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "<>\"'")[:100]
    return base or default


def decode(data: bytes, name: str) -> CsvFile | RowError:
    """Decode an uploaded file as UTF-8 (with or without a byte-order mark)."""
    try:
        return CsvFile(name, data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return RowError(name, None, None, "The file is not UTF-8 text; export it again as CSV UTF-8.")


def _rows(
    file: CsvFile, required: Sequence[str], optional: Sequence[str], errors: list[RowError]
) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(file.text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(
            RowError(
                file.name, 1, missing[0], f"The header has no column {missing[0]!r}; expected {', '.join(required)}."
            )
        )
        return []
    unknown = [h for h in header if h and h not in (*required, *optional)]
    if unknown:
        errors.append(RowError(file.name, 1, unknown[0], f"Unknown column {unknown[0]!r}."))
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(file.name, number, None, f"A file may have at most {MAX_ROWS} rows."))
            break
        if len(cells) != len(header):
            errors.append(RowError(file.name, number, None, f"Expected {len(header)} cells, found {len(cells)}."))
            continue
        rows.append((number, {h: c.strip() for h, c in zip(header, cells, strict=True) if h}))
    return rows


def _check_chart(file: CsvFile, parsed: Parsed) -> None:
    parsed.chart_file = file.name
    seen: set[str] = set()
    for number, row in _rows(file, CHART_COLUMNS, CHART_OPTIONAL, parsed.errors):
        problems: list[tuple[str, str]] = []
        code, kind = row["code"], row["type"].lower()
        if not CODE.match(code):
            problems.append(("code", "Use 1-20 letters, digits, dots or hyphens."))
        elif code in seen:
            problems.append(("code", f"Account code {code} appears twice."))
        if not row["name"] or len(row["name"]) > 200:
            problems.append(("name", "A name of 1-200 characters is required."))
        if kind not in TYPES:
            problems.append(("type", f"Type must be one of {', '.join(TYPES)}."))
        classification = row.get("classification", "").lower()
        if classification and kind in TYPES and classification not in CLASSIFICATIONS[kind]:
            problems.append(("classification", f"For a {kind} use one of {', '.join(CLASSIFICATIONS[kind])}."))
        currency = row.get("currency", "") or "USD"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(("currency", "Use a three-letter ISO 4217 code such as USD."))
        if row.get("status", "") not in ("", "active", "archived"):
            problems.append(("status", "Status must be active or archived."))
        parsed.errors.extend(RowError(file.name, number, column, message) for column, message in problems)
        seen.add(code)
        if not problems:
            parsed.chart.append((number, row))


def _cents(value: str) -> int:
    return int(Decimal(value or "0") * 100)


def _check_trial_balance(file: CsvFile, parsed: Parsed, codes: set[str]) -> None:
    rows = _rows(file, TB_COLUMNS, TB_OPTIONAL, parsed.errors)
    period: date | None = None
    good: list[tuple[int, dict[str, str]]] = []
    seen: set[str] = set()
    before = len(parsed.errors)
    for number, row in rows:
        problems: list[tuple[str, str]] = []
        try:
            end = date.fromisoformat(row["period_end"])
            if end.day != calendar.monthrange(end.year, end.month)[1]:
                problems.append(("period_end", "A trial balance ends on the last day of a month."))
            elif period is not None and end != period:
                problems.append(("period_end", f"Every row of a file has the same period_end ({period})."))
            period = period or end
        except ValueError:
            problems.append(("period_end", "Use a date like 2026-01-31."))
        if row["account_code"] not in codes:
            problems.append(("account_code", f"Account {row['account_code'][:20]!r} is not in the chart of accounts."))
        elif row["account_code"] in seen:
            problems.append(("account_code", f"Account {row['account_code']} appears twice in this period."))
        seen.add(row["account_code"])
        for column in ("debit", "credit"):
            if row[column] and not AMOUNT.match(row[column]):
                problems.append(
                    (column, "Use a positive amount like 1234.56 (no currency sign or thousands separator).")
                )
        if not problems and _cents(row["debit"]) and _cents(row["credit"]):
            problems.append(("credit", "Fill either debit or credit, not both."))
        parsed.errors.extend(RowError(file.name, number, column, message) for column, message in problems)
        if not problems:
            good.append((number, row))
    if not rows and len(parsed.errors) == before:
        parsed.errors.append(RowError(file.name, None, None, "The file has no rows."))
    if period is None or len(parsed.errors) > before:
        return
    difference = sum(_cents(r["debit"]) - _cents(r["credit"]) for _, r in good)
    if difference:
        parsed.errors.append(
            RowError(
                file.name,
                None,
                "debit",
                f"Debits and credits differ by {difference / 100:.2f}; a trial balance balances.",
            )
        )
    elif period in parsed.periods:
        parsed.errors.append(RowError(file.name, None, "period_end", f"Another file already covers {period}."))
    else:
        parsed.periods[period] = (file.name, good)


def check_upload(chart: CsvFile | RowError | None, trial_balances: Sequence[CsvFile | RowError]) -> Parsed:
    """Validate a chart of accounts and trial balances together; every problem is reported, not only the first."""
    parsed = Parsed()
    if chart is None:
        parsed.errors.append(RowError("chart of accounts", None, None, "Choose a chart of accounts CSV file."))
    elif isinstance(chart, RowError):
        parsed.errors.append(chart)
    else:
        _check_chart(chart, parsed)
    if not trial_balances:
        parsed.errors.append(RowError("trial balances", None, None, "Choose at least one monthly trial balance CSV."))
    if len(trial_balances) > MAX_TRIAL_BALANCE_FILES:
        parsed.errors.append(RowError("trial balances", None, None, f"Upload at most {MAX_TRIAL_BALANCE_FILES} files."))
        return parsed
    codes = {row["code"] for _, row in parsed.chart}
    for item in trial_balances:
        if isinstance(item, RowError):
            parsed.errors.append(item)
        else:
            _check_trial_balance(item, parsed, codes)
    return parsed


def _account_id(code: str) -> str:
    return common_id("accounts", KEY, f"account:{code}")


def normalize(parsed: Parsed) -> tuple[list[Any], list[Any]]:
    """Turn a valid upload into raw records (one per row and per file) and common objects."""
    raws: list[RawRecord] = []  # returned as list[Any]: the store's protocols name writable attributes
    objects: list[CommonObject] = []
    names: dict[str, tuple[str, str]] = {}
    for number, row in parsed.chart:
        source_id = f"{parsed.chart_file}:{number}"
        raws.append(RawRecord("csv_row", source_id, {"file": parsed.chart_file, "row": number, "values": row}))
        kind = row["type"].lower()
        currency = row.get("currency") or "USD"
        names[row["code"]] = (row["name"], currency)
        fields = {
            "code": row["code"],
            "name": row["name"],
            "type": kind,
            "classification": row.get("classification", "").lower() or DEFAULT_CLASSIFICATION[kind],
            "subtype": row.get("subtype", ""),
            "bank_account_number_last4": None,
            "currency": currency,
            "status": row.get("status") or "active",
        }
        objects.append(
            make_object(
                "accounts",
                KEY,
                source_type="csv_row",
                source_id=source_id,
                fields=fields,
                id_key=f"account:{row['code']}",
            )
        )
    previous: dict[str, int] = {}
    for index, period in enumerate(sorted(parsed.periods)):
        filename, rows = parsed.periods[period]
        balances = {row["account_code"]: _cents(row["debit"]) - _cents(row["credit"]) for _, row in rows}
        for number, row in rows:
            raws.append(RawRecord("csv_row", f"{filename}:{number}", {"file": filename, "row": number, "values": row}))
        raws.append(
            RawRecord(
                "csv_file", filename, {"file": filename, "period_end": period.isoformat(), "rows": [n for n, _ in rows]}
            )
        )
        currency = next(iter(names.values()), ("", "USD"))[1]
        lines = [
            {"account_id": _account_id(code), "code": code, "name": names[code][0], "balance": balance}
            for code, balance in sorted(balances.items())
        ]
        tb_fields = {
            "start": period.replace(day=1).isoformat(),
            "end": period.isoformat(),
            "currency": currency,
            "lines": lines,
        }
        objects.append(
            make_object(
                "trial_balances",
                KEY,
                source_type="csv_file",
                source_id=filename,
                fields=tb_fields,
                id_key=f"tb:{period}",
            )
        )
        movement = {
            code: balances.get(code, 0) - previous.get(code, 0) for code in sorted(set(balances) | set(previous))
        }
        je_lines = [
            {"account_id": _account_id(code), "amount": amount, "description": names[code][0]}
            for code, amount in movement.items()
            if amount
        ]
        if je_lines:
            je_fields = {
                "date": period.isoformat(),
                "memo": ("Opening balances" if index == 0 else "Movement") + f" to {period} derived from {filename}",
                "source_type": "opening_balance" if index == 0 else "manual",
                "source_document_id": None,
                "currency": currency,
                "lines": je_lines,
            }
            objects.append(
                make_object(
                    "journal_entries",
                    KEY,
                    source_type="csv_file",
                    source_id=filename,
                    fields=je_fields,
                    id_key=f"je:{period}",
                )
            )
        previous = balances
    return raws, objects


def store_files(state: Sandbox, connection_id: str, chart: CsvFile, trial_balances: Sequence[CsvFile]) -> None:
    """Keep the accepted files (replacing an earlier upload) so that a re-sync rebuilds the same objects."""
    now = utcnow()
    with state.db.session() as session:
        session.execute(delete(UploadedFile).where(UploadedFile.connection_id == connection_id))
        session.add(
            UploadedFile(
                connection_id=connection_id, kind="chart", filename=chart.name, content=chart.text, uploaded=now
            )
        )
        for item in trial_balances:
            session.add(
                UploadedFile(
                    connection_id=connection_id,
                    kind="trial_balance",
                    filename=item.name,
                    content=item.text,
                    uploaded=now,
                )
            )


def sync_upload(state: Sandbox, connection_id: str) -> dict[str, int]:
    """Rebuild a connection's objects from its stored files and announce the finished sync."""
    with state.db.session() as session:
        files = session.scalars(
            select(UploadedFile).where(UploadedFile.connection_id == connection_id).order_by(UploadedFile.id)
        ).all()
        connection = session.get(Connection, connection_id)
        if connection is None:
            return {}
        account_key = connection.account_key
    chart = next((CsvFile(f.filename, f.content) for f in files if f.kind == "chart"), None)
    parsed = check_upload(chart, [CsvFile(f.filename, f.content) for f in files if f.kind == "trial_balance"])
    raws, objects = normalize(parsed)
    connections.set_progress(state.db, connection_id, 50, status="syncing")
    counts = connections.store_sync(state.db, account_key, connection_id, KEY, raws, objects)
    return connections.sync_completed(state.db, state.emit, account_key, connection_id, KEY, counts)


def accept(state: Sandbox, account_key: str, chart: CsvFile, trial_balances: Sequence[CsvFile]) -> dict[str, Any]:
    """Connect the upload app with these files (reusing an earlier upload connection) and build its objects now."""
    from sandbox.connect import breakage

    broken = breakage.was_broken(state, account_key, KEY)
    connection, created = connections.upsert_connection(state.db, account_key, KEY, credentials={"kind": "upload"})
    if created:
        state.emit("connection.created", account_key, {"integration": KEY, "connection_id": connection.id})
    store_files(state, connection.id, chart, trial_balances)
    counts = sync_upload(state, connection.id)
    breakage.announce_if_restored(state, account_key, KEY, broken)
    refreshed = connections.get_connection(state.db, account_key, KEY)
    assert refreshed is not None
    return {**connections.connection_row(refreshed), "counts": counts}
