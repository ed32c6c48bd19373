"""Marshmallow schemas of the owner's notes and attestation (requests, answers, and the lender's additions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.consents.schemas import PLAIN_NAME, PLAIN_TEXT
from broker.owner_notes.store import ATTESTATION_TEXT, MAX_TEXT, REASONS, SUBJECT_KINDS

SUBJECT_ID = validate.Regexp(r"^[A-Za-z0-9_.:\-]{1,128}$", error="must be 1 to 128 letters, digits or _.:-")


class NoteInputSchema(Schema):
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    subject_id = fields.String(
        required=True,
        validate=SUBJECT_ID,
        metadata={"description": "A bank or ledger line id, or a difference's key (e.g. <bank account id>:<YYYY-MM>)."},
    )
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=MAX_TEXT), PLAIN_TEXT],
        metadata={"description": "Free text, required with reason other."},
    )


class NotesSaveSchema(Schema):
    notes = fields.List(fields.Nested(NoteInputSchema), required=True, validate=validate.Length(1, 200))


class NoteChangeSchema(Schema):
    at = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": "link:<token id>, or accountant:<name>"})
    old_reason = fields.String(allow_none=True, required=True)
    old_text = fields.String(allow_none=True, required=True)
    new_reason = fields.String(required=True)
    new_text = fields.String(allow_none=True, required=True)


class NoteSchema(Schema):
    subject_kind = fields.String(required=True)
    subject_id = fields.String(required=True)
    reason = fields.String(required=True)
    text = fields.String(allow_none=True, required=True)
    updated_at = fields.String(required=True)
    updated_by = fields.String(required=True)
    history = fields.List(fields.Nested(NoteChangeSchema), required=True)


class AttestationInputSchema(Schema):
    name = fields.String(
        required=True,
        validate=[validate.Length(1, 120), PLAIN_NAME],
        metadata={"description": "The owner's name"},
    )
    complete_through = fields.Date(required=True, metadata={"description": "YYYY-MM-DD, not in the future"})
    language = fields.String(load_default="en", validate=validate.OneOf(tuple(ATTESTATION_TEXT)))


class AttestationSchema(Schema):
    name = fields.String(required=True)
    complete_through = fields.String(required=True)
    language = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "The exact words the owner agreed to"})
    at = fields.String(required=True)
    actor = fields.String(required=True)


class NotesSavedSchema(Schema):
    changed = fields.Integer(required=True)
    notes = fields.List(fields.Nested(NoteSchema), required=True)


class OwnerWordSchema(Schema):
    owner_notes = fields.List(fields.Nested(NoteSchema), required=True)
    attestation = fields.Nested(AttestationSchema, allow_none=True, required=True)
