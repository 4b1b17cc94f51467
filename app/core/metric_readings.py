"""One interval's readings of an app instance, for the CloudWatch publisher."""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry
from sqlalchemy.pool import QueuePool

from app.core.active_users import ActiveUsers
from app.core.cloudwatch_datums import PoolReading, Readings
from app.core.db import Database
from app.core.metric_window import RequestWindow
from app.core.system_memory import instance_memory_percent, process_rss_mb

log = logging.getLogger("app.metrics")

# CloudWatch name -> the Prometheus counter it is the per-interval increase of.
COUNTERS = {
    "JobsPosted": "gm_jobs_posted",
    "ApplicationsSubmitted": "gm_applications_submitted",
    "CareerRecommendations": "gm_career_recommendations",
    "Matches": "gm_matches_served",
    "CacheHits": "gm_cache_hits",
    "CacheMisses": "gm_cache_misses",
}


def counter_totals(registry: CollectorRegistry) -> dict[str, float]:
    """Each counter of ``COUNTERS`` summed over its labels."""
    wanted = {f"{prom}_total": name for name, prom in COUNTERS.items()}
    totals = dict.fromkeys(COUNTERS, 0.0)
    for family in registry.collect():
        for sample in family.samples:
            if sample.name in wanted:
                totals[wanted[sample.name]] += sample.value
    return totals


def pool_readings(database: Database | None, max_overflow: int) -> dict[str, PoolReading]:
    readings: dict[str, PoolReading] = {}
    if database is None:  # the ai service has none
        return readings
    for label, engine in database.engines.items():
        pool = engine.pool
        if isinstance(pool, QueuePool):
            readings[label] = PoolReading(
                checked_out=pool.checkedout(),
                size=pool.size(),
                overflow=max(pool.overflow(), 0),
                max_overflow=max_overflow,
            )
    return readings


class ReadingCollector:
    """Turns running totals into per-interval increases; called from the publisher thread."""

    def __init__(
        self,
        *,
        registry: CollectorRegistry,
        database: Database | None,
        window: RequestWindow,
        active_users: ActiveUsers | None,  # None: this service has no sessions
        max_overflow: int,
        outbox: Callable[[], tuple[int, float]] | None = None,  # rows waiting, oldest's age
    ) -> None:
        self.outbox = outbox
        self.registry = registry
        self.database = database
        self.window = window
        self.active_users = active_users
        self.max_overflow = max_overflow
        self.last_totals = counter_totals(registry)

    def __call__(self) -> Readings:
        requests = self.window.drain()
        totals = counter_totals(self.registry)
        increases = {name: max(totals[name] - self.last_totals[name], 0.0) for name in totals}
        self.last_totals = totals
        active: int | None = None
        try:
            if self.active_users is not None:
                active = self.active_users.count()
        except Exception as error:  # Redis down: say nothing rather than a wrong figure
            log.warning("active users not counted this interval: %s", type(error).__name__)
            active = None
        backlog: tuple[int, float] | None = None
        try:
            if self.outbox is not None:
                backlog = self.outbox()
        except Exception as error:  # the writer down: say nothing this interval
            log.warning("outbox backlog not measured this interval: %s", type(error).__name__)
        return Readings(
            latencies_ms=requests.latencies_ms,
            requests=requests.requests,
            errors_4xx=requests.errors_4xx,
            errors_5xx=requests.errors_5xx,
            counters=increases,
            pools=pool_readings(self.database, self.max_overflow),
            process_memory_mb=process_rss_mb(),
            instance_memory_percent=instance_memory_percent(),
            active_users=active,
            outbox=backlog,
        )
