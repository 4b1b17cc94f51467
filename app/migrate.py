"""``python -m app.migrate``: alembic upgrade head on the writer and every shard.

On MariaDB/MySQL the upgrade runs under ``GET_LOCK('gm_migrate')`` so that when several
instances boot at once during a deploy, one migrates and the others wait, then find
nothing left to do.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from app.core.db import Database
from app.core.settings import Settings

log = logging.getLogger("app.migrate")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
LOCK_NAME = "gm_migrate"
LOCK_TIMEOUT_SECONDS = 600


class MigrationLockTimeout(RuntimeError):
    """Another instance held the migration lock for too long."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Upgrade one database, holding the advisory lock where the server has one."""
    config = alembic_config()
    with engine.connect() as connection:
        locking = engine.dialect.name in ("mysql", "mariadb")
        if locking:
            got = connection.execute(
                text("SELECT GET_LOCK(:name, :timeout)"),
                {"name": LOCK_NAME, "timeout": LOCK_TIMEOUT_SECONDS},
            ).scalar()
            if got != 1:
                raise MigrationLockTimeout(
                    f"could not take lock {LOCK_NAME!r} within {LOCK_TIMEOUT_SECONDS}s"
                )
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            if locking:
                connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": LOCK_NAME})
                connection.commit()


def upgrade_all(database: Database) -> None:
    """The writer, then each shard (shards hold the same schema; only applications are used)."""
    upgrade_engine(database.writer)
    for shard in database.shards:
        upgrade_engine(shard)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    database = Database.from_settings(settings, maintenance=True)  # long statement timeouts
    try:
        upgrade_all(database)
    finally:
        database.dispose()
    log.info("database schema is at head on %d database(s)", 1 + len(database.shards))
    return 0


if __name__ == "__main__":
    sys.exit(main())
