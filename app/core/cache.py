"""Query cache and key-value store: Redis when configured, else in-process.

Redis failures never fail a read: the cache is bypassed and the error counted. Each
Redis store has its own circuit breaker: after a call timed out or was refused, calls
fail at once (``StoreUnavailable``) until one probe after the cool-down answers, so a
hung Redis costs one timeout, not one per call. redis-py's own retries are off: a retry
against a hung server only multiplies the wait.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.core.breaker import CircuitBreaker, CircuitOpen, cause_of

log = logging.getLogger("app.cache")


class KeyValue(Protocol):
    """The few operations the app needs; each raises ``StoreUnavailable`` on failure."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> None: ...


class SessionBackend(KeyValue, Protocol):
    """What the session store needs besides get/set/delete: writes that never re-create a
    deleted key, expiry renewal, a set of ids per user and a counter."""

    def get_touch(self, key: str, ttl: int) -> str | None: ...  # GETEX: read, renew expiry
    def replace(self, key: str, value: str) -> bool: ...  # SET XX KEEPTTL: False if gone
    def expire(self, key: str, ttl: int) -> None: ...  # only if it exists
    def add_member(self, key: str, member: str, ttl: int) -> None: ...
    def members(self, key: str) -> frozenset[str]: ...
    def remove_member(self, key: str, member: str) -> None: ...
    def incr(self, key: str, ttl: int) -> int: ...
    def read_int(self, key: str) -> int: ...  # 0 when missing


class StoreUnavailable(RuntimeError):
    """The backing store (Redis) cannot be reached.

    ``logged`` is true when the store's circuit breaker already logged the outage (it logs
    each state change once): handlers then need not log again for every request.
    """

    def __init__(self, message: str, *, logged: bool = False) -> None:
        super().__init__(message)
        self.logged = logged


