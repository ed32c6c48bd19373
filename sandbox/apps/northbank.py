"""Northbank, a Plaid-like bank feed: decimal-string amounts where positive means money out, masked numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.apps._shared import Raw, cents, stable_token, text
from sandbox.apps._shared import raw_records as _raw_records
from sandbox.fixtures.business import Business
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, RawRecord, make_object

KEY = "northbank"
NAME = "Northbank"
CATEGORY = "banking"
AUTH_TYPE = "credentials"
DESCRIPTION = "Business checking and savings: balances and every posted transaction of your accounts."
RESOURCES = ("accounts", "transactions")
OBJECTS = ("bank_accounts", "bank_transactions")

_CATEGORIES = {
    "deposit": (["Transfer", "Deposit"], "TRANSFER_IN"),
    "payout": (["Transfer", "Credit"], "TRANSFER_IN"),
    "interest": (["Interest", "Interest Earned"], "INCOME"),
    "check": (["Payment"], "GENERAL_SERVICES"),
    "bill_payment": (["Payment"], "GENERAL_SERVICES"),
    "payroll": (["Transfer", "Payroll"], "TRANSFER_OUT"),
    "loan": (["Payment", "Loan"], "LOAN_PAYMENTS"),
    "tax": (["Tax", "Payment"], "GOVERNMENT_AND_NON_PROFIT"),
    "card": (["Payment", "Credit Card"], "LOAN_PAYMENTS"),
    "transfer": (["Transfer", "Internal Account Transfer"], "TRANSFER_OUT"),
    "fee": (["Bank Fees"], "BANK_FEES"),
    "atm": (["Transfer", "Withdrawal", "ATM"], "TRANSFER_OUT"),
}
_TYPES = {"checking": "checking", "savings": "savings", "credit card": "credit_card"}


def render(business: Business) -> Raw:
    """Render the bank's accounts and posted transactions as its API returns them."""
    seed = business.seed
    ids = {a.key: stable_token(seed, KEY, "account", a.key, length=37) for a in business.bank_accounts}
    balances = {a.key: a.opening_balance for a in business.bank_accounts}
    transactions = []
    for line in business.bank_lines:
        balances[line.account_key] += line.amount
        category, pfc = _CATEGORIES.get(line.category, (["Transfer"], "OTHER"))
        channel = "in store" if line.category in ("atm", "deposit") else "other"
        transactions.append(
            {
                "transaction_id": stable_token(seed, KEY, "transaction", line.key, length=37),
                "account_id": ids[line.account_key],
                "amount": text(-line.amount),  # Plaid's convention: positive is money leaving the account
                "iso_currency_code": business.currency,
                "unofficial_currency_code": None,
                "posted_date": line.date.isoformat(),
                "authorized_date": line.date.isoformat(),
                "name": line.description,
                "merchant_name": line.counterparty,
                "payment_channel": channel,
                "pending": False,
                "category": category,
                "personal_finance_category": {"primary": pfc, "detailed": f"{pfc}_OTHER"},
                "check_number": line.reference.split()[-1] if line.category == "check" and line.reference else None,
                "payment_meta": {
                    "reference_number": line.reference,
                    "payee": None,
                    "payer": None,
                    "payment_method": None,
                    "ppd_id": None,
                },
            }
        )
    accounts = [
        {
            "account_id": ids[a.key],
            "name": a.name,
            "official_name": f"{a.institution} {a.name}",
            "type": "depository",
            "subtype": a.type,
            "mask": a.number[-4:],
            "institution_name": a.institution,
            "holder_category": "business",
            "balances": {
                "current": text(balances[a.key]),
                "available": text(balances[a.key]),
                "limit": None,
                "iso_currency_code": business.currency,
            },
        }
        for a in business.bank_accounts
    ]
    return {"accounts": accounts, "transactions": transactions}


_ID_OF: dict[str, Callable[[dict[str, Any]], Any]] = {
    "accounts": lambda item: item["account_id"],
    "transactions": lambda item: item["transaction_id"],
}


def raw_records(raw: Raw) -> list[RawRecord]:
    """List Northbank's raw records with their resource name and id."""
    return _raw_records(raw, _ID_OF)


def normalize(raw: Raw) -> list[CommonObject]:
    """Map the bank's raw records into the common model: money in positive, running balances rebuilt.

    The bank gives no running balance, so it is computed backwards from each account's current balance over its
    transactions in the order the bank lists them.
    """
    out: list[CommonObject] = []
    current: dict[str, int] = {}
    for item in raw.get("accounts", []):
        balances = item.get("balances", {})
        current[item["account_id"]] = cents(balances.get("current"))
        out.append(
            make_object(
                "bank_accounts",
                KEY,
                source_type="accounts",
                source_id=item["account_id"],
                fields={
                    "name": item.get("official_name") or item["name"],
                    "institution": item.get("institution_name"),
                    "type": _TYPES.get(item.get("subtype", ""), "checking"),
                    "account_number_last4": item.get("mask"),
                    "currency": balances.get("iso_currency_code", "USD"),
                    "current_balance": cents(balances.get("current")),
                    "available_balance": cents(balances.get("available"))
                    if balances.get("available") is not None
                    else None,
                },
            )
        )
    by_account: dict[str, list[tuple[str, int, dict[str, Any]]]] = {}
    for index, item in enumerate(raw.get("transactions", [])):
        if item.get("pending"):
            continue
        by_account.setdefault(item["account_id"], []).append((item["posted_date"], index, item))
    for account_id, items in by_account.items():
        items.sort(key=lambda entry: (entry[0], entry[1]))
        running = current.get(account_id, 0) - sum(-cents(item["amount"]) for _d, _i, item in items)
        for posted, _index, item in items:
            amount = -cents(item["amount"])
            running += amount
            meta = item.get("payment_meta") or {}
            out.append(
                make_object(
                    "bank_transactions",
                    KEY,
                    source_type="transactions",
                    source_id=item["transaction_id"],
                    fields={
                        "bank_account_id": common_id("bank_accounts", KEY, account_id),
                        "date": posted,
                        "description": item.get("name", ""),
                        "amount": amount,
                        "currency": item.get("iso_currency_code") or "USD",
                        "running_balance": running,
                        "counterparty": item.get("merchant_name"),
                        "reference": meta.get("reference_number") or item.get("check_number"),
                    },
                )
            )
    return out


def transaction_ids(business: Business) -> dict[str, str]:
    """Map each business bank line key to the id of the ``bank_transactions`` object Northbank's data gives it."""
    return {
        line.key: common_id(
            "bank_transactions", KEY, stable_token(business.seed, KEY, "transaction", line.key, length=37)
        )
        for line in business.bank_lines
    }


def account_ids(business: Business) -> dict[str, str]:
    """Map each business bank account key to the id of its ``bank_accounts`` object."""
    return {
        a.key: common_id("bank_accounts", KEY, stable_token(business.seed, KEY, "account", a.key, length=37))
        for a in business.bank_accounts
    }
