"""Background tasks. Each worker process builds its own engines and model once."""

from __future__ import annotations

import functools
import logging

from app.core.cache import QueryCache, make_store
from app.core.db import Database
from app.core.settings import Settings
from app.services.embedding_updates import Kind, update_embeddings
from app.services.embeddings import get_embedder
from app.services.matching import CAREERS_GENERATION, GENERATION
from app.worker.celery_app import celery_app

log = logging.getLogger("app.worker")


@functools.cache
def _worker_context() -> tuple[Settings, Database, QueryCache]:
    settings = Settings()
    store = make_store(
        settings.redis_url, settings.redis_timeout_seconds, settings.redis_key_prefix
    )
    return settings, Database.from_settings(settings), QueryCache(store)


def recompute(
    *, settings: Settings, database: Database, cache: QueryCache, kind: Kind, ids: list[int] | None
) -> int:
    """Embed the rows, then bump the index generation so every instance reloads."""
    embedder = get_embedder(settings.model_name)
    with database.write_session() as session:
        count = update_embeddings(session=session, embedder=embedder, kind=kind, ids=ids)
    cache.bump(GENERATION if kind == "jobs" else CAREERS_GENERATION)
    cache.bump(kind)
    log.info("recomputed %d %s embeddings with %s", count, kind, embedder.name)
    return count


@celery_app.task(name="app.recompute_embeddings")
def recompute_embeddings(kind: Kind, ids: list[int] | None = None) -> int:
    """Recompute embeddings of ``ids`` (or of every stale row) of ``kind``."""
    settings, database, cache = _worker_context()
    return recompute(settings=settings, database=database, cache=cache, kind=kind, ids=ids)