class MemoryStore:
    """A thread-safe dict with expiry, for the embedded default and tests."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}
        self._sets: dict[str, tuple[set[str], float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str) -> str | None:  # under the lock
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires <= time.monotonic():
            del self._data[key]
            return None
        return value

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def get_touch(self, key: str, ttl: int) -> str | None:
        with self._lock:
            value = self._live(key)
            if value is not None:
                self._data[key] = (value, time.monotonic() + ttl)
            return value

    def replace(self, key: str, value: str) -> bool:
        with self._lock:
            if self._live(key) is None:
                return False
            self._data[key] = (value, self._data[key][1])
            return True

    def expire(self, key: str, ttl: int) -> None:
        with self._lock:
            value = self._live(key)
            if value is not None:
                self._data[key] = (value, time.monotonic() + ttl)

    def _set_of(self, key: str) -> set[str]:  # under the lock
        item = self._sets.get(key)
        if item is None or item[1] <= time.monotonic():
            self._sets.pop(key, None)
            return set()
        return item[0]

    def add_member(self, key: str, member: str, ttl: int) -> None:
        with self._lock:
            members = self._set_of(key)
            members.add(member)
            self._sets[key] = (members, time.monotonic() + ttl)

    def members(self, key: str) -> frozenset[str]:
        with self._lock:
            return frozenset(self._set_of(key))

    def remove_member(self, key: str, member: str) -> None:
        with self._lock:
            self._set_of(key).discard(member)

    def incr(self, key: str, ttl: int) -> int:
        with self._lock:
            value = int(self._live(key) or 0) + 1
            self._data[key] = (str(value), time.monotonic() + ttl)
            return value

    def read_int(self, key: str) -> int:
        with self._lock:
            return int(self._live(key) or 0)

    def set(self, key: str, value: str, ttl: int) -> None:
        with self._lock:
            self._data[key] = (value, time.monotonic() + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def ping(self) -> None:
        return None


def redis_options(timeout: float) -> dict[str, Any]:
    """redis-py client options for any Redis the app talks to (also fit for libraries that
    pass options through, such as ``limits``' RedisStorage): bounded connect and command
    time, and no retries (redis-py 6+ retries timeouts 3 times with up to 10 s of backoff
    by default, which turns a hung Redis into a hung request)."""
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),
        "health_check_interval": 30,
    }


class RedisStore:
    """Every key is stored under ``prefix`` so several apps or test runs can share a db."""

    def __init__(
        self, client: redis.Redis, prefix: str = "", breaker: CircuitBreaker | None = None
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.breaker = breaker or CircuitBreaker("redis", cool_down=5.0)

    @classmethod
    def from_url(
        cls,
        url: str,
        timeout: float,
        prefix: str = "",
        *,
        name: str = "redis",
        cool_down: float = 5.0,
    ) -> RedisStore:
        client = redis.Redis.from_url(url, decode_responses=True, **redis_options(timeout))
        return cls(client, prefix, CircuitBreaker(name, cool_down=cool_down))

    def _call(self, operation: Callable[[], Any]) -> Any:
        if not self.breaker.allow():
            open_error = CircuitOpen(self.breaker.name, self.breaker.cause)
            raise StoreUnavailable(str(open_error), logged=True)
        try:
            result = operation()
        except (redis.ConnectionError, redis.TimeoutError) as error:  # the server, not the call
            self.breaker.record_failure(cause_of(error))
            message = f"{self.breaker.name}: {cause_of(error)}"
            raise StoreUnavailable(message, logged=True) from error
        except redis.RedisError as error:  # e.g. OOM under noeviction: the server answered
            self.breaker.record_success()
            raise StoreUnavailable(f"{self.breaker.name}: {type(error).__name__}") from error
        self.breaker.record_success()
        return result

    def get(self, key: str) -> str | None:
        value = self._call(lambda: self.client.get(self.prefix + key))
        return value if isinstance(value, str) or value is None else str(value)

    def set(self, key: str, value: str, ttl: int) -> None:
        self._call(lambda: self.client.setex(self.prefix + key, ttl, value))

    def delete(self, key: str) -> None:
        self._call(lambda: self.client.delete(self.prefix + key))

    def ping(self) -> None:
        self._call(self.client.ping)

    def get_touch(self, key: str, ttl: int) -> str | None:
        value = self._call(lambda: self.client.getex(self.prefix + key, ex=ttl))
        return value if isinstance(value, str) or value is None else str(value)

    def replace(self, key: str, value: str) -> bool:
        done = self._call(lambda: self.client.set(self.prefix + key, value, xx=True, keepttl=True))
        return bool(done)

    def expire(self, key: str, ttl: int) -> None:
        self._call(lambda: self.client.expire(self.prefix + key, ttl))

    def add_member(self, key: str, member: str, ttl: int) -> None:
        def add() -> None:
            pipe = self.client.pipeline(transaction=True)
            pipe.sadd(self.prefix + key, member)
            pipe.expire(self.prefix + key, ttl)
            pipe.execute()

        self._call(add)

    def members(self, key: str) -> frozenset[str]:
        found = self._call(lambda: self.client.smembers(self.prefix + key))
        return frozenset(str(member) for member in found or ())

    def remove_member(self, key: str, member: str) -> None:
        self._call(lambda: self.client.srem(self.prefix + key, member))

    def incr(self, key: str, ttl: int) -> int:
        def bump() -> int:
            pipe = self.client.pipeline(transaction=True)
            pipe.incr(self.prefix + key)
            pipe.expire(self.prefix + key, ttl)
            value, _ = pipe.execute()
            return int(value)

        result: int = self._call(bump)
        return result

    def read_int(self, key: str) -> int:
        value = self._call(lambda: self.client.get(self.prefix + key))
        return int(value or 0)


def make_store(
    redis_url: str, timeout: float, prefix: str = "", *, name: str = "redis", cool_down: float = 5.0
) -> MemoryStore | RedisStore:
    if redis_url:
        return RedisStore.from_url(redis_url, timeout, prefix, name=name, cool_down=cool_down)
    return MemoryStore()


class QueryCache:
    """JSON values under ``cache:<name>:<key>``; misses and Redis faults fall through.

    ``on_hit``/``on_miss``/``on_error`` are metric hooks taking the cache name. Values
    over ``max_entry_bytes`` are not stored (a page that large is served, not cached).
    """

    def __init__(
        self,
        store: KeyValue,
        *,
        max_entry_bytes: int = 128 * 1024,
        on_hit: Callable[[str], None] = lambda name: None,
        on_miss: Callable[[str], None] = lambda name: None,
        on_error: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.max_entry_bytes = max_entry_bytes
        self.on_hit = on_hit
        self.on_miss = on_miss
        self.on_error = on_error

    def _fault(self, what: str, error: StoreUnavailable, *, stale: bool = False) -> None:
        """Count every fault; log those the store's breaker has not logged, and always
        those that leave stale data behind (they happen on writes, not on every read)."""
        self.on_error()
        if stale:
            log.error("%s: %s", what, error)
        elif not error.logged:
            log.warning("%s: %s", what, error)

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
            self._fault("cache bypassed", error)
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
        if len(raw) > self.max_entry_bytes or len(raw.encode()) > self.max_entry_bytes:
            log.debug("cache %s: entry of %d characters not stored", name, len(raw))
            return
        try:
            self.store.set(self.key(name, key), raw, ttl)
        except StoreUnavailable as error:
            self._fault("cache not written", error)

    def invalidate(self, name: str, key: str) -> bool:
        """Drop one entry; False when the store could not be reached."""
        try:
            self.store.delete(self.key(name, key))
        except StoreUnavailable as error:
            self._fault(f"cache entry {self.key(name, key)} not invalidated", error, stale=True)
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
            self._fault(f"cache generation {name} not bumped", error, stale=True)
