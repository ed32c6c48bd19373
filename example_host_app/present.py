"""Pure presentation helpers for the credit-team view: money, ratios, the explorer's columns, the P&L chart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

# Every common-model object the explorer offers: (object, date field or None, columns worth a glance).
EXPLORER_OBJECTS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "accounts": (None, ("code", "name", "type", "classification", "status")),
    "customers": (None, ("name", "email", "currency")),
    "vendors": (None, ("name", "email", "currency")),
    "invoices": ("date", ("number", "date", "due_date", "status", "total", "amount_due")),
    "bills": ("date", ("number", "date", "due_date", "status", "total", "amount_due")),
    "payments": ("date", ("date", "type", "amount", "reference")),
    "credit_notes": ("date", ("number", "date", "total")),
    "journal_entries": ("date", ("date", "memo", "source_type")),
    "trial_balances": ("end", ("start", "end", "currency")),
    "bank_accounts": (None, ("name", "institution", "type", "account_number_last4", "current_balance")),
    "bank_transactions": ("date", ("date", "description", "amount", "running_balance", "counterparty")),
    "orders": ("date", ("number", "date", "customer_name", "status", "total")),
    "products": (None, ("name", "sku", "price", "inventory_quantity")),
    "transactions": ("date", ("date", "type", "amount", "fee", "net")),
    "payouts": ("date", ("date", "amount", "gross", "fees", "status", "bank_reference")),
    "employees": (None, ("name", "title", "department", "status", "pay_frequency")),
    "payroll": ("pay_date", ("pay_date", "period_start", "period_end", "gross_pay", "net_pay")),
    "connections": (None, ("integration", "name", "category", "status", "last_sync")),
}
MONEY_FIELDS = frozenset(
    {"total", "amount_due", "amount", "running_balance", "current_balance", "available_balance", "price", "fee",
     "net", "gross", "fees", "gross_pay", "net_pay", "subtotal", "tax", "balance", "activity"}
)  # fmt: skip
RATIOS = (
    ("current_ratio", "Current ratio", "times"),
    ("debt_to_assets", "Debt to assets", "percent"),
    ("gross_margin", "Gross margin", "percent"),
    ("operating_margin", "Operating margin", "percent"),
    ("dscr", "Debt service coverage", "times"),
)
SYMBOLS = {"USD": "$", "CAD": "CA$", "EUR": "\u20ac", "GBP": "\u00a3"}
DASH = "\u2013"  # shown where a figure cannot be computed
TIMES = "\u00d7"


def money(cents: Any, currency: str | None = None) -> str:
    """Format integer minor units as ``$1,234.56`` (``-$12.00`` below zero); anything else as an en dash."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        return DASH
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    symbol = SYMBOLS.get(currency or "", f"{currency} " if currency else "")
    return f"{sign}{symbol}{units:,}.{rest:02d}"


def ratio(value: Any, kind: str) -> str:
    """Format a ratio as ``1.85x`` or a share as ``42.0 %``; ``None`` (not computable) as an en dash."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DASH
    return f"{value * 100:.1f} %" if kind == "percent" else f"{value:.2f}{TIMES}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_FIELDS = frozenset(
    {"date", "due_date", "start", "end", "pay_date", "period_start", "period_end", "last_sync", "created"}
)


def when(value: Any, missing: str = DASH) -> str:
    """A date or timestamp as people read it: ``31 Oct 2026``, or ``3 Dec 2026, 11:03 UTC`` for a moment (shown in
    UTC when it says its zone); ``missing`` when there is none; text that is neither, as it is."""
    if value is None or value == "":
        return missing
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    elif isinstance(value, str):
        try:
            if len(value) == 10:
                return when(date.fromisoformat(value))
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        return str(value)
    zone = ""
    if moment.tzinfo is not None:
        moment, zone = moment.astimezone(UTC), " UTC"
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}{zone}"


def app_names(catalogue: Iterable[Any] | None) -> dict[str, str]:
    """App key → the name people know it by, from the upstream's ``integrations`` catalogue (read through the
    broker); empty when the catalogue could not be read."""
    return {
        str(row["key"]): str(row.get("name") or row["key"])
        for row in catalogue or ()
        if isinstance(row, Mapping) and isinstance(row.get("key"), str)
    }


def app_name(key: Any, names: Mapping[str, str]) -> str:
    """The app's name for a key (the key itself when the catalogue does not know it, a dash when there is none)."""
    if not key:
        return DASH
    return names.get(str(key)) or str(key)


