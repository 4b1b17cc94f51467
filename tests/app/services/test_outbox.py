"""The outbox on SQLite and MariaDB: work committed with its rows, claimed for a lease,
done with no connection held, retried with back-off, harmless when done twice."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from sqlalchemy import select, update

from app.core.db import Database
from app.core.settings import Settings
from app.migrate import upgrade_all
from app.models import Employer, Job, OutboxTask
from app.models.base import utcnow
from app.services.ai_client import AiServiceUnavailable
from app.services.outbox import backlog, backoff, drain_once, enqueue
from tests.app.conftest import (
    MARIADB_HOST,
    MARIADB_PORT,
    drop_databases,
    mariadb_url,
    need_service,
    recreate_databases,
)

DIM = 8


class Encoder:
    """A stand-in model: deterministic unit vectors; fails while ``failures`` > 0, and
    records how many database connections were checked out at each call."""

    name = "outbox-test-model"
    dim = DIM

    def __init__(self, database: Database, failures: int = 0) -> None:
        self.database = database
        self.failures = failures
        self.calls: list[int] = []  # connections checked out during each call
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            self.calls.append(self.database.writer.pool.checkedout())  # type: ignore[attr-defined]
            self.texts.extend(texts)
            if self.failures > 0:
                self.failures -= 1
                raise AiServiceUnavailable("the AI service did not answer (test)")
        vectors = np.ones((len(texts), DIM), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def encode_one(self, text: str) -> npt.NDArray[np.float32]:
        return self.encode([text])[0]


@pytest.fixture(params=["sqlite", "mariadb"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        settings = Settings(database_url="", data_dir=tmp_path, redis_url="")
        name = None
    else:
        need_service("MariaDB", MARIADB_HOST, MARIADB_PORT)
        name = f"gm_outbox_{uuid.uuid4().hex[:10]}"
        recreate_databases(name)
        settings = Settings(database_url=mariadb_url(name), redis_url="", db_pool_size=5)
    db = Database.from_settings(settings)
    upgrade_all(db)
    yield db
    db.dispose()
    if name:
        drop_databases(name)


def post_jobs(database: Database, count: int) -> list[int]:
    """Jobs committed with their outbox rows, as POST /api/jobs does."""
    with database.write_session() as session:
        employer = Employer(name=f"Outbox Co {uuid.uuid4().hex[:8]}")
        session.add(employer)
        session.flush()
        jobs = [
            Job(employer_id=employer.id, title=f"Job {i}", description="Plant trees.", sdg_tag=15,
                salary_min=1, salary_max=2, location="Here")
            for i in range(count)
        ]  # fmt: skip
        session.add_all(jobs)
        session.flush()
        enqueue(session, "jobs", [job.id for job in jobs])
        session.commit()
        return [job.id for job in jobs]


def tasks(database: Database) -> list[OutboxTask]:
    with database.write_session() as session:
        return list(session.scalars(select(OutboxTask).order_by(OutboxTask.id)))


def embedded_ids(database: Database, model: str) -> set[int]:
    with database.write_session() as session:
        return set(session.scalars(select(Job.id).where(Job.embedding_model == model)))


def make_due(database: Database) -> None:
    """Time passes: every waiting row is due now (instead of sleeping through back-off)."""
    with database.write_session() as session:
        session.execute(update(OutboxTask).values(due_at=utcnow() - timedelta(seconds=1)))
        session.commit()


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff(n, base=1, cap=30) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff(10_000, base=1, cap=30) == 30


def test_failures_are_retried_with_back_off_until_the_work_is_done(database: Database) -> None:
    ids = post_jobs(database, 3)
    encoder = Encoder(database, failures=3)
    delays = []
    for attempt in range(1, 4):
        result = drain_once(database.write_session, encoder, base=2, cap=60)
        assert (result.done, result.failed) == (0, 3)
        rows = tasks(database)
        assert {row.attempts for row in rows} == {attempt}
        assert all(row.claim is None and "did not answer" in (row.last_error or "") for row in rows)
        delays.append(min((row.due_at - utcnow()).total_seconds() for row in rows))
        # not due yet: a drain now does nothing
        assert drain_once(database.write_session, encoder).done == 0
        make_due(database)
    # 2 s, 4 s, 8 s (DATETIME keeps whole seconds: allow one second either way)
    assert [round(d) for d in delays] in ([2, 4, 8], [1, 3, 7], [1, 4, 8], [2, 3, 8], [2, 4, 7])
    result = drain_once(database.write_session, encoder)
    assert (result.done, result.failed, result.kinds) == (3, 0, frozenset({"jobs"}))
    assert tasks(database) == []
    assert embedded_ids(database, encoder.name) == set(ids)


def test_no_database_connection_is_held_while_encoding(database: Database) -> None:
    post_jobs(database, 5)
    encoder = Encoder(database, failures=1)
    drain_once(database.write_session, encoder)
    make_due(database)
    drain_once(database.write_session, encoder)
    assert encoder.calls == [0, 0]


def test_concurrent_drainers_do_every_row_and_overlaps_are_harmless(database: Database) -> None:
    ids = post_jobs(database, 40)
    encoder = Encoder(database)
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            while drain_once(database.write_session, encoder, limit=7).done:
                pass
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert tasks(database) == []
    assert embedded_ids(database, encoder.name) == set(ids)


def test_a_claim_whose_worker_died_is_taken_again_after_its_lease(database: Database) -> None:
    (job_id,) = post_jobs(database, 1)

    class Dies(Encoder):
        def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
            raise SystemExit  # the worker process is killed mid-call

    with pytest.raises(SystemExit):
        drain_once(database.write_session, Dies(database), lease=120)
    (row,) = tasks(database)
    assert row.claim is not None and (row.due_at - utcnow()).total_seconds() > 100
    encoder = Encoder(database)
    assert drain_once(database.write_session, encoder).done == 0  # still leased
    make_due(database)  # the lease ends
    assert drain_once(database.write_session, encoder).done == 1
    assert embedded_ids(database, encoder.name) == {job_id}


def test_done_twice_is_harmless(database: Database) -> None:
    """A slow worker's lease ends, a second one does the row, then the first finishes."""
    (job_id,) = post_jobs(database, 1)
    second = Encoder(database)

    class Slow(Encoder):
        def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
            make_due(database)  # its lease runs out while it works
            assert drain_once(database.write_session, second).done == 1
            return super().encode(texts)

    first = drain_once(database.write_session, Slow(database))
    assert first.failed == 0
    assert tasks(database) == []
    assert embedded_ids(database, second.name) == {job_id}


def test_rows_deleted_before_their_turn_are_dropped(database: Database) -> None:
    ids = post_jobs(database, 2)
    with database.write_session() as session:
        session.execute(update(OutboxTask).where(OutboxTask.target_id == ids[0]).values(
            target_id=2_000_000_000))  # fmt: skip
        session.commit()
    result = drain_once(database.write_session, Encoder(database))
    assert (result.done, result.failed) == (2, 0)
    assert tasks(database) == []


def test_backlog_counts_rows_and_the_oldest_age(database: Database) -> None:
    with database.write_session() as session:
        assert backlog(session).count == 0
    post_jobs(database, 4)
    with database.write_session() as session:
        later = backlog(session, now=utcnow() + timedelta(seconds=90))
    assert later.count == 4 and 85 <= later.oldest_age_seconds <= 95
