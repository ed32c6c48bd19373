"""Consents (issue 18): lenders' terms, signed receipts, owners' notes and attestations, accountant invitations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_consents"
down_revision = "0004_map_reconcile"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.{target_column}"], name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    op.create_table(
        "consent_terms",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("company_ref", sa.String(40), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("access_expires_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_consent_terms"),
        sa.UniqueConstraint("company_ref", name="uq_consent_terms_company_ref"),
        _fk("consent_terms", "account_id", "accounts"),
    )
    op.create_table(
        "consent_receipts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("link_jti", sa.String(64), nullable=True),
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("access_expires_at", TS, nullable=True),
        sa.Column("link_nonce", sa.String(64), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("disconnected", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consent_receipts"),
        _fk("consent_receipts", "account_id", "accounts"),
        _fk("consent_receipts", "client_id", "clients"),
    )
    op.create_index("ix_consent_receipts_account_issued", "consent_receipts", ["account_id", "issued_at"])
    op.create_index("ix_consent_receipts_client_id", "consent_receipts", ["client_id"])
    op.create_table(
        "owner_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(128), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_owner_notes"),
        sa.UniqueConstraint("account_id", "subject_kind", "subject_id", name="uq_owner_notes_subject"),
        _fk("owner_notes", "account_id", "accounts"),
    )
    op.create_index("ix_owner_notes_account_id", "owner_notes", ["account_id"])
    op.create_table(
        "owner_note_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("old_reason", sa.String(40), nullable=True),
        sa.Column("old_text", sa.Text(), nullable=True),
        sa.Column("new_reason", sa.String(40), nullable=False),
        sa.Column("new_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_owner_note_changes"),
        _fk("owner_note_changes", "note_id", "owner_notes"),
    )
    op.create_index("ix_owner_note_changes_note_at", "owner_note_changes", ["note_id", "at"])
    op.create_table(
        "owner_attestations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("complete_through", sa.Date(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_owner_attestations"),
        _fk("owner_attestations", "account_id", "accounts"),
    )
    op.create_index("ix_owner_attestations_account_at", "owner_attestations", ["account_id", "at"])
    op.create_table(
        "accountant_invitations",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("session_jti", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_accountant_invitations"),
        sa.UniqueConstraint("session_jti", name="uq_accountant_invitations_session_jti"),
        _fk("accountant_invitations", "account_id", "accounts"),
        _fk("accountant_invitations", "client_id", "clients"),
    )
    op.create_index("ix_accountant_invitations_account_id", "accountant_invitations", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_accountant_invitations_account_id", table_name="accountant_invitations")
    op.drop_table("accountant_invitations")
    op.drop_index("ix_owner_attestations_account_at", table_name="owner_attestations")
    op.drop_table("owner_attestations")
    op.drop_index("ix_owner_note_changes_note_at", table_name="owner_note_changes")
    op.drop_table("owner_note_changes")
    op.drop_index("ix_owner_notes_account_id", table_name="owner_notes")
    op.drop_table("owner_notes")
    op.drop_index("ix_consent_receipts_client_id", table_name="consent_receipts")
    op.drop_index("ix_consent_receipts_account_issued", table_name="consent_receipts")
    op.drop_table("consent_receipts")
    op.drop_table("consent_terms")
