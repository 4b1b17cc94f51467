"""The local servers take the Plan's parameter groups: a private ``mariadbd`` started with
them stores and finds ``☀ 日本`` through the app, as RDS does; the two Redis servers evict
(or not) as the two ElastiCache groups do; what is not applied is said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local_services import mariadb, redis
from infra.local_services.parameters import (
    LOCAL_CACHE_MAXMEMORY,
    MIN_LOCAL_CONNECTIONS,
    LocalParameters,
    local_parameters,
    scaled_max_connections,
)
from infra.local_services.processes import stop
from infra.plan.model import Plan
from infra.ports import free_port
from tests.infra.factories import mutate
from tests.system_tools import require

GIB = 1024**3


def by_name(parameters: LocalParameters) -> dict[str, str]:
    return {p.name: p.value for p in parameters.mariadb if p.applied}


def test_the_plans_mariadb_parameters_become_server_options(phase_plans: dict[int, Plan]) -> None:
    for phase, plan in phase_plans.items():
        parameters = local_parameters(plan, memory_bytes=16 * GIB)
        applied = by_name(parameters)
        assert applied["character_set_server"] == "utf8mb4", phase
        assert applied["collation_server"] == "utf8mb4_unicode_ci", phase
        assert applied["time_zone"] == "+00:00"
        assert "STRICT_TRANS_TABLES" in applied["sql_mode"]
        assert applied["max_connections"] == str(16 * GIB // 12582880)
        args = parameters.mariadb_args(Path("/srv/db"))
        assert "--character-set-server=utf8mb4" in args
        assert "--collation-server=utf8mb4_unicode_ci" in args
        assert "--slow-query-log-file=/srv/db/slow.log" in args
        not_applied = [p for p in parameters.mariadb if not p.applied]
        assert [p.name for p in not_applied] == ["require_secure_transport"]
        report = "\n".join(parameters.report())
        assert "require_secure_transport=1 NOT applied: the local server listens" in report
        assert [(p.name, p.value) for p in parameters.redis_cache] == [
            ("maxmemory-policy", "volatile-lru")
        ]
        assert [(p.name, p.value) for p in parameters.redis_sessions] == [
            ("maxmemory-policy", "noeviction")
        ]


def test_max_connections_is_rds_formula_with_a_floor() -> None:
    assert scaled_max_connections(64 * GIB) == 64 * GIB // 12582880
    assert scaled_max_connections(GIB) == MIN_LOCAL_CONNECTIONS


def test_a_parameter_the_stack_does_not_know_is_reported_not_dropped(
    phase_plans: dict[int, Plan],
) -> None:
    plan = phase_plans[1]
    group = plan.of_type("aws:rds/parameterGroup:ParameterGroup")[0]
    extra = [*group.inputs["parameters"], {"name": "innodb_lock_wait_timeout", "value": "7"}]
    changed = local_parameters(mutate(plan, group.name, {"parameters": extra}), GIB)
    unknown = [p for p in changed.mariadb if p.name == "innodb_lock_wait_timeout"]
    assert len(unknown) == 1 and not unknown[0].applied
    assert "innodb_lock_wait_timeout=7 NOT applied: not known" in "\n".join(changed.report())
    # a plan's own value wins over the RDS default
    extra.append({"name": "time_zone", "value": "Europe/Paris"})
    changed = local_parameters(mutate(plan, group.name, {"parameters": extra}), GIB)
    assert by_name(changed)["time_zone"] == "Europe/Paris"


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[mariadb.MariaDB, Path]]:
    """A private mariadbd made and started with phase 1's parameters."""
    require("mariadbd")
    require("mariadb-install-db")
    from infra.plan.build import plan_for_phase

    folder = tmp_path_factory.mktemp("db")
    parameters = local_parameters(plan_for_phase(1))
    assert mariadb.bootstrap(folder, parameters.charset, parameters.collation)
    server = mariadb.start(
        folder,
        free_port(),
        ("gm",),
        options=tuple(parameters.mariadb_args(folder)),
        charset=parameters.charset,
        collation=parameters.collation,
    )
    yield server, folder
    stop(server.child)


