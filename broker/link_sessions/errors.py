"""Errors of link sessions' life (update mode, resume, success), each a subclass with its own code and status."""

from __future__ import annotations

from broker.errors import BrokerError, Forbidden, InvalidToken, NotFound, Unprocessable


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


class LinkSessionSucceeded(InvalidToken):
    code, message = (
        "link_session_succeeded",
        "This link session has succeeded; its token now only reads the session's status once.",
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, reason="revoked")


class StatusAlreadyRead(InvalidToken):
    code, message = (
        "link_session_status_read",
        "This succeeded session's status was already read with this token; read it with your client credentials.",
    )

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, reason="revoked")


class SessionAlreadySucceeded(BrokerError):
    code, status, message = "link_session_already_succeeded", 409, "This link session has already succeeded."


class NothingToResume(BrokerError):
    code, status, message = "nothing_to_resume", 409, "There is no earlier session of this company to resume."


class LinkSessionNotFound(NotFound):
    code, message = "link_session_not_found", "No such link session."
