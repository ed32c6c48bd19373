"""Initial broker schema: clients, accounts, link tokens and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(300), nullable=False),
        sa.Column("previous_secret_hash", sa.String(300), nullable=True),
        sa.Column("previous_secret_expires_at", TS, nullable=True),
        sa.Column("origins", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_key", sa.String(128), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("subdomain", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_accounts_client_id_clients"),
        sa.UniqueConstraint("account_key", name="uq_accounts_account_key"),
        sa.UniqueConstraint("client_id", "external_id", name="uq_accounts_client_external"),
    )
    op.create_index("ix_accounts_client_id", "accounts", ["client_id"])
    op.create_table(
        "link_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("scopes", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("jti", name="pk_link_tokens"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_link_tokens_client_id_clients"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_link_tokens_account_id_accounts"),
    )
    op.create_index("ix_link_tokens_client_id", "link_tokens", ["client_id"])
    op.create_index("ix_link_tokens_account_id", "link_tokens", ["account_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_audit_log_account_id_accounts"),
    )
    op.create_index("ix_audit_log_account_at", "audit_log", ["account_id", "at"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("link_tokens")
    op.drop_table("accounts")
    op.drop_table("clients")
