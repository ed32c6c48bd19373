"""Shopwave, a Shopify-and-Stripe-like shop: orders with string prices, balance movements in cents, payouts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sandbox.apps._shared import Raw, cents, stable_int, stable_token, text, unix
from sandbox.apps._shared import raw_records as _raw_records
from sandbox.fixtures.business import Business
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, RawRecord, make_object

KEY = "shopwave"
NAME = "Shopwave"
CATEGORY = "commerce"
AUTH_TYPE = "oauth2"
DESCRIPTION = "Online store and card payments: orders, products, charges, refunds, fees and payouts to your bank."
RESOURCES = ("products", "orders", "balance_transactions", "payouts")
OBJECTS = ("products", "orders", "transactions", "payouts")

STORE_TZ = timezone(timedelta(hours=-5))
_TYPES = {"charge": "charge", "refund": "refund", "stripe_fee": "fee", "adjustment": "adjustment"}
_RAW_TYPES = {"charge": "charge", "refund": "refund", "fee": "stripe_fee"}


def _local(day: date, minute: int) -> str:
    moment = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=STORE_TZ)
    return moment.isoformat()


def render(business: Business) -> Raw:
    """Render the shop as its API returns it: Shopify-style catalogue and orders, Stripe-style money movements."""
    seed = business.seed
    product_ids = {p.key: stable_int(seed, KEY, "product", p.key, digits=13) for p in business.products}
    order_ids = {o.key: stable_int(seed, KEY, "order", o.key, digits=13) for o in business.orders}
    payout_ids = {p.key: "po_" + stable_token(seed, KEY, "payout", p.key) for p in business.payouts}
    minutes = {o.key: o.minute for o in business.orders}
    products = [
        {
            "id": product_ids[p.key],
            "title": p.name,
            "handle": p.sku.lower(),
            "status": "active",
            "created_at": _local(p.created, 600),
            "vendor": business.name,
            "variants": [
                {
                    "id": stable_int(seed, KEY, "variant", p.key, digits=13),
                    "product_id": product_ids[p.key],
                    "title": "Default Title",
                    "sku": p.sku,
                    "price": text(p.price),
                    "inventory_quantity": p.inventory_quantity,
                }
            ],
        }
        for p in business.products
    ]
    orders = []
    for o in business.orders:
        orders.append(
            {
                "id": order_ids[o.key],
                "name": f"#{o.number}",
                "order_number": o.number,
                "created_at": _local(o.date, o.minute),
                "processed_at": _local(o.date, o.minute),
                "currency": business.currency,
                "subtotal_price": text(o.subtotal),
                "total_tax": text(o.tax),
                "total_price": text(o.total),
                "total_shipping_price_set": {
                    "shop_money": {"amount": text(o.shipping), "currency_code": business.currency}
                },
                "financial_status": {"cancelled": "voided", "refunded": "refunded"}.get(o.status, "paid"),
                "cancelled_at": _local(o.date, o.minute + 5) if o.status == "cancelled" else None,
                "cancel_reason": "customer" if o.status == "cancelled" else None,
                "customer": {
                    "first_name": o.customer_name.split()[0],
                    "last_name": o.customer_name.split()[-1],
                    "email": o.customer_email,
                },
                "line_items": [
                    {
                        "id": stable_int(seed, KEY, "line", o.key, str(n), digits=13),
                        "product_id": product_ids[line.product_key],
                        "title": line.name,
                        "quantity": line.quantity,
                        "price": text(line.unit_price),
                    }
                    for n, line in enumerate(o.lines)
                ],
                "refunds": [
                    {
                        "id": stable_int(seed, KEY, "refund", o.key, digits=13),
                        "created_at": _local(o.refund_date, o.minute),
                    }
                ]
                if o.refund_date
                else [],
            }
        )
    balance = []
    for t in business.commerce_transactions:
        seconds = (minutes.get(t.order_key or "", 0) + 300) * 60  # store time is UTC-5
        source = {"charge": "ch_", "refund": "re_"}.get(t.type, "fee_") + stable_token(seed, KEY, "src", t.key)
        balance.append(
            {
                "id": "txn_" + stable_token(seed, KEY, "txn", t.key),
                "object": "balance_transaction",
                "amount": t.amount,
                "fee": t.fee,
                "net": t.net,
                "currency": business.currency.lower(),
                "type": _RAW_TYPES[t.type],
                "reporting_category": t.type,
                "created": unix(t.date, seconds),
                "available_on": unix(t.date + timedelta(days=2)),
                "status": "available",
                "description": t.description,
                "source": source,
                "fee_details": [
                    {
                        "amount": t.fee,
                        "currency": business.currency.lower(),
                        "type": "stripe_fee",
                        "description": "Shopwave processing fees",
                    }
                ]
                if t.fee
                else [],
                "metadata": {"order_id": str(order_ids[t.order_key])} if t.order_key else {},
                "payout": payout_ids.get(t.payout_key or ""),
            }
        )
    payouts = []
    for p in business.payouts:
        balance.append(
            {
                "id": "txn_" + stable_token(seed, KEY, "txn", p.key),
                "object": "balance_transaction",
                "amount": -p.amount,
                "fee": 0,
                "net": -p.amount,
                "currency": business.currency.lower(),
                "type": "payout",
                "reporting_category": "payout",
                "created": unix(p.created, 3600),
                "available_on": unix(p.created),
                "status": "available",
                "description": "STRIPE PAYOUT",
                "source": payout_ids[p.key],
                "fee_details": [],
                "metadata": {},
                "payout": None,
            }
        )
        payouts.append(
            {
                "id": payout_ids[p.key],
                "object": "payout",
                "amount": p.amount,
                "currency": business.currency.lower(),
                "arrival_date": unix(p.arrival_date),
                "created": unix(p.created, 3600),
                "method": "standard",
                "type": "bank_account",
                "status": "paid" if p.arrival_date <= business.end else "in_transit",
                "statement_descriptor": p.bank_reference,
                "automatic": True,
                "destination": "ba_" + stable_token(seed, KEY, "bank"),
                "balance_transaction": "txn_" + stable_token(seed, KEY, "txn", p.key),
            }
        )
    balance.sort(key=lambda item: (item["created"], item["id"]))
    return {"products": products, "orders": orders, "balance_transactions": balance, "payouts": payouts}


_ID_OF: dict[str, Callable[[dict[str, Any]], Any]] = {name: (lambda item: item["id"]) for name in RESOURCES}


def raw_records(raw: Raw) -> list[RawRecord]:
    """List Shopwave's raw records with their resource name and id."""
    return _raw_records(raw, _ID_OF)


