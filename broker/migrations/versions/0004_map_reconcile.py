"""Map and reconcile: lenders' standard charts, saved mappings, match decisions, reliable-through dates, history."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_map_reconcile"
down_revision = "0003_link_flow"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=f"fk_{table}_account_id_accounts")


def upgrade() -> None:
    op.create_table(
        "standard_charts",
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("chart", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_standard_charts"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_standard_charts_client_id_clients"),
    )
    op.create_table(
        "account_mappings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source_account_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("learning_key", sa.String(200), nullable=False),
        sa.Column("saved_at", TS, nullable=False),
        sa.Column("saved_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_mappings"),
        _account_fk("account_mappings"),
        sa.UniqueConstraint("account_id", "source_account_id", name="uq_account_mappings_account_source"),
    )
    op.create_index("ix_account_mappings_account_id", "account_mappings", ["account_id"])
    op.create_index("ix_account_mappings_learning", "account_mappings", ["learning_key"])
    op.create_table(
        "mapping_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source_account_id", sa.String(64), nullable=False),
        sa.Column("old_category", sa.String(64), nullable=True),
        sa.Column("new_category", sa.String(64), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mapping_changes"),
        _account_fk("mapping_changes"),
    )
    op.create_index("ix_mapping_changes_account_at", "mapping_changes", ["account_id", "at"])
    op.create_table(
        "match_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("match_key", sa.String(64), nullable=False),
        sa.Column("bank_ids", sa.Text(), nullable=False),
        sa.Column("ledger_ids", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_match_decisions"),
        _account_fk("match_decisions"),
        sa.UniqueConstraint("account_id", "match_key", name="uq_match_decisions_account_match"),
    )
    op.create_index("ix_match_decisions_account_id", "match_decisions", ["account_id"])
    op.create_table(
        "reconciliation_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("match_key", sa.String(64), nullable=True),
        sa.Column("old_value", sa.String(16), nullable=True),
        sa.Column("new_value", sa.String(16), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reconciliation_changes"),
        _account_fk("reconciliation_changes"),
    )
    op.create_index("ix_reconciliation_changes_account_at", "reconciliation_changes", ["account_id", "at"])
    op.create_table(
        "reconciliation_states",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reliable_through", sa.Date(), nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("completed_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_reconciliation_states"),
        _account_fk("reconciliation_states"),
    )


def downgrade() -> None:
    op.drop_table("reconciliation_states")
    op.drop_index("ix_reconciliation_changes_account_at", table_name="reconciliation_changes")
    op.drop_table("reconciliation_changes")
    op.drop_index("ix_match_decisions_account_id", table_name="match_decisions")
    op.drop_table("match_decisions")
    op.drop_index("ix_mapping_changes_account_at", table_name="mapping_changes")
    op.drop_table("mapping_changes")
    op.drop_index("ix_account_mappings_learning", table_name="account_mappings")
    op.drop_index("ix_account_mappings_account_id", table_name="account_mappings")
    op.drop_table("account_mappings")
    op.drop_table("standard_charts")
