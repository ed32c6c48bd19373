"""Marshmallow schemas of consents: the lender's terms fields, receipts, verification and the owner's page."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.consents.store import STATUSES

MAX_PURPOSE = 500
# Free text the owner reads: no control characters but tab and newlines (PostgreSQL refuses NUL outright).
PLAIN_TEXT = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="must not hold control characters")
PLAIN_NAME = validate.Regexp(r"^(?=[\s\S]*\S)[^\x00-\x1f\x7f]*$", error="must not be blank or hold control characters")


class TermsFieldsSchema(Schema):
    """Fields that ``POST /v1/accounts`` and ``POST /v1/link_tokens`` accept besides their own."""

    purpose = fields.String(
        load_default=None,
        validate=[validate.Length(1, MAX_PURPOSE), PLAIN_TEXT],
        metadata={"description": "Why you ask for the data, shown to the owner and stated in the receipt."},
    )
    access_expires_at = fields.AwareDateTime(
        load_default=None,
        metadata={"description": "ISO 8601 instant in the future; after it, reads of the company answer 403."},
    )


class TermsSchema(Schema):
    purpose = fields.String(allow_none=True, required=True)
    access_expires_at = fields.String(allow_none=True, required=True)


class WidgetTermsSchema(TermsSchema):
    lender_name = fields.String(allow_none=True, required=True)


class AppSchema(Schema):
    key = fields.String()
    name = fields.String(required=True)
    category = fields.String(allow_none=True, required=True)


class PeriodSchema(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)


class ReceiptClaimsSchema(Schema):
    iss = fields.String(required=True)
    jti = fields.String(required=True, metadata={"description": "The consent id"})
    iat = fields.Integer(required=True)
    exp = fields.Integer(required=True)
    lender = fields.Dict(required=True, metadata={"description": "{client_id, name}"})
    company = fields.Dict(required=True, metadata={"description": "{ref: opaque company reference, name}"})
    apps = fields.List(fields.Nested(AppSchema), required=True)
    categories = fields.List(fields.String(), required=True)
    period = fields.Nested(PeriodSchema, required=True)
    purpose = fields.String(allow_none=True, required=True)
    access_expires_at = fields.String(allow_none=True, required=True)
    attestation = fields.Dict(metadata={"description": "{name, complete_through} when the owner attested"})


class ReceiptSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    issued_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    revoked_at = fields.String(allow_none=True, required=True)
    kid = fields.String(required=True)
    claims = fields.Nested(ReceiptClaimsSchema, required=True)
    receipt = fields.String(required=True, metadata={"description": "The compact JWS (ES256) the owner keeps."})
    receipt_url = fields.String(
        required=True,
        metadata={"description": "The owner's receipt page (view, download, revoke); a fresh signed link each time."},
    )


class ReceiptListSchema(Schema):
    data = fields.List(fields.Nested(ReceiptSchema), required=True)
    terms = fields.Nested(TermsSchema, required=True)


class VerifyRequestSchema(Schema):
    receipt = fields.String(required=True, validate=validate.Length(1, 8192))


class VerifyResultSchema(Schema):
    genuine = fields.Boolean(required=True)
    in_force = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    consent_id = fields.String()
    revoked_at = fields.String(allow_none=True)
    claims = fields.Nested(ReceiptClaimsSchema)
    checked_at = fields.String(required=True)


class ReceiptLinkSchema(Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(1, 1024),
        metadata={"description": "The token after '#' in the receipt page link (never sent in a URL)."},
    )


class ReceiptPageSchema(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    can_revoke = fields.Boolean(required=True)
    lender_name = fields.String(required=True)
    company_name = fields.String(required=True)
    apps = fields.List(fields.Nested(AppSchema), required=True)
    categories = fields.List(fields.String(), required=True)
    period = fields.Nested(PeriodSchema, required=True)
    purpose = fields.String(allow_none=True, required=True)
    issued_at = fields.String(required=True)
    expires_at = fields.String(required=True)
    access_expires_at = fields.String(allow_none=True, required=True)
    revoked_at = fields.String(allow_none=True, required=True)
    attestation = fields.Dict(allow_none=True)
    receipt = fields.String(required=True)
    claims = fields.Nested(ReceiptClaimsSchema, required=True)


class RevokedSchema(ReceiptPageSchema):
    disconnected = fields.List(fields.String(), required=True)
    disconnect_failed = fields.List(fields.String(), required=True)


class JwksSchema(Schema):
    keys = fields.List(fields.Dict(), required=True)