def _utc_day(moment: str | int) -> str:
    if isinstance(moment, int):
        return datetime.fromtimestamp(moment, UTC).date().isoformat()
    return datetime.fromisoformat(moment).astimezone(UTC).date().isoformat()


def normalize(raw: Raw) -> list[CommonObject]:
    """Map the shop's raw records into the common model; payout totals are rebuilt from their balance movements."""
    out: list[CommonObject] = []

    def add(kind: str, source_type: str, source_id: str, fields: dict[str, Any]) -> None:
        out.append(make_object(kind, KEY, source_type=source_type, source_id=source_id, fields=fields))

    for item in raw.get("products", []):
        variant = (item.get("variants") or [{}])[0]
        add(
            "products",
            "products",
            str(item["id"]),
            {
                "name": item["title"],
                "sku": variant.get("sku"),
                "price": cents(variant.get("price")),
                "currency": "USD",
                "inventory_quantity": variant.get("inventory_quantity"),
            },
        )
    for item in raw.get("orders", []):
        customer = item.get("customer") or {}
        status = (
            "cancelled"
            if item.get("cancelled_at")
            else "refunded"
            if item.get("financial_status") == "refunded"
            else "paid"
        )
        add(
            "orders",
            "orders",
            str(item["id"]),
            {
                "number": item["name"],
                "date": _utc_day(item["created_at"]),
                "customer_name": f"{customer.get('first_name', '')} {customer.get('last_name', '')}".strip(),
                "status": status,
                "currency": item.get("currency", "USD"),
                "subtotal": cents(item["subtotal_price"]),
                "tax": cents(item["total_tax"]),
                "shipping": cents(item.get("total_shipping_price_set", {}).get("shop_money", {}).get("amount")),
                "total": cents(item["total_price"]),
                "line_items": [
                    {
                        "product_id": common_id("products", KEY, str(line["product_id"])),
                        "name": line["title"],
                        "quantity": line["quantity"],
                        "unit_price": cents(line["price"]),
                        "amount": line["quantity"] * cents(line["price"]),
                    }
                    for line in item.get("line_items", [])
                ],
            },
        )
    by_payout: dict[str, list[dict[str, Any]]] = {}
    for item in raw.get("balance_transactions", []):
        kind = _TYPES.get(item["type"])
        if kind is None:
            continue  # payout movements are the payouts themselves
        if item.get("payout"):
            by_payout.setdefault(item["payout"], []).append(item)
        order = (item.get("metadata") or {}).get("order_id")
        add(
            "transactions",
            "balance_transactions",
            item["id"],
            {
                "type": kind,
                "date": _utc_day(item["created"]),
                "amount": item["amount"],
                "fee": item["fee"],
                "net": item["net"],
                "currency": item["currency"].upper(),
                "order_id": common_id("orders", KEY, order) if order else None,
                "payout_id": common_id("payouts", KEY, item["payout"]) if item.get("payout") else None,
            },
        )
    for item in raw.get("payouts", []):
        moves = by_payout.get(item["id"], [])
        add(
            "payouts",
            "payouts",
            item["id"],
            {
                "date": _utc_day(item["arrival_date"]),
                "amount": item["amount"],
                "gross": sum(m["amount"] for m in moves if m["type"] == "charge"),
                "fees": sum(m["fee"] for m in moves) - sum(m["amount"] for m in moves if m["type"] == "stripe_fee"),
                "refunds": -sum(m["amount"] for m in moves if m["type"] == "refund"),
                "currency": item["currency"].upper(),
                "status": item["status"],
                "bank_reference": item.get("statement_descriptor"),
                "transaction_ids": [common_id("transactions", KEY, m["id"]) for m in moves],
            },
        )
    return out
