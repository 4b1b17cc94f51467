"""Readiness: is each dependency answering, without ever waiting on one for long.

Each check runs on this module's own small thread pool (never the request thread pool,
which hung requests may have filled) and every probe is bounded: a database is probed over
a fresh connection outside the engine's pool (an exhausted pool must not make readiness
wait) with one-second socket timeouts, Redis with the store's own timeouts. A dependency
whose circuit breaker is open is reported down at once, without a probe. The whole answer
comes within ``budget`` seconds; a probe still running then counts as a timeout.

A flood of readiness requests cannot queue probes: a probe still running is awaited by
every request that arrives meanwhile (one probe per dependency at a time), and a finished
answer is reused for ``reuse_seconds``. Otherwise anonymous traffic would queue probes
faster than they run, and a healthy instance would report "timeout" (503) until the queue
drained.

Causes are generic names ("timeout", "refused", ...): driver error text is logged, never
returned. Replicas and the query cache are optional (their loss degrades the instance);
the writer, the shards and the session store are required.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from app.core.breaker import CircuitBreaker, cause_of
from app.core.cache import RedisStore
from app.core.db import Database
from app.core.db_guard import breaker_of
from app.core.stores import Stores

log = logging.getLogger("app.readiness")

PROBE_TIMEOUT = 1  # seconds, each of connect / read / write of a database probe
Status = Literal["ready", "degraded", "unavailable"]


@dataclass(frozen=True)
class Check:
    name: str
    required: bool
    probe: Callable[[], None]  # raises when the dependency does not answer
    breaker: CircuitBreaker | None = None


@dataclass(frozen=True)
class Fact:
    """A figure shown beside the checks (the outbox's backlog); never changes the status."""

    name: str
    read: Callable[[], dict[str, object]]


def probe_engine(engine: Engine) -> Engine:
    """A pool-less twin of ``engine`` with short timeouts (same URL, same TLS options)."""
    connect_args: dict[str, Any] = {}
    if engine.dialect.name in ("mysql", "mariadb"):
        connect_args = {
            "connect_timeout": PROBE_TIMEOUT,
            "read_timeout": PROBE_TIMEOUT,
            "write_timeout": PROBE_TIMEOUT,
        }
    elif engine.dialect.name == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": PROBE_TIMEOUT}
    return create_engine(engine.url, poolclass=NullPool, connect_args=connect_args)


def database_check(name: str, engine: Engine, *, required: bool) -> Check:
    twin = probe_engine(engine)

    def probe() -> None:
        with twin.connect() as connection:
            connection.execute(text("SELECT 1"))

    return Check(name, required, probe, breaker_of(engine))


def readiness_checks(
    database: Database | None, stores: Stores, more: Sequence[Check] = ()
) -> list[Check]:
    """Every engine (replicas optional), each Redis store, then ``more``: the checks of the
    services this one calls (the AI service's), made by the composition root (app/state.py)
    since their clients live above this floor. Without its own session store, the one Redis
    holds the sessions, so it is required. The ai service has no database."""
    engines = database.engines if database is not None else {}
    checks = [
        database_check(label, engine, required=not label.startswith("reader"))
        for label, engine in engines.items()
    ]
    if isinstance(stores.cache, RedisStore):
        checks.append(Check("redis", stores.shared, stores.cache.ping))
    if not stores.shared and isinstance(stores.sessions, RedisStore):
        checks.append(Check("session_redis", True, stores.sessions.ping))
    checks.extend(more)
    return checks


def verdict(down: dict[str, str], required: set[str]) -> tuple[Status, int]:
    """Pure: the status and HTTP code for the checks that are down."""
    if any(name in required for name in down):
        return "unavailable", 503
    return ("degraded", 200) if down else ("ready", 200)


class Readiness:
    def __init__(
        self,
        checks: list[Check],
        *,
        budget: float = 2.0,
        reuse_seconds: float = 0.5,
        facts: Sequence[Fact] = (),
    ) -> None:
        self.checks = checks
        self.facts = list(facts)
        self.budget = budget
        self.reuse_seconds = reuse_seconds
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._running: dict[str, Future[str | None]] = {}
        self._facts_running: dict[str, Future[dict[str, object]]] = {}
        self._last: tuple[float, dict[str, object], int] | None = None

    def _pool(self) -> ThreadPoolExecutor:
        """Made on first use, and again after ``close`` (a lifespan may run more than once)."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=max(2, len(self.checks) + len(self.facts)),
                    thread_name_prefix="readiness",
                )
            return self._executor

    def _run(self, check: Check) -> str | None:
        """None when it answers, else a generic cause (the error itself is logged)."""
        # Readiness only reads the breaker: its probes have tighter timeouts than requests,
        # so a slow but alive writer must not be switched off by a readiness check.
        if check.breaker is not None and not check.breaker.available():
            return check.breaker.cause or "unavailable"
        try:
            check.probe()
        except Exception as error:
            cause = cause_of(error)
            log.info("readiness: %s is down (%s): %s", check.name, cause, error)
            return cause
        return None

    def _probe(self, pool: ThreadPoolExecutor, check: Check) -> Future[str | None]:
        """The check's probe that is still running, or a new one (never two at once)."""
        with self._lock:
            running = self._running.get(check.name)
            if running is None or running.done():
                running = pool.submit(self._run, check)
                self._running[check.name] = running
            return running

    def _read(self, pool: ThreadPoolExecutor, fact: Fact) -> Future[dict[str, object]]:
        with self._lock:
            running = self._facts_running.get(fact.name)
            if running is None or running.done():
                running = pool.submit(fact.read)
                self._facts_running[fact.name] = running
            return running

    async def report(self) -> tuple[dict[str, object], int]:
        with self._lock:
            last = self._last
        if last is not None and time.monotonic() - last[0] < self.reuse_seconds:
            return dict(last[1]), last[2]
        pool = self._pool()
        futures = {
            check.name: asyncio.wrap_future(self._probe(pool, check)) for check in self.checks
        }
        facts = {fact.name: asyncio.wrap_future(self._read(pool, fact)) for fact in self.facts}
        if futures or facts:
            pending: list[asyncio.Future[Any]] = [*futures.values(), *facts.values()]
            await asyncio.wait(pending, timeout=self.budget)
        down: dict[str, str] = {}
        for name, future in futures.items():
            if not future.done():
                down[name] = "timeout"
            elif future.exception() is not None:
                down[name] = "error"
            elif (cause := future.result()) is not None:
                down[name] = cause
        status, code = verdict(down, {c.name for c in self.checks if c.required})
        body: dict[str, object] = {
            "status": status,
            "checks": {c.name: ("down" if c.name in down else "ok") for c in self.checks},
            "down": down,
        }
        for name, fact in facts.items():  # a figure that could not be read is left out
            if fact.done() and fact.exception() is None:
                body[name] = fact.result()
        with self._lock:
            self._last = (time.monotonic(), body, code)
        return body, code

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
            self._running.clear()
            self._last = None
