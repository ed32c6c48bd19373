"""Xenon, a Xero-like accounting app: GUID ids, /Date(ms)/ dates, contacts that are customers or suppliers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.apps._shared import (
    ACCOUNTING_OBJECTS,
    Raw,
    manual_entries,
    midnight,
    month_end_balances,
    number,
    stable_uuid,
)
from sandbox.apps._shared import raw_records as _raw_records
from sandbox.apps._xenon_normalize import normalize_xenon
from sandbox.fixtures.business import Account, Business, DocLine, Document
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, RawRecord

KEY = "xenon"
NAME = "Xenon"
CATEGORY = "accounting"
AUTH_TYPE = "oauth2"
DESCRIPTION = "Beautiful accounting software: invoices, bills, bank payments, manual journals and the general ledger."
RESOURCES = (
    "Accounts",
    "Contacts",
    "Invoices",
    "Payments",
    "CreditNotes",
    "ManualJournals",
    "Journals",
    "TrialBalance",
)
OBJECTS = ACCOUNTING_OBJECTS

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SOURCE_TYPES = {"invoice": "ACCREC", "bill": "ACCPAY", "credit_note": "ACCRECCREDIT"}
_SIMPLE_TYPES = {
    "fixed_asset": "FIXED",
    "other_asset": "NONCURRENT",
    "long_term_liability": "TERMLIAB",
    "equity": "EQUITY",
    "other_income": "OTHERINCOME",
    "cost_of_sales": "DIRECTCOSTS",
    "other_expense": "EXPENSE",
}
_SYSTEM = {
    "AccountsReceivable": "DEBTORS",
    "AccountsPayable": "CREDITORS",
    "RetainedEarnings": "RETAINEDEARNINGS",
    "SalesTaxPayable": "GST",
}


def xero_date(day: date) -> str:
    """Xero's JSON date: ``/Date(1620864000000+0000)/``."""
    return f"/Date({int(midnight(day).timestamp()) * 1000}+0000)/"


