"""Consents without Flask: the lender's terms, issuing receipts, their status, the page link, revocation, access.

A company's access for its lender is in force while the newest receipt is not revoked and neither the lender's terms
(``access_expires_at``) nor that receipt's expiry has passed; a company that has never shared is governed by the terms
alone. A lender can shorten access at any time; extending it takes a new share (a new receipt).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broker.consents.keys import ReceiptInvalid, SigningKeys
from broker.consents.models import ConsentReceipt, ConsentTerms
from broker.errors import (
    AccessExpired,
    ConsentAlreadyRevoked,
    ConsentLinkExpired,
    ConsentRevoked,
    InvalidConsentLink,
    field_errors,
)
from broker.lender.accounts import audit
from broker.signed_links import SignedLinks
from broker.storage import insert_or_race_winner
from broker.storage.models import Account, Client
from common.dates import iso

LINK_SALT = "broker.consent-receipt-link.v1"
CATEGORIES = ("accounting", "banking", "commerce", "payroll")
MAX_ACCESS_DAYS = 3660
STATUSES = ("in_force", "expired", "access_expired", "revoked", "invalid")


@dataclass(frozen=True)
class Terms:
    """What the lender states when creating an account or minting a link token (each part optional)."""

    purpose: str | None = None
    access_expires_at: datetime | None = None

    @classmethod
    def pop_from(cls, body: dict[str, Any]) -> Terms:
        """Take ``purpose`` and ``access_expires_at`` out of a request body (the rest goes on as before)."""
        return cls(body.pop("purpose", None), body.pop("access_expires_at", None))

    @property
    def empty(self) -> bool:
        return self.purpose is None and self.access_expires_at is None


def _terms_row(session: Session, account: Account, now: datetime) -> ConsentTerms:
    found = session.get(ConsentTerms, account.id)
    if found is not None:
        return found
    row = ConsentTerms(account_id=account.id, company_ref="co_" + secrets.token_hex(12), updated_at=now)
    # Another request may make it first (nothing else is pending in this session yet).
    row, _inserted = insert_or_race_winner(session, row, lambda: session.get(ConsentTerms, account.id))
    return row


def set_terms(session: Session, account: Account, terms: Terms, *, now: datetime, actor: str) -> None:
    """Record the lender's purpose and end of access for a company (what is given replaces what was); commit."""
    if terms.empty:
        return
    when = terms.access_expires_at
    if when is not None:
        if when.tzinfo is None:
            raise field_errors({"access_expires_at": ["must carry a time zone, e.g. 2027-06-30T00:00:00Z"]})
        try:
            too_far = when - now > timedelta(days=MAX_ACCESS_DAYS)
        except OverflowError:
            too_far = True
        if when <= now or too_far:
            raise field_errors({"access_expires_at": [f"must be in the future, within {MAX_ACCESS_DAYS} days"]})
    row = _terms_row(session, account, now)
    if terms.purpose is not None:
        row.purpose = terms.purpose.strip()
    if when is not None:
        row.access_expires_at = when.astimezone(UTC)
    row.updated_at = now
    audit(session, actor=actor, action="consent.terms", at=now, account_id=account.id)
    session.commit()


def terms_view(session: Session, account: Account) -> dict[str, Any]:
    """The terms as the lender and the widget show them: ``{purpose, access_expires_at}``."""
    row = session.get(ConsentTerms, account.id)
    return {
        "purpose": row.purpose if row else None,
        "access_expires_at": iso(row.access_expires_at) if row and row.access_expires_at else None,
    }


# -- issuing -------------------------------------------------------------------------------------------------------
def _period(end: date) -> dict[str, str]:
    """The twelve months (this one included) ending on ``end``: what the preview shows and the lender reads first."""
    year, month = (end.year, end.month - 11) if end.month > 11 else (end.year - 1, end.month + 1)
    return {"start": date(year, month, 1).isoformat(), "end": end.isoformat()}


