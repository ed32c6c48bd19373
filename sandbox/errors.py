"""The sandbox's error tree; each class carries its stable code and HTTP status."""

from __future__ import annotations

from common.errors import ApiError


class SandboxError(ApiError):
    """Base of every error the sandbox raises on purpose."""


class ValidationFailed(SandboxError):
    code, status, message = "validation_failed", 422, "Some fields are not valid."


class InvalidParameter(SandboxError):
    code, status, message = "invalid_parameter", 400, "A parameter is not valid."


class AuthenticationFailed(SandboxError):
    code, status, message = "authentication_failed", 401, "The API credentials are missing or wrong."
    challenge = 'Basic realm="sandbox"'


class AccountNotShared(SandboxError):
    code, status, message = (
        "account_not_shared",
        403,
        ("That company account is not connected to your tenant with data sharing on."),
    )


class UnknownObject(SandboxError):
    code, status, message = "unknown_object", 404, "No such object type in the common data model."


class ObjectNotFound(SandboxError):
    code, status, message = "not_found", 404, "No object with that id."


class ReadOnly(SandboxError):
    code, status, message = "read_only", 405, "The Data API is read-only for this tenant."


class SubdomainTaken(SandboxError):
    code, status, message = (
        "subdomain_taken",
        409,
        "That subdomain is already used by another company account.",
    )


class UnknownAction(SandboxError):
    code, status, message = "unknown_action", 400, "Unknown action."


class UnknownIntegration(SandboxError):
    code, status, message = "unknown_integration", 404, "No app with that key in the catalogue."


class NotConnected(UnknownIntegration):
    code, message = "not_connected", "That company has no active connection to that app."


class UnknownAccount(SandboxError):
    code, status, message = "unknown_account", 404, "No company account with that key under your tenant."
