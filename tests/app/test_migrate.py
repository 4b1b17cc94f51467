from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

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


def test_0007_gives_existing_users_their_email_identity(tmp_path: Path) -> None:
    """Existing rows get their canonical e-mail; accounts that SQLite kept apart but that
    are one identity now: the oldest keeps it, the later one is parked (``#<id>``)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}", Settings())
    upgrade_engine(engine, "0006_outbox")
    insert = text(
        "INSERT INTO users (email, password_hash, role, created_at) "
        "VALUES (:email, 'x', 'candidate', CURRENT_TIMESTAMP)"
    )
    with engine.begin() as connection:
        for email in ("employer@example.org", "émployer@example.org", "solo@exämple.org"):
            connection.execute(insert, {"email": email})
    upgrade_engine(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, email_canonical FROM users ORDER BY id")).all()
    engine.dispose()
    assert [canonical for _, canonical in rows] == [
        "employer@example.org",
        f"employer@example.org#{rows[1][0]}",
        "solo@example.org",
    ]


def test_the_email_identity_column_compares_bytes_on_mariadb() -> None:
    """Whatever the database's collation: the column is utf8mb4_bin."""
    need_service("MariaDB", "127.0.0.1", 3306)
    name = f"gm_test_collation_{uuid.uuid4().hex[:8]}"
    recreate_databases(name)
    engine = make_engine(mariadb_url(name), Settings())
    try:
        upgrade_engine(engine)
        with engine.connect() as connection:
            collation = connection.execute(
                text(
                    "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = :db"
                    " AND TABLE_NAME = 'users' AND COLUMN_NAME = 'email_canonical'"
                ),
                {"db": name},
            ).scalar()
        assert collation == "utf8mb4_bin"
    finally:
        engine.dispose()
        drop_databases(name)
