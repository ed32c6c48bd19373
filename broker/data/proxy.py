"""The read-only proxy: validate object, id and query against the data model, then read from a fixed URL template."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from broker.errors import InvalidParameter, NotFound, UnknownParameter
from broker.lender.account_cache import AccountRef
from broker.storage.audit_writer import AuditWriter, PendingEntry
from broker.upstream import UpstreamClient, UpstreamResponse
from common.dates import parse_bound, parse_day
from common.pagination import parse_page

COLLECTIONS = frozenset(
    {
        # Accounting
        "accounts", "customers", "vendors", "invoices", "bills", "payments", "credit_notes", "journal_entries",
        "trial_balances",
        # Banking
        "bank_accounts", "bank_transactions",
        # Commerce
        "orders", "products", "transactions", "payouts",
        # Payroll
        "employees", "payroll",
        # Platform
        "connections", "integrations", "source_records",
    }
)  # fmt: skip
REPORTS = frozenset({"balance_sheet", "profit_and_loss"})
OBJECTS = COLLECTIONS | REPORTS
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PERIODS = frozenset({"month", "quarter", "year"})
ALLOWED_METHODS = ("GET", "HEAD")

# Which query parameters each kind of read accepts (everything else is refused, not silently dropped).
_COLLECTION_PARAMS = frozenset({"page", "start", "end"})
_REPORT_PARAMS = {"balance_sheet": frozenset({"as_of"}), "profit_and_loss": frozenset({"start", "end", "period"})}


@dataclass(frozen=True)
class DataRead:
    """A validated read: the upstream path (``object`` or ``object/id``) and the parameters to send."""

    object_name: str
    object_id: str | None
    params: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        return self.object_name if self.object_id is None else f"{self.object_name}/{self.object_id}"


def validate_read(object_name: str, object_id: str | None, query: Iterable[tuple[str, str]]) -> DataRead:
    """Return the validated read or raise: unknown object or malformed id → 404, bad query → 400."""
    if object_name not in OBJECTS:
        raise NotFound("No such data object; see the data model for the list.")
    if object_id is not None and (object_name in REPORTS or not ID_PATTERN.match(object_id)):
        raise NotFound("No such object.")
    allowed = frozenset() if object_id is not None else _REPORT_PARAMS.get(object_name, _COLLECTION_PARAMS)
    seen: dict[str, str] = {}
    for name, value in query:
        if name not in allowed:
            raise UnknownParameter(
                f"Unknown query parameter; this endpoint accepts: {', '.join(sorted(allowed)) or 'none'}.",
                details={"parameter": name[:40], "allowed": sorted(allowed)},
            )
        if name in seen:
            raise InvalidParameter("Each query parameter may appear once.", details={"parameter": name})
        seen[name] = value
    params = _check_values(seen)
    return DataRead(object_name, object_id, params)


def _check_values(seen: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Validate each value with the shared parsers; forward the normalised text."""
    out: list[tuple[str, str]] = []
    bounds = {}
    for name, value in seen.items():
        try:
            if name == "page":
                out.append((name, str(parse_page(value))))
            elif name in {"start", "end"}:
                bounds[name] = parse_bound(value, end=name == "end")
                out.append((name, value.strip()))
            elif name == "as_of":
                out.append((name, parse_day(value).isoformat()))
            elif name == "period":
                if value not in PERIODS:
                    raise ValueError(f"must be one of: {', '.join(sorted(PERIODS))}")
                out.append((name, value))
        except ValueError as error:
            raise InvalidParameter(f"Query parameter {name} {error}.", details={"parameter": name}) from None
    if "start" in bounds and "end" in bounds and bounds["start"] > bounds["end"]:
        raise InvalidParameter("Query parameter start must not be after end.", details={"parameter": "start"})
    return tuple(out)


def read(upstream: UpstreamClient, account_key: str, data_read: DataRead) -> UpstreamResponse:
    """Read one validated object or page for one company from its region's Data API."""
    return upstream.get_data(account_key, data_read.path, data_read.params)


def read_for_account(
    audit: AuditWriter,
    upstreams: Mapping[str, UpstreamClient],
    account: AccountRef,
    object_name: str,
    object_id: str | None,
    query: Iterable[tuple[str, str]],
    *,
    actor: str,
    now: datetime,
    request_id: str | None = None,
) -> UpstreamResponse:
    """Validate, read from the account's region and audit one proxied read (only data actually disclosed).

    The audit entry is queued for the batch writer (``broker.audit_writer``), not committed inside the request.
    """
    data_read = validate_read(object_name, object_id, query)
    response = read(upstreams[account.region], account.account_key, data_read)
    audit.add(PendingEntry(now, actor, "data.read", account.id, data_read.path[:200], request_id))
    return response
