"""Waiting for an event (a row embedded, a backlog drained) up to a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds:.0f} s waiting for {what}"
        time.sleep(0.05)


def wait_embedded(state: Any, ids: list[int], *, kind: str = "jobs", seconds: float = 60) -> None:
    """Until rows ``ids`` have vectors of the app's model and their outbox rows are gone:
    posted jobs are embedded by a drainer (the app's own thread, or the worker) after the
    answer, so a test that matches them waits for that."""
    from sqlalchemy import func, select

    from app.models import Career, Job, OutboxTask

    model = Job if kind == "jobs" else Career
    task = "embed_job" if kind == "jobs" else "embed_career"
    if state.outbox is not None:
        state.outbox.wake()

    def done() -> bool:
        with state.database.write_session() as session:
            vectors = session.scalar(
                select(func.count(model.id)).where(
                    model.id.in_(ids), model.embedding_model == state.settings.model_name
                )
            )
            queued = session.scalar(
                select(func.count(OutboxTask.id)).where(
                    OutboxTask.kind == task, OutboxTask.target_id.in_(ids)
                )
            )
        return vectors == len(set(ids)) and queued == 0

    wait_for(done, seconds, f"{kind} {ids} to be embedded")
