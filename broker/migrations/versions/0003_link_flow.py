"""The widget's link flow: link sessions and connect attempts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_link_flow"
down_revision = "0002_webhooks"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "link_sessions",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("jti", name="pk_link_sessions"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_link_sessions_account_id_accounts"),
    )
    op.create_index("ix_link_sessions_account_id", "link_sessions", ["account_id"])
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("integration", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(64), nullable=True),
        sa.Column("upstream_ref", sa.String(100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_link_attempts"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name="fk_link_attempts_account_id_accounts"),
        sa.UniqueConstraint("state_hash", name="uq_link_attempts_state_hash"),
    )
    op.create_index("ix_link_attempts_jti", "link_attempts", ["jti"])
    op.create_index("ix_link_attempts_account_id", "link_attempts", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_link_attempts_account_id", table_name="link_attempts")
    op.drop_index("ix_link_attempts_jti", table_name="link_attempts")
    op.drop_table("link_attempts")
    op.drop_index("ix_link_sessions_account_id", table_name="link_sessions")
    op.drop_table("link_sessions")
