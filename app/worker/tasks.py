"""Background work. Each worker process builds its own engines and model once.

The worker's main job is the outbox (``app/services/outbox.py``): when the worker is
ready, a thread in its main process drains it (claims due rows, embeds them with the AI
service or the model, retries with back-off). ``recompute_embeddings`` re-embeds whole
tables (a model change) on request.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from app.core.cache import QueryCache, make_store
from app.core.db import Database
from app.core.settings import Settings
from app.services.embedding_updates import Kind, update_embeddings
from app.services.matching import CAREERS_GENERATION, GENERATION
from app.services.outbox_drainer import OutboxDrainer
from app.services.text_encoders import TextEncoder, ai_client, local_encoder
from app.worker.celery_app import celery_app

log = logging.getLogger("app.worker")


@functools.cache
def _worker_context() -> tuple[Settings, Database, QueryCache]:
    settings = Settings()
    store = make_store(
        settings.redis_url, settings.redis_timeout_seconds, settings.redis_key_prefix
    )
    return settings, Database.from_settings(settings), QueryCache(store)


@functools.cache
def _worker_encoder() -> TextEncoder:
    """The AI service when AI_SERVICE_URL is set, else the model in this process."""
    settings = _worker_context()[0]
    return ai_client(settings) or local_encoder(settings)


def announce(cache: QueryCache, kinds: frozenset[Kind]) -> None:
    """Rows of ``kinds`` got vectors: every instance reloads its index on its next match."""
    for kind in kinds:
        cache.bump(GENERATION if kind == "jobs" else CAREERS_GENERATION)
        cache.bump(kind)


def recompute(
    *,
    settings: Settings,
    database: Database,
    cache: QueryCache,
    kind: Kind,
    ids: list[int] | None,
    embedder: TextEncoder | None = None,
) -> int:
    """Embed the rows (with ``embedder``, else the process's model), then bump the index
    generation so every instance reloads."""
    embedder = embedder or local_encoder(settings)
    count = update_embeddings(
        open_session=database.write_session, embedder=embedder, kind=kind, ids=ids
    )
    announce(cache, frozenset({kind}))
    log.info("recomputed %d %s embeddings with %s", count, kind, embedder.name)
    return count


@celery_app.task(name="app.recompute_embeddings")
def recompute_embeddings(kind: Kind, ids: list[int] | None = None) -> int:
    """Recompute embeddings of ``ids`` (or of every stale row) of ``kind``."""
    settings, database, cache = _worker_context()
    return recompute(
        settings=settings,
        database=database,
        cache=cache,
        kind=kind,
        ids=ids,
        embedder=_worker_encoder(),
    )


@functools.cache
def worker_drainer() -> OutboxDrainer:
    settings, database, cache = _worker_context()
    return OutboxDrainer(
        open_session=database.write_session,
        encoder=_worker_encoder,
        settings=settings,
        on_change=lambda kinds: announce(cache, kinds),
    )


@worker_ready.connect
def start_draining(**_kwargs: Any) -> None:
    worker_drainer().start()
    log.info("draining the outbox every %.1f s when idle", _worker_context()[0].outbox_poll_seconds)


@worker_shutdown.connect
def stop_draining(**_kwargs: Any) -> None:
    worker_drainer().stop()
