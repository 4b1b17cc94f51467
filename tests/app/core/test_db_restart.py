"""After the database restarts, requests succeed again within seconds: the breaker that
tripped drops the pool's stale connections, so neither its probe nor the requests after
it trip it again on one; readiness says what requests see. Own ``mariadbd``."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.core.db import make_engine
from app.core.settings import Settings
from app.main import create_app
from app.migrate import upgrade_engine
from tests.app import mariadb_pair
from tests.app.live_server import MariaDBServer, live, require

RECOVERED_WITHIN = 8.0  # seconds after the server answers again


@pytest.fixture
def own_mariadb(tmp_path: Path) -> Iterator[MariaDBServer]:
    require(mariadb_pair.available())
    server = MariaDBServer(tmp_path / "own-mariadb")
    server.server.execute("CREATE DATABASE gm_restart")
    engine = make_engine(server.url("gm_restart"), Settings())
    upgrade_engine(engine)
    engine.dispose()
    yield server
    server.stop()


def reads(url: str, count: int) -> list[int]:
    def one(_: int) -> int:
        with httpx.Client(base_url=url, timeout=30) as client:
            return client.get(f"/api/jobs?search={uuid.uuid4().hex[:8]}").status_code

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_requests_recover_within_seconds_after_a_restart(
    own_mariadb: MariaDBServer, tmp_path: Path
) -> None:
    settings = Settings(
        app_env="local",
        data_dir=tmp_path,
        database_url=own_mariadb.url("gm_restart"),
        redis_url="",
        demo_data=False,
        embed_mode="inline",
        dependency_retry_seconds=1.0,
        db_pool_size=8,
        db_max_overflow=0,
    )
    app = create_app(settings)
    with live(app) as server:
        assert reads(server.url, 8) == [200] * 8  # the pool holds several connections
        own_mariadb.server.stop()
        own_mariadb.server.start()  # back on the same port; the pool's connections are dead
        restarted = time.monotonic()
        while True:  # one request at a time until one succeeds
            with httpx.Client(base_url=server.url, timeout=30) as client:
                status = client.get(f"/api/jobs?search={uuid.uuid4().hex[:8]}").status_code
            assert status in (200, 503)
            if status == 200:
                break
            assert time.monotonic() - restarted < RECOVERED_WITHIN, "no recovery"
            time.sleep(0.1)
        # Then everything answers: no stale connection trips the breaker again.
        for _ in range(3):
            assert reads(server.url, 8) == [200] * 8
        assert time.monotonic() - restarted < RECOVERED_WITHIN + 5
        ready = httpx.get(f"{server.url}/health/ready", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready", ready.text
