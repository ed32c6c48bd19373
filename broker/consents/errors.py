"""Errors of consents and access: each class holds its stable code and status (raise sites never override them)."""

from __future__ import annotations

from broker.errors import BrokerError, Forbidden, InvalidInput


class AccessExpired(Forbidden):
    code, message = "access_expired", "Your access to this company's data has ended (access_expires_at has passed)."


class ConsentRevoked(Forbidden):
    code, message = "consent_revoked", "The business owner has revoked their consent; ask them to share again."


class InvalidConsentLink(InvalidInput):
    code, message = "invalid_consent_link", "This receipt link is not valid."


class ConsentLinkExpired(InvalidInput):
    code, message = "consent_link_expired", "This receipt link has expired; ask the lender for a new one."


class ConsentAlreadyRevoked(BrokerError):
    code, status, message = "consent_already_revoked", 409, "This consent has already been revoked."
