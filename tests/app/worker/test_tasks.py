from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.core.settings import Settings
from app.models import Career, OutboxTask
from app.worker import dispatch, tasks
from app.worker.celery_app import make_celery
from tests.app.conftest import Api
from tests.app.waiting import wait_for


def test_celery_uses_the_documents_settings() -> None:
    celery = make_celery(Settings(redis_url="redis://cache:6379/2"))
    conf = celery.conf
    assert conf.broker_url == "redis://cache:6379/2"
    assert conf.result_backend == "redis://cache:6379/2"
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert list(conf.accept_content) == ["json"]
    assert (conf.task_time_limit, conf.task_soft_time_limit) == (1800, 1500)
    assert conf.task_track_started and not conf.task_always_eager
    assert make_celery(Settings(redis_url="")).conf.task_always_eager


def test_the_task_recomputes_embeddings(embedded: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    state = embedded.client.app.state.gm
    with state.database.write_session() as session:
        career = Career(title=f"Tidal Energy Engineer {uuid.uuid4().hex[:4]}", description="x",
                        sdg_tag=7, skills=["marine engineering"])  # fmt: skip
        session.add(career)
        session.commit()
        career_id = career.id
    monkeypatch.setattr(
        tasks, "_worker_context", lambda: (state.settings, state.database, state.cache)
    )
    result = tasks.recompute_embeddings.apply(args=("careers", [career_id]))
    assert result.get() == 1
    with state.database.write_session() as session:
        stored = session.scalar(select(Career).where(Career.id == career_id))
        assert stored is not None and stored.embedding_dim == 384
        assert stored.embedding is not None and len(stored.embedding) == 384 * 4
        assert stored.embedding_model == state.settings.model_name


def test_a_new_career_is_queued_with_it_and_the_drainer_embeds_it(embedded: Api) -> None:
    state = embedded.client.app.state.gm
    title = f"Kelp Farmer {uuid.uuid4().hex[:6]}"
    career = {"title": title, "description": "Grow kelp.", "sdg_tag": 14, "skills": ["boats"]}
    with state.database.write_session() as session:
        # what POST /api/careers does, without an admin account: the row and its work
        row = Career(**career)
        session.add(row)
        session.flush()
        dispatch.queue_embeddings(session, "careers", [row.id])
        session.commit()
        career_id = row.id
    assert state.outbox is not None
    state.outbox.wake()  # the app's own drainer (EMBED_MODE=inline)

    def embedded_and_settled() -> bool:
        with state.database.write_session() as session:
            stored = session.get(Career, career_id)
            left = session.scalar(
                select(func.count(OutboxTask.id)).where(
                    OutboxTask.target_id == career_id, OutboxTask.kind == "embed_career"
                )
            )
            return (
                stored is not None
                and stored.embedding_model == state.settings.model_name
                and left == 0
            )

    wait_for(embedded_and_settled, 60, "the queued career to be embedded")
