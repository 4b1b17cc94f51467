"""Database engines: one writer, rotated readers with fallback, and user_id shards.

Built once per app (in the factory), never at import time, so tests can swap them.
Every MariaDB connection has connect, read and write timeouts, and every engine has a
circuit breaker (``app/core/breaker.py``, wired in ``app/core/db_guard.py``): a server that
timed out or refused is skipped until its cool-down ends, then probed by one caller.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app.core.breaker import CircuitBreaker
from app.core.db_guard import breaker_of, check, guard_engine
from app.core.settings import Settings
from app.core.shard_map import ShardMap

log = logging.getLogger("app.db")


def mysql_connect_args(settings: Settings, *, maintenance: bool = False) -> dict[str, Any]:
    """PyMySQL's socket timeouts: a server that accepts but never answers costs seconds.

    ``maintenance`` (migrations, resharding) allows long statements: GET_LOCK waits and
    ALTER TABLE on a large table legitimately take minutes.
    """
    statement = settings.db_maintenance_timeout if maintenance else settings.db_read_timeout
    return {
        "connect_timeout": settings.db_connect_timeout,
        "read_timeout": statement,
        "write_timeout": settings.db_maintenance_timeout if maintenance else statement,
        "charset": "utf8mb4",
    }


def make_engine(url: str, settings: Settings, *, maintenance: bool = False) -> Engine:
    """An engine with the source document's pool settings (SQLite gets its own defaults)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if url.startswith(("mysql", "mariadb")):
        connect_args = mysql_connect_args(settings, maintenance=maintenance)
    return create_engine(
        url,
        poolclass=QueuePool,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_recycle=settings.db_pool_recycle,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def guarded_engine(
    url: str, settings: Settings, label: str, *, maintenance: bool = False
) -> Engine:
    """``make_engine`` plus a circuit breaker named after the engine's role."""
    cool_down = (
        settings.replica_retry_seconds
        if label.startswith("reader")
        else settings.dependency_retry_seconds
    )
    breaker = CircuitBreaker(f"database {label}", cool_down=cool_down)
    return guard_engine(make_engine(url, settings, maintenance=maintenance), breaker)


@dataclass
class Replica:
    """A read replica; its availability is its engine's circuit breaker."""

    engine: Engine

    @property
    def available(self) -> bool:
        breaker = breaker_of(self.engine)
        return breaker is None or breaker.available()


@dataclass
class Database:
    """The writer, the readers and the shards of one app instance."""

    writer: Engine
    replicas: list[Replica] = field(default_factory=list)
    shards: list[Engine] = field(default_factory=list)
    on_fallback: Callable[[], None] = field(default=lambda: None)
    shard_map: ShardMap | None = None  # built from shards[0] when there are shards
    _turn: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _falling_back: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, maintenance: bool = False) -> Database:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)

        def engine(url: str, label: str) -> Engine:
            return guarded_engine(url, settings, label, maintenance=maintenance)

        database = cls(
            writer=engine(settings.writer_url, "writer"),
            replicas=[Replica(engine(u, f"reader{i}")) for i, u in enumerate(settings.reader_urls)],
            shards=[engine(u, f"shard{i}") for i, u in enumerate(settings.shard_urls)],
        )
        if settings.shard_urls:
            # Its own pool: a write holds a map connection while it takes a shard connection.
            # It shares shard 0's circuit breaker: a hung shard 0 is skipped for both.
            map_engine = make_engine(settings.shard_urls[0], settings, maintenance=maintenance)
            shard0_breaker = breaker_of(database.shards[0])
            if shard0_breaker is not None:
                guard_engine(map_engine, shard0_breaker)
            database.use_shard_map(map_engine, settings.shard_map_ttl_seconds)
        return database

    def use_shard_map(self, engine: Engine | None = None, ttl: float = 1.0) -> None:
        """Route user rows by the shard map kept in shard 0 (see ``app/core/shard_map.py``)."""
        if self.shards:
            self.shard_map = ShardMap(engine or self.shards[0], len(self.shards), ttl=ttl)

    @property
    def engines(self) -> dict[str, Engine]:
        """Every engine by a stable label (for metrics and readiness)."""
        named = {"writer": self.writer}
        named.update({f"reader{i}": r.engine for i, r in enumerate(self.replicas)})
        named.update({f"shard{i}": e for i, e in enumerate(self.shards)})
        return named

    def write_session(self) -> Session:
        check(self.writer)
        return Session(self.writer, expire_on_commit=False)

    def _reader_connection(self) -> Connection:
        """A connection to the next available replica, or to the writer when none answers."""
        if self.replicas:
            with self._lock:
                start = next(self._turn)
            count = len(self.replicas)
            for step in range(count):
                replica = self.replicas[(start + step) % count]
                if not replica.available:
                    continue
                try:
                    connection = replica.engine.connect()
                except DBAPIError:  # its breaker has logged why and opened
                    continue
                self._note_fallback(False)
                return connection
            self._note_fallback(True)
            self.on_fallback()
        check(self.writer)
        return self.writer.connect()

    def _note_fallback(self, falling_back: bool) -> None:
        """Log when reads move to the writer and when they come back, not once per read."""
        if falling_back == self._falling_back:
            return
        self._falling_back = falling_back
        if falling_back:
            log.warning("no read replica answers; reading from the writer")
        else:
            log.warning("a read replica answers again; reads go back to the replicas")

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        connection = self._reader_connection()
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            connection.close()

    def shard_for(self, user_id: int) -> Engine:
        """Where a user's rows are read: the shard map's answer, or the writer without shards."""
        if not self.shards:
            return self.writer
        if self.shard_map is None:
            return self.shards[0]
        return self.shards[self.shard_map.read_shard(user_id)]

    @contextmanager
    def shard_session(self, user_id: int) -> Iterator[Session]:
        """A session for writing a user's rows, routed by the shard map.

        Commit inside the ``with`` block: the user's range stays share-locked in shard 0 until
        the block ends, so a reshard cannot move the range under the write.
        """
        if not self.shards or self.shard_map is None:
            engine = self.shard_for(user_id)
            check(engine)
            with Session(engine, expire_on_commit=False) as session:
                yield session
            return
        with self.shard_map.write_route(user_id) as index:
            check(self.shards[index])
            with Session(self.shards[index], expire_on_commit=False) as session:
                yield session

    def shard_read_session(self, user_id: int) -> Session:
        """A session for reading a user's rows (no lock; a fenced range is still readable)."""
        engine = self.shard_for(user_id)
        check(engine)
        return Session(engine, expire_on_commit=False)

    def dispose(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        if self.shard_map is not None:
            self.shard_map.engine.dispose()
