"""Everything one app instance holds, built by the factory and kept on ``app.state.gm``.

The app's composition root: it builds the engines, the stores, the AI service's client or
the in-process model, the matching indexes, and hands each dependency's probe to readiness.
It sits above services (floors in pyproject.toml), so nothing below it imports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.core.active_users import ActiveUsers
from app.core.breaker import CircuitBreaker
from app.core.cache import KeyValue, QueryCache, RedisStore, SessionBackend
from app.core.cloudwatch_datums import dimensions
from app.core.cloudwatch_publisher import CloudWatchPublisher, cloudwatch_client
from app.core.db import Database
from app.core.metric_readings import ReadingCollector
from app.core.metric_window import RequestWindow
from app.core.metrics import BreakerCollector, Metrics
from app.core.readiness import Check, Fact, Readiness, probe_engine, readiness_checks
from app.core.service_names import ALL, opens_database, runs, signs_sessions
from app.core.sessions import SessionStore
from app.core.settings import Settings
from app.core.single_flight import SingleFlight
from app.core.stores import build_stores
from app.services.ai_client import AiClient
from app.services.match_tally import MatchTally
from app.services.matching import CareerIndex, JobIndex
from app.services.outbox import backlog
from app.services.outbox_drainer import OutboxDrainer
from app.services.text_encoders import TextEncoder, ai_client, local_encoder


class NotServedHere(RuntimeError):
    """A part of the app this service does not build (e.g. the ai service's database)."""


@dataclass
class AppState:
    settings: Settings
    service: str  # app/core/service_names.py: all, web, auth, matching, ai, analytics
    store: KeyValue
    session_store: SessionBackend
    cache: QueryCache
    sessions: SessionStore
    metrics: Metrics
    readiness: Readiness
    db: Database | None = None  # None: the ai service
    indexes: tuple[JobIndex, CareerIndex] | None = None
    ai: AiClient | None = None  # the AI service's client (AI_SERVICE_URL), else None
    match_tally: MatchTally | None = None  # match requests per day (matching service)
    publisher: CloudWatchPublisher | None = None
    # drains the outbox in this process (EMBED_MODE=inline: the embedded default); in celery
    # mode the worker does (app/worker/tasks.py)
    outbox: OutboxDrainer | None = None
    # analytics figures: one computation per key at a time (app/api/routes/analytics.py)
    analytics_flight: SingleFlight = field(default_factory=SingleFlight)

    @classmethod
    def build(
        cls, settings: Settings, database: Database | None = None, service: str = ALL
    ) -> AppState:
        if not opens_database(service):  # the ai service: the model only
            database = None
        elif database is None:
            database = Database.from_settings(settings)
        metrics = Metrics(database)
        if database is not None:
            database.on_fallback = metrics.replica_fallbacks.inc
        stores = build_stores(settings)
        ai = ai_client(settings) if service != "ai" else None
        more_breakers = stores.breakers
        if ai is not None:
            client = ai

            def more_breakers() -> dict[str, CircuitBreaker]:
                return stores.breakers() | {"ai_service": client.breaker}

        metrics.registry.register(BreakerCollector(database, more_breakers))
        cache = QueryCache(
            stores.cache,
            max_entry_bytes=settings.cache_max_entry_bytes,
            on_hit=lambda name: metrics.cache_hits.labels(name).inc(),
            on_miss=lambda name: metrics.cache_misses.labels(name).inc(),
            on_error=metrics.cache_errors.inc,
        )
        # The services that post jobs (and so own the outbox) report its backlog.
        read_backlog = (
            outbox_backlog_reader(database)
            if database is not None and runs(service, "web")
            else None
        )
        publisher = (
            build_publisher(
                settings,
                metrics,
                database,
                stores.sessions,
                sessions=signs_sessions(service),
                outbox=read_backlog,
            )
            if settings.metrics_namespace
            else None
        )
        indexes = None
        if database is not None:
            indexes = (
                JobIndex(
                    database=database,
                    cache=cache,
                    model_name=settings.model_name,
                    exact_max_rows=settings.exact_search_max_rows,
                ),
                CareerIndex(
                    database=database,
                    cache=cache,
                    model_name=settings.model_name,
                    exact_max_rows=settings.exact_search_max_rows,
                ),
            )
        tally = None
        if database is not None and runs(service, "matching"):
            tally = MatchTally(database, flush_seconds=settings.match_tally_flush_seconds)
        state = cls(
            publisher=publisher,
            settings=settings,
            service=service,
            db=database,
            store=stores.cache,
            session_store=stores.sessions,
            cache=cache,
            sessions=SessionStore(
                stores.sessions,
                settings.session_ttl_seconds,
                max_age_seconds=settings.session_max_age_seconds,
            ),
            metrics=metrics,
            readiness=Readiness(
                readiness_checks(database, stores, ai_checks(ai)),
                facts=[Fact("outbox", lambda: outbox_fact(read_backlog))] if read_backlog else [],
            ),
            indexes=indexes,
            ai=ai,
            match_tally=tally,
        )
        if database is not None and settings.embeds_inline and runs(service, "web"):
            state.outbox = OutboxDrainer(
                open_session=database.write_session,
                encoder=lambda: state.embedder,
                settings=settings,
                on_change=state.announce_vectors,
            )
        return state

    def announce_vectors(self, kinds: frozenset[str]) -> None:
        """Rows of ``kinds`` got vectors: this instance and every other reload the index."""
        for kind in kinds:
            index = self.job_index if kind == "jobs" else self.career_index
            index.mark_changed()
            self.cache.bump(kind)

    def close(self) -> None:
        if self.outbox is not None:
            self.outbox.stop()
        if self.publisher is not None:
            self.publisher.stop()
        if self.match_tally is not None:
            self.match_tally.stop()
        self.readiness.close()
        if self.ai is not None:
            self.ai.close()
        if self.db is not None:
            self.db.dispose()

    @property
    def database(self) -> Database:
        if self.db is None:
            raise NotServedHere(f"the {self.service} service has no database")
        return self.db

    @property
    def job_index(self) -> JobIndex:
        if self.indexes is None:
            raise NotServedHere(f"the {self.service} service has no job index")
        return self.indexes[0]

    @property
    def career_index(self) -> CareerIndex:
        if self.indexes is None:
            raise NotServedHere(f"the {self.service} service has no career index")
        return self.indexes[1]

    @property
    def embedder(self) -> TextEncoder:
        """Where this service's vectors come from: the AI service when ``AI_SERVICE_URL``
        is set (never for the ai service itself), else the model in this process."""
        if self.ai is not None:
            return self.ai
        return local_encoder(self.settings)


def outbox_backlog_reader(database: Database) -> Callable[[], tuple[int, float]]:
    """Rows waiting in the outbox and the oldest one's age, read over a pool-less connection
    with short timeouts (readiness and the metrics thread must not wait on the pool)."""
    twin = probe_engine(database.writer)

    def read() -> tuple[int, float]:
        with Session(twin) as session:
            figures = backlog(session)
        return figures.count, figures.oldest_age_seconds

    return read


def outbox_fact(read: Callable[[], tuple[int, float]]) -> dict[str, object]:
    count, age = read()
    return {"backlog": count, "oldest_age_seconds": round(age, 1)}


def ai_checks(ai: AiClient | None) -> list[Check]:
    """The AI service's readiness check when this service calls one: optional (only matching
    needs it), and reported down at once while its breaker is open."""
    return [] if ai is None else [Check("ai_service", False, ai.ping, ai.breaker)]


def build_publisher(
    settings: Settings,
    metrics: Metrics,
    database: Database | None,
    session_store: KeyValue,
    *,
    sessions: bool = True,
    outbox: Callable[[], tuple[int, float]] | None = None,
) -> CloudWatchPublisher:
    """CloudWatch publishing: the request window, active users (in the sessions' Redis,
    by the services that have sessions; the others have no session Redis to count in)."""
    metrics.window = RequestWindow()
    if sessions:
        redis_client = session_store.client if isinstance(session_store, RedisStore) else None
        metrics.active_users = ActiveUsers(redis_client, prefix=settings.redis_key_prefix)
    collect = ReadingCollector(
        registry=metrics.registry,
        database=database,
        window=metrics.window,
        active_users=metrics.active_users,
        max_overflow=settings.db_max_overflow,
        outbox=outbox,
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
