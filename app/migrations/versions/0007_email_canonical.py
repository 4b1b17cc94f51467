"""one identity per e-mail: users.email_canonical (binary collation), unique

Revision ID: 0007_email_canonical
Revises: 0006_outbox
Create Date: 2026-12-08

The unique index moves from ``email`` (compared under the database's collation: MariaDB's
``utf8mb4_unicode_ci`` folds case and accents, SQLite nothing) to ``email_canonical``, the
form ``app.core.email_identity.canonical_email`` computes, stored with ``utf8mb4_bin``.
Existing rows get their canonical form; where several existing accounts share one (possible
on SQLite, which never folded accents), the oldest keeps it and each later one gets
``<canonical>#<id>``, a form no typed e-mail has: that account can no longer log in until
an operator merges or renames it (the migration logs their ids). No row is deleted.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from app.core.email_identity import canonical_email

revision = "0007_email_canonical"
down_revision = "0006_outbox"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
BINARY = sa.String(255).with_variant(
    mysql.VARCHAR(255, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
)


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_canonical", BINARY, nullable=True))
    rows = connection.execute(sa.text("SELECT id, email FROM users ORDER BY id")).all()
    taken: set[str] = set()
    parked: list[int] = []
    update = sa.text("UPDATE users SET email_canonical = :canonical WHERE id = :id")
    for user_id, email in rows:
        canonical = canonical_email(email)
        if canonical in taken:
            parked.append(user_id)
            canonical = f"{canonical}#{user_id}"
        taken.add(canonical)
        connection.execute(update, {"canonical": canonical, "id": user_id})
    if parked:
        log.warning(
            "users %s share an e-mail identity with an older account and cannot log in "
            "until merged or renamed (see migration 0007)",
            parked,
        )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("email_canonical", existing_type=BINARY, nullable=False)
        batch.drop_constraint("uq_users_email", type_="unique")
        batch.create_unique_constraint("uq_users_email_canonical", ["email_canonical"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_email_canonical", type_="unique")
        batch.create_unique_constraint("uq_users_email", ["email"])
        batch.drop_column("email_canonical")
