"""Normalization of Xenon's Xero-like raw records into the common data model."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sandbox.apps._shared import Raw, cents, classify_memo
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, make_object

_XERO_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_MONTHS = {
    name: n
    for n, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}
_CLASSIFICATIONS = {
    "CURRENT": "current_asset",
    "INVENTORY": "current_asset",
    "PREPAYMENT": "current_asset",
    "FIXED": "fixed_asset",
    "NONCURRENT": "other_asset",
    "CURRLIAB": "current_liability",
    "LIABILITY": "current_liability",
    "TERMLIAB": "long_term_liability",
    "EQUITY": "equity",
    "SALES": "revenue",
    "REVENUE": "revenue",
    "OTHERINCOME": "other_income",
    "DIRECTCOSTS": "cost_of_sales",
    "OVERHEADS": "operating_expense",
    "DEPRECIATN": "operating_expense",
    "EXPENSE": "other_expense",
}
# Journal source types -> (common source_type, collection of the source document)
_SOURCES = {
    "ACCREC": ("invoice", "invoices"),
    "ACCPAY": ("bill", "bills"),
    "ACCRECCREDIT": ("credit_note", "credit_notes"),
    "ACCRECPAYMENT": ("payment", "payments"),
    "ACCPAYPAYMENT": ("payment", "payments"),
}


def parse_xero_date(value: str) -> str:
    """``/Date(1620864000000+0000)/`` -> ``2021-05-13`` (the UTC day)."""
    match = _XERO_DATE.match(value or "")
    if match is None:
        raise ValueError(f"{value!r} is not a Xero date")
    return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC).date().isoformat()


def parse_report_date(value: str) -> date:
    """``31 January 2025`` -> a date, whatever the machine's locale."""
    day, month, year = value.split()
    return date(int(year), _MONTHS[month.lower()], int(day))


def _classification(item: dict[str, Any]) -> str:
    if item["Type"] == "BANK":
        return "current_liability" if item.get("BankAccountType") == "CREDITCARD" else "current_asset"
    return _CLASSIFICATIONS[item["Type"]]


