"""Everything one app instance holds, built by the factory and kept on ``app.state.gm``."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.active_users import ActiveUsers
from app.core.cache import KeyValue, QueryCache, RedisStore
from app.core.cloudwatch_datums import dimensions
from app.core.cloudwatch_publisher import CloudWatchPublisher, cloudwatch_client
from app.core.db import Database
from app.core.metric_readings import ReadingCollector
from app.core.metric_window import RequestWindow
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
    publisher: CloudWatchPublisher | None = None

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
        publisher = (
            build_publisher(settings, metrics, database, stores.sessions)
            if settings.metrics_namespace
            else None
        )
        return cls(
            publisher=publisher,
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
        if self.publisher is not None:
            self.publisher.stop()
        self.readiness.close()
        self.database.dispose()

    @property
    def embedder(self) -> Embedder:
        return get_embedder(self.settings.model_name)


def build_publisher(
    settings: Settings, metrics: Metrics, database: Database, session_store: KeyValue
) -> CloudWatchPublisher:
    """CloudWatch publishing: the request window, active users (in the sessions' Redis)."""
    metrics.window = RequestWindow()
    redis_client = session_store.client if isinstance(session_store, RedisStore) else None
    metrics.active_users = ActiveUsers(redis_client, prefix=settings.redis_key_prefix)
    collect = ReadingCollector(
        registry=metrics.registry,
        database=database,
        window=metrics.window,
        active_users=metrics.active_users,
        max_overflow=settings.db_max_overflow,
    )
    return CloudWatchPublisher(
        client_factory=lambda: cloudwatch_client(settings.metrics_region),
        namespace=settings.metrics_namespace,
        dimensions=dimensions(
            settings.metrics_stack, settings.metrics_service, settings.metrics_phase
        ),
        interval_seconds=settings.metrics_interval_seconds,
        collect=collect,
    )
