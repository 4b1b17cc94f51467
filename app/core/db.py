"""Database engines: one writer, rotated readers with fallback, and user_id shards.

Built once per app (in the factory), never at import time, so tests can swap them.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app.core.settings import Settings
from app.core.shard_map import ShardMap

log = logging.getLogger("app.db")


def make_engine(url: str, settings: Settings) -> Engine:
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
        connect_args = {"connect_timeout": settings.db_connect_timeout, "charset": "utf8mb4"}
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


@dataclass
class Replica:
    """A read replica and when it may next be tried after a failure."""

    engine: Engine
    retry_at: float = 0.0


@dataclass
class Database:
    """The writer, the readers and the shards of one app instance."""

    writer: Engine
    replicas: list[Replica] = field(default_factory=list)
    shards: list[Engine] = field(default_factory=list)
    retry_seconds: float = 30.0
    on_fallback: Callable[[], None] = field(default=lambda: None)
    shard_map: ShardMap | None = None  # built from shards[0] when there are shards
    _turn: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        if not settings.database_url:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        database = cls(
            writer=make_engine(settings.writer_url, settings),
            replicas=[Replica(make_engine(u, settings)) for u in settings.reader_urls],
            shards=[make_engine(u, settings) for u in settings.shard_urls],
            retry_seconds=settings.replica_retry_seconds,
        )
        if settings.shard_urls:
            # Its own pool: a write holds a map connection while it takes a shard connection.
            map_engine = make_engine(settings.shard_urls[0], settings)
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
        return Session(self.writer, expire_on_commit=False)

    def _reader_connection(self) -> Connection:
        """A connection to the next healthy replica, or to the writer when none answers."""
        if self.replicas:
            with self._lock:
                start = next(self._turn)
            now = time.monotonic()
            count = len(self.replicas)
            for step in range(count):
                replica = self.replicas[(start + step) % count]
                if replica.retry_at > now:
                    continue
                try:
                    return replica.engine.connect()
                except DBAPIError as error:
                    replica.retry_at = now + self.retry_seconds
                    log.warning(
                        "read replica %s unreachable, skipped for %.0fs: %s",
                        replica.engine.url.render_as_string(hide_password=True),
                        self.retry_seconds,
                        error.orig,
                    )
            log.warning("no read replica answers; reading from the writer")
            self.on_fallback()
        return self.writer.connect()

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
            with Session(self.shard_for(user_id), expire_on_commit=False) as session:
                yield session
            return
        with (
            self.shard_map.write_route(user_id) as index,
            Session(self.shards[index], expire_on_commit=False) as session,
        ):
            yield session

    def shard_read_session(self, user_id: int) -> Session:
        """A session for reading a user's rows (no lock; a fenced range is still readable)."""
        return Session(self.shard_for(user_id), expire_on_commit=False)

    def ping(self) -> dict[str, str | None]:
        """``{label: None}`` when reachable, else the error text."""
        status: dict[str, str | None] = {}
        for label, engine in self.engines.items():
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                status[label] = None
            except DBAPIError as error:
                status[label] = str(error.orig).splitlines()[0][:200]
        return status

    def dispose(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        if self.shard_map is not None:
            self.shard_map.engine.dispose()