def normalize_xenon(raw: Raw, integration: str = "xenon") -> list[CommonObject]:
    """Map Xenon's raw records into the common data model; postings come from its general-ledger journals."""
    out: list[CommonObject] = []
    accounts = {a["AccountID"]: a for a in raw.get("Accounts", [])}
    by_code = {a["Code"]: account_id for account_id, a in accounts.items() if a.get("Code")}
    narrations = {m["ManualJournalID"]: m.get("Narration", "") for m in raw.get("ManualJournals", [])}

    def ref(kind: str, source_id: str) -> str:
        return common_id(kind, integration, source_id)

    def add(kind: str, source_type: str, source_id: str, fields: dict[str, Any]) -> None:
        out.append(make_object(kind, integration, source_type=source_type, source_id=source_id, fields=fields))

    for account_id, item in accounts.items():
        number = item.get("BankAccountNumber") or ""
        add(
            "accounts",
            "Accounts",
            account_id,
            {
                "code": item.get("Code"),
                "name": item["Name"],
                "type": item["Class"].lower(),
                "classification": _classification(item),
                "subtype": item["Type"],
                "bank_account_number_last4": number[-4:] if number else None,
                "currency": item.get("CurrencyCode", "USD"),
                "status": "archived" if item.get("Status") == "ARCHIVED" else "active",
            },
        )
    for item in raw.get("Contacts", []):
        fields = {
            "name": item["Name"],
            "email": item.get("EmailAddress"),
            "currency": item.get("DefaultCurrency", "USD"),
        }
        if item.get("IsCustomer"):
            add("customers", "Contacts", item["ContactID"], fields)
        if item.get("IsSupplier"):
            add("vendors", "Contacts", item["ContactID"], fields)
    for item in raw.get("Invoices", []):
        receivable = item["Type"] == "ACCREC"
        contact = item["Contact"]["ContactID"]
        status = {"VOIDED": "void", "DELETED": "void", "PAID": "paid"}.get(item["Status"], "open")
        add(
            "invoices" if receivable else "bills",
            "Invoices",
            item["InvoiceID"],
            {
                "number": item.get("InvoiceNumber"),
                "customer_id" if receivable else "vendor_id": ref("customers" if receivable else "vendors", contact),
                "date": parse_xero_date(item["Date"]),
                "due_date": parse_xero_date(item["DueDate"]),
                "status": status,
                "currency": item.get("CurrencyCode", "USD"),
                "subtotal": cents(item["SubTotal"]),
                "tax": cents(item["TotalTax"]),
                "total": cents(item["Total"]),
                "amount_due": 0 if status == "void" else cents(item["AmountDue"]),
                "lines": [
                    {
                        "description": line.get("Description", ""),
                        "account_id": ref("accounts", by_code[line["AccountCode"]]),
                        "amount": cents(line["LineAmount"]),
                    }
                    for line in item.get("LineItems", [])
                ],
            },
        )
    for item in raw.get("Payments", []):
        received = item["PaymentType"] in ("ACCRECPAYMENT", "ARCREDITPAYMENT")
        invoice, contact = item["Invoice"]["InvoiceID"], item["Invoice"]["Contact"]["ContactID"]
        add(
            "payments",
            "Payments",
            item["PaymentID"],
            {
                "type": "received" if received else "made",
                "date": parse_xero_date(item["Date"]),
                "customer_id": ref("customers", contact) if received else None,
                "vendor_id": None if received else ref("vendors", contact),
                "invoice_ids": [ref("invoices", invoice)] if received else [],
                "bill_ids": [] if received else [ref("bills", invoice)],
                "account_id": ref("accounts", item["Account"]["AccountID"]),
                "amount": cents(item["Amount"]),
                "currency": item.get("CurrencyCode", "USD"),
                "reference": item.get("Reference"),
            },
        )
    for item in raw.get("CreditNotes", []):
        allocations = item.get("Allocations") or []
        add(
            "credit_notes",
            "CreditNotes",
            item["CreditNoteID"],
            {
                "number": item.get("CreditNoteNumber"),
                "date": parse_xero_date(item["Date"]),
                "customer_id": ref("customers", item["Contact"]["ContactID"]),
                "invoice_id": ref("invoices", allocations[0]["Invoice"]["InvoiceID"]) if allocations else None,
                "total": cents(item["Total"]),
                "currency": item.get("CurrencyCode", "USD"),
            },
        )
    for item in raw.get("Journals", []):
        source = _SOURCES.get(item.get("SourceType", ""))
        if source is None:
            kind, document = (
                classify_memo(str(narrations.get(item.get("SourceID", ""), item.get("Reference", "")))),
                None,
            )
        else:
            kind, document = source[0], ref(source[1], item["SourceID"])
        add(
            "journal_entries",
            "Journals",
            item["JournalID"],
            {
                "date": parse_xero_date(item["JournalDate"]),
                "memo": item.get("Reference", ""),
                "source_type": kind,
                "source_document_id": document,
                "currency": "USD",
                "lines": [
                    {
                        "account_id": ref("accounts", line["AccountID"]),
                        "amount": cents(line["NetAmount"]),
                        "description": line.get("Description", ""),
                    }
                    for line in item.get("JournalLines", [])
                ],
            },
        )
    for report in raw.get("TrialBalance", []):
        end = parse_report_date(report["ReportDate"])
        lines = []
        for section in report.get("Rows", []):
            for row in section.get("Rows", []):
                first, debit, credit = row["Cells"][:3]
                account_id = next(a["Value"] for a in first.get("Attributes", []) if a.get("Id") == "account")
                account = accounts.get(account_id, {})
                lines.append(
                    {
                        "account_id": ref("accounts", account_id),
                        "code": account.get("Code"),
                        "name": account.get("Name", first["Value"]),
                        "balance": cents(debit["Value"]) - cents(credit["Value"]),
                    }
                )
        add(
            "trial_balances",
            "TrialBalance",
            report["ReportID"],
            {
                "start": end.replace(day=1).isoformat(),
                "end": end.isoformat(),
                "currency": "USD",
                "lines": lines,
            },
        )
    return out
