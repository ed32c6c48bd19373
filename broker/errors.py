"""The broker's exception tree: every error it raises is a class here that carries a stable code and an HTTP status.

``BrokerError`` (500, internal_error)
├── InvalidInput (400, bad_request), UnknownParameter (400), InvalidParameter (400), InvalidJson (400),
│   PayloadTooLarge (413), FileTooLarge (413)
├── Unprocessable (422, validation_failed)
├── AuthenticationFailed (401, unauthorized; ``WWW-Authenticate: Basic``)
├── InvalidToken (401, invalid_token; ``WWW-Authenticate: Bearer error="invalid_token"``), RevokedToken (401)
├── Forbidden (403, forbidden), OriginNotAllowed (403), OriginMismatch (403),
│   InsufficientScope (403)
├── NotFound (404, not_found), UnknownIntegration (404)
├── Conflict (409, conflict)
├── NotReady (503, not_ready)
├── TooManyRequests (429, rate_limited; ``Retry-After``)
└── ConfigurationError (raised at startup, never rendered)

Below them, one section per feature holds that feature's codes (connect attempts, link sessions, map and reconcile,
coverage, consents, invitations, the upstream webhook receiver); the upstream package keeps its own subtree,
``UpstreamError`` and its children (502, 503, 504), in ``broker.upstream.errors``. A raise site never sets a literal
code or status: a subclass does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from common.errors import ApiError


class BrokerError(ApiError):
    """Base of every error the broker raises on purpose."""

    code, status, message = "internal_error", 500, "The broker could not complete the request."


class ConfigurationError(RuntimeError):
    """The broker's configuration is missing or unsafe; raised by ``create_app`` before serving anything."""


class InvalidInput(BrokerError):
    code, status, message = "bad_request", 400, "The request is not valid."


class UnknownParameter(InvalidInput):
    code, message = "unknown_parameter", "This endpoint does not accept that query parameter."


class InvalidParameter(InvalidInput):
    code, message = "invalid_parameter", "A query parameter is not valid."


class InvalidJson(InvalidInput):
    code, message = "invalid_json", "The body must be a JSON object."


class PayloadTooLarge(InvalidInput):
    code, status, message = "payload_too_large", 413, "The body is too large."


class FileTooLarge(PayloadTooLarge):
    code, message = "file_too_large", "A file is larger than 2 MB."


class Unprocessable(BrokerError):
    code, status, message = "validation_failed", 422, "Some fields are not valid."


class AuthenticationFailed(BrokerError):
    code, status, message = "unauthorized", 401, "Send your client id and secret with HTTP Basic authentication."
    challenge = 'Basic realm="broker"'


class InvalidToken(BrokerError):
    code, status, message = "invalid_token", 401, "The link token is missing, malformed, expired or revoked."
    challenge = 'Bearer realm="broker", error="invalid_token"'

    def __init__(self, message: str | None = None, *, reason: str = "invalid", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason  # for metrics only: malformed, signature, expired, claims or revoked


class RevokedToken(InvalidToken):
    """A link token that was valid and is spent or withdrawn; metrics count it as ``revoked``."""

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, reason="revoked", **kwargs)


class Forbidden(BrokerError):
    code, status, message = "forbidden", 403, "You may not access this resource."


class OriginNotAllowed(Forbidden):
    code, message = "origin_not_allowed", "This request comes from an origin the token was not issued for."


class OriginMismatch(Forbidden):
    code, message = (
        "origin_mismatch",
        "The widget is framed by a page whose origin is not the one this link token was issued for.",
    )


class InsufficientScope(Forbidden):
    code, message = "insufficient_scope", "The link token does not carry a scope this endpoint needs."
    challenge = 'Bearer realm="broker", error="insufficient_scope"'


class NotFound(BrokerError):
    code, status, message = "not_found", 404, "No such resource."


class UnknownIntegration(NotFound):
    code, message = "unknown_integration", "No such app in the catalogue."


class Conflict(BrokerError):
    code, status, message = "conflict", 409, "The request conflicts with the current state of the resource."


class NotReady(BrokerError):
    code, status, message = "not_ready", 503, "A dependency is not reachable."


class TooManyRequests(BrokerError):
    code, status, message = "rate_limited", 429, "Too many requests; retry after the time in Retry-After."

    def __init__(self, retry_after: float, message: str | None = None, **kwargs: Any) -> None:
        seconds = str(max(1, math.ceil(retry_after)))
        super().__init__(message, headers={"Retry-After": seconds}, **kwargs)


