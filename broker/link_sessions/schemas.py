"""Marshmallow schemas of link sessions' life: the frame's progress, resume and exit, and the lender's read."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from broker.coverage.schemas import CoverageSchema
from broker.link_sessions.store import STEPS

STEP = validate.OneOf(STEPS)
STEP_TEXT = f"One of {', '.join(STEPS)}"


class LinkProgressInputSchema(Schema):
    step = fields.String(required=True, validate=STEP, metadata={"description": f"Where the owner is: {STEP_TEXT}"})
    done = fields.List(
        fields.String(validate=STEP),
        load_default=list,
        validate=validate.Length(0, len(STEPS)),
        metadata={"description": "Steps finished (added to those already recorded)"},
    )


class LinkExitInputSchema(Schema):
    step = fields.String(load_default=None, validate=STEP, metadata={"description": "The step the owner left"})


class LinkAppConnectedSchema(Schema):
    integration = fields.String(required=True)
    connected_at = fields.String(required=True, allow_none=True)


class LinkResumeOfferSchema(Schema):
    available = fields.Boolean(required=True, metadata={"description": "An earlier unfinished session can resume"})
    link_session_id = fields.String(required=True, allow_none=True)
    step = fields.String(required=True, allow_none=True)
    steps_done = fields.List(fields.String(), required=True)
    apps_connected = fields.List(fields.Nested(LinkAppConnectedSchema), required=True)


class LinkProgressSchema(Schema):
    link_session_id = fields.String(required=True)
    mode = fields.String(required=True, metadata={"description": "create, or update (reconnect one app)"})
    integration = fields.String(required=True, allow_none=True, metadata={"description": "Update mode's app"})
    status = fields.String(required=True, metadata={"description": "open, exited, resumed or succeeded"})
    step = fields.String(required=True)
    steps_done = fields.List(fields.String(), required=True)
    apps_connected = fields.List(fields.Nested(LinkAppConnectedSchema), required=True)
    resumable = fields.Boolean(required=True, metadata={"description": "Leaving now leaves something to resume"})
    resumed_from = fields.String(required=True, allow_none=True)
    open_at = fields.String(required=True, metadata={"description": "The step the frame opens at"})
    resume = fields.Nested(LinkResumeOfferSchema, required=True)


class LinkExitSchema(Schema):
    link_session_id = fields.String(required=True)
    resumable = fields.Boolean(required=True, metadata={"description": "What onExit's metadata.resumable says"})
    step = fields.String(required=True)


class LinkCompanySchema(Schema):
    account_key = fields.String(required=True)
    name = fields.String(required=True)
    external_id = fields.String(required=True, allow_none=True)


class LinkSessionSchema(Schema):
    id = fields.String(required=True, metadata={"description": "The link_session_id onSuccess carried"})
    status = fields.String(required=True, metadata={"description": "open, exited, resumed or succeeded"})
    mode = fields.String(required=True)
    integration = fields.String(required=True, allow_none=True)
    company = fields.Nested(LinkCompanySchema, required=True)
    step = fields.String(required=True)
    steps_done = fields.List(fields.String(), required=True)
    apps_connected = fields.List(fields.Nested(LinkAppConnectedSchema), required=True)
    coverage = fields.Nested(CoverageSchema, required=True, allow_none=True, metadata={"description": "At success"})
    resumed_from = fields.String(required=True, allow_none=True)
    resumed_by = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True)
    updated_at = fields.String(required=True)
    exited_at = fields.String(required=True, allow_none=True)
    succeeded_at = fields.String(required=True, allow_none=True)


class SessionStatusSchema(Schema):
    link_session_id = fields.String(required=True)
    status = fields.String(required=True)
    steps_done = fields.List(fields.String(), required=True)
    apps_connected = fields.List(fields.Nested(LinkAppConnectedSchema), required=True)
    succeeded_at = fields.String(required=True, allow_none=True)
