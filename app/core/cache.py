"""Query cache and key-value store: Redis when configured, else in-process.

Redis failures never fail a read: the cache is bypassed and the error counted.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

log = logging.getLogger("app.cache")


class KeyValue(Protocol):
    """The few operations the app needs; each raises ``StoreUnavailable`` on failure."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> None: ...


class StoreUnavailable(RuntimeError):
    """The backing store (Redis) cannot be reached."""


class MemoryStore:
    """A thread-safe dict with expiry, for the embedded default and tests."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            value, expires = item
            if expires <= time.monotonic():
                del self._data[key]
                return None
            return value

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def ping(self) -> None:
        return None


class RedisStore:
    """Every key is stored under ``prefix`` so several apps or test runs can share a db."""

    def __init__(self, client: redis.Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, timeout: float, prefix: str = "") -> RedisStore:
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            health_check_interval=30,
        )
        return cls(client, prefix)

    def get(self, key: str) -> str | None:
        try:
            value = self.client.get(self.prefix + key)
        except redis.RedisError as error:
            raise StoreUnavailable(str(error)) from error
        return value if isinstance(value, str) or value is None else str(value)

    def set(self, key: str, value: str, ttl: int) -> None:
        try:
            self.client.setex(self.prefix + key, ttl, value)
        except redis.RedisError as error:
            raise StoreUnavailable(str(error)) from error

    def delete(self, key: str) -> None:
        try:
            self.client.delete(self.prefix + key)
        except redis.RedisError as error:
            raise StoreUnavailable(str(error)) from error

    def ping(self) -> None:
        try:
            self.client.ping()
        except redis.RedisError as error:
            raise StoreUnavailable(str(error)) from error


def make_store(redis_url: str, timeout: float, prefix: str = "") -> KeyValue:
    if redis_url:
        return RedisStore.from_url(redis_url, timeout, prefix)
    return MemoryStore()


class QueryCache:
    """JSON values under ``cache:<name>:<key>``; misses and Redis faults fall through.

    ``on_hit``/``on_miss``/``on_error`` are metric hooks taking the cache name.
    """

    def __init__(
        self,
        store: KeyValue,
        *,
        on_hit: Callable[[str], None] = lambda name: None,
        on_miss: Callable[[str], None] = lambda name: None,
        on_error: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.on_hit = on_hit
        self.on_miss = on_miss
        self.on_error = on_error

    @staticmethod
    def key(name: str, key: str) -> str:
        return f"cache:{name}:{key}"

    def get(self, name: str, key: str) -> Any | None:
        raw = self.get_raw(name, key)
        return None if raw is None else json.loads(raw)

    def get_raw(self, name: str, key: str) -> str | None:
        """The stored JSON text, unparsed (a hit can be sent as it is)."""
        try:
            raw = self.store.get(self.key(name, key))
        except StoreUnavailable as error:
            log.warning("cache bypassed, store unreachable: %s", error)
            self.on_error()
            self.on_miss(name)
            return None
        if raw is None:
            self.on_miss(name)
            return None
        self.on_hit(name)
        return raw

    def set(self, name: str, key: str, value: Any, ttl: int) -> None:
        self.set_raw(name, key, json.dumps(value), ttl)

    def set_raw(self, name: str, key: str, raw: str, ttl: int) -> None:
        try:
            self.store.set(self.key(name, key), raw, ttl)
        except StoreUnavailable as error:
            log.warning("cache not written, store unreachable: %s", error)
            self.on_error()

    def invalidate(self, name: str, key: str) -> bool:
        """Drop one entry; False when the store could not be reached."""
        try:
            self.store.delete(self.key(name, key))
        except StoreUnavailable as error:
            log.error("cache entry %s not invalidated: %s", self.key(name, key), error)
            self.on_error()
            return False
        return True

    def generation(self, name: str) -> str:
        """A token that changes whenever ``bump(name)`` runs (for families of keys)."""
        try:
            value = self.store.get(self.key(name, "generation"))
        except StoreUnavailable:
            self.on_error()
            return "down"
        return value or "0"

    def bump(self, name: str) -> None:
        try:
            self.store.set(self.key(name, "generation"), str(time.time_ns()), 7 * 24 * 3600)
        except StoreUnavailable as error:
            log.error("cache generation %s not bumped: %s", name, error)
            self.on_error()
