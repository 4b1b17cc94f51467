from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from app.core.db import Database, Replica, make_engine, mysql_connect_args
from app.core.settings import Settings
from app.migrate import upgrade_engine


def sqlite_db(path: Path, name: str) -> str:
    url = f"sqlite:///{path / name}"
    engine = make_engine(url, Settings())
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS who (name TEXT)"))
        connection.execute(text("DELETE FROM who"))
        connection.execute(text("INSERT INTO who VALUES (:n)"), {"n": name})
    engine.dispose()
    return url


def whoami(database: Database) -> str:
    with database.read_session() as session:
        return str(session.execute(text("SELECT name FROM who")).scalar())


def test_pool_settings_follow_the_source_document_with_short_waits() -> None:
    engine = make_engine("mysql+pymysql://u:p@127.0.0.1:1/x", Settings())
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 20
    assert engine.pool._max_overflow == 40
    assert engine.pool._timeout == 3  # not the guide's 30 s: answers come within 5 s
    assert engine.pool._recycle == 3600
    assert engine.pool._pre_ping is True


def test_every_mariadb_connection_has_socket_timeouts() -> None:
    args = mysql_connect_args(Settings())
    assert (args["connect_timeout"], args["read_timeout"], args["write_timeout"]) == (2, 3, 3)
    long = mysql_connect_args(Settings(), maintenance=True)
    assert long["read_timeout"] == long["write_timeout"] == 3600  # migrations wait on locks


def test_reads_rotate_over_replicas(tmp_path: Path) -> None:
    settings = Settings(
        database_url=sqlite_db(tmp_path, "writer"),
        database_url_read=f"{sqlite_db(tmp_path, 'r1')},{sqlite_db(tmp_path, 'r2')}",
    )
    database = Database.from_settings(settings)
    seen = [whoami(database) for _ in range(4)]
    assert sorted(set(seen)) == ["r1", "r2"]
    assert seen[0] != seen[1]


def test_failed_replica_is_skipped_and_reads_fall_back_to_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = sqlite_db(tmp_path, "writer")
    broken = f"sqlite:///{tmp_path / 'missing-dir' / 'replica.db'}"  # cannot be opened
    database = Database.from_settings(Settings(database_url=writer, database_url_read=broken))
    with caplog.at_level(logging.WARNING):
        assert whoami(database) == "writer"
        assert whoami(database) == "writer"
    assert "database reader0 is unavailable" in caplog.text
    assert caplog.text.count("reading from the writer") == 1  # once per outage, not per read
    assert not database.replicas[0].available  # skipped for a while


def test_fallback_goes_to_a_healthy_replica_first(tmp_path: Path) -> None:
    good = make_engine(sqlite_db(tmp_path, "good"), Settings())
    bad = make_engine(f"sqlite:///{tmp_path / 'nope' / 'x.db'}", Settings())
    database = Database(
        writer=make_engine(sqlite_db(tmp_path, "writer"), Settings()),
        replicas=[Replica(bad), Replica(good)],
    )
    assert {whoami(database) for _ in range(3)} == {"good"}


def test_shard_routing_follows_the_shard_map(tmp_path: Path) -> None:
    """Trivial map (before any reshard): everyone on shard 0. Done map: shard user_id % N."""
    urls = [sqlite_db(tmp_path, f"shard{i}") for i in range(3)]
    settings = Settings(
        database_url=sqlite_db(tmp_path, "writer"),
        database_shard_urls=",".join(urls),
        shard_map_ttl_seconds=0.01,
    )
    database = Database.from_settings(settings)
    upgrade_engine(database.shards[0])  # the map lives in shard 0
    users = (0, 1, 2, 3, 7, 11)

    def written_to(user_id: int) -> str:
        with database.shard_session(user_id) as session:
            return str(session.execute(text("SELECT name FROM who")).scalar())

    def read_from(user_id: int) -> str:
        with database.shard_read_session(user_id) as session:
            return str(session.execute(text("SELECT name FROM who")).scalar())

    assert {written_to(u) for u in users} == {read_from(u) for u in users} == {"shard0"}
    with database.shards[0].begin() as connection:
        connection.execute(text("UPDATE shard_map SET status = 'done', shards = 3, version = 2"))
        connection.execute(text("UPDATE shard_map_ranges SET location = 'target'"))
    time.sleep(0.02)  # past the map cache's TTL
    for user_id in users:
        assert written_to(user_id) == read_from(user_id) == f"shard{user_id % 3}"
    database.dispose()


def test_without_shards_user_rows_stay_on_the_writer(tmp_path: Path) -> None:
    database = Database.from_settings(Settings(database_url=sqlite_db(tmp_path, "writer")))
    assert database.shard_for(5) is database.writer