def test_the_server_runs_with_the_plans_settings(
    plan_server: tuple[mariadb.MariaDB, Path],
) -> None:
    pymysql = pytest.importorskip("pymysql")
    server, _ = plan_server
    connection = pymysql.connect(
        host="127.0.0.1", port=server.port, user="gm", password=server.password, database="gm"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT @@character_set_server, @@collation_server, @@time_zone, @@sql_mode,"
                " @@max_connections, @@query_cache_type, @@collation_database"
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    charset, collation, zone, mode, connections, query_cache, database = row
    assert (charset, collation, zone) == ("utf8mb4", "utf8mb4_unicode_ci", "+00:00")
    assert "STRICT_TRANS_TABLES" in mode
    assert connections >= MIN_LOCAL_CONNECTIONS
    assert query_cache == "ON"
    assert database == "utf8mb4_unicode_ci"  # the database itself, not only the server


def test_a_job_titled_in_japanese_is_posted_and_found_by_the_app(
    plan_server: tuple[mariadb.MariaDB, Path], tmp_path: Path
) -> None:
    """Against a latin1 server this was a 422 on posting and a 503 on ``?search=日``."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from app.core.settings import Settings
    from app.main import create_app

    server, _ = plan_server
    settings = Settings(
        app_env="local",
        data_dir=tmp_path,
        database_url=server.url("gm"),
        redis_url="",
        embed_mode="inline",
        demo_jobs_per_sdg=0,
        embedding_model="bundled:all-MiniLM-L6-v2",
    )
    with TestClient(create_app(settings)) as client:
        email = "日本-solar@example.org"
        body = {
            "email": email,
            "password": "correct-horse-battery",
            "role": "employer",
            "employer_name": "日本 Solar ☀",
        }
        assert client.post("/api/auth/register", json=body).status_code == 201
        login = client.post("/api/auth/login", json={"email": email, "password": body["password"]})
        assert login.status_code == 200, login.text
        job = {
            "title": "☀ 日本",
            "description": "太陽光パネルの設置 — solar panels on 日本's roofs",
            "sdg_tag": 7,
            "salary_min": 30000,
            "salary_max": 40000,
            "location": "大阪",
        }
        posted = client.post("/api/jobs", json=job)
        assert posted.status_code == 201, posted.text
        for query in ("日", "日本", "☀"):
            found = client.get("/api/jobs", params={"search": query})
            assert found.status_code == 200, found.text
            assert [j["title"] for j in found.json()["jobs"]] == ["☀ 日本"], query


def test_a_data_folder_made_for_another_charset_is_refused(tmp_path: Path) -> None:
    require("mariadb-install-db")
    assert mariadb.bootstrap(tmp_path)  # no charset recorded: as stacks made before
    with pytest.raises(mariadb.DataFolderMismatch, match=r"latin1 \(not recorded\).*delete"):
        mariadb.bootstrap(tmp_path, "utf8mb4", "utf8mb4_unicode_ci")


def test_the_two_redis_servers_evict_as_their_groups_do(tmp_path: Path) -> None:
    require("redis-server")
    redis_client = pytest.importorskip("redis")
    cache = redis.start(
        tmp_path,
        free_port(),
        settings=(("maxmemory", LOCAL_CACHE_MAXMEMORY), ("maxmemory-policy", "volatile-lru")),
    )
    sessions = redis.start(tmp_path, free_port(), name="redis-sessions")
    try:
        for server, policy in ((cache, "volatile-lru"), (sessions, "noeviction")):
            client = redis_client.Redis.from_url(server.url(0))
            assert client.config_get("maxmemory-policy") == {"maxmemory-policy": policy}
            client.close()
    finally:
        stop(cache.child)
        stop(sessions.child)
