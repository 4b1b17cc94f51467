"""Send embedding work to Celery, or run it in-process after the response (embedded default)."""

from __future__ import annotations

import logging

from fastapi import BackgroundTasks

from app.services.embedding_updates import Kind
from app.state import AppState

log = logging.getLogger("app.worker")


def schedule_embeddings(
    state: AppState, background: BackgroundTasks, *, kind: Kind, ids: list[int] | None
) -> None:
    if state.settings.embeds_inline:
        background.add_task(run_inline, state, kind, ids)
        return
    from app.worker.tasks import recompute_embeddings

    try:
        recompute_embeddings.delay(kind, ids)
    except Exception as error:  # broker down: do the work here rather than lose it
        log.warning("celery broker unreachable (%s); embedding %s in-process", error, kind)
        background.add_task(run_inline, state, kind, ids)


def run_inline(state: AppState, kind: Kind, ids: list[int] | None) -> None:
    from app.worker.tasks import recompute

    recompute(
        settings=state.settings,
        database=state.database,
        cache=state.cache,
        kind=kind,
        ids=ids,
        embedder=state.embedder,  # the AI service when AI_SERVICE_URL is set
    )
    if kind == "jobs":
        state.job_index.mark_changed()
    else:
        state.career_index.mark_changed()
