"""One dependency hung (SIGSTOP: the port accepts, nothing answers), the app still answers.

Goal (issue 11): with any one of replica, writer, shard or Redis hung, every request that
can be answered without it is answered within 5 s, the rest get a clear 503 within 5 s,
and ``/health`` answers at once. The hung servers are this module's own ``mariadbd`` and
``redis-server`` on spare ports; the shared services on 3306/6379 are only used, never
stopped. The bounds are functional (seconds), with margins for a loaded 2-core machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from app.core.db import make_engine
from app.core.settings import Settings
from app.main import create_app
from app.migrate import upgrade_engine
from tests.app import mariadb_pair
from tests.app.conftest import (
    MARIADB_HOST,
    MARIADB_PORT,
    PASSWORD,
    RUN_ID,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
    unique_email,
)
from tests.app.live_server import LiveServer, MariaDBServer, RedisServer, live, require

ANSWER_WITHIN = 5.0  # the goal for every request
HEALTH_WITHIN = 2.0  # /health touches nothing (generous: the machine may be loaded)
AT_ONCE = 2.5  # refused by an open breaker: well under one 3 s read timeout
READY_WITHIN = 3.5  # readiness probes in parallel, 2 s budget
SHARED = f"gm_hung_{RUN_ID}"
OWN = "gm_own"


@pytest.fixture(scope="module")
def own_mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDBServer]:
    require(mariadb_pair.available())
    server = MariaDBServer(Path(tmp_path_factory.mktemp("own-mariadb")))
    server.server.execute(f"CREATE DATABASE {OWN}")
    upgrade(server.url(OWN))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_db() -> Iterator[str]:
    need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
    recreate_databases(SHARED)
    upgrade(mariadb_url(SHARED))
    yield mariadb_url(SHARED)
    drop_databases(SHARED)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    require(RedisServer.missing())
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def upgrade(url: str) -> None:
    engine = make_engine(url, Settings())
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()


def settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "app_env": "local",
        "demo_data": False,
        "embed_mode": "inline",
        "replica_retry_seconds": 30,
        "dependency_retry_seconds": 30,
        "redis_key_prefix": f"gmhung{RUN_ID}:",
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def timed(call: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def client_for(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def concurrently(server: LiveServer, paths: list[str]) -> list[tuple[float, int]]:
    """Each path from its own client at the same time: (seconds, status) per request."""

    def one(path: str) -> tuple[float, int]:
        with client_for(server) as client:
            elapsed, response = timed(lambda: client.get(path))
            return elapsed, response.status_code

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(one, paths))


def login(client: httpx.Client, role: str = "candidate") -> None:
    email = unique_email(role)
    body = {"email": email, "password": PASSWORD, "role": role}
    assert client.post("/api/auth/register", json=body).status_code == 201
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


def assert_health_at_once(client: httpx.Client) -> None:
    elapsed, response = timed(lambda: client.get("/health"))
    assert response.status_code == 200 and elapsed < HEALTH_WITHIN, elapsed


READS = ["/api/jobs", "/api/careers", "/api/jobs?sdg_tag=7", "/api/jobs/1"] * 2


def test_hung_replica_reads_fall_back_to_the_writer(
    own_mariadb: MariaDBServer, shared_db: str
) -> None:
    app = create_app(settings(database_url=shared_db, database_url_read=own_mariadb.url(OWN)))
    with live(app) as server, client_for(server) as client:
        assert client.get("/api/jobs").status_code == 200  # a pooled replica connection
        with own_mariadb.hung():
            assert_health_at_once(client)
            for elapsed, code in concurrently(server, READS):
                assert code in (200, 404) and elapsed < ANSWER_WITHIN, (elapsed, code)
            elapsed, response = timed(lambda: client.get("/api/jobs"))
            assert response.status_code == 200 and elapsed < AT_ONCE, elapsed  # skipped at once
            login(client)  # the writer still takes writes and logins
            elapsed, ready = timed(lambda: client.get("/health/ready"))
            assert elapsed < READY_WITHIN
            assert ready.status_code == 200 and ready.json()["status"] == "degraded"
            assert ready.json()["down"] == {"reader0": "timeout"}
            assert "MySQL" not in ready.text and "timed out" not in ready.text


def test_hung_writer_reads_still_answer_and_writes_get_503(
    own_mariadb: MariaDBServer, shared_db: str
) -> None:
    app = create_app(settings(database_url=own_mariadb.url(OWN), database_url_read=shared_db))
    with live(app) as server, client_for(server) as client, own_mariadb.hung():
        assert_health_at_once(client)
        for elapsed, code in concurrently(server, READS):
            assert code in (200, 404) and elapsed < ANSWER_WITHIN, (elapsed, code)
        for _ in range(3):  # the first waits for the timeout, the next are refused at once
            body = {"email": unique_email(), "password": PASSWORD, "role": "candidate"}
            elapsed, response = timed(lambda b=body: client.post("/api/auth/register", json=b))
            assert response.status_code == 503 and elapsed < ANSWER_WITHIN, elapsed
            assert "database" in response.json()["detail"]
        assert elapsed < AT_ONCE, elapsed
        elapsed, ready = timed(lambda: client.get("/health/ready"))
        assert elapsed < READY_WITHIN and ready.status_code == 503
        assert ready.json()["status"] == "unavailable" and "writer" in ready.json()["down"]


def test_hung_shard_only_its_users_rows_get_503(own_mariadb: MariaDBServer, shared_db: str) -> None:
    app = create_app(settings(database_url=shared_db, database_shard_urls=own_mariadb.url(OWN)))
    with live(app) as server, client_for(server) as client:
        login(client)
        assert client.get("/api/applications").status_code == 200
        with own_mariadb.hung():
            assert_health_at_once(client)
            elapsed, response = timed(lambda: client.get("/api/applications"))
            assert response.status_code == 503 and elapsed < ANSWER_WITHIN, elapsed
            for elapsed, code in concurrently(server, READS):
                assert code in (200, 404) and elapsed < ANSWER_WITHIN, (elapsed, code)
            assert client.get("/api/auth/me").status_code == 200  # writer + sessions


def test_hung_redis_reads_answer_and_sessions_get_a_quick_503(
    own_redis: RedisServer, shared_db: str
) -> None:
    app = create_app(settings(database_url=shared_db, redis_url=own_redis.url))
    with live(app) as server, client_for(server) as client:
        login(client)
        assert client.get("/api/careers").status_code == 200  # cached in Redis
        with own_redis.hung():
            assert_health_at_once(client)
            for elapsed, code in concurrently(server, READS):
                assert code in (200, 404) and elapsed < ANSWER_WITHIN, (elapsed, code)
            for _ in range(3):
                elapsed, response = timed(lambda: client.get("/api/auth/me"))
                assert response.status_code == 503 and elapsed < ANSWER_WITHIN, elapsed
                assert "session store" in response.json()["detail"]
            assert elapsed < AT_ONCE, elapsed  # the breaker is open: no wait at all
            body = {"email": unique_email(), "password": PASSWORD, "role": "candidate"}
            assert client.post("/api/auth/register", json=body).status_code == 201  # MariaDB
            credentials = {"email": body["email"], "password": PASSWORD}
            elapsed, response = timed(lambda: client.post("/api/auth/login", json=credentials))
            assert response.status_code == 503 and elapsed < AT_ONCE, elapsed  # clear and quick
            elapsed, ready = timed(lambda: client.get("/health/ready"))
            assert elapsed < READY_WITHIN and ready.status_code == 503  # sessions live there
            assert "redis" in ready.json()["down"]
            registry = app.state.gm.metrics.registry
            assert (
                registry.get_sample_value("gm_dependency_available", {"dependency": "redis"}) == 0
            )
            assert (
                registry.get_sample_value("gm_dependency_available", {"dependency": "writer"}) == 1
            )


def test_hung_cache_redis_leaves_sessions_alone(tmp_path: Path, shared_db: str) -> None:
    require(RedisServer.missing())
    cache, sessions = RedisServer(tmp_path / "c"), RedisServer(tmp_path / "s")
    for server in (cache, sessions):
        server.workdir.mkdir()
        server.start()
    try:
        app = create_app(
            settings(database_url=shared_db, redis_url=cache.url, session_redis_url=sessions.url)
        )
        with live(app) as server, client_for(server) as client:
            login(client)
            with cache.hung():
                for elapsed, code in concurrently(server, READS):
                    assert code in (200, 404) and elapsed < ANSWER_WITHIN, (elapsed, code)
                elapsed, response = timed(lambda: client.get("/api/auth/me"))
                assert response.status_code == 200 and elapsed < ANSWER_WITHIN
                ready = client.get("/health/ready")
                assert ready.status_code == 200 and ready.json()["status"] == "degraded"
                assert list(ready.json()["down"]) == ["redis"]
    finally:
        cache.stop()
        sessions.stop()


def test_celery_publishing_cannot_hang_on_a_hung_broker() -> None:
    """The broker is the cache's Redis; a publish that cannot go out falls back in-process."""
    from app.worker.celery_app import make_celery

    conf = make_celery(settings(redis_url="redis://127.0.0.1:1/0", embed_mode="celery")).conf
    assert conf.task_publish_retry is False
    assert conf.broker_connection_timeout <= 2
    assert conf.broker_transport_options["socket_timeout"] <= 2
    assert conf.broker_transport_options["socket_connect_timeout"] <= 2
    assert conf.redis_socket_timeout <= 2
