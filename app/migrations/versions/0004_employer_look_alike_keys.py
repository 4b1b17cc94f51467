"""employer names: look-alike letters of other scripts share the key of the ASCII ones

Revision ID: 0004_employer_look_alike_keys
Revises: 0003_shard_map
Create Date: 2026-11-30

``name_key`` now also folds characters that Unicode's confusables data lists as looking
like an ASCII letter or digit (Cyrillic small ie, Greek capital eta) and reads 0/1 as
o/l, so "Helios Solar" spelled with a Cyrillic e can no longer be registered beside "Helios Solar".
Every employer's key is recomputed; as in 0002, where existing employers now share a key
the oldest keeps it and each later one gets a key salted with its id (no row is lost).
Data only: the downgrade leaves the keys as they are.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

from app.core.text import name_key

revision = "0004_employer_look_alike_keys"
down_revision = "0003_shard_map"
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
