"""Accountant invitations without Flask: create a single-use, short-lived link; accept it for a map+reconcile token.

The link carries an itsdangerous token (its own salt, ``max_age``) after ``#``; accepting it marks the invitation used
with a conditional update, so that two clicks open one session. The session's link token never carries ``link``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broker.errors import InvalidInvitation, InvitationExpired, InvitationUsed, OwnerOnly, field_errors
from broker.invitations.models import Invitation
from broker.lender.accounts import audit, issue_link_token
from broker.signed_links import SignedLinks
from broker.storage.models import Account, Client
from broker.tokens import LinkClaims, LinkTokens
from common.dates import iso

SALT = "broker.accountant-invitation.v1"
SCOPES = ("map", "reconcile")


class InvitationLinks(SignedLinks):
    """Sign and check invitation tokens with the broker's secret keys and this purpose's salt."""

    def __init__(self, secret_keys: Sequence[str], max_age: int, clock: Callable[[], float]) -> None:
        super().__init__(secret_keys, max_age, clock, salt=SALT, invalid=InvalidInvitation, expired=InvitationExpired)

    def token(self, invitation_id: str) -> str:
        return self.dumps({"inv": invitation_id})

    def invitation_id(self, token: object) -> str:
        found = self.loads(token).get("inv")
        if not isinstance(found, str) or len(found) > 40:
            raise InvalidInvitation()
        return found


def accountant_of(session: Session, claims: LinkClaims) -> Invitation | None:
    """The invitation whose session this token is, if the token is an accountant's."""
    return session.scalars(select(Invitation).where(Invitation.session_jti == claims.jti)).first()


def actor_for(session: Session, claims: LinkClaims) -> str:
    """How history and audit name whoever holds this token: ``accountant:<name>`` or ``link:<token id>``."""
    invitation = accountant_of(session, claims)
    return f"accountant:{invitation.name}" if invitation is not None else f"link:{claims.jti}"


def require_owner(session: Session, claims: LinkClaims) -> None:
    """Raise ``OwnerOnly`` for an accountant's token."""
    if accountant_of(session, claims) is not None:
        raise OwnerOnly()


def create(
    session: Session,
    links: InvitationLinks,
    claims: LinkClaims,
    account: Account,
    *,
    name: str,
    lifetime: int,
    now: datetime,
) -> tuple[Invitation, str]:
    """Create an invitation from the owner's session; return it and the token to put after ``#`` in its link."""
    require_owner(session, claims)
    if not 600 <= lifetime <= links.max_age:
        raise field_errors({"expires_in": [f"must be between 600 and {links.max_age} seconds"]})
    row = Invitation(
        id="inv_" + secrets.token_hex(12),
        account_id=account.id,
        client_id=account.client_id,
        name=name.strip(),
        created_at=now,
        created_by=f"link:{claims.jti}",
        expires_at=now + timedelta(seconds=lifetime),
    )
    session.add(row)
    audit(session, actor=f"link:{claims.jti}", action="invitation.create", at=now, account_id=account.id, target=row.id)
    session.commit()
    return row, links.token(row.id)


def accept(
    session: Session,
    links: InvitationLinks,
    tokens: LinkTokens,
    token: object,
    *,
    origin: str,
    lifetime: int,
    now: datetime,
) -> dict[str, Any]:
    """Use an invitation (once): mint the accountant's link token (map and reconcile only) for the broker's origin."""
    row = session.get(Invitation, links.invitation_id(token))
    if row is None:
        raise InvalidInvitation()
    if row.used_at is not None:
        raise InvitationUsed()
    if now >= row.expires_at:
        raise InvitationExpired()
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == row.id, Invitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        session.rollback()
        raise InvitationUsed()
    account = session.get(Account, row.account_id)
    if account is None:
        raise InvalidInvitation()
    link_token, claims = issue_link_token(
        session, tokens, account, now, origin=origin, scopes=SCOPES, lifetime=lifetime
    )
    row.session_jti = claims.jti
    audit(
        session,
        actor=f"accountant:{row.name}",
        action="invitation.accept",
        at=now,
        account_id=account.id,
        target=row.id,
    )
    session.commit()
    client = session.get(Client, row.client_id)
    return {
        "link_token": link_token,
        "expires_at": iso(datetime.fromtimestamp(claims.expires_at, UTC)),
        "scopes": list(claims.scopes),
        "accountant_name": row.name,
        "client_name": client.name if client else None,
        "company_name": account.name,
    }