# Connect attempts (``broker.link.flow``).


class AttemptClosed(Conflict):
    code, message = "attempt_closed", "This connection attempt has already finished; start a new one."


class NoChallenge(AttemptClosed):
    code, message = "no_challenge", "Sign in first; there is no code to check yet."


class WrongAttemptKind(InvalidInput):
    code, message = "wrong_attempt_kind", "This step does not apply to this kind of app."


# Link sessions' life: update mode, resume, success (``broker.link_sessions``).


class IntegrationNotConnected(Unprocessable):
    code, message = (
        "integration_not_connected",
        "Update mode reconnects an app the company already connected; this company has no connection to that app.",
    )


class IntegrationNotAllowed(Forbidden):
    code, message = (
        "integration_not_allowed",
        "This link token is in update mode: it may only reconnect the app it was minted for.",
    )


class LinkSessionSucceeded(RevokedToken):
    code, message = (
        "link_session_succeeded",
        "This link session has succeeded; its token now only reads the session's status once.",
    )


class StatusAlreadyRead(RevokedToken):
    code, message = (
        "link_session_status_read",
        "This succeeded session's status was already read with this token; read it with your client credentials.",
    )


class SessionAlreadySucceeded(Conflict):
    code, message = "link_session_already_succeeded", "This link session has already succeeded."


class NothingToResume(Conflict):
    code, message = "nothing_to_resume", "There is no earlier session of this company to resume."


class LinkSessionNotFound(NotFound):
    code, message = "link_session_not_found", "No such link session."


# Map and reconcile (``broker.review``).


class SaveConflict(Conflict):
    message = "Another save of the same items happened at the same time; retry."


class MappingNotSaved(NotFound):
    code, message = "mapping_not_saved", "The owner has not saved a mapping for this company yet."


class ReconciliationNotCompleted(NotFound):
    code, message = "reconciliation_not_completed", "The owner has not completed the reconciliation yet."


# Coverage before success (``broker.coverage``).


class CoverageNotMet(Conflict):
    """The company's data does not yet meet the lender's minimums; ``details.coverage`` says what is missing."""

    code, message = (
        "coverage_not_met",
        "The data shared does not yet cover what the lender needs; see details.coverage for how to fix it.",
    )


# Consents and the lender's access (``broker.consents``).


class AccessExpired(Forbidden):
    code, message = "access_expired", "Your access to this company's data has ended (access_expires_at has passed)."


class ConsentRevoked(Forbidden):
    code, message = "consent_revoked", "The business owner has revoked their consent; ask them to share again."


class InvalidConsentLink(InvalidInput):
    code, message = "invalid_consent_link", "This receipt link is not valid."


class ConsentLinkExpired(InvalidInput):
    code, message = "consent_link_expired", "This receipt link has expired; ask the lender for a new one."


class ConsentAlreadyRevoked(Conflict):
    code, message = "consent_already_revoked", "This consent has already been revoked."


# Accountant invitations (``broker.invitations``).


class InvalidInvitation(InvalidInput):
    code, message = "invalid_invitation", "This invitation link is not valid."


class InvitationExpired(InvalidInput):
    code, message = "invitation_expired", "This invitation has expired; ask the business owner for a new one."


class InvitationUsed(Conflict):
    code, message = "invitation_used", "This invitation has already been used; ask for a new one."


class OwnerOnly(Forbidden):
    code, message = "owner_only", "Only the business owner can do this, not an invited accountant."


# The upstream's webhooks (``broker.webhooks.upstream``).


class SignatureRejected(BrokerError):
    """The upstream webhook's ``X-Signature`` is missing, malformed, wrong or too old."""

    code, status, message = "signature_invalid", 401, "The webhook signature is not valid."


class SignatureUnverifiable(SignatureRejected):
    code, message = "signature_unverifiable", "The broker has no upstream webhook secret configured."


class InvalidEvent(InvalidInput):
    code, message = "invalid_event", "The webhook body is not an event with id, type and data."


def field_errors(messages: Mapping[str, Any]) -> Unprocessable:
    """Return a 422 error listing the fields that failed and why."""
    return Unprocessable(details={"fields": dict(messages)})
