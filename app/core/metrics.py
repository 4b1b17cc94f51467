"""Prometheus metrics of one app instance (own registry, so tests can build many apps)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool

from app.core.active_users import ActiveUsers
from app.core.breaker import CircuitBreaker
from app.core.db import Database
from app.core.db_guard import breaker_of
from app.core.metric_window import RequestWindow

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class PoolCollector(Collector):
    """Connection pool use of every engine, read when scraped."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        checked_out = GaugeMetricFamily(
            "gm_db_pool_checked_out", "Connections in use", labels=["engine"]
        )
        size = GaugeMetricFamily("gm_db_pool_size", "Configured pool size", labels=["engine"])
        overflow = GaugeMetricFamily(
            "gm_db_pool_overflow", "Connections beyond the pool size", labels=["engine"]
        )
        for label, engine in self.database.engines.items():
            pool = engine.pool
            if isinstance(pool, QueuePool):
                checked_out.add_metric([label], pool.checkedout())
                size.add_metric([label], pool.size())
                overflow.add_metric([label], max(pool.overflow(), 0))
        yield checked_out
        yield size
        yield overflow


class BreakerCollector(Collector):
    """``gm_dependency_available``: 1 while a dependency's circuit is closed, else 0."""

    def __init__(
        self, database: Database | None, more: Callable[[], dict[str, CircuitBreaker]] = dict
    ) -> None:
        self.database = database
        self.more = more  # e.g. the Redis stores' breakers

    def breakers(self) -> dict[str, CircuitBreaker]:
        engines = self.database.engines if self.database is not None else {}
        found = {
            label: breaker
            for label, engine in engines.items()
            if (breaker := breaker_of(engine)) is not None
        }
        return found | self.more()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "gm_dependency_available",
            "1 while the dependency's circuit breaker is closed (it answers), 0 while skipped",
            labels=["dependency"],
        )
        for name, breaker in sorted(self.breakers().items()):
            family.add_metric([name], 1.0 if breaker.state == "closed" else 0.0)
        yield family


class Metrics:
    def __init__(self, database: Database | None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "gm_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "gm_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "gm_http_errors", "HTTP responses with status >= 500", ["route"], registry=r
        )
        self.cache_hits = Counter("gm_cache_hits", "Query cache hits", ["cache"], registry=r)
        self.cache_misses = Counter("gm_cache_misses", "Query cache misses", ["cache"], registry=r)
        self.cache_errors = Counter(
            "gm_cache_errors", "Cache operations that failed (Redis down)", registry=r
        )
        self.replica_fallbacks = Counter(
            "gm_db_replica_fallbacks",
            "Reads sent to the writer because no replica answered",
            registry=r,
        )
        self.jobs_posted = Counter("gm_jobs_posted", "Jobs posted", registry=r)
        self.applications = Counter(
            "gm_applications_submitted", "Applications submitted", registry=r
        )
        self.matches = Counter("gm_matches_served", "Match requests answered", registry=r)
        self.recommendations = Counter(
            "gm_career_recommendations", "Career recommendation requests answered", registry=r
        )
        self.logins = Counter("gm_logins", "Successful logins", registry=r)
        self.registrations = Counter("gm_registrations", "Users registered", registry=r)
        if database is not None:  # the ai service has none
            r.register(PoolCollector(database))
        # Set when CloudWatch publishing is on (METRICS_NAMESPACE): fed by the middleware
        # and the session lookup, drained by the publisher thread.
        self.window: RequestWindow | None = None
        self.active_users: ActiveUsers | None = None
