from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.core.db import make_engine
from app.core.settings import Settings
from app.migrate import alembic_config, upgrade_engine
from app.models import Base
from tests.app.conftest import (
    RUN_ID,
    Api,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
)


def assert_schema_matches_models(url: str) -> None:
    engine = make_engine(url, Settings())
    upgrade_engine(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert context.get_current_revision() == head
        diff = compare_metadata(context, Base.metadata)
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("jobs")}
    engine.dispose()
    assert diff == [], diff
    assert {"idx_job_sdg_salary", "idx_job_created", "ix_jobs_title", "ix_jobs_sdg_tag"} <= indexes


def test_sqlite_migration_matches_the_models(tmp_path: Path) -> None:
    assert_schema_matches_models(f"sqlite:///{tmp_path / 'm.db'}")


def test_mariadb_migration_matches_the_models_and_is_locked() -> None:
    need_service("MariaDB", "127.0.0.1", 3306)
    name = f"gm_test_migrate_{RUN_ID}"
    recreate_databases(name)
    url = mariadb_url(name)
    errors: list[BaseException] = []

    def run() -> None:  # two instances booting at once: one migrates, one waits
        try:
            engine = make_engine(url, Settings())
            upgrade_engine(engine)
            engine.dispose()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_schema_matches_models(url)
    drop_databases(name)


def test_python_m_app_migrate_upgrades_writer_and_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import migrate

    shards = [f"sqlite:///{tmp_path / f'shard{i}.db'}" for i in range(2)]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'writer.db'}")
    monkeypatch.setenv("DATABASE_SHARD_URLS", ",".join(shards))
    assert migrate.main() == 0
    for url in [f"sqlite:///{tmp_path / 'writer.db'}", *shards]:
        engine = make_engine(url, Settings())
        assert "applications" in inspect(engine).get_table_names()
        engine.dispose()
    assert migrate.main() == 0  # a second run finds nothing to do


def test_readiness_names_every_dependency(services_app: Api) -> None:
    ready = services_app.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "writer": "ok", "reader0": "ok", "shard0": "ok", "shard1": "ok", "shard2": "ok",
        "redis": "ok",
    }  # fmt: skip
