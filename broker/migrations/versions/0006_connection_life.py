"""Connections that stay alive (issue 19): lenders' coverage requirements and link sessions' life."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_connection_life"
down_revision = "0005_consents"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coverage_requirements",
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("books_months", sa.Integer(), nullable=False),
        sa.Column("bank_months", sa.Integer(), nullable=False),
        sa.Column("mapped_percent", sa.Float(), nullable=False),
        sa.Column("reliable_through_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_coverage_requirements"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_coverage_requirements_client_id_clients"),
    )
    op.create_table(
        "link_session_records",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("integration", sa.String(64), nullable=True),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("steps_done", sa.String(200), nullable=False),
        sa.Column("apps_carried", sa.Text(), nullable=False),
        sa.Column("resumed_from", sa.String(40), nullable=True),
        sa.Column("resumed_by", sa.String(40), nullable=True),
        sa.Column("coverage", sa.Text(), nullable=True),
        sa.Column("status_reads", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("exited_at", TS, nullable=True),
        sa.Column("succeeded_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_link_session_records"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_link_session_records_client_id_clients"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_link_session_records_account_id_accounts"),
        sa.UniqueConstraint("jti", name="uq_link_session_records_jti"),
    )
    op.create_index("ix_link_session_records_client_id", "link_session_records", ["client_id"])
    op.create_index("ix_link_session_records_account_id", "link_session_records", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_link_session_records_account_id", table_name="link_session_records")
    op.drop_index("ix_link_session_records_client_id", table_name="link_session_records")
    op.drop_table("link_session_records")
    op.drop_table("coverage_requirements")
