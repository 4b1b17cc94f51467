"""Rows of the user-keyed tables on each side of a reshard: hashes, fetches, upserts, deletes.

A *side* is where a user range's rows are read or written: the source (shard 0, only users
that move, ``user_id % N != 0``) or the targets (shard ``user_id % N`` for each of them).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, text
from sqlalchemy.dialects.mysql import insert

from app.models import Application

# Every table keyed by user that lives on the user's shard.
SHARDED_TABLES: tuple[Table, ...] = (Application.__table__,)  # type: ignore[assignment]
USER_COLUMN = "user_id"
CHUNK = 1000  # ids per IN (...) list


@dataclass(frozen=True)
class RowHash:
    user_id: int
    digest: str


def row_digest_sql(table: Table) -> str:
    """MD5 of every column, computed by the server (datetimes with microseconds)."""
    parts = []
    for column in table.columns:
        name = f"`{column.name}`"
        if column.type.python_type.__name__ == "datetime":
            name = f"DATE_FORMAT({name}, '%Y-%m-%d %H:%i:%s.%f')"
        parts.append(f"COALESCE({name}, '\\0')")
    return f"MD5(CONCAT_WS(0x1f, {', '.join(parts)}))"


def range_clause(hi: int | None) -> str:
    return f"`{USER_COLUMN}` >= :lo" + ("" if hi is None else f" AND `{USER_COLUMN}` < :hi")


def range_checksum(hashes: dict[int, RowHash]) -> str:
    """One digest of a range's rows (ids and row digests in id order)."""
    digest = hashlib.md5(usedforsecurity=False)
    for row_id in sorted(hashes):
        digest.update(f"{row_id}:{hashes[row_id].digest};".encode())
    return digest.hexdigest()


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def upsert(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows with their ids, overwriting a row with the same id (idempotent on retry)."""
    if not rows:
        return
    statement = insert(table).values(list(rows))
    columns = [c.name for c in table.columns if not c.primary_key]
    statement = statement.on_duplicate_key_update({c: statement.inserted[c] for c in columns})
    with engine.begin() as connection:
        connection.execute(statement)


class Side:
    """Rows of users that move, on one or several databases (``engines[k]`` for shard k)."""

    def __init__(self, engines: dict[int, Engine], shards: int) -> None:
        self.engines = engines
        self.shards = shards

    def home(self, user_id: int) -> int:
        """The database of ``self.engines`` that holds ``user_id``'s rows."""
        raise NotImplementedError

    def _filter(self, shard: int) -> str:
        raise NotImplementedError

    def hashes(self, table: Table, lo: int, hi: int | None) -> dict[int, RowHash]:
        """``{id: (user_id, digest)}`` for the range's rows on this side."""
        found: dict[int, RowHash] = {}
        sql = (
            f"SELECT id, `{USER_COLUMN}` AS u, {row_digest_sql(table)} AS d FROM `{table.name}` "
            f"WHERE {range_clause(hi)} AND {{filter}}"
        )
        for shard, engine in self.engines.items():
            with engine.connect() as connection:
                for row in connection.execute(
                    text(sql.format(filter=self._filter(shard))), {"lo": lo, "hi": hi}
                ):
                    found[row.id] = RowHash(row.u, row.d)
        return found

    def fetch(self, table: Table, wanted: dict[int, RowHash]) -> list[dict[str, Any]]:
        """Full rows by id (each read from the database holding its user)."""
        by_home: dict[int, list[int]] = defaultdict(list)
        for row_id, row in wanted.items():
            by_home[self.home(row.user_id)].append(row_id)
        rows: list[dict[str, Any]] = []
        for shard, ids in by_home.items():
            with self.engines[shard].connect() as connection:
                for chunk in _chunks(ids):
                    result = connection.execute(table.select().where(table.c.id.in_(chunk)))
                    rows.extend(dict(row._mapping) for row in result)
        return rows

    def upsert(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        by_home: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_home[self.home(row[USER_COLUMN])].append(row)
        for shard, batch in by_home.items():
            upsert(self.engines[shard], table, batch)

    def delete(self, table: Table, doomed: dict[int, RowHash]) -> None:
        by_home: dict[int, list[int]] = defaultdict(list)
        for row_id, row in doomed.items():
            by_home[self.home(row.user_id)].append(row_id)
        for shard, ids in by_home.items():
            with self.engines[shard].begin() as connection:
                for chunk in _chunks(ids):
                    connection.execute(table.delete().where(table.c.id.in_(chunk)))


class SourceSide(Side):
    """Shard 0's copies of the rows of users that move."""

    def __init__(self, engine: Engine, shards: int) -> None:
        super().__init__({0: engine}, shards)

    def home(self, user_id: int) -> int:
        return 0

    def _filter(self, shard: int) -> str:
        return f"`{USER_COLUMN}` % {self.shards} <> 0"


class TargetSide(Side):
    """Shards 1..N-1, each holding its own users (``user_id % N == k``)."""

    def home(self, user_id: int) -> int:
        return user_id % self.shards

    def _filter(self, shard: int) -> str:
        # Rows of other shards' users are foreign data, caught by the checks before a run.
        return f"`{USER_COLUMN}` % {self.shards} = {shard}"


@dataclass
class Reconciled:
    upserted: int
    deleted: int


def reconcile(table: Table, lo: int, hi: int | None, authority: Side, copy: Side) -> Reconciled:
    """Make ``copy`` hold exactly ``authority``'s rows of the range (deletes first, so a
    re-created (user, job) pair does not collide with its stale copy)."""
    want = authority.hashes(table, lo, hi)
    have = copy.hashes(table, lo, hi)
    doomed = {i: row for i, row in have.items() if i not in want or want[i].user_id != row.user_id}
    missing = {i: row for i, row in want.items() if i not in have or have[i] != row}
    copy.delete(table, doomed)
    copy.upsert(table, authority.fetch(table, missing))
    return Reconciled(upserted=len(missing), deleted=len(doomed))


@dataclass(frozen=True)
class Verified:
    rows: int
    users: int
    checksum: str
    mismatched: int  # rows missing, extra or different on the copy


def verify(table: Table, lo: int, hi: int | None, authority: Side, copy: Side) -> Verified:
    """Compare a range's rows on both sides (count and per-row digests: a VDiff in miniature)."""
    want = authority.hashes(table, lo, hi)
    have = copy.hashes(table, lo, hi)
    mismatched = len(set(want) ^ set(have)) + sum(
        1 for i in set(want) & set(have) if want[i] != have[i]
    )
    return Verified(
        rows=len(want),
        users=len({row.user_id for row in want.values()}),
        checksum=range_checksum(want),
        mismatched=mismatched,
    )