def cell(column: str, value: Any, currency: str | None, names: Mapping[str, str] | None = None) -> str:
    """Format one explorer cell: money columns as money, dates as people read them, app keys as app names, lists by
    their length, the rest as text."""
    if column in MONEY_FIELDS and isinstance(value, int):
        return money(value, currency)
    if column in DATE_FIELDS and isinstance(value, str):
        return when(value)
    if column == "integration" and names is not None:
        return app_name(value, names)
    if isinstance(value, list):
        return f"{len(value)} items"
    if value is None:
        return DASH
    return str(value)


def source_record_id(obj: Mapping[str, Any]) -> str | None:
    """Return the id of the object's raw source record, the last path segment of its ``source_url``."""
    url = obj.get("source_url")
    if not isinstance(url, str) or "/source_records/" not in url:
        return None
    tail = url.rsplit("/source_records/", 1)[1].split("?", 1)[0].strip("/")
    return tail or None


@dataclass
class Bar:
    """One bar of the chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    kind: str
    label: str


@dataclass
class Chart:
    """A grouped bar chart of revenue and expenses with a net income line, laid out for a fixed viewBox."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    points: str = ""
    ticks: list[tuple[float, str]] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    zero_y: float = 0.0
    summary: str = ""


def pl_chart(periods: Sequence[Mapping[str, Any]], currency: str | None, width: int = 720, height: int = 260) -> Chart:
    """Lay out revenue, expenses and net income per period (``profit_and_loss[].totals``) as SVG geometry."""
    rows = [
        (
            str(p.get("start", ""))[:7],
            int(p["totals"].get("total_income", 0)),
            int(p["totals"].get("total_expenses", 0)),
            int(p["totals"].get("net_income", 0)),
        )
        for p in periods
        if isinstance(p.get("totals"), Mapping)
    ]
    chart = Chart(width, height)
    if not rows:
        return chart
    left, right, top, bottom = 72, 12, 12, 28
    high = max(max(r[1], r[2], r[3]) for r in rows)
    low = min(0, *(r[3] for r in rows))
    span = (high - low) or 1
    plot_h = height - top - bottom
    scale = lambda v: top + (high - v) / span * plot_h  # noqa: E731 - value to y
    chart.zero_y = scale(0)
    slot = (width - left - right) / len(rows)
    bar_w = max(2.0, slot * 0.35)
    points = []
    for i, (label, income, expenses, net) in enumerate(rows):
        x0 = left + i * slot + (slot - 2 * bar_w) / 2
        for offset, value, kind in ((0, income, "income"), (bar_w, expenses, "expenses")):
            y = scale(max(value, 0))
            chart.bars.append(Bar(x0 + offset, y, bar_w, max(chart.zero_y - y, 0.5), kind, f"{label} {kind}"))
        points.append(f"{left + i * slot + slot / 2:.1f},{scale(net):.1f}")
        if len(rows) <= 12 or i % 3 == 0:
            chart.labels.append((left + i * slot + slot / 2, label))
    chart.points = " ".join(points)
    chart.ticks = [(scale(v), money(v, currency).rsplit(".", 1)[0]) for v in _ticks(low, high)]
    best = max(rows, key=lambda r: r[3])
    chart.summary = (
        f"{len(rows)} periods from {rows[0][0]} to {rows[-1][0]}; highest net income {money(best[3], currency)} "
        f"in {best[0]}."
    )
    return chart


def _ticks(low: int, high: int, count: int = 4) -> list[int]:
    step = max(1, (high - low) // count)
    magnitude = 10 ** (len(str(step)) - 1)
    step = -(-step // magnitude) * magnitude
    start = (low // step) * step
    return [v for v in range(start, high + step, step) if low <= v <= high + step // 2]


RECENT_DECISIONS = 25


def reconciliation_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """The figures the credit team reads first from ``GET /v1/accounts/{key}/reconciliation``, accounts by name."""
    summary: Mapping[str, Any] = data.get("summary") or {}
    rates: Mapping[str, Any] = data.get("match_rate") or {}
    names = {a["bank_account_id"]: a.get("name") or a["bank_account_id"] for a in data.get("accounts") or []}
    decisions = sorted(data.get("decisions") or [], key=lambda d: d.get("decided_at") or "", reverse=True)
    return {
        "count_rate": rates.get("count"),
        "amount_rate": rates.get("amount"),
        "matches": summary.get("matches"),
        "counts": {key: summary.get(key, 0) for key in ("confirmed", "rejected", "pending")},
        "reliable_through": data.get("reliable_through"),
        "decisions": decisions[:RECENT_DECISIONS],
        "decision_count": len(decisions),
        "differences": [
            {**d, "account": names.get(d.get("bank_account_id"), d.get("bank_account_id"))}
            for d in data.get("unexplained_differences") or []
        ],
        "unmatched_bank": data.get("unmatched_bank") or [],
        "unmatched_ledger": data.get("unmatched_ledger") or [],
        "completed_at": data.get("completed_at"),
    }
