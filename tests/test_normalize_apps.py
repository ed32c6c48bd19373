"""Tests of each simulated app: its own raw shape, and normalization into the common model that traces to sources."""

from __future__ import annotations

import re
from datetime import date
from types import ModuleType
from typing import Any

import pytest

from sandbox.apps import northbank
from sandbox.apps.catalog import APPS, UPLOAD_KEY, catalogue_entry, integrations
from sandbox.fixtures.business import Business, generate_business
from sandbox.fixtures.model import DATE_FIELDS, OBJECT_FIELDS, CommonObject

END = date(2025, 6, 30)
KEYS = list(APPS)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONEY = {
    "invoices": ("subtotal", "tax", "total", "amount_due"),
    "bills": ("subtotal", "tax", "total", "amount_due"),
    "payments": ("amount",),
    "credit_notes": ("total",),
    "bank_accounts": ("current_balance", "available_balance"),
    "bank_transactions": ("amount", "running_balance"),
    "orders": ("subtotal", "tax", "shipping", "total"),
    "products": ("price",),
    "transactions": ("amount", "fee", "net"),
    "payouts": ("amount", "gross", "fees", "refunds"),
    "payroll": ("gross_pay", "employee_taxes", "deductions", "net_pay", "employer_taxes"),
}
NESTED_MONEY = {
    "invoices": ("lines", "amount"),
    "bills": ("lines", "amount"),
    "journal_entries": ("lines", "amount"),
    "trial_balances": ("lines", "balance"),
    "orders": ("line_items", "amount"),
}
REFERENCES = {
    "customer_id": "customers",
    "vendor_id": "vendors",
    "invoice_id": "invoices",
    "account_id": "accounts",
    "bank_account_id": "bank_accounts",
    "order_id": "orders",
    "payout_id": "payouts",
    "employee_id": "employees",
    "product_id": "products",
    "invoice_ids": "invoices",
    "bill_ids": "bills",
    "transaction_ids": "transactions",
}


@pytest.fixture(scope="module")
def business() -> Business:
    return generate_business("normalize-me", end=END)


@pytest.fixture(scope="module")
def rendered(business: Business) -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {key: module.render(business) for key, module in APPS.items()}


@pytest.fixture(scope="module")
def normalized(rendered: dict[str, Any]) -> dict[str, list[CommonObject]]:
    return {key: APPS[key].normalize(raw) for key, raw in rendered.items()}


@pytest.mark.parametrize("key", KEYS)
def test_module_describes_itself(key: str) -> None:
    module: ModuleType = APPS[key]
    assert key == module.KEY and module.NAME and module.DESCRIPTION.endswith(".")
    assert module.CATEGORY in {"accounting", "banking", "commerce", "payroll"}
    assert ("credentials" if key == "northbank" else "oauth2") == module.AUTH_TYPE
    assert set(module.OBJECTS) <= set(OBJECT_FIELDS)


@pytest.mark.parametrize("key", KEYS)
def test_render_is_deterministic_and_seeded(key: str, business: Business, rendered: dict[str, Any]) -> None:
    assert APPS[key].render(business) == rendered[key]
    other = APPS[key].render(generate_business("someone-else", end=END))
    assert other != rendered[key]


@pytest.mark.parametrize("key", KEYS)
def test_render_gives_every_resource(key: str, rendered: dict[str, Any]) -> None:
    assert set(rendered[key]) == set(APPS[key].RESOURCES)
    assert all(rendered[key][name] for name in APPS[key].RESOURCES)


@pytest.mark.parametrize("key", KEYS)
def test_every_object_names_an_existing_raw_record(
    key: str, rendered: dict[str, Any], normalized: dict[str, list[CommonObject]]
) -> None:
    records = APPS[key].raw_records(rendered[key])
    sources = {(r.source_type, r.source_id) for r in records}
    assert len(sources) == len(records)
    assert all(isinstance(r.source_id, str) and r.source_id for r in records)
    missing = [o for o in normalized[key] if (o.source_type, o.source_id) not in sources]
    assert not missing


