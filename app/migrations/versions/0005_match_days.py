"""match requests per day (for GET /api/analytics/activity)

Revision ID: 0005_match_days
Revises: 0004_employer_look_alike_keys
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_match_days"
down_revision = "0004_employer_look_alike_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("matches", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_match_days"),
    )


def downgrade() -> None:
    op.drop_table("match_days")
