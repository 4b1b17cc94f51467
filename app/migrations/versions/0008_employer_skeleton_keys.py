"""employer names: keys on UTS #39 confusable skeletons, invisible characters removed

Revision ID: 0008_employer_skeleton_keys
Revises: 0007_email_canonical
Create Date: 2026-12-08

``name_key`` now hashes the name's confusable skeleton (``app.core.text.skeleton``): ASCII
look-alikes (``I`` and ``1`` for ``l``, ``rn`` for ``m``, ``vv`` for ``w``) and invisible
characters (default-ignorable code points, Hangul fillers, U+2800) no longer make a new
name. Every key is recomputed as in 0004: where existing employers now share a key, the
oldest keeps it and each later one gets a key salted with its id (no row is lost).
Data only: the downgrade leaves the keys as they are.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

from app.core.text import name_key

revision = "0008_employer_skeleton_keys"
down_revision = "0007_email_canonical"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if not sa.inspect(connection).has_table("employers"):
        return
    rows = connection.execute(sa.text("SELECT id, name, name_key FROM employers ORDER BY id"))
    taken: set[str] = set()
    changed: dict[int, str] = {}
    for employer_id, name, old_key in rows.all():
        key = name_key(name)
        if key in taken:
            key = hashlib.sha256(f"{key}:{employer_id}".encode()).hexdigest()
        taken.add(key)
        if key != old_key:
            changed[employer_id] = key
    update = sa.text("UPDATE employers SET name_key = :key WHERE id = :id")
    # Two passes, so that no row takes a key another row still holds (unique constraint).
    for employer_id in changed:
        placeholder = hashlib.sha256(f"renaming:{employer_id}".encode()).hexdigest()
        connection.execute(update, {"key": placeholder, "id": employer_id})
    for employer_id, key in changed.items():
        connection.execute(update, {"key": key, "id": employer_id})


def downgrade() -> None:
    pass
