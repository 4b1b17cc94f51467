"""Deferred embeddings: queued in the outbox in the caller's transaction, then done by the
worker's drainer (celery mode) or this process's (inline, the embedded default)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.embedding_updates import Kind
from app.services.outbox import enqueue
from app.state import AppState


def queue_embeddings(session: Session, kind: Kind, ids: list[int]) -> None:
    """Record the work in ``session``'s transaction; the caller commits it with the rows."""
    enqueue(session, kind, ids)


def nudge(state: AppState) -> None:
    """After the commit: the in-process drainer looks at once (the worker polls). The web
    service alone loads no model at start, so its drainer starts here, at first use."""
    if state.outbox is not None:
        state.outbox.start()
        state.outbox.wake()
