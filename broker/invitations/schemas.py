"""Marshmallow schemas of accountant invitations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.consents.schemas import PLAIN_NAME


class InvitationCreateSchema(Schema):
    name = fields.String(
        required=True,
        validate=[validate.Length(1, 80), PLAIN_NAME],
        metadata={"description": "The accountant's name, shown in history and audit"},
    )
    expires_in = fields.Integer(
        load_default=None,
        strict=True,
        validate=validate.Range(600, 7 * 86400),
        metadata={"description": "Seconds (default 86400, at most the configured maximum, 259200)."},
    )


class InvitationSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    url = fields.String(
        required=True, metadata={"description": "The link to copy and send; single use; its token is after '#'."}
    )
    expires_at = fields.String(required=True)


class InvitationAcceptSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(1, 1024))


class AccountantSessionSchema(Schema):
    link_token = fields.String(required=True, metadata={"description": "Scopes map and reconcile only"})
    expires_at = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    accountant_name = fields.String(required=True)
    client_name = fields.String(allow_none=True, required=True)
    company_name = fields.String(required=True)
