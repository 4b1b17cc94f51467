"""How the app finds a user's shard: the versioned shard map kept in shard 0.

The map (tables in ``app/models/shard_map.py``) splits user ids into ranges; each range lives
at the ``source`` (shard 0, the phase-1/2 database) or at its ``target`` (shard
``user_id % N``). Before any reshard the map is trivial (one range at the source), so an app
started with ``DATABASE_SHARD_URLS`` routes everyone to shard 0.

Consistency with a running reshard (``app/reshard/``):

- **Writes** always read the user's range row in the same shard-0 transaction that stays
  open across the write on the shard, holding a shared lock on that row
  (``LOCK IN SHARE MODE``). The reshard fences a range and flips it with ``FOR UPDATE`` on
  the same row, so a fence waits for every in-flight write of that range to commit, and no
  write can land on the old shard after the flip. A fenced range makes writers wait (polling,
  bounded by ``max_wait``); a fence is a lease, so a killed reshard never blocks writes for
  longer than that.
- **Reads** use a snapshot cached for ``ttl`` seconds while the map is steady (idle, done,
  rolled back). While a workflow is active they look the range up on every read (one primary
  key read on shard 0), so a user reads their own acknowledged writes. The reshard waits
  ``settle_seconds(ttl)`` after a workflow turns active before it flips anything, so every
  cached steady snapshot has expired by then.
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, ProgrammingError

log = logging.getLogger("app.shard_map")

STEADY = frozenset({"idle", "done", "rolled_back"})
POLL_SECONDS = 0.02


def settle_seconds(ttl: float) -> float:
    """How long a reshard waits after a workflow turns active before its first flip."""
    return 2 * ttl + 0.5


def shard_index(location: str, user_id: int, shards: int) -> int:
    """Shard 0 for a range at the source; shard ``user_id % N`` once it is at its target."""
    return 0 if location == "source" or shards == 0 else user_id % shards


class RangeFenced(OperationalError):
    """A user's range stayed fenced longer than a writer may wait.

    An ``OperationalError`` so the app's database handler answers 503 "try again shortly".
    """

    def __init__(self, user_id: int, waited: float) -> None:
        super().__init__(
            "shard map fence",
            None,
            Exception(f"user {user_id}'s rows are being moved; waited {waited:.1f}s"),
        )


class ShardMapMismatch(OperationalError):
    """The map routes to a shard this instance was not given (a 503, logged)."""

    def __init__(self, index: int, configured: int) -> None:
        super().__init__(
            "shard map",
            None,
            Exception(
                f"the shard map routes to shard {index} but DATABASE_SHARD_URLS lists "
                f"{configured}; configure every shard of the reshard"
            ),
        )


@dataclass(frozen=True)
class Snapshot:
    """The map as read at one moment: range starts, their locations, status and version."""

    version: int
    shards: int
    status: str
    starts: tuple[int, ...]
    locations: tuple[str, ...]

    @property
    def steady(self) -> bool:
        return self.status in STEADY

    def range_of(self, user_id: int) -> int:
        """Index of the range holding ``user_id`` (ranges are contiguous from 0)."""
        return max(bisect.bisect_right(self.starts, user_id) - 1, 0)

    def shard_of(self, user_id: int) -> int:
        if not self.starts:
            return 0
        return shard_index(self.locations[self.range_of(user_id)], user_id, self.shards)


TRIVIAL = Snapshot(version=0, shards=0, status="idle", starts=(), locations=())

# Time on shard 0, so the reshard and every app instance agree on when a fence lease ends.
_NOW = {"mysql": "NOW(6)", "mariadb": "NOW(6)", "sqlite": "strftime('%Y-%m-%d %H:%M:%f','now')"}


def read_snapshot(connection: Connection) -> Snapshot:
    header = connection.execute(
        text("SELECT version, shards, status FROM shard_map WHERE id = 1")
    ).one_or_none()
    rows = connection.execute(text("SELECT lo, location FROM shard_map_ranges ORDER BY lo")).all()
    if header is None:
        return TRIVIAL
    return Snapshot(
        version=header.version,
        shards=header.shards,
        status=header.status,
        starts=tuple(row.lo for row in rows),
        locations=tuple(row.location for row in rows),
    )


def _missing_table(error: ProgrammingError | OperationalError) -> bool:
    code = getattr(error.orig, "args", [None])[0]
    return code == 1146 or "no such table" in str(error.orig)


class ShardMap:
    """The map as one app instance sees it: cached for reads, locked for writes."""

    def __init__(
        self,
        engine: Engine,
        shards: int,
        *,
        ttl: float = 1.0,
        max_wait: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.shards = shards
        self.ttl = ttl
        self.max_wait = max_wait
        self._clock = clock
        self._cached: Snapshot | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self._warned = False
        self._now = _NOW.get(engine.dialect.name, "CURRENT_TIMESTAMP")

    def _checked(self, index: int) -> int:
        if index >= self.shards:
            raise ShardMapMismatch(index, self.shards)
        return index

    def snapshot(self) -> Snapshot:
        """The cached map (re-read after ``ttl`` seconds)."""
        now = self._clock()
        with self._lock:
            if self._cached is not None and now < self._expires:
                return self._cached
        try:
            with self.engine.connect() as connection:
                snap = read_snapshot(connection)
        except (ProgrammingError, OperationalError) as error:
            if not _missing_table(error):
                raise
            self._warn_unmigrated()
            snap = TRIVIAL
        with self._lock:
            self._cached, self._expires = snap, now + self.ttl
        return snap

    def _warn_unmigrated(self) -> None:
        if not self._warned:
            self._warned = True
            log.warning("shard 0 has no shard map (run python -m app.migrate); using shard 0")

    def read_shard(self, user_id: int) -> int:
        """The shard to read ``user_id``'s rows from."""
        snap = self.snapshot()
        if snap.steady or not snap.starts:
            return self._checked(snap.shard_of(user_id))
        with self.engine.connect() as connection:  # a workflow is active: ask shard 0 now
            row = connection.execute(
                text(
                    "SELECT location FROM shard_map_ranges WHERE lo <= :u ORDER BY lo DESC LIMIT 1"
                ),
                {"u": user_id},
            ).one_or_none()
        location = row.location if row is not None else "source"
        return self._checked(shard_index(location, user_id, snap.shards))

    @contextmanager
    def write_route(self, user_id: int) -> Iterator[int]:
        """Yield the shard for a write of ``user_id``'s rows, holding the range's shared lock.

        The write must commit inside the ``with`` block; the lock is released after it.
        """
        started = self._clock()
        while True:
            connection = self.engine.connect()
            if self.engine.dialect.name in ("mysql", "mariadb"):
                # Only the user's range row is locked (no gap locks).
                connection = connection.execution_options(isolation_level="READ COMMITTED")
            try:
                route = self._locked_route(connection, user_id)
            except (ProgrammingError, OperationalError) as error:
                connection.close()
                if not _missing_table(error):
                    raise
                self._warn_unmigrated()
                yield 0
                return
            if route is not None:
                break
            connection.rollback()
            connection.close()
            waited = self._clock() - started
            if waited >= self.max_wait:
                raise RangeFenced(user_id, waited)
            time.sleep(POLL_SECONDS)
        try:
            yield self._checked(route)
        finally:
            connection.rollback()  # nothing was written on shard 0: just release the lock
            connection.close()

    def _locked_route(self, connection: Connection, user_id: int) -> int | None:
        """The shard for ``user_id`` with its range row share-locked, or None while fenced."""
        share = " LOCK IN SHARE MODE" if self.engine.dialect.name in ("mysql", "mariadb") else ""
        header = connection.execute(text("SELECT shards FROM shard_map WHERE id = 1")).one()
        row = connection.execute(
            text(
                f"SELECT location, fenced_until IS NOT NULL AND fenced_until > {self._now} "
                f"AS fenced FROM shard_map_ranges WHERE lo <= :u "
                f"AND (hi IS NULL OR hi > :u){share}"
            ),
            {"u": user_id},
        ).one_or_none()
        if row is None:
            return 0
        if row.fenced:
            return None
        return shard_index(row.location, user_id, header.shards)
