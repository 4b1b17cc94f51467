"""Shared fixtures: one embedded app per session, MariaDB/Redis apps when reachable.

Tests that need MariaDB or Redis skip with the reason when those are unreachable,
unless GM_REQUIRE_SERVICES=1, in which case they fail.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.main import create_app

# The suite registers many accounts from one test client: registration's per-client
# limit is the subject of its own test (test_attack_registration.py), not of every test.
os.environ.setdefault("REGISTER_LIMITS_PER_CLIENT", "100000/minute")

MARIADB_HOST, MARIADB_PORT = "127.0.0.1", 3306
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_TEST_DB = 11  # this suite's own Redis database
RUN_ID = f"{os.getpid()}"  # runs that overlap (other engineers, CI) use their own names
REDIS_PREFIX = f"gmtest{RUN_ID}:"
PASSWORD = "correct-horse-battery"
METRICS_TOKEN = "test-metrics-token-" + "0123456789abcdef" * 2  # /metrics needs a bearer token


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port} (see FACTS.md to start it)"
    if os.environ.get("GM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"GM_REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def mariadb_url(database: str, port: int = MARIADB_PORT) -> str:
    return f"mysql+pymysql://root:@{MARIADB_HOST}:{port}/{database}"


def recreate_databases(*names: str) -> None:
    import pymysql

    connection = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="")
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        connection.close()


def drop_databases(*names: str) -> None:
    import pymysql

    connection = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="")
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        connection.close()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


@dataclass
class Api:
    """A test client plus helpers to get logged-in clients of each role."""

    client: TestClient

    def new_client(self) -> TestClient:
        client = TestClient(self.client.app)
        client.__enter__ = None  # type: ignore[method-assign]  # lifespan already ran
        return client

    def login_as(self, role: str, **extra: str) -> tuple[TestClient, dict[str, object]]:
        client = TestClient(self.client.app)
        email = unique_email(role)
        registered = client.post(
            "/api/auth/register", json={"email": email, "password": PASSWORD, "role": role, **extra}
        )
        assert registered.status_code == 201, registered.text
        logged_in = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert logged_in.status_code == 200, logged_in.text
        return client, logged_in.json()


def embedded_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "app_env": "local",
        "data_dir": data_dir,
        "demo_jobs_per_sdg": 2,
        "redis_url": "",
        "database_url": "",
        "metrics_token": METRICS_TOKEN,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The embedded default (SQLite, in-process stores, bundled model, small demo data)."""
    settings = embedded_settings(tmp_path_factory.mktemp("embedded"))
    with TestClient(create_app(settings)) as client:
        yield Api(client)


@pytest.fixture(scope="session")
def services_app() -> Iterator[Api]:
    """MariaDB (writer + shards) and Redis, as a deployed instance would use them.

    The reader URL points at the writer's database through ``localhost`` instead of
    ``127.0.0.1``: a stand-in replica on the same server. Real replication between two
    throwaway servers is exercised in ``test_replication.py``.
    """
    need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
    need_service("Redis", REDIS_HOST, REDIS_PORT)
    import redis

    names = [f"gm_test_{RUN_ID}", *(f"gm_shard_{i}_{RUN_ID}" for i in range(3))]
    recreate_databases(*names)
    settings = Settings(
        app_env="local",
        database_url=mariadb_url(names[0]),
        database_url_read=f"mysql+pymysql://root:@localhost:{MARIADB_PORT}/{names[0]}",
        database_shard_urls=",".join(mariadb_url(name) for name in names[1:]),
        redis_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_TEST_DB}",
        redis_key_prefix=REDIS_PREFIX,
        embed_mode="inline",
        demo_jobs_per_sdg=2,
        db_pool_size=5,
        db_max_overflow=5,
        metrics_token=METRICS_TOKEN,
    )
    with TestClient(create_app(settings)) as client:
        yield Api(client)
    drop_databases(*names)
    server = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_TEST_DB)
    for key in server.scan_iter(f"{REDIS_PREFIX}*"):
        server.delete(key)


@pytest.fixture(params=["embedded", "services"])
def api(request: pytest.FixtureRequest) -> Api:
    """Each test using this runs on the embedded default and on MariaDB + Redis."""
    name = "services_app" if request.param == "services" else "embedded"
    result: Api = request.getfixturevalue(name)
    return result
