"""Everything one app instance holds, built by the factory and kept on ``app.state.gm``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.core.breaker import CircuitBreaker
from app.core.cache import KeyValue, QueryCache, RedisStore, make_store
from app.core.db import Database
from app.core.db_guard import breaker_of
from app.core.metrics import BreakerCollector, Metrics
from app.core.readiness import Check, Readiness, database_check
from app.core.sessions import SessionStore
from app.core.settings import Settings
from app.services.embeddings import Embedder, get_embedder
from app.services.matching import CareerIndex, JobIndex

log = logging.getLogger("app")


def build_stores(settings: Settings) -> tuple[KeyValue, KeyValue]:
    """The cache's store and the session store: two Redis instances when
    SESSION_REDIS_URL is set, else one shared store (one connection pool, one breaker)."""
    cache_store = make_store(
        settings.redis_url,
        settings.redis_timeout_seconds,
        settings.redis_key_prefix,
        name="redis",
        cool_down=settings.dependency_retry_seconds,
    )
    if settings.sessions_url == settings.redis_url:
        if settings.redis_url and not settings.is_local:
            log.warning(
                "SESSION_REDIS_URL is not set: sessions share the cache's Redis and can be "
                "evicted by cache traffic; give them their own (maxmemory-policy noeviction)"
            )
        return cache_store, cache_store
    session_store = make_store(
        settings.sessions_url,
        settings.redis_timeout_seconds,
        settings.redis_key_prefix,
        name="session redis",
        cool_down=settings.dependency_retry_seconds,
    )
    return cache_store, session_store


def readiness_checks(
    settings: Settings, database: Database, stores: dict[str, KeyValue]
) -> list[Check]:
    """Writer and shards are required, replicas optional; see ``app/core/readiness.py``."""
    checks = [
        database_check(label, engine, required=not label.startswith("reader"))
        for label, engine in database.engines.items()
    ]
    separate = stores["sessions"] is not stores["cache"]
    if settings.redis_url:
        # Without its own session store, the one Redis holds the sessions: required.
        checks.append(Check("redis", not separate, stores["cache"].ping))
    if separate:
        checks.append(Check("session_redis", True, stores["sessions"].ping))
    return checks


def breakers(database: Database, stores: dict[str, KeyValue]) -> dict[str, CircuitBreaker]:
    """Every circuit breaker of the instance by dependency label (for metrics)."""
    found = {
        label: breaker
        for label, engine in database.engines.items()
        if (breaker := breaker_of(engine)) is not None
    }
    for store in stores.values():
        if isinstance(store, RedisStore):
            found[store.breaker.name.replace(" ", "_")] = store.breaker
    return found


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
        store, session_store = build_stores(settings)
        stores = {"cache": store, "sessions": session_store}
        metrics.registry.register(BreakerCollector(lambda: breakers(database, stores)))
        cache = QueryCache(
            store,
            max_entry_bytes=settings.cache_max_entry_bytes,
            on_hit=lambda name: metrics.cache_hits.labels(name).inc(),
            on_miss=lambda name: metrics.cache_misses.labels(name).inc(),
            on_error=metrics.cache_errors.inc,
        )
        return cls(
            settings=settings,
            database=database,
            store=store,
            session_store=session_store,
            cache=cache,
            sessions=SessionStore(session_store, settings.session_ttl_seconds),
            metrics=metrics,
            readiness=Readiness(
                readiness_checks(settings, database, {"cache": store, "sessions": session_store})
            ),
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
