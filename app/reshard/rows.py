"""Rows of the user-keyed tables on each side of a reshard: hashes, fetches, upserts, deletes.

A *side* is where a user range's rows are read or written: the source (shard 0, only users
that move, ``user_id % N != 0``) or the targets (shard ``user_id % N`` for each of them).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, text

from app.models import Application

# Every table keyed by user that lives on the user's shard.
SHARDED_TABLES: tuple[Table, ...] = (Application.__table__,)  # type: ignore[assignment]
USER_COLUMN = "user_id"
CHUNK = 1000  # ids per IN (...) list


@dataclass(frozen=True)
class Aggregate:
    rows: int
    users: int
    total: int  # sum of the first 60 bits of each row's MD5
    xor: int  # xor of the next 60 bits

    @property
    def checksum(self) -> str:
        """32 hex digits, as kept in the map beside the range."""
        text = f"{self.rows}:{self.total:x}:{self.xor:x}"
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


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


def range_clause(hi: int | None, above: int | None = None, upto: int | None = None) -> str:
    """Users in ``[lo, hi)``; optionally only ids above ``above`` or up to ``upto``."""
    clause = f"`{USER_COLUMN}` >= :lo" + ("" if hi is None else f" AND `{USER_COLUMN}` < :hi")
    clause += "" if above is None else " AND id > :above"
    return clause + ("" if upto is None else " AND id <= :upto")


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def upsert(engine: Engine, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows with their ids, overwriting a row with the same id (idempotent on retry).

    One multi-row statement built by the driver (PyMySQL's executemany): compiling thousands
    of bound parameters through SQLAlchemy costs more than the copy itself.
    """
    if not rows:
        return
    columns = [c.name for c in table.columns]
    names = ", ".join(f"`{c}`" for c in columns)
    updates = ", ".join(f"`{c}` = VALUES(`{c}`)" for c in columns if c != "id")
    sql = (
        f"INSERT INTO `{table.name}` ({names}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON DUPLICATE KEY UPDATE {updates}"
    )
    values = [tuple(row[c] for c in columns) for row in rows]
    with engine.begin() as connection:
        connection.exec_driver_sql(sql, values)


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

    def hashes(
        self, table: Table, lo: int, hi: int | None, *, above: int | None = None
    ) -> dict[int, RowHash]:
        """``{id: (user_id, digest)}`` for the range's rows on this side."""
        found: dict[int, RowHash] = {}
        sql = (
            f"SELECT id, `{USER_COLUMN}` AS u, {row_digest_sql(table)} AS d FROM `{table.name}` "
            f"WHERE {range_clause(hi, above)} AND {{filter}}"
        )
        params = {"lo": lo, "hi": hi, "above": above}
        for shard, engine in self.engines.items():
            with engine.connect() as connection:
                for row in connection.execute(text(sql.format(filter=self._filter(shard))), params):
                    found[row.id] = RowHash(row.u, row.d)
        return found

    def aggregate(
        self, table: Table, lo: int, hi: int | None, *, upto: int | None = None
    ) -> Aggregate:
        """Count, distinct users and an order-free checksum of the range's rows, computed by
        the servers (a few bytes back instead of every row's digest)."""
        total = Aggregate(0, 0, 0, 0)
        digest = row_digest_sql(table)
        sql = (
            f"SELECT COUNT(*) AS n, COUNT(DISTINCT `{USER_COLUMN}`) AS u, "
            f"COALESCE(SUM(CAST(CONV(SUBSTRING({digest}, 1, 15), 16, 10) AS UNSIGNED)), 0) AS s, "
            f"COALESCE(BIT_XOR(CAST(CONV(SUBSTRING({digest}, 17, 15), 16, 10) AS UNSIGNED)), 0) "
            "AS x "
            f"FROM `{table.name}` WHERE {range_clause(hi, upto=upto)} AND {{filter}}"
        )
        params = {"lo": lo, "hi": hi, "upto": upto}
        for shard, engine in self.engines.items():
            with engine.connect() as connection:
                row = connection.execute(text(sql.format(filter=self._filter(shard))), params).one()
            total = Aggregate(
                rows=total.rows + int(row.n),
                users=total.users + int(row.u),  # a user lives on one database of a side
                total=total.total + int(row.s),
                xor=total.xor ^ int(row.x),
            )
        return total

    def high_mark(self, table: Table, lo: int, hi: int | None) -> int:
        """The largest id of the range's rows on this side (0 when none)."""
        sql = f"SELECT COALESCE(MAX(id), 0) FROM `{table.name}` WHERE {range_clause(hi)} AND {{f}}"
        mark = 0
        for shard, engine in self.engines.items():
            with engine.connect() as connection:
                found = connection.execute(
                    text(sql.format(f=self._filter(shard))), {"lo": lo, "hi": hi}
                ).scalar_one()
            mark = max(mark, int(found))
        return mark

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
        if len(by_home) < 2:
            for shard, batch in by_home.items():
                upsert(self.engines[shard], table, batch)
            return
        # One thread per database: the driver waits on the network without the GIL.
        with ThreadPoolExecutor(max_workers=len(by_home)) as pool:
            for future in [
                pool.submit(upsert, self.engines[shard], table, batch)
                for shard, batch in by_home.items()
            ]:
                future.result()

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


def reconcile(
    table: Table,
    lo: int,
    hi: int | None,
    authority: Side,
    copy: Side,
    *,
    mark: int | None = None,
    differ: bool = False,
) -> Reconciled:
    """Make ``copy`` hold exactly ``authority``'s rows of the range (deletes first, so a
    re-created (user, job) pair does not collide with its stale copy). Equal aggregates on
    both sides mean nothing to do; otherwise rows are compared one by one.

    ``mark`` (the authority's largest id at an earlier reconcile): when the rows up to it
    still agree in aggregate, only the rows above it are compared one by one (new rows are
    the common case under a fence; updates and deletes fall back to the whole range).
    ``differ``: the caller just saw the aggregates differ (skip comparing them again).
    """
    if not differ and authority.aggregate(table, lo, hi) == copy.aggregate(table, lo, hi):
        return Reconciled(upserted=0, deleted=0)
    above = None
    if mark is not None and authority.aggregate(table, lo, hi, upto=mark) == copy.aggregate(
        table, lo, hi, upto=mark
    ):
        above = mark
    want = authority.hashes(table, lo, hi, above=above)
    have = copy.hashes(table, lo, hi, above=above)
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
    mismatched: bool


def verify(table: Table, lo: int, hi: int | None, authority: Side, copy: Side) -> Verified:
    """Row count and checksum of a range on both sides (a VDiff in miniature)."""
    want = authority.aggregate(table, lo, hi)
    have = copy.aggregate(table, lo, hi)
    return Verified(
        rows=want.rows, users=want.users, checksum=want.checksum, mismatched=want != have
    )
