from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import BackgroundTasks
from sqlalchemy import select

from app.core.settings import Settings
from app.models import Career
from app.worker import dispatch, tasks
from app.worker.celery_app import make_celery
from tests.app.conftest import Api


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


def test_celery_mode_sends_the_task_to_the_broker(
    embedded: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = embedded.client.app.state.gm
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.recompute_embeddings, "delay", lambda *a: sent.append(a))
    monkeypatch.setattr(state.settings, "embed_mode", "celery")
    background = BackgroundTasks()
    dispatch.schedule_embeddings(state, background, kind="jobs", ids=[5])
    assert sent == [("jobs", [5])] and background.tasks == []


def test_broker_down_falls_back_to_in_process(
    embedded: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = embedded.client.app.state.gm

    def refuse(*_args: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.recompute_embeddings, "delay", refuse)
    monkeypatch.setattr(state.settings, "embed_mode", "celery")
    background = BackgroundTasks()
    dispatch.schedule_embeddings(state, background, kind="jobs", ids=[5])
    assert len(background.tasks) == 1
