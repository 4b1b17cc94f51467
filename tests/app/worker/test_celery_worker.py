"""A real Celery worker process (Redis broker and backend) recomputing embeddings and
draining the outbox."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.core.settings import Settings
from app.migrate import upgrade_all
from app.models import Career, OutboxTask
from app.services.outbox import enqueue
from app.worker.celery_app import make_celery
from tests.app.conftest import REDIS_PREFIX, REDIS_TEST_DB, RUN_ID, need_service
from tests.app.waiting import wait_for

REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_TEST_DB}"
QUEUE = f"gm-test-{RUN_ID}"  # overlapping test runs must not take each other's tasks


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    need_service("Redis", "127.0.0.1", 6379)
    data_dir = tmp_path_factory.mktemp("celery")
    env = dict(
        os.environ,
        DATA_DIR=str(data_dir),
        REDIS_URL=REDIS_URL,
        REDIS_KEY_PREFIX=REDIS_PREFIX,
        HF_HUB_OFFLINE="1",
    )
    for name in ("DATABASE_URL", "DATABASE_URL_READ", "DATABASE_SHARD_URLS", "EMBED_MODE"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.worker.celery_app:celery_app", "worker",
         "--pool=solo", "--concurrency=1", "-Q", QUEUE, "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    yield data_dir
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    import redis

    redis.Redis.from_url(REDIS_URL).delete(
        QUEUE, f"_kombu.binding.{QUEUE}", f"_kombu.binding_permanent.{QUEUE}"
    )


def test_worker_embeds_a_new_career(worker: Path) -> None:
    settings = Settings(data_dir=worker, database_url="", redis_url=REDIS_URL)
    database = Database.from_settings(settings)
    upgrade_all(database)
    with database.write_session() as session:
        career = Career(title="Geothermal Driller", description="Drill geothermal wells.",
                        sdg_tag=7, skills=["drilling"])  # fmt: skip
        session.add(career)
        session.commit()
        career_id = career.id
    client = make_celery(settings)
    result = client.send_task(
        "app.recompute_embeddings", args=["careers", [career_id]], queue=QUEUE
    )
    assert result.get(timeout=120) == 1
    result.forget()
    with database.write_session() as session:
        stored = session.scalar(select(Career).where(Career.id == career_id))
        assert stored is not None and stored.embedding_dim == 384
        assert stored.embedding_model == settings.model_name
    database.dispose()


def test_the_worker_drains_the_outbox_with_no_task_sent(worker: Path) -> None:
    """Work committed with its rows (the outbox) is done by the worker on its own."""
    settings = Settings(data_dir=worker, database_url="", redis_url=REDIS_URL)
    database = Database.from_settings(settings)
    upgrade_all(database)
    with database.write_session() as session:
        career = Career(title="Peatland Restorer", description="Re-wet peat bogs.",
                        sdg_tag=15, skills=["ecology"])  # fmt: skip
        session.add(career)
        session.flush()
        enqueue(session, "careers", [career.id])
        session.commit()
        career_id = career.id

    def done() -> bool:
        with database.write_session() as session:
            stored = session.get(Career, career_id)
            queued = session.scalar(
                select(func.count(OutboxTask.id)).where(OutboxTask.target_id == career_id,
                                                        OutboxTask.kind == "embed_career")
            )  # fmt: skip
            return stored is not None and stored.embedding_dim == 384 and queued == 0

    wait_for(done, 120, "the worker to embed the queued career")
    database.dispose()
