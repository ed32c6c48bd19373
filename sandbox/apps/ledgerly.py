"""Ledgerly, a QuickBooks-Online-like accounting app: PascalCase entities, numeric ids, amounts as decimal numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.apps._ledgerly_ids import LedgerlyIds, journal_entry_ids
from sandbox.apps._ledgerly_normalize import normalize_ledgerly
from sandbox.apps._shared import (
    ACCOUNTING_OBJECTS,
    Raw,
    manual_entries,
    month_end_balances,
    number,
    stable_int,
)
from sandbox.apps._shared import (
    raw_records as _raw_records,
)
from sandbox.fixtures.business import Account, Business, Document
from sandbox.fixtures.business.chart import AP, AR
from sandbox.fixtures.model import CommonObject, RawRecord

KEY = "ledgerly"
NAME = "Ledgerly"
CATEGORY = "accounting"
AUTH_TYPE = "oauth2"
DESCRIPTION = "Cloud accounting for small businesses: chart of accounts, invoices, bills, payments and journals."
RESOURCES = (
    "Account",
    "Customer",
    "Vendor",
    "Invoice",
    "Bill",
    "Payment",
    "BillPayment",
    "CreditMemo",
    "JournalEntry",
    "TrialBalance",
)
OBJECTS = ACCOUNTING_OBJECTS

_CLASSIFICATION_NAMES = {
    "asset": "Asset",
    "liability": "Liability",
    "equity": "Equity",
    "revenue": "Revenue",
    "expense": "Expense",
}
_ACCOUNT_TYPES = {
    "fixed_asset": "Fixed Asset",
    "other_asset": "Other Asset",
    "long_term_liability": "Long Term Liability",
    "equity": "Equity",
    "revenue": "Income",
    "other_income": "Other Income",
    "cost_of_sales": "Cost of Goods Sold",
    "operating_expense": "Expense",
    "other_expense": "Other Expense",
}
_CURRENT_ASSET_TYPES = {
    "Checking": "Bank",
    "Savings": "Bank",
    "CashOnHand": "Bank",
    "AccountsReceivable": "Accounts Receivable",
}
_CURRENT_LIABILITY_TYPES = {"AccountsPayable": "Accounts Payable", "CreditCard": "Credit Card"}


def _account_type(account: Account) -> str:
    if account.classification == "current_asset":
        return _CURRENT_ASSET_TYPES.get(account.subtype, "Other Current Asset")
    if account.classification == "current_liability":
        return _CURRENT_LIABILITY_TYPES.get(account.subtype, "Other Current Liability")
    return _ACCOUNT_TYPES[account.classification]


def _meta(day: Any) -> dict[str, str]:
    stamp = f"{day.isoformat()}T09:{stable_int(str(day), digits=2) % 60:02d}:00-08:00"
    return {"CreateTime": stamp, "LastUpdatedTime": stamp}


def _ref(value: str, name: str | None = None) -> dict[str, str]:
    return {"value": value, "name": name} if name is not None else {"value": value}


def render(business: Business) -> Raw:
    """Render the business as Ledgerly's API returns it, one list per entity."""
    ids = LedgerlyIds(business)
    accounts = {a.code: a for a in business.accounts}
    names = {c.key: c.name for c in (*business.customers, *business.vendors)}
    usd = {"value": business.currency, "name": "United States Dollar"}
    last = month_end_balances(business)[-1][2]

    def acct(code: str) -> dict[str, str]:
        return _ref(ids.account[code], accounts[code].name)

    def contact(key: str) -> dict[str, str]:
        return _ref(ids.contact[key], names[key])

    def sales_lines(doc: Document) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for n, line in enumerate(doc.lines, 1):
            lines.append(
                {
                    "Id": str(n),
                    "LineNum": n,
                    "Description": line.description,
                    "Amount": number(line.amount),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": _ref(str(stable_int(line.description, digits=2)), line.description.split(",")[0]),
                        "Qty": line.quantity,
                        "UnitPrice": number(line.amount) / line.quantity,
                        "ItemAccountRef": acct(line.account_code),
                        "TaxCodeRef": _ref("TAX" if doc.tax else "NON"),
                    },
                }
            )
        lines.append({"Amount": number(doc.subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        return lines

    raw: Raw = {name: [] for name in RESOURCES}
    for a in business.accounts:
        item = {
            "Id": ids.account[a.code],
            "Name": a.name,
            "AcctNum": a.code,
            "FullyQualifiedName": a.name,
            "Active": a.status == "active",
            "Classification": _CLASSIFICATION_NAMES[a.type],
            "AccountType": _account_type(a),
            "AccountSubType": a.subtype,
            "CurrentBalance": number(last.get(a.code, 0)),
            "CurrencyRef": usd,
            "SyncToken": "0",
            "MetaData": _meta(business.start),
        }
        if a.bank_last4:
            item["BankNum"] = "XXXXXX" + a.bank_last4
        raw["Account"].append(item)
    open_by_contact: dict[str, int] = {}
    for doc in (*business.invoices, *business.bills):
        open_by_contact[doc.contact_key] = open_by_contact.get(doc.contact_key, 0) + doc.amount_due
    for kind, contacts in (("Customer", business.customers), ("Vendor", business.vendors)):
        for c in contacts:
            raw[kind].append(
                {
                    "Id": ids.contact[c.key],
                    "DisplayName": c.name,
                    "CompanyName": c.name,
                    "PrimaryEmailAddr": {"Address": c.email},
                    "CurrencyRef": usd,
                    "Active": True,
                    "Balance": number(open_by_contact.get(c.key, 0)),
                    "MetaData": _meta(c.created),
                    **({"Taxable": c.taxable} if kind == "Customer" else {}),
                }
            )
    ar, ap, checking = acct(AR), acct(AP), ids.account

    def sales_document(doc: Document, due: dict[str, str], open_amount: dict[str, float]) -> dict[str, Any]:
        """The fields an invoice and a credit memo share, in Ledgerly's order; ``open_amount`` is an invoice's
        Balance or a credit memo's RemainingCredit, ``due`` an invoice's DueDate (a credit memo has none)."""
        return {
            "Id": ids.txn[doc.key],
            "DocNumber": doc.number,
            "TxnDate": doc.date.isoformat(),
            **due,
            "CustomerRef": contact(doc.contact_key),
            "Line": sales_lines(doc),
            "TxnTaxDetail": {"TotalTax": number(doc.tax)},
            "TotalAmt": number(doc.total),
            **open_amount,
            "ARAccountRef": ar,
            "CurrencyRef": usd,
            "MetaData": _meta(doc.date),
        }

    for inv in business.invoices:
        raw["Invoice"].append(
            {
                **sales_document(inv, {"DueDate": inv.due_date.isoformat()}, {"Balance": number(inv.amount_due)}),
                "EmailStatus": "EmailSent",
                **({"PrivateNote": "Voided"} if inv.void else {}),
            }
        )
    for note in business.credit_notes:
        raw["CreditMemo"].append(sales_document(note, {}, {"RemainingCredit": 0.0}))
        # Ledgerly applies a credit memo to an invoice with a zero payment linking both.
        raw["Payment"].append(
            {
                "Id": ids.txn[f"apply-{note.key}"],
                "TxnDate": note.date.isoformat(),
                "CustomerRef": contact(note.contact_key),
                "TotalAmt": 0.0,
                "UnappliedAmt": 0.0,
                "ARAccountRef": ar,
                "Line": [
                    {
                        "Amount": number(note.total),
                        "LinkedTxn": [{"TxnId": ids.txn[note.invoice_key or ""], "TxnType": "Invoice"}],
                    },
                    {
                        "Amount": number(note.total),
                        "LinkedTxn": [{"TxnId": ids.txn[note.key], "TxnType": "CreditMemo"}],
                    },
                ],
                "CurrencyRef": usd,
                "MetaData": _meta(note.date),
            }
        )
    for bill in business.bills:
        raw["Bill"].append(
            {
                "Id": ids.txn[bill.key],
                "DocNumber": bill.number,
                "TxnDate": bill.date.isoformat(),
                "DueDate": bill.due_date.isoformat(),
                "VendorRef": contact(bill.contact_key),
                "APAccountRef": ap,
                "Line": [
                    {
                        "Id": str(n),
                        "Description": line.description,
                        "Amount": number(line.amount),
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "AccountBasedExpenseLineDetail": {
                            "AccountRef": acct(line.account_code),
                            "BillableStatus": "NotBillable",
                        },
                    }
                    for n, line in enumerate(bill.lines, 1)
                ],
                "TotalAmt": number(bill.total),
                "Balance": number(bill.amount_due),
                "CurrencyRef": usd,
                "MetaData": _meta(bill.date),
            }
        )
    for p in business.payments:
        linked = {
            "Amount": number(p.amount),
            "LinkedTxn": [{"TxnId": ids.txn[p.document_key], "TxnType": "Invoice" if p.kind == "received" else "Bill"}],
        }
        common = {
            "Id": ids.txn[p.key],
            "TxnDate": p.date.isoformat(),
            "TotalAmt": number(p.amount),
            "Line": [linked],
            "CurrencyRef": usd,
            "MetaData": _meta(p.date),
        }
        if p.kind == "received":
            raw["Payment"].append(
                {
                    **common,
                    "CustomerRef": contact(p.contact_key),
                    "PaymentRefNum": p.reference,
                    "UnappliedAmt": 0.0,
                    "PaymentMethodRef": _ref(
                        "1" if p.method == "check" else "2", "Check" if p.method == "check" else "ACH"
                    ),
                    "DepositToAccountRef": _ref(checking[p.account_code]),
                    "ARAccountRef": ar,
                }
            )
        else:
            raw["BillPayment"].append(
                {
                    **common,
                    "DocNumber": p.reference,
                    "VendorRef": contact(p.contact_key),
                    "PayType": "Check",
                    "CheckPayment": {"BankAccountRef": acct(p.account_code), "PrintStatus": "NotSet"},
                    "APAccountRef": ap,
                }
            )
    for n, entry in enumerate(manual_entries(business), 1):
        raw["JournalEntry"].append(
            {
                "Id": ids.txn[entry.key],
                "DocNumber": f"JE{n:04d}",
                "TxnDate": entry.date.isoformat(),
                "PrivateNote": entry.memo,
                "Adjustment": False,
                "CurrencyRef": usd,
                "MetaData": _meta(entry.date),
                "Line": [
                    {
                        "Id": str(i),
                        "Description": line.description,
                        "Amount": number(abs(line.amount)),
                        "DetailType": "JournalEntryLineDetail",
                        "JournalEntryLineDetail": {
                            "PostingType": "Debit" if line.amount > 0 else "Credit",
                            "AccountRef": acct(line.account_code),
                        },
                    }
                    for i, line in enumerate(entry.lines)
                ],
            }
        )
    for first, last_day, balances in month_end_balances(business):
        rows: list[dict[str, Any]] = [
            {
                "ColData": [
                    {"value": accounts[code].name, "id": ids.account[code]},
                    {"value": f"{number(amount):.2f}" if amount > 0 else ""},
                    {"value": f"{number(-amount):.2f}" if amount < 0 else ""},
                ]
            }
            for code, amount in sorted(balances.items())
        ]
        debit = sum(a for a in balances.values() if a > 0)
        rows.append(
            {
                "type": "Section",
                "group": "GrandTotal",
                "Summary": {
                    "ColData": [
                        {"value": "TOTAL"},
                        {"value": f"{number(debit):.2f}"},
                        {"value": f"{number(debit):.2f}"},
                    ]
                },
            }
        )
        raw["TrialBalance"].append(
            {
                "Header": {
                    "ReportName": "TrialBalance",
                    "StartPeriod": first.isoformat(),
                    "EndPeriod": last_day.isoformat(),
                    "Currency": business.currency,
                    "ReportBasis": "Accrual",
                },
                "Columns": {
                    "Column": [
                        {"ColTitle": "", "ColType": "Account"},
                        {"ColTitle": "Debit", "ColType": "Money"},
                        {"ColTitle": "Credit", "ColType": "Money"},
                    ]
                },
                "Rows": {"Row": rows},
            }
        )
    return raw


_ID_OF: dict[str, Callable[[dict[str, Any]], Any]] = {
    name: (lambda item: item["Header"]["EndPeriod"]) if name == "TrialBalance" else (lambda item: item["Id"])
    for name in RESOURCES
}


def raw_records(raw: Raw) -> list[RawRecord]:
    """List Ledgerly's raw records with their entity name and id (trial balances by their end date)."""
    return _raw_records(raw, _ID_OF)


def normalize(raw: Raw) -> list[CommonObject]:
    """Map Ledgerly's raw entities into the common data model, deriving the postings of every document."""
    return normalize_ledgerly(raw, KEY)


def entry_ids(business: Business) -> dict[str, str]:
    """Map each business journal entry key to the id of the ``journal_entries`` object Ledgerly's data gives it."""
    return journal_entry_ids(business)
