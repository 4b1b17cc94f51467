"""The two key-value stores of an instance: the query cache's and the sessions'.

Sessions get their own Redis (``SESSION_REDIS_URL``, deployed with ``noeviction``) so that
cache traffic can never evict them. Without it they share ``REDIS_URL``: one store object,
one connection pool and one circuit breaker, and a warning in production.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.core.breaker import CircuitBreaker
from app.core.cache import KeyValue, RedisStore, SessionBackend, make_store
from app.core.service_names import signs_sessions
from app.core.settings import Settings

log = logging.getLogger("app")


@dataclass(frozen=True)
class Stores:
    cache: KeyValue
    sessions: SessionBackend

    @property
    def shared(self) -> bool:
        return self.sessions is self.cache

    def breakers(self) -> dict[str, CircuitBreaker]:
        """The Redis stores' breakers by label (``redis``, ``session_redis``)."""
        return {
            store.breaker.name.replace(" ", "_"): store.breaker
            for store in (self.cache, self.sessions)
            if isinstance(store, RedisStore)
        }


def build_stores(settings: Settings) -> Stores:
    def store(url: str, name: str) -> SessionBackend:
        return make_store(
            url,
            settings.redis_timeout_seconds,
            settings.redis_key_prefix,
            name=name,
            cool_down=settings.dependency_retry_seconds,
        )

    cache = store(settings.redis_url, "redis")
    if settings.sessions_url == settings.redis_url:
        if settings.redis_url and not settings.is_local and signs_sessions(settings.service_name):
            log.warning(
                "SESSION_REDIS_URL is not set: sessions share the cache's Redis and can be "
                "evicted by cache traffic; give them their own (maxmemory-policy noeviction)"
            )
        return Stores(cache=cache, sessions=cache)
    return Stores(cache=cache, sessions=store(settings.sessions_url, "session redis"))