def issue_receipt(
    session: Session,
    keys: SigningKeys,
    account: Account,
    *,
    issuer: str,
    connections: Sequence[Mapping[str, Any]],
    complete_through: date | None,
    attested_by: str | None,
    link_jti: str | None,
    now: datetime,
    default_days: int,
) -> ConsentReceipt:
    """Sign and store the receipt of one share: lender, company (by opaque reference), apps, categories, period,
    purpose, issue time and expiry; committed."""
    terms = _terms_row(session, account, now)
    client = session.get(Client, account.client_id)
    ends = now + timedelta(days=default_days)
    if terms.access_expires_at is not None and terms.access_expires_at < ends:
        ends = terms.access_expires_at
    apps = [
        {"key": str(key), "name": str(c.get("name") or key), "category": c.get("category")}
        for c in connections
        if (key := c.get("integration"))
    ]
    receipt_id = "cr_" + secrets.token_hex(12)
    claims: dict[str, Any] = {
        "iss": issuer,
        "jti": receipt_id,
        "iat": int(now.timestamp()),
        "exp": int(ends.timestamp()),
        "lender": {"client_id": account.client_id, "name": client.name if client else account.client_id},
        "company": {"ref": terms.company_ref, "name": account.name},
        "apps": apps,
        "categories": sorted({str(a["category"]) for a in apps if a["category"] in CATEGORIES}),
        "period": _period(complete_through or now.date()),
        "purpose": terms.purpose,
        "access_expires_at": iso(terms.access_expires_at) if terms.access_expires_at else None,
    }
    if attested_by and complete_through:
        claims["attestation"] = {"name": attested_by, "complete_through": complete_through.isoformat()}
    row = ConsentReceipt(
        id=receipt_id,
        account_id=account.id,
        client_id=account.client_id,
        link_jti=link_jti,
        kid=keys.current_kid,
        receipt=keys.sign(claims),
        claims=json.dumps(claims, separators=(",", ":")),
        issued_at=now,
        expires_at=ends,
        access_expires_at=terms.access_expires_at,
        link_nonce=secrets.token_urlsafe(16),
    )
    session.add(row)
    audit(session, actor=f"link:{link_jti}", action="consent.issue", at=now, account_id=account.id, target=receipt_id)
    session.commit()
    return row


