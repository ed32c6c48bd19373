"""Marshmallow schemas of map and reconcile: the widget's saves, the lender's queries, and the answers' shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.mapping.reasons import REASON_CODES
from broker.owner_notes.schemas import AttestationSchema, NoteSchema
from broker.review.mapping_store import MAX_ITEMS
from broker.review.reconcile_store import DECISIONS, MAX_DECISIONS
from broker.review.statements import PERIODS

ID = validate.Length(1, 64)
MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be a month YYYY-MM")


# -- mapping -------------------------------------------------------------------------------------------------------
class MappingItemSchema(Schema):
    account_id = fields.String(required=True, validate=ID, metadata={"description": "The upstream account's id"})
    category = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(1, 64),
        metadata={"description": "A leaf code of the lender's standard chart; null removes the mapping"},
    )


class MappingSaveSchema(Schema):
    mappings = fields.List(fields.Nested(MappingItemSchema), required=True, validate=validate.Length(1, MAX_ITEMS))


class ProgressSchema(Schema):
    mapped = fields.Integer(required=True)
    total = fields.Integer(required=True)


class MappingSavedSchema(Schema):
    changed = fields.Integer(required=True, metadata={"description": "How many accounts changed category"})
    progress = fields.Nested(ProgressSchema, required=True)
    saved_at = fields.String(required=True)


class SuggestionSchema(Schema):
    account_id = fields.String()
    category = fields.String(allow_none=True)
    confidence = fields.Float()
    reason = fields.String(metadata={"description": "Why, as an English sentence (reason_code with reason_params)"})
    reason_code = fields.String(
        validate=validate.OneOf(REASON_CODES),
        metadata={"description": "Why, as a stable code to translate"},
    )
    reason_params = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "Plain values of the reason: signal, value, range, phrase, category, side",
            "example": {"signal": "classification", "value": "revenue", "phrase": "sales"},
        },
    )
    needs_review = fields.Boolean()


class MappedAccountSchema(Schema):
    id = fields.String(required=True)
    code = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    classification = fields.String(allow_none=True)
    subtype = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    balance = fields.Integer(metadata={"description": "Ledger balance in minor units, debit positive"})
    category = fields.String(allow_none=True, metadata={"description": "The saved category, null when unmapped"})
    saved_at = fields.String(allow_none=True)
    suggestion = fields.Nested(SuggestionSchema)
    flags = fields.Dict(keys=fields.String(), values=fields.Boolean(), metadata={"example": {"low_confidence": True}})


class ChartSchema(Schema):
    roots = fields.List(fields.Dict(), required=True, metadata={"description": "The tree: code, name, children"})
    leaves = fields.List(fields.Dict(), metadata={"description": "Every leaf with code, names, side and path"})
    custom = fields.Boolean(metadata={"description": "Whether this is the lender's own chart (else the default)"})
    updated_at = fields.String(allow_none=True)


class MappingViewSchema(Schema):
    chart = fields.Nested(ChartSchema, required=True)
    accounts = fields.List(fields.Nested(MappedAccountSchema), required=True)
    progress = fields.Nested(ProgressSchema, required=True)
    saved_at = fields.String(allow_none=True)


class LenderMappingSchema(Schema):
    account_key = fields.String(required=True)
    chart = fields.String(metadata={"description": "default or custom"})
    saved_at = fields.String(required=True)
    mappings = fields.List(fields.Dict(), required=True, metadata={"description": "account_id, category, saved_*"})
    history = fields.List(fields.Dict(), metadata={"description": "account_id, old_category, new_category, at"})


class ChartInputSchema(Schema):
    """A chart, nested (``roots``) or flat (``nodes``); checked by ``load_chart``, which names every problem."""

    class Meta:
        unknown = "raise"

    roots = fields.List(fields.Dict(), metadata={"description": "Nested: code, name, name_fr, statement, side"})
    nodes = fields.List(fields.Dict(), metadata={"description": "Flat: the same fields plus parent"})


# -- statements ----------------------------------------------------------------------------------------------------
class StatementsQuerySchema(Schema):
    start = fields.Date(load_default=None, metadata={"description": "First day (default: 12 months to the data's end)"})
    end = fields.Date(load_default=None, metadata={"description": "Last day (default: the last month with entries)"})
    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    as_of = fields.Date(load_default=None, metadata={"description": "Balance sheet date (default: each period end)"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class StatementsSchema(Schema):
    account_key = fields.String(required=True)
    chart = fields.String()
    currency = fields.String(allow_none=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    period = fields.String(required=True)
    profit_and_loss = fields.List(fields.Dict(), required=True)
    balance_sheets = fields.List(fields.Dict(), required=True)
    ratios = fields.List(fields.Dict(), required=True)
    completeness = fields.Dict(required=True, metadata={"description": "complete, mapped_accounts, unmapped_accounts"})


# -- reconciliation ------------------------------------------------------------------------------------------------
class ReconciliationQuerySchema(Schema):
    month = fields.String(load_default=None, validate=MONTH, metadata={"description": "YYYY-MM (default: the last)"})


class DecisionSchema(Schema):
    bank_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(1, 50))
    ledger_ids = fields.List(fields.String(validate=ID), required=True, validate=validate.Length(1, 50))
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))


class DecisionsSaveSchema(Schema):
    decisions = fields.List(
        fields.Nested(DecisionSchema), load_default=list, validate=validate.Length(0, MAX_DECISIONS)
    )
    reliable_through = fields.Date(
        load_default=None, metadata={"description": "The date through which the owner says the data is reliable"}
    )


class ReconciliationSummarySchema(Schema):
    bank_lines = fields.Integer()
    matched_lines = fields.Integer()
    matches = fields.Integer()
    confirmed = fields.Integer()
    rejected = fields.Integer()
    pending = fields.Integer()
    match_rate = fields.Dict(metadata={"description": "count and amount, 0 to 1 (null without bank lines)"})
    by_type = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "Matches not rejected by type: exact, near (amounts differ a little or by sign), chosen "
            "(by the owner among candidates)",
            "example": {"exact": 120, "near": 3, "chosen": 2},
        },
    )
    choices = fields.Integer(metadata={"description": "Bank lines the evidence does not decide, offered as choices"})
    outside_period = fields.Integer(metadata={"description": "Bank lines dated outside the books' period"})
    possible_duplicates = fields.Integer(metadata={"description": "Ledger lines that look booked twice"})


class DecisionsSavedSchema(Schema):
    changed = fields.Integer(required=True)
    summary = fields.Nested(ReconciliationSummarySchema, required=True)
    reliable_through = fields.String(allow_none=True)
    completed = fields.Boolean(required=True)
    completed_at = fields.String(allow_none=True)


class WidgetReconciliationSchema(Schema):
    months = fields.List(fields.String(), required=True)
    month = fields.String(allow_none=True)
    accounts = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "balance, matches, choices, unmatched_*, outside_period, possible_duplicates"},
    )
    summary = fields.Nested(ReconciliationSummarySchema, required=True)
    reliable_through = fields.String(allow_none=True)
    suggested_reliable_through = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)


class LenderReconciliationSchema(Schema):
    account_key = fields.String(required=True)
    reliable_through = fields.String(allow_none=True)
    completed_at = fields.String(required=True)
    completed_by = fields.String(allow_none=True)
    match_rate = fields.Dict(required=True)
    summary = fields.Nested(ReconciliationSummarySchema, required=True)
    accounts = fields.List(fields.Dict())
    unexplained_differences = fields.List(fields.Dict(), required=True)
    decisions = fields.List(fields.Dict(), required=True)
    history = fields.List(fields.Dict())
    unmatched_bank = fields.List(fields.Dict())
    unmatched_ledger = fields.List(fields.Dict())
    near_matches = fields.List(
        fields.Dict(), metadata={"description": "bank_ids, ledger_ids, near (kind), difference (bank - ledger), reason"}
    )
    chosen_matches = fields.List(fields.Dict(), metadata={"description": "bank_ids, ledger_ids chosen by the owner"})
    open_choices = fields.List(
        fields.Dict(), metadata={"description": "bank_ids, question, candidates: lines the owner has not decided"}
    )
    outside_period = fields.Dict(metadata={"description": "bank and ledger lines dated outside the books' period"})
    possible_duplicates = fields.List(fields.Dict(), metadata={"description": "ledger_id and its matched twin_id"})
    # the owner's word on the books
    owner_notes = fields.List(fields.Nested(NoteSchema), required=True)
    attestation = fields.Nested(AttestationSchema, allow_none=True, required=True)