def report_date(day: date) -> str:
    """Xero's report date text: ``31 January 2025``."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _account_type(account: Account) -> str:
    if account.subtype in ("Checking", "Savings", "CreditCard"):
        return "BANK"
    if account.classification == "current_asset":
        return {"Inventory": "INVENTORY", "PrepaidExpenses": "PREPAYMENT"}.get(account.subtype, "CURRENT")
    if account.classification == "current_liability":
        return "CURRLIAB"
    if account.classification == "revenue":
        return "SALES" if account.subtype == "SalesOfProductIncome" else "REVENUE"
    if account.classification == "operating_expense":
        return "DEPRECIATN" if account.subtype == "Depreciation" else "OVERHEADS"
    return _SIMPLE_TYPES[account.classification]


def _tax_split(lines: list[DocLine], tax: int) -> list[int]:
    subtotal = sum(line.amount for line in lines) or 1
    parts = [tax * line.amount // subtotal for line in lines]
    if parts:
        parts[-1] += tax - sum(parts)
    return parts


def render(business: Business) -> Raw:
    """Render the business as Xenon's API returns it, one list per endpoint."""
    seed = business.seed

    def gid(*parts: str) -> str:
        return stable_uuid(seed, KEY, *parts)

    accounts = {a.code: a for a in business.accounts}
    contacts = {c.key: c for c in (*business.customers, *business.vendors)}
    updated = xero_date(business.end)
    raw: Raw = {name: [] for name in RESOURCES}
    for a in business.accounts:
        item: dict[str, Any] = {
            "AccountID": gid("account", a.code),
            "Code": a.code,
            "Name": a.name,
            "Type": _account_type(a),
            "Class": a.type.upper(),
            "Status": a.status.upper(),
            "TaxType": "OUTPUT" if a.type == "revenue" else "INPUT" if a.type == "expense" else "NONE",
            "EnablePaymentsToAccount": False,
            "CurrencyCode": business.currency,
            "UpdatedDateUTC": updated,
        }
        if a.code in {b.ledger_code for b in business.bank_accounts}:
            number_ = next(b.number for b in business.bank_accounts if b.ledger_code == a.code)
            item.update(BankAccountNumber=number_, BankAccountType="BANK")
        elif a.subtype == "CreditCard":
            item.update(BankAccountType="CREDITCARD")
        if a.subtype in _SYSTEM:
            item["SystemAccount"] = _SYSTEM[a.subtype]
        raw["Accounts"].append(item)
    for c in (*business.customers, *business.vendors):
        raw["Contacts"].append(
            {
                "ContactID": gid("contact", c.key),
                "Name": c.name,
                "EmailAddress": c.email,
                "ContactStatus": "ACTIVE",
                "IsCustomer": c.kind == "customer",
                "IsSupplier": c.kind == "vendor",
                "DefaultCurrency": business.currency,
                "UpdatedDateUTC": xero_date(c.created),
            }
        )

    def contact(key: str) -> dict[str, str]:
        return {"ContactID": gid("contact", key), "Name": contacts[key].name}

    def line_items(doc: Document) -> list[dict[str, Any]]:
        return [
            {
                "LineItemID": gid("line", doc.key, str(n)),
                "Description": line.description,
                "Quantity": float(line.quantity),
                "UnitAmount": number(line.amount) / line.quantity,
                "AccountCode": line.account_code,
                "TaxType": "OUTPUT" if doc.tax else "NONE",
                "TaxAmount": number(tax),
                "LineAmount": number(line.amount),
            }
            for n, (line, tax) in enumerate(zip(doc.lines, _tax_split(doc.lines, doc.tax), strict=True))
        ]

    payments_of: dict[str, list[dict[str, Any]]] = {}
    for p in business.payments:
        payments_of.setdefault(p.document_key, []).append(
            {"PaymentID": gid("payment", p.key), "Date": xero_date(p.date), "Amount": number(p.amount)}
        )
    notes_of: dict[str, list[dict[str, Any]]] = {}
    for note in business.credit_notes:
        notes_of.setdefault(note.invoice_key or "", []).append(
            {"CreditNoteID": gid("credit", note.key), "CreditNoteNumber": note.number, "Total": number(note.total)}
        )
    for doc in (*business.invoices, *business.bills):
        paid = sum(p["Amount"] for p in payments_of.get(doc.key, []))
        credited = sum(n["Total"] for n in notes_of.get(doc.key, []))
        raw["Invoices"].append(
            {
                "Type": "ACCREC" if doc.kind == "invoice" else "ACCPAY",
                "InvoiceID": gid("invoice", doc.key),
                "InvoiceNumber": doc.number,
                "Reference": "",
                "Contact": contact(doc.contact_key),
                "Date": xero_date(doc.date),
                "DueDate": xero_date(doc.due_date),
                "Status": "VOIDED" if doc.void else ("PAID" if doc.amount_due == 0 else "AUTHORISED"),
                "LineAmountTypes": "Exclusive",
                "LineItems": line_items(doc),
                "SubTotal": number(doc.subtotal),
                "TotalTax": number(doc.tax),
                "Total": number(doc.total),
                "AmountDue": number(doc.amount_due),
                "AmountPaid": round(paid, 2),
                "AmountCredited": round(credited, 2),
                "CurrencyCode": business.currency,
                "Payments": payments_of.get(doc.key, []),
                "CreditNotes": notes_of.get(doc.key, []),
                "UpdatedDateUTC": xero_date(doc.date),
                "HasAttachments": False,
            }
        )
    for note in business.credit_notes:
        raw["CreditNotes"].append(
            {
                "CreditNoteID": gid("credit", note.key),
                "CreditNoteNumber": note.number,
                "Type": "ACCRECCREDIT",
                "Contact": contact(note.contact_key),
                "Date": xero_date(note.date),
                "Status": "PAID",
                "LineAmountTypes": "Exclusive",
                "LineItems": line_items(note),
                "SubTotal": number(note.subtotal),
                "TotalTax": number(note.tax),
                "Total": number(note.total),
                "RemainingCredit": 0.0,
                "CurrencyCode": business.currency,
                "Allocations": [
                    {
                        "Amount": number(note.total),
                        "Date": xero_date(note.date),
                        "Invoice": {
                            "InvoiceID": gid("invoice", note.invoice_key or ""),
                            "InvoiceNumber": next(i.number for i in business.invoices if i.key == note.invoice_key),
                        },
                    }
                ],
            }
        )
    documents = {d.key: d for d in (*business.invoices, *business.bills)}
    for p in business.payments:
        doc = documents[p.document_key]
        raw["Payments"].append(
            {
                "PaymentID": gid("payment", p.key),
                "Date": xero_date(p.date),
                "Amount": number(p.amount),
                "Reference": p.reference,
                "CurrencyRate": 1.0,
                "Status": "AUTHORISED",
                "PaymentType": "ACCRECPAYMENT" if p.kind == "received" else "ACCPAYPAYMENT",
                "IsReconciled": False,
                "Account": {"AccountID": gid("account", p.account_code), "Code": p.account_code},
                "Invoice": {
                    "InvoiceID": gid("invoice", doc.key),
                    "InvoiceNumber": doc.number,
                    "Type": "ACCREC" if doc.kind == "invoice" else "ACCPAY",
                    "Contact": contact(doc.contact_key),
                },
                "UpdatedDateUTC": xero_date(p.date),
            }
        )
    for entry in manual_entries(business):
        raw["ManualJournals"].append(
            {
                "ManualJournalID": gid("manual", entry.key),
                "Date": xero_date(entry.date),
                "Narration": entry.memo,
                "Status": "POSTED",
                "LineAmountTypes": "NoTax",
                "ShowOnCashBasisReports": True,
                "JournalLines": [
                    {
                        "LineAmount": number(line.amount),
                        "AccountCode": line.account_code,
                        "Description": line.description,
                        "TaxType": "NONE",
                    }
                    for line in entry.lines
                ],
                "UpdatedDateUTC": xero_date(entry.date),
            }
        )
    source_ids = {"invoice": "invoice", "bill": "invoice", "credit_note": "credit", "payment": "payment"}
    payment_types = {p.key: "ACCRECPAYMENT" if p.kind == "received" else "ACCPAYPAYMENT" for p in business.payments}
    for n, entry in enumerate(business.journal_entries, 1):
        kind = source_ids.get(entry.source_type)
        if kind is None:
            source_type, source_id = "MANJOURNAL", gid("manual", entry.key)
        else:
            source_id = gid(kind, entry.source_key or "")
            source_type = _SOURCE_TYPES.get(entry.source_type) or payment_types[entry.source_key or ""]
        raw["Journals"].append(
            {
                "JournalID": gid("journal", entry.key),
                "JournalDate": xero_date(entry.date),
                "JournalNumber": n,
                "CreatedDateUTC": xero_date(entry.date),
                "Reference": entry.memo,
                "SourceID": source_id,
                "SourceType": source_type,
                "JournalLines": [
                    {
                        "JournalLineID": gid("journal-line", entry.key, str(i)),
                        "AccountID": gid("account", line.account_code),
                        "AccountCode": line.account_code,
                        "AccountType": _account_type(accounts[line.account_code]),
                        "AccountName": accounts[line.account_code].name,
                        "Description": line.description,
                        "NetAmount": number(line.amount),
                        "GrossAmount": number(line.amount),
                        "TaxAmount": 0.0,
                    }
                    for i, line in enumerate(entry.lines)
                ],
            }
        )
    for _first, last_day, balances in month_end_balances(business):
        sections: dict[str, list[dict[str, Any]]] = {}
        for code, amount in sorted(balances.items()):
            a = accounts[code]
            sections.setdefault(a.type.title(), []).append(
                {
                    "RowType": "Row",
                    "Cells": [
                        {
                            "Value": f"{a.name} ({a.code})",
                            "Attributes": [{"Value": gid("account", code), "Id": "account"}],
                        },
                        {"Value": f"{number(amount):.2f}" if amount > 0 else ""},
                        {"Value": f"{number(-amount):.2f}" if amount < 0 else ""},
                    ],
                }
            )
        raw["TrialBalance"].append(
            {
                "ReportID": f"TrialBalance-{last_day.isoformat()}",
                "ReportName": "Trial Balance",
                "ReportType": "TrialBalance",
                "ReportTitles": ["Trial Balance", business.name, f"As at {report_date(last_day)}"],
                "ReportDate": report_date(last_day),
                "UpdatedDateUTC": updated,
                "Rows": [
                    {"RowType": "Header", "Cells": [{"Value": "Account"}, {"Value": "Debit"}, {"Value": "Credit"}]},
                    *({"RowType": "Section", "Title": title, "Rows": rows} for title, rows in sections.items()),
                ],
            }
        )
    return raw


_ID_FIELDS = {
    "Accounts": "AccountID",
    "Contacts": "ContactID",
    "Invoices": "InvoiceID",
    "Payments": "PaymentID",
    "CreditNotes": "CreditNoteID",
    "ManualJournals": "ManualJournalID",
    "Journals": "JournalID",
    "TrialBalance": "ReportID",
}


def _field(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda item: item[name]


_ID_OF = {resource: _field(name) for resource, name in _ID_FIELDS.items()}


def raw_records(raw: Raw) -> list[RawRecord]:
    """List Xenon's raw records with their endpoint name and GUID (trial balances by report id)."""
    return _raw_records(raw, _ID_OF)


def normalize(raw: Raw) -> list[CommonObject]:
    """Map Xenon's raw records into the common data model; postings come from its general-ledger journals."""
    return normalize_xenon(raw, KEY)


def entry_ids(business: Business) -> dict[str, str]:
    """Map each business journal entry key to the id of the ``journal_entries`` object Xenon's data gives it."""
    return {
        entry.key: common_id("journal_entries", KEY, stable_uuid(business.seed, KEY, "journal", entry.key))
        for entry in business.journal_entries
    }
