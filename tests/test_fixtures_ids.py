"""Tests of common-model ids, raw record ids and the common object builder."""

from __future__ import annotations

import re

import pytest

from sandbox.fixtures.ids import PREFIXES, common_id, source_record_id
from sandbox.fixtures.model import OBJECT_FIELDS, make_object


@pytest.mark.parametrize(("object_type", "prefix"), sorted(PREFIXES.items()))
def test_common_id_has_the_collection_prefix_and_is_stable(object_type: str, prefix: str) -> None:
    first = common_id(object_type, "ledgerly", "42")
    assert re.fullmatch(rf"{prefix}_[0-9a-f]{{16}}", first)
    assert common_id(object_type, "ledgerly", "42") == first
    assert common_id(object_type, "xenon", "42") != first
    assert common_id(object_type, "ledgerly", "43") != first


@pytest.mark.parametrize(
    ("object_type", "prefix"),
    [("invoices", "inv_"), ("bills", "bill_"), ("bank_transactions", "btx_"), ("payroll", "pay_"), ("payouts", "po_")],
)
def test_common_id_prefixes_match_the_brief(object_type: str, prefix: str) -> None:
    assert common_id(object_type, "x", "1").startswith(prefix)


@pytest.mark.parametrize("object_type", ["invoice", "", "connections", "INVOICES"])
def test_common_id_refuses_unknown_collections(object_type: str) -> None:
    with pytest.raises(ValueError, match="not a collection"):
        common_id(object_type, "ledgerly", "1")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("ledgerly", "Invoice", "1"), ("ledgerly", "Bill", "1")),
        (("ledgerly", "Invoice", "1"), ("xenon", "Invoice", "1")),
        (("ledgerly", "Invoice", "1"), ("ledgerly", "Invoice", "2")),
    ],
)
def test_source_record_ids_differ_by_app_type_and_id(left: tuple[str, str, str], right: tuple[str, str, str]) -> None:
    assert source_record_id(*left).startswith("src_")
    assert source_record_id(*left) != source_record_id(*right)
    assert source_record_id(*left) == source_record_id(*left)


def _customer_fields() -> dict[str, object]:
    return {"name": "Blue Door Café", "email": "a@b.c", "currency": "USD"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.pop("email"), "missing \\['email'\\]"),
        (lambda f: f.update(phone="1"), "extra \\['phone'\\]"),
    ],
)
def test_make_object_refuses_fields_outside_the_data_model(change, message: str) -> None:
    fields = _customer_fields()
    change(fields)
    with pytest.raises(ValueError, match=message):
        make_object("customers", "ledgerly", source_type="Customer", source_id="1", fields=fields)


def test_make_object_takes_the_date_field_and_an_id_key() -> None:
    fields = dict.fromkeys(OBJECT_FIELDS["trial_balances"])
    fields.update(start="2025-01-01", end="2025-01-31")
    tb = make_object("trial_balances", "ledgerly", source_type="TrialBalance", source_id="2025-01-31", fields=fields)
    assert tb.date == "2025-01-31"
    assert tb.id == common_id("trial_balances", "ledgerly", "2025-01-31")
    row = make_object("customers", "x", source_type="C", source_id="1", fields=_customer_fields(), id_key="1:a")
    assert row.date is None and row.id == common_id("customers", "x", "1:a") and row.source_id == "1"
