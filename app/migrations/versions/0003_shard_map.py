"""shard map: the versioned map of where user ranges live, with the trivial map in it

Revision ID: 0003_shard_map
Revises: 0002_employer_membership
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003_shard_map"
down_revision = "0002_employer_membership"
branch_labels = None
depends_on = None

PRECISE = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    header = op.create_table(
        "shard_map",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("shards", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("workflow", sa.Text(), nullable=False),
        sa.Column("copied_through_id", sa.BigInteger(), nullable=False),
        sa.Column("rows_copied", sa.BigInteger(), nullable=False),
        sa.Column("pause_ms_max", sa.Integer(), nullable=False),
        sa.Column("active_since", PRECISE, nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("cleaned_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shard_map"),
    )
    ranges = op.create_table(
        "shard_map_ranges",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lo", sa.Integer(), nullable=False),
        sa.Column("hi", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(8), nullable=False),
        sa.Column("fenced_until", PRECISE, nullable=True),
        sa.Column("verified_rows", sa.Integer(), nullable=True),
        sa.Column("verified_users", sa.Integer(), nullable=True),
        sa.Column("checksum", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shard_map_ranges"),
    )
    op.create_index("ix_shard_map_ranges_lo", "shard_map_ranges", ["lo"])
    # The trivial map: one range holding every user, on the source (shard 0).
    op.bulk_insert(
        header,
        [
            {
                "id": 1,
                "version": 1,
                "shards": 0,
                "status": "idle",
                "workflow": "",
                "copied_through_id": 0,
                "rows_copied": 0,
                "pause_ms_max": 0,
            }
        ],
    )
    op.bulk_insert(ranges, [{"id": 0, "lo": 0, "hi": None, "location": "source"}])


def downgrade() -> None:
    op.drop_table("shard_map_ranges")
    op.drop_table("shard_map")
