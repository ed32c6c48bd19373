"""Marshmallow schemas of the lender webhook endpoints (requests, responses, and the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.webhooks.service import EVENT_TYPES
from common.pagination import PageSchema


class WebhookCreateSchema(Schema):
    url = fields.String(
        required=True,
        validate=validate.Length(1, 2048),
        metadata={"description": "Where to POST events; https in production, never a private address."},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        load_default=None,
        validate=validate.Length(1, len(EVENT_TYPES)),
        metadata={"description": f"Default: all of {', '.join(EVENT_TYPES)}."},
    )


class WebhookEndpointSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(), required=True)
    created_at = fields.String(required=True)


class WebhookEndpointCreatedSchema(WebhookEndpointSchema):
    secret = fields.String(
        required=True,
        metadata={"description": "Signs every delivery (X-Signature: t=...,v1=...); shown only in this answer."},
    )


class WebhookEndpointListSchema(Schema):
    data = fields.List(fields.Nested(WebhookEndpointSchema), required=True)


class WebhookDeliverySchema(Schema):
    id = fields.String(required=True)
    endpoint_id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "pending, delivered or failed"})
    attempts = fields.Integer(required=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    last_attempt_at = fields.String(allow_none=True)
    next_attempt_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)


class WebhookDeliveryListSchema(PageSchema):
    data = fields.List(fields.Nested(WebhookDeliverySchema), required=True)


class UpstreamReceiptSchema(Schema):
    received = fields.Boolean(required=True)
    duplicate = fields.Boolean(required=True)
