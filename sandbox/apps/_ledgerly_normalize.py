"""Normalization of Ledgerly's QuickBooks-like raw entities into the common data model, postings included."""

from __future__ import annotations

from typing import Any

from sandbox.apps._shared import Raw, cents, classify_memo
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, make_object

_CLASSIFICATIONS = {
    "Bank": "current_asset",
    "Accounts Receivable": "current_asset",
    "Other Current Asset": "current_asset",
    "Fixed Asset": "fixed_asset",
    "Other Asset": "other_asset",
    "Accounts Payable": "current_liability",
    "Credit Card": "current_liability",
    "Other Current Liability": "current_liability",
    "Long Term Liability": "long_term_liability",
    "Equity": "equity",
    "Income": "revenue",
    "Other Income": "other_income",
    "Cost of Goods Sold": "cost_of_sales",
    "Expense": "operating_expense",
    "Other Expense": "other_expense",
}


def normalize_ledgerly(raw: Raw, integration: str = "ledgerly") -> list[CommonObject]:
    """Map Ledgerly's raw entities into the common data model.

    Ledgerly only lists manual journals, so the postings of invoices, credit memos, bills and payments are derived
    from the documents themselves; zero payments that link a credit memo to an invoice give the credit note its
    invoice and post nothing.
    """
    out: list[CommonObject] = []
    accounts = {a["Id"]: a for a in raw.get("Account", [])}
    tax_account = next((i for i, a in accounts.items() if a["AccountSubType"] == "SalesTaxPayable"), None)

    def currency(item: dict[str, Any]) -> str:
        return str(item.get("CurrencyRef", {}).get("value", "USD"))

    def account_id(ref: dict[str, Any]) -> str:
        return common_id("accounts", integration, ref["value"])

    def obj(kind: str, source_type: str, item: dict[str, Any], fields: dict[str, Any], key: str | None = None) -> None:
        out.append(
            make_object(kind, integration, source_type=source_type, source_id=item["Id"], fields=fields, id_key=key)
        )

    def entry(
        source_type: str, item: dict[str, Any], memo: str, kind: str, document: str | None, lines: list[dict[str, Any]]
    ) -> None:
        obj(
            "journal_entries",
            source_type,
            item,
            {
                "date": item["TxnDate"],
                "memo": memo,
                "source_type": kind,
                "source_document_id": document,
                "currency": currency(item),
                "lines": [line for line in lines if line["amount"]],
            },
            key=f"{source_type}:{item['Id']}",
        )

    def posting(ref: dict[str, Any], amount: int, description: str) -> dict[str, Any]:
        return {"account_id": account_id(ref), "amount": amount, "description": description}

    for item in accounts.values():
        obj(
            "accounts",
            "Account",
            item,
            {
                "code": item.get("AcctNum"),
                "name": item["Name"],
                "type": item["Classification"].lower(),
                "classification": _CLASSIFICATIONS[item["AccountType"]],
                "subtype": item.get("AccountSubType"),
                "bank_account_number_last4": item["BankNum"][-4:] if item.get("BankNum") else None,
                "currency": currency(item),
                "status": "active" if item.get("Active", True) else "archived",
            },
        )
    for kind, source in (("customers", "Customer"), ("vendors", "Vendor")):
        for item in raw.get(source, []):
            obj(
                kind,
                source,
                item,
                {
                    "name": item["DisplayName"],
                    "email": item.get("PrimaryEmailAddr", {}).get("Address"),
                    "currency": currency(item),
                },
            )

    credit_invoice: dict[str, str] = {}
    for item in raw.get("Payment", []):
        links = [link for line in item.get("Line", []) for link in line.get("LinkedTxn", [])]
        memos = [link["TxnId"] for link in links if link["TxnType"] == "CreditMemo"]
        invoices = [link["TxnId"] for link in links if link["TxnType"] == "Invoice"]
        if cents(item["TotalAmt"]) == 0:
            for memo_id in memos:
                credit_invoice[memo_id] = invoices[0]
            continue
        amount, name = cents(item["TotalAmt"]), item["CustomerRef"].get("name", "")
        obj(
            "payments",
            "Payment",
            item,
            {
                "type": "received",
                "date": item["TxnDate"],
                "customer_id": common_id("customers", integration, item["CustomerRef"]["value"]),
                "vendor_id": None,
                "invoice_ids": [common_id("invoices", integration, i) for i in invoices],
                "bill_ids": [],
                "account_id": account_id(item["DepositToAccountRef"]),
                "amount": amount,
                "currency": currency(item),
                "reference": item.get("PaymentRefNum"),
            },
        )
        entry(
            "Payment",
            item,
            f"Payment {item.get('PaymentRefNum', '')}".strip(),
            "payment",
            common_id("payments", integration, item["Id"]),
            [
                posting(item["DepositToAccountRef"], amount, f"Payment from {name}"),
                posting(item["ARAccountRef"], -amount, "Payment"),
            ],
        )

    def sales(item: dict[str, Any]) -> list[tuple[dict[str, Any], int, str]]:
        return [
            (line["SalesItemLineDetail"]["ItemAccountRef"], cents(line["Amount"]), line.get("Description", ""))
            for line in item.get("Line", [])
            if line.get("DetailType") == "SalesItemLineDetail"
        ]

    for item in raw.get("Invoice", []):
        lines, tax = sales(item), cents(item.get("TxnTaxDetail", {}).get("TotalTax"))
        void = item.get("PrivateNote") == "Voided"
        balance = 0 if void else cents(item["Balance"])
        obj(
            "invoices",
            "Invoice",
            item,
            {
                "number": item.get("DocNumber"),
                "customer_id": common_id("customers", integration, item["CustomerRef"]["value"]),
                "date": item["TxnDate"],
                "due_date": item.get("DueDate"),
                "status": "void" if void else ("paid" if balance == 0 else "open"),
                "currency": currency(item),
                "subtotal": sum(a for _r, a, _d in lines),
                "tax": tax,
                "total": cents(item["TotalAmt"]),
                "amount_due": balance,
                "lines": [{"description": d, "account_id": account_id(r), "amount": a} for r, a, d in lines],
            },
        )
        if not void:
            entry(
                "Invoice",
                item,
                f"Invoice {item.get('DocNumber')}",
                "invoice",
                common_id("invoices", integration, item["Id"]),
                [
                    posting(item["ARAccountRef"], cents(item["TotalAmt"]), item["CustomerRef"].get("name", "")),
                    *(posting(r, -a, d) for r, a, d in lines),
                    *([posting({"value": tax_account}, -tax, "Sales tax")] if tax and tax_account else []),
                ],
            )
    for item in raw.get("CreditMemo", []):
        lines, tax, total = sales(item), cents(item.get("TxnTaxDetail", {}).get("TotalTax")), cents(item["TotalAmt"])
        invoice = credit_invoice.get(item["Id"])
        obj(
            "credit_notes",
            "CreditMemo",
            item,
            {
                "number": item.get("DocNumber"),
                "date": item["TxnDate"],
                "customer_id": common_id("customers", integration, item["CustomerRef"]["value"]),
                "invoice_id": common_id("invoices", integration, invoice) if invoice else None,
                "total": total,
                "currency": currency(item),
            },
        )
        entry(
            "CreditMemo",
            item,
            f"Credit note {item.get('DocNumber')}",
            "credit_note",
            common_id("credit_notes", integration, item["Id"]),
            [
                *(posting(r, a, d) for r, a, d in lines),
                *([posting({"value": tax_account}, tax, "Sales tax")] if tax and tax_account else []),
                posting(item["ARAccountRef"], -total, f"Credit note {item.get('DocNumber')}"),
            ],
        )
    for item in raw.get("Bill", []):
        expense = [
            (line["AccountBasedExpenseLineDetail"]["AccountRef"], cents(line["Amount"]), line.get("Description", ""))
            for line in item.get("Line", [])
            if line.get("DetailType") == "AccountBasedExpenseLineDetail"
        ]
        total, balance = cents(item["TotalAmt"]), cents(item["Balance"])
        subtotal = sum(a for _r, a, _d in expense)
        obj(
            "bills",
            "Bill",
            item,
            {
                "number": item.get("DocNumber"),
                "vendor_id": common_id("vendors", integration, item["VendorRef"]["value"]),
                "date": item["TxnDate"],
                "due_date": item.get("DueDate"),
                "status": "paid" if balance == 0 else "open",
                "currency": currency(item),
                "subtotal": subtotal,
                "tax": total - subtotal,
                "total": total,
                "amount_due": balance,
                "lines": [{"description": d, "account_id": account_id(r), "amount": a} for r, a, d in expense],
            },
        )
        entry(
            "Bill",
            item,
            f"Bill {item.get('DocNumber')}",
            "bill",
            common_id("bills", integration, item["Id"]),
            [
                *(posting(r, a, d) for r, a, d in expense),
                posting(item["APAccountRef"], -total, item["VendorRef"].get("name", "")),
            ],
        )
    for item in raw.get("BillPayment", []):
        amount, bank = cents(item["TotalAmt"]), item["CheckPayment"]["BankAccountRef"]
        bills = [
            link["TxnId"]
            for line in item.get("Line", [])
            for link in line.get("LinkedTxn", [])
            if link["TxnType"] == "Bill"
        ]
        obj(
            "payments",
            "BillPayment",
            item,
            {
                "type": "made",
                "date": item["TxnDate"],
                "customer_id": None,
                "vendor_id": common_id("vendors", integration, item["VendorRef"]["value"]),
                "invoice_ids": [],
                "bill_ids": [common_id("bills", integration, b) for b in bills],
                "account_id": account_id(bank),
                "amount": amount,
                "currency": currency(item),
                "reference": item.get("DocNumber"),
            },
        )
        entry(
            "BillPayment",
            item,
            f"Payment {item.get('DocNumber', '')}".strip(),
            "payment",
            common_id("payments", integration, item["Id"]),
            [
                posting(item["APAccountRef"], amount, "Bill payment"),
                posting(bank, -amount, f"Payment to {item['VendorRef'].get('name', '')}"),
            ],
        )
    for item in raw.get("JournalEntry", []):
        memo = item.get("PrivateNote", "")
        entry(
            "JournalEntry",
            item,
            memo,
            classify_memo(memo),
            None,
            [
                posting(
                    line["JournalEntryLineDetail"]["AccountRef"],
                    cents(line["Amount"]) * (1 if line["JournalEntryLineDetail"]["PostingType"] == "Debit" else -1),
                    line.get("Description", ""),
                )
                for line in item.get("Line", [])
            ],
        )
    for report in raw.get("TrialBalance", []):
        header = report["Header"]
        rows: list[dict[str, Any]] = []
        for row in report.get("Rows", {}).get("Row", []):
            if row.get("type") == "Section":
                continue
            name_cell, debit, credit = row["ColData"]
            account = accounts.get(name_cell.get("id", ""), {})
            rows.append(
                {
                    "account_id": common_id("accounts", integration, name_cell["id"]),
                    "code": account.get("AcctNum"),
                    "name": name_cell["value"],
                    "balance": cents(debit["value"]) - cents(credit["value"]),
                }
            )
        out.append(
            make_object(
                "trial_balances",
                integration,
                source_type="TrialBalance",
                source_id=header["EndPeriod"],
                fields={
                    "start": header["StartPeriod"],
                    "end": header["EndPeriod"],
                    "currency": header.get("Currency", "USD"),
                    "lines": rows,
                },
            )
        )
    return out
