"""the outbox: deferred work committed with the rows it is about (embedding new jobs)

Jobs and careers that have no embedding for any model yet are queued, so rows posted
before this migration (whose in-process embedding may have been lost) are done too.

Revision ID: 0006_outbox
Revises: 0005_match_days
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox"
down_revision = "0005_match_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("idx_outbox_due", "outbox", ["due_at"])
    op.create_index("idx_outbox_claim", "outbox", ["claim"])
    for kind, table in (("embed_job", "jobs"), ("embed_career", "careers")):
        op.execute(
            sa.text(
                f"INSERT INTO outbox (kind, target_id, created_at, due_at, attempts) "
                f"SELECT '{kind}', id, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0 "
                f"FROM {table} WHERE embedding IS NULL"
            )
        )


def downgrade() -> None:
    op.drop_index("idx_outbox_claim", table_name="outbox")
    op.drop_index("idx_outbox_due", table_name="outbox")
    op.drop_table("outbox")