@pytest.mark.parametrize("key", KEYS)
def test_objects_have_the_data_model_fields_and_unique_ids(key: str, normalized: dict[str, list[CommonObject]]) -> None:
    objects = normalized[key]
    assert {o.object_type for o in objects} == set(APPS[key].OBJECTS)
    assert len({(o.object_type, o.id) for o in objects}) == len(objects)
    for obj in objects:
        assert set(obj.fields) == OBJECT_FIELDS[obj.object_type]
        date_field = DATE_FIELDS[obj.object_type]
        assert obj.date == (obj.fields[date_field] if date_field else None)
        if obj.date is not None:
            assert DAY.match(obj.date)


def _is_cents(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@pytest.mark.parametrize("key", KEYS)
def test_money_is_integer_minor_units_with_a_currency(key: str, normalized: dict[str, list[CommonObject]]) -> None:
    for obj in normalized[key]:
        if "currency" in obj.fields:
            assert obj.fields["currency"] == "USD"
        for name in MONEY.get(obj.object_type, ()):
            assert _is_cents(obj.fields[name]), (obj.object_type, name, obj.fields[name])
        if obj.object_type in NESTED_MONEY:
            nested, name = NESTED_MONEY[obj.object_type]
            assert all(_is_cents(line[name]) for line in obj.fields[nested])


def _references(fields: dict[str, Any]) -> list[tuple[str, Any]]:
    found = []
    for name, value in fields.items():
        if name in REFERENCES:
            found += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found += _references(item)
    return found


@pytest.mark.parametrize("key", KEYS)
def test_every_reference_resolves(key: str, normalized: dict[str, list[CommonObject]]) -> None:
    ids = {(o.object_type, o.id) for o in normalized[key]}
    checked = 0
    for obj in normalized[key]:
        for name, value in _references(obj.fields):
            if value is not None:
                assert (REFERENCES[name], value) in ids, (obj.object_type, name, value)
                checked += 1
        document = obj.fields.get("source_document_id") if obj.object_type == "journal_entries" else None
        if document is not None:
            assert any(i == document for _t, i in ids)
    assert checked > 0


@pytest.mark.parametrize(
    ("key", "resource", "check"),
    [
        ("ledgerly", "Invoice", lambda r: isinstance(r["TotalAmt"], float) and r["Id"].isdigit()),
        ("ledgerly", "Invoice", lambda r: "CustomerRef" in r and "MetaData" in r and "CreateTime" in r["MetaData"]),
        ("ledgerly", "Account", lambda r: {"Classification", "AccountType", "AccountSubType", "AcctNum"} <= set(r)),
        ("xenon", "Invoices", lambda r: r["Date"].startswith("/Date(") and isinstance(r["Total"], float)),
        ("xenon", "Invoices", lambda r: r["Type"] in ("ACCREC", "ACCPAY") and len(r["InvoiceID"]) == 36),
        ("xenon", "Contacts", lambda r: isinstance(r["IsCustomer"], bool) and isinstance(r["IsSupplier"], bool)),
        ("northbank", "transactions", lambda r: isinstance(r["amount"], str) and "posted_date" in r),
        ("northbank", "accounts", lambda r: len(r["mask"]) == 4 and isinstance(r["balances"]["current"], str)),
        ("shopwave", "orders", lambda r: isinstance(r["total_price"], str) and isinstance(r["id"], int)),
        ("shopwave", "balance_transactions", lambda r: isinstance(r["amount"], int) and r["id"].startswith("txn_")),
        ("shopwave", "payouts", lambda r: isinstance(r["arrival_date"], int) and r["id"].startswith("po_")),
        ("payday", "payrolls", lambda r: isinstance(r["employee_compensations"][0]["gross_pay"], str)),
        ("payday", "employees", lambda r: "uuid" in r and r["jobs"][0]["hire_date"]),
    ],
)
def test_each_app_has_its_own_raw_shape(key: str, resource: str, check, rendered: dict[str, Any]) -> None:
    assert all(check(record) for record in rendered[key][resource])


def test_accounting_apps_differ_in_shape(rendered: dict[str, Any]) -> None:
    ledgerly_fields = set(rendered["ledgerly"]["Invoice"][0])
    xenon_fields = set(rendered["xenon"]["Invoices"][0])
    assert "TotalAmt" in ledgerly_fields and "Total" in xenon_fields
    assert len(ledgerly_fields & xenon_fields) <= 2


def test_bank_amounts_flip_to_money_in_positive(
    rendered: dict[str, Any], normalized: dict[str, list[CommonObject]]
) -> None:
    raw = {t["transaction_id"]: t for t in rendered["northbank"]["transactions"]}
    objects = [o for o in normalized["northbank"] if o.object_type == "bank_transactions"]
    for obj in objects:
        assert obj.fields["amount"] == -round(float(raw[obj.source_id]["amount"]) * 100)
    payroll = [o for o in objects if "PAYROLL" in o.fields["description"]]
    payouts = [o for o in objects if "SHOPWAVE" in o.fields["description"]]
    assert payroll and all(o.fields["amount"] < 0 for o in payroll)
    assert payouts and all(o.fields["amount"] > 0 for o in payouts)


def test_running_balances_end_at_the_current_balance(
    business: Business, normalized: dict[str, list[CommonObject]]
) -> None:
    accounts = {o.id: o for o in normalized["northbank"] if o.object_type == "bank_accounts"}
    last: dict[str, CommonObject] = {}
    for obj in normalized["northbank"]:
        if obj.object_type == "bank_transactions":
            last[obj.fields["bank_account_id"]] = obj
    assert set(last) == set(accounts)
    for account_id, obj in last.items():
        assert obj.fields["running_balance"] == accounts[account_id].fields["current_balance"]
    ids = northbank.account_ids(business)
    opening = {b.key: b.opening_balance for b in business.bank_accounts}
    for key, account_id in ids.items():
        moved = sum(line.amount for line in business.bank_lines if line.account_key == key)
        assert accounts[account_id].fields["current_balance"] == opening[key] + moved


def test_payroll_rows_match_the_pay_runs(business: Business, normalized: dict[str, list[CommonObject]]) -> None:
    rows = [o for o in normalized["payday"] if o.object_type == "payroll"]
    assert len(rows) == sum(len(run.stubs) for run in business.pay_runs)
    assert sum(r.fields["net_pay"] for r in rows) == sum(s.net for run in business.pay_runs for s in run.stubs)
    for row in rows:
        f = row.fields
        assert f["gross_pay"] - f["employee_taxes"] - f["deductions"] == f["net_pay"]
    statuses = {o.fields["status"] for o in normalized["payday"] if o.object_type == "employees"}
    assert statuses == {"active", "terminated"}


def test_payouts_are_rebuilt_from_balance_movements(
    business: Business, normalized: dict[str, list[CommonObject]]
) -> None:
    payouts = sorted((o for o in normalized["shopwave"] if o.object_type == "payouts"), key=lambda o: o.date or "")
    assert [(p.fields["amount"], p.fields["gross"], p.fields["fees"], p.fields["refunds"]) for p in payouts] == [
        (p.amount, p.gross, p.fees, p.refunds) for p in business.payouts
    ]
    assert all(p.fields["bank_reference"] for p in payouts)


def test_catalogue_lists_every_app_and_the_upload() -> None:
    rows = integrations()
    assert [row["key"] for row in rows] == [*KEYS, UPLOAD_KEY]
    assert UPLOAD_KEY not in APPS
    assert {row["category"] for row in rows} == {"accounting", "banking", "commerce", "payroll"}
    for row in rows:
        assert set(row) == {"key", "name", "category", "auth_type", "description", "objects"}
        assert row["auth_type"] in {"oauth2", "credentials", "upload"} and row["objects"]


@pytest.mark.parametrize(
    ("key", "auth_type"), [("ledgerly", "oauth2"), ("northbank", "credentials"), (UPLOAD_KEY, "upload"), ("nope", None)]
)
def test_catalogue_entry(key: str, auth_type: str | None) -> None:
    entry = catalogue_entry(key)
    assert (entry or {}).get("auth_type") == auth_type
