"""Marshmallow request and response schemas of the broker's API (also the source of ``/openapi.json``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.consents.schemas import TermsFieldsSchema
from broker.tokens import MODES, SCOPES
from common.pagination import PageSchema


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    request_id = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class AccountCreateSchema(TermsFieldsSchema):  # + purpose, access_expires_at
    name = fields.String(required=True, validate=validate.Length(1, 200))
    email = fields.Email(required=True, validate=validate.Length(3, 320))
    region = fields.String(load_default=None, validate=validate.Length(1, 40))
    external_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(1, 128),
        metadata={"description": "Your own id for this company; POSTing the same one again returns the same account."},
    )


class ConnectionSchema(Schema):
    integration = fields.String()
    status = fields.String(metadata={"description": "healthy, inactive or error"})
    created = fields.String(allow_none=True)
    last_sync = fields.String(allow_none=True)
    last_full_sync = fields.String(allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "status error: why, in a sentence"})
    reason = fields.String(
        allow_none=True,
        metadata={"description": "status error: token_revoked, password_changed, consent_withdrawn, ... (or null)"},
    )


class AccountSchema(Schema):
    account_key = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    region = fields.String(required=True)
    external_id = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class AccountDetailSchema(AccountSchema):
    connections = fields.List(fields.Nested(ConnectionSchema), allow_none=True)
    connections_error = fields.String(
        allow_none=True, metadata={"description": "Why connections are null (upstream_unavailable, ...)"}
    )


class AccountListSchema(PageSchema):
    data = fields.List(fields.Nested(AccountSchema), required=True)


class LinkTokenCreateSchema(TermsFieldsSchema):  # + purpose, access_expires_at
    account_key = fields.String(required=True, validate=validate.Length(1, 128))
    origin = fields.String(
        required=True,
        validate=validate.Length(1, 300),
        metadata={"description": "The exact origin of the page embedding the widget; one of the client's origins."},
    )
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        load_default=None,
        validate=validate.Length(1, len(SCOPES)),
        metadata={"description": "Default: all of link, map, reconcile, read."},
    )
    expires_in = fields.Integer(
        load_default=None,
        strict=True,
        validate=validate.Range(60, 3600),
        metadata={"description": "Lifetime in seconds (default 1800, at most the configured maximum, 3600)."},
    )
    mode = fields.String(
        load_default="create",
        validate=validate.OneOf(MODES),
        metadata={"description": "create (default), or update: reconnect one app the company already connected."},
    )
    integration = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[a-z0-9_]{1,64}$"),
        metadata={"description": "Update mode only (and required there): the app key to reconnect."},
    )


class LinkTokenSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Token id, for DELETE /v1/link_tokens/{id}"})
    link_token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    expires_in = fields.Integer(required=True)
    scopes = fields.List(fields.String(), required=True)
    origin = fields.String(required=True)
    mode = fields.String(required=True, metadata={"description": "create or update"})
    integration = fields.String(required=True, allow_none=True, metadata={"description": "Update mode's app"})


class DataQuerySchema(Schema):
    page = fields.Integer(metadata={"description": "Collections: 1-based page of 30; read until an empty array."})
    start = fields.String(metadata={"description": "YYYY-MM-DD or ISO 8601 instant (collections, profit_and_loss)"})
    end = fields.String(metadata={"description": "YYYY-MM-DD or ISO 8601 instant (collections, profit_and_loss)"})
    as_of = fields.String(metadata={"description": "balance_sheet only: YYYY-MM-DD"})
    period = fields.String(metadata={"description": "profit_and_loss only: month, quarter or year"})


class HealthSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
