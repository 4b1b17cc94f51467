"""Databases and helpers for the reshard tests: N migrated databases on the shared MariaDB,
a populated source, and the app's own write and read paths (``Database``)."""

from __future__ import annotations

import atexit
import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pymysql

from app.core.db import Database, make_engine
from app.core.settings import Settings
from app.migrate import upgrade_engine
from app.services import applications
from tests.app.conftest import (
    MARIADB_HOST,
    MARIADB_PORT,
    RUN_ID,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
)

MAP_TTL = 0.2  # the apps' map cache in these tests (the reshard is told the same)


@dataclass
class Shards:
    names: list[str]

    @property
    def urls(self) -> list[str]:
        return [mariadb_url(name) for name in self.names]

    def database(self) -> Database:
        """An app instance's databases, as the factory builds them (phase-3 configuration)."""
        settings = Settings(
            database_url=self.urls[0],
            database_shard_urls=",".join(self.urls),
            shard_map_ttl_seconds=MAP_TTL,
            db_pool_size=8,
            db_max_overflow=8,
        )
        return Database.from_settings(settings)

    def query(self, index: int, sql: str, *args: object) -> list[tuple[object, ...]]:
        connection = pymysql.connect(
            host=MARIADB_HOST, port=MARIADB_PORT, user="root", database=self.names[index]
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                rows = list(cursor.fetchall())
            connection.commit()
            return rows
        finally:
            connection.close()


_TEMPLATE: list[str] = []


def _template() -> str:
    """A database migrated once per test session; each test's shards are cloned from it."""
    if not _TEMPLATE:
        name = f"gm_rs_{RUN_ID}_template"
        recreate_databases(name)
        engine = make_engine(mariadb_url(name), Settings())
        upgrade_engine(engine)
        engine.dispose()
        _TEMPLATE.append(name)
        atexit.register(drop_databases, name)
    return _TEMPLATE[0]


def make_shards(count: int = 3) -> Iterator[Shards]:
    need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
    template = _template()
    tag = uuid.uuid4().hex[:6]
    shards = Shards([f"gm_rs_{RUN_ID}_{tag}_{i}" for i in range(count)])
    recreate_databases(*shards.names)
    tables = [str(row[0]) for row in Shards([template]).query(0, "SHOW TABLES")]
    for index in range(count):
        for table in tables:
            shards.query(index, f"CREATE TABLE `{table}` LIKE `{template}`.`{table}`")
            shards.query(index, f"INSERT INTO `{table}` SELECT * FROM `{template}`.`{table}`")
    yield shards
    drop_databases(*shards.names)


def populate(shards: Shards, users: int, per_user: int) -> int:
    """Applications for users 1..users, ``per_user`` each, straight into the source."""
    values = [
        (user, job, f"letter {user}/{job}")
        for user in range(1, users + 1)
        for job in range(per_user)
    ]
    connection = pymysql.connect(
        host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="", database=shards.names[0]
    )
    try:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO applications (user_id, job_id, status, cover_letter, created_at) "
                "VALUES (%s, %s, 'submitted', %s, NOW())",
                values,
            )
        connection.commit()
    finally:
        connection.close()
    return len(values)


def apply(database: Database, user_id: int, job_id: int) -> None:
    """The app's write path (what POST /api/jobs/{id}/apply does)."""
    with database.shard_session(user_id) as session:
        applications.apply(session=session, user_id=user_id, job_id=job_id, cover_letter="hi")


def jobs_of(database: Database, user_id: int) -> set[int]:
    """The app's read path (what GET /api/applications does)."""
    with database.shard_read_session(user_id) as session:
        return {a.job_id for a in applications.list_for_user(session=session, user_id=user_id)}


def locate(shards: Shards) -> dict[tuple[int, int], list[int]]:
    """``{(user, job): [shards holding it]}`` over every shard."""
    found: dict[tuple[int, int], list[int]] = {}
    for index in range(len(shards.names)):
        for user, job in shards.query(index, "SELECT user_id, job_id FROM applications"):
            found.setdefault((int(user), int(job)), []).append(index)  # type: ignore[call-overload]
    return found


def map_status(shards: Shards) -> str:
    rows = shards.query(0, "SELECT status FROM shard_map WHERE id = 1")
    return str(rows[0][0])


class Proxy:
    """A TCP proxy to the shared MariaDB that a test can cut (a target unreachable mid-copy)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.links: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root:@127.0.0.1:{self.port}/{database}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection((MARIADB_HOST, MARIADB_PORT))
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every connection and refuse new ones (until ``mend``)."""
        self.open = False
        for link in self.links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
        self.links.clear()

    def mend(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.server.close()
