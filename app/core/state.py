"""Everything one app instance holds, built by the factory and kept on ``app.state.gm``."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.cache import KeyValue, QueryCache
from app.core.db import Database
from app.core.metrics import BreakerCollector, Metrics
from app.core.readiness import Readiness, readiness_checks
from app.core.sessions import SessionStore
from app.core.settings import Settings
from app.core.stores import build_stores
from app.services.embeddings import Embedder, get_embedder
from app.services.matching import CareerIndex, JobIndex


@dataclass
class AppState:
    settings: Settings
    database: Database
    store: KeyValue
    session_store: KeyValue
    cache: QueryCache
    sessions: SessionStore
    metrics: Metrics
    readiness: Readiness
    job_index: JobIndex
    career_index: CareerIndex

    @classmethod
    def build(cls, settings: Settings, database: Database | None = None) -> AppState:
        database = database or Database.from_settings(settings)
        metrics = Metrics(database)
        database.on_fallback = metrics.replica_fallbacks.inc
        stores = build_stores(settings)
        metrics.registry.register(BreakerCollector(database, stores.breakers))
        cache = QueryCache(
            stores.cache,
            max_entry_bytes=settings.cache_max_entry_bytes,
            on_hit=lambda name: metrics.cache_hits.labels(name).inc(),
            on_miss=lambda name: metrics.cache_misses.labels(name).inc(),
            on_error=metrics.cache_errors.inc,
        )
        return cls(
            settings=settings,
            database=database,
            store=stores.cache,
            session_store=stores.sessions,
            cache=cache,
            sessions=SessionStore(stores.sessions, settings.session_ttl_seconds),
            metrics=metrics,
            readiness=Readiness(readiness_checks(database, stores)),
            job_index=JobIndex(
                database=database,
                cache=cache,
                model_name=settings.model_name,
                exact_max_rows=settings.exact_search_max_rows,
            ),
            career_index=CareerIndex(
                database=database,
                cache=cache,
                model_name=settings.model_name,
                exact_max_rows=settings.exact_search_max_rows,
            ),
        )

    def close(self) -> None:
        self.readiness.close()
        self.database.dispose()

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.model_name)
