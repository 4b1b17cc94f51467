"""employer membership: unique normalised employer names, invitations to join an employer

Revision ID: 0002_employer_membership
Revises: 0001
Create Date: 2026-11-30

Existing employers get their ``name_key``. Where earlier self-registration let several
employers differ only by case, accents or punctuation, the oldest keeps the plain key and
each later one gets a key salted with its id, so no data is lost and the upgrade succeeds;
new registrations can no longer take any of those names.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

from app.core.text import name_key

revision = "0002_employer_membership"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(sa.Column("name_key", sa.String(64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, name FROM employers ORDER BY id")).all()
    taken: set[str] = set()
    for employer_id, name in rows:
        key = name_key(name)
        if key in taken:
            key = hashlib.sha256(f"{key}:{employer_id}".encode()).hexdigest()
        taken.add(key)
        connection.execute(
            sa.text("UPDATE employers SET name_key = :key WHERE id = :id"),
            {"key": key, "id": employer_id},
        )
    with op.batch_alter_table("employers") as batch:
        batch.alter_column("name_key", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint("uq_employers_name_key", ["name_key"])

    op.create_table(
        "employer_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name="fk_employer_invitations_employer_id_employers"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_employer_invitations_created_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_employer_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_employer_invitations_token_hash"),
    )
    op.create_index("ix_employer_invitations_employer_id", "employer_invitations", ["employer_id"])


def downgrade() -> None:
    op.drop_table("employer_invitations")
    with op.batch_alter_table("employers") as batch:
        batch.drop_constraint("uq_employers_name_key", type_="unique")
        batch.drop_column("name_key")