# -- status and access ---------------------------------------------------------------------------------------------
def _newest(session: Session, account_id: int) -> ConsentReceipt | None:
    query = (
        select(ConsentReceipt)
        .where(ConsentReceipt.account_id == account_id)
        .order_by(ConsentReceipt.issued_at.desc(), ConsentReceipt.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _access_ends(terms: ConsentTerms | None, receipt: ConsentReceipt | None) -> datetime | None:
    ends = [e for e in (terms.access_expires_at if terms else None, receipt.expires_at if receipt else None) if e]
    return min(ends) if ends else None


@dataclass(frozen=True)
class LenderAccess:
    """What decides whether the lender may read a company: the newest receipt revoked, and when access ends."""

    revoked: bool
    ends: datetime | None

    def check(self, now: datetime) -> None:
        """Raise ``ConsentRevoked`` or ``AccessExpired`` when the lender may no longer read this company at ``now``."""
        if self.revoked:
            raise ConsentRevoked()
        if self.ends is not None and now >= self.ends:
            raise AccessExpired()


def lender_access(session: Session, account_id: int) -> LenderAccess:
    """Load the company's access state (two reads: the newest receipt and the lender's terms)."""
    receipt = _newest(session, account_id)
    revoked = receipt is not None and receipt.revoked_at is not None
    return LenderAccess(revoked, _access_ends(session.get(ConsentTerms, account_id), receipt))


def check_lender_access(session: Session, account: Account, now: datetime) -> None:
    """Raise ``ConsentRevoked`` or ``AccessExpired`` when the lender may no longer read this company."""
    lender_access(session, account.id).check(now)


def receipt_status(session: Session, row: ConsentReceipt, now: datetime) -> str:
    """``revoked``, ``access_expired`` (the lender's end of access), ``expired`` (the receipt's own) or ``in_force``."""
    if row.revoked_at is not None:
        return "revoked"
    terms = session.get(ConsentTerms, row.account_id)
    limits = [e for e in (row.access_expires_at, terms.access_expires_at if terms else None) if e]
    if limits and now >= min(limits):
        return "access_expired"
    if now >= row.expires_at:
        return "expired"
    newest = _newest(session, row.account_id)
    if newest is not None and newest.revoked_at is not None:
        return "revoked"
    return "in_force"


def receipt_view(session: Session, row: ConsentReceipt, now: datetime, page_url: str | None = None) -> dict[str, Any]:
    """A receipt as the lender lists it: the claims, its status, the JWS, and (fresh) the owner's page link."""
    view = {
        "id": row.id,
        "status": receipt_status(session, row, now),
        "issued_at": iso(row.issued_at),
        "expires_at": iso(row.expires_at),
        "revoked_at": iso(row.revoked_at) if row.revoked_at else None,
        "kid": row.kid,
        "claims": json.loads(row.claims),
        "receipt": row.receipt,
    }
    if page_url is not None:
        view["receipt_url"] = page_url
    return view


def list_receipts(session: Session, account: Account) -> list[ConsentReceipt]:
    """The company's receipts, newest first."""
    query = (
        select(ConsentReceipt)
        .where(ConsentReceipt.account_id == account.id)
        .order_by(ConsentReceipt.issued_at.desc(), ConsentReceipt.id.desc())
    )
    return list(session.scalars(query))


def verify(session: Session, keys: SigningKeys, receipt: object, now: datetime) -> dict[str, Any]:
    """Answer whether a receipt is genuine (signed by one of our keys, untouched) and still in force."""
    try:
        claims = keys.verify(receipt)
    except ReceiptInvalid:
        return {"genuine": False, "in_force": False, "status": "invalid", "checked_at": iso(now)}
    row = session.get(ConsentReceipt, claims["jti"]) if len(claims["jti"]) <= 40 else None
    if row is None:
        exp = claims.get("exp")
        status = "in_force" if isinstance(exp, int) and now.timestamp() < exp else "expired"
    else:
        status = receipt_status(session, row, now)
    return {
        "genuine": True,
        "in_force": status == "in_force",
        "status": status,
        "consent_id": claims["jti"],
        "revoked_at": iso(row.revoked_at) if row is not None and row.revoked_at else None,
        "claims": claims,
        "checked_at": iso(now),
    }


# -- the owner's page link and revocation --------------------------------------------------------------------------
class ReceiptLinks(SignedLinks):
    """Sign and check receipt page links: one salt for this purpose, the broker's secret keys, a ``max_age``."""

    def __init__(self, secret_keys: Sequence[str], max_age: int, clock: Callable[[], float]) -> None:
        super().__init__(
            secret_keys, max_age, clock, salt=LINK_SALT, invalid=InvalidConsentLink, expired=ConsentLinkExpired
        )

    def token(self, row: ConsentReceipt) -> str:
        return self.dumps({"rid": row.id, "n": row.link_nonce})

    def load(self, session: Session, token: object) -> ConsentReceipt:
        """Return the receipt a link points to, or raise ``InvalidConsentLink`` / ``ConsentLinkExpired``."""
        payload = self.loads(token)
        rid, nonce = payload.get("rid"), payload.get("n")
        row = session.get(ConsentReceipt, rid) if isinstance(rid, str) and len(rid) <= 40 else None
        if row is None or not isinstance(nonce, str) or not secrets.compare_digest(nonce, row.link_nonce):
            raise InvalidConsentLink()
        return row


def page_content(session: Session, row: ConsentReceipt, now: datetime) -> dict[str, Any]:
    """What the owner's receipt page shows, in plain words (the frame translates the labels), plus the JWS."""
    claims = json.loads(row.claims)
    status = receipt_status(session, row, now)
    return {
        "id": row.id,
        "status": status,
        "can_revoke": status not in ("revoked",),
        "lender_name": claims["lender"]["name"],
        "company_name": claims["company"]["name"],
        "apps": [{"name": a["name"], "category": a["category"]} for a in claims["apps"]],
        "categories": claims["categories"],
        "period": claims["period"],
        "purpose": claims["purpose"],
        "issued_at": iso(row.issued_at),
        "expires_at": iso(row.expires_at),
        "access_expires_at": claims["access_expires_at"],
        "revoked_at": iso(row.revoked_at) if row.revoked_at else None,
        "attestation": claims.get("attestation"),
        "receipt": row.receipt,
        "claims": claims,
    }


def revoke(session: Session, row: ConsentReceipt, *, now: datetime, actor: str) -> list[str]:
    """Revoke the company's consent (every receipt still in force); return the receipt ids this call revoked.

    The conditional update makes one caller the winner when two revoke at once: only it sends the webhook.
    """
    if row.revoked_at is not None:
        raise ConsentAlreadyRevoked()
    ids = list(
        session.scalars(
            select(ConsentReceipt.id).where(
                ConsentReceipt.account_id == row.account_id, ConsentReceipt.revoked_at.is_(None)
            )
        )
    )
    result = session.execute(
        update(ConsentReceipt)
        .where(ConsentReceipt.id.in_(ids), ConsentReceipt.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by=actor)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != len(ids) or row.id not in ids:
        session.rollback()
        raise ConsentAlreadyRevoked()
    audit(session, actor=actor, action="consent.revoke", at=now, account_id=row.account_id, target=row.id)
    session.commit()
    session.refresh(row)
    return ids


def record_disconnections(session: Session, row: ConsentReceipt, done: Iterable[str], failed: Iterable[str]) -> None:
    """Keep which upstream connections the revocation ended and which it could not (retried by nothing: shown)."""
    row.disconnected = json.dumps({"disconnected": list(done), "failed": list(failed)})
    session.commit()
