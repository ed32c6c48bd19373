"""Marshmallow schemas of coverage: the lender's requirements in and out, and the check's answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MONTHS = validate.Range(0, 120)


class RequirementsInputSchema(Schema):
    books_months = fields.Integer(
        required=True, strict=True, validate=MONTHS, metadata={"description": "Months of books (journal entries)"}
    )
    bank_months = fields.Integer(
        required=True, strict=True, validate=MONTHS, metadata={"description": "Months of bank transactions"}
    )
    mapped_percent = fields.Float(
        required=True,
        allow_nan=False,
        validate=validate.Range(0, 100),
        metadata={"description": "Share of absolute ledger balances whose account is mapped, in percent"},
    )
    reliable_through_required = fields.Boolean(
        required=True,
        truthy={True},
        falsy={False},
        metadata={"description": "Whether the owner must state a reliable-through date"},
    )


class RequirementsSchema(RequirementsInputSchema):
    updated_at = fields.String(
        required=True, allow_none=True, metadata={"description": "When they were last set; null: never (defaults)"}
    )


class FixSchema(Schema):
    code = fields.String(
        required=True,
        metadata={
            "description": "connect_accounting, connect_bank, more_books_history, more_bank_history, map_accounts "
            "or set_reliable_through"
        },
    )
    count = fields.Integer(required=True, allow_none=True, metadata={"description": "Accounts or months missing"})
    message = fields.String(required=True, metadata={"description": "The fix in plain English words"})


class CoverageItemSchema(Schema):
    name = fields.String(
        required=True, metadata={"description": "books_months, bank_months, mapped_percent or reliable_through"}
    )
    needed = fields.Raw(required=True, metadata={"description": "The lender's minimum (a number, or a boolean)"})
    have = fields.Raw(
        required=True, allow_none=True, metadata={"description": "What the data has (months, percent, a date)"}
    )
    met = fields.Boolean(required=True)
    fix = fields.Nested(FixSchema, required=True, allow_none=True, metadata={"description": "null when met"})


class CoverageSchema(Schema):
    met = fields.Boolean(required=True, metadata={"description": "Every requirement is met"})
    checked_at = fields.String(required=True)
    requirements = fields.List(fields.Nested(CoverageItemSchema), required=True)
