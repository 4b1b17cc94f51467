"""A real replica: two throwaway mariadbd servers, the second replicating from the first."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.db import Database
from app.core.settings import Settings
from app.main import create_app
from tests.app import mariadb_pair
from tests.app.conftest import Api

DB = "gm_repl"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[mariadb_pair.Pair]:
    missing = mariadb_pair.available()
    if missing:
        if os.environ.get("GM_REQUIRE_SERVICES") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    servers = mariadb_pair.start_pair(Path(tmp_path_factory.mktemp("mariadb-pair")))
    servers.primary.execute(f"CREATE DATABASE {DB}")
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def repl_app(pair: mariadb_pair.Pair) -> Iterator[Api]:
    settings = Settings(
        app_env="local",
        database_url=pair.primary.url(DB),
        database_url_read=pair.replica.url(DB),
        auto_migrate=True,
        demo_data=True,
        demo_jobs_per_sdg=1,
        jobs_cache_ttl_seconds=0,
        embed_mode="inline",
        replica_retry_seconds=0,
    )
    with TestClient(create_app(settings)) as client:
        yield Api(client)


def server_id(database: Database, *, read: bool) -> int:
    if read:
        with database.read_session() as session:
            return int(session.execute(text("SELECT @@server_id")).scalar_one())
    with database.write_session() as session:
        return int(session.execute(text("SELECT @@server_id")).scalar_one())


def test_writes_reach_the_primary_and_reads_the_replica(
    pair: mariadb_pair.Pair, repl_app: Api
) -> None:
    database: Database = repl_app.client.app.state.gm.database
    assert server_id(database, read=False) == 1
    assert server_id(database, read=True) == 2
    pair.wait_for_replica()
    # replication carried the migrated schema and the demo data
    assert pair.replica.execute(f"SELECT COUNT(*) FROM {DB}.jobs")[0][0] == 17


def test_a_users_fresh_write_is_read_back_from_the_writer(
    pair: mariadb_pair.Pair, repl_app: Api
) -> None:
    pair.wait_for_replica()
    pair.replica.execute("STOP SLAVE SQL_THREAD")  # the replica lags from here on
    try:
        employer, _ = repl_app.login_as("employer", employer_name=f"Lag Co {uuid.uuid4().hex[:6]}")
        job = {"title": "Replica Lag Tester", "description": "Check reads.", "sdg_tag": 9,
               "salary_min": 10, "salary_max": 20, "location": "Remote"}  # fmt: skip
        job_id = employer.post("/api/jobs", json=job).json()["id"]
        assert employer.get(f"/api/jobs/{job_id}").status_code == 200  # own write: writer
        anonymous = repl_app.new_client()
        assert anonymous.get(f"/api/jobs/{job_id}").status_code == 404  # lagging replica
    finally:
        pair.replica.execute("START SLAVE SQL_THREAD")
    pair.wait_for_replica()
    assert anonymous.get(f"/api/jobs/{job_id}").status_code == 200


def test_reads_fall_back_to_the_primary_when_the_replica_stops(
    pair: mariadb_pair.Pair, repl_app: Api, caplog: pytest.LogCaptureFixture
) -> None:
    database: Database = repl_app.client.app.state.gm.database
    client = repl_app.new_client()
    total = client.get("/api/jobs").json()["total"]
    pair.replica.stop()
    try:
        with caplog.at_level(logging.WARNING):
            assert server_id(database, read=True) == 1
            assert client.get("/api/jobs").json()["total"] == total
        assert "database reader0 is unavailable" in caplog.text
        assert caplog.text.count("reading from the writer") == 1  # not once per read
        registry = repl_app.client.app.state.gm.metrics.registry
        assert (registry.get_sample_value("gm_db_replica_fallbacks_total") or 0) >= 2
        ready = client.get("/health/ready")  # a replica down degrades, it does not fail
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        down = ready.json()["down"]
        assert list(down) == ["reader0"] and down["reader0"] in ("refused", "connection lost")
        assert "MySQL" not in ready.text and "Errno" not in ready.text  # no driver text
    finally:
        pair.replica.start()
    assert server_id(database, read=True) == 2
