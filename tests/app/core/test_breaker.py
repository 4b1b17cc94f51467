"""The circuit breaker, readiness verdicts and failure causes, without any server."""

from __future__ import annotations

import logging

import pytest
import redis
from pymysql.err import OperationalError as MySQLError

from app.core.breaker import CircuitBreaker, CircuitOpen, cause_of
from app.core.cache import RedisStore, StoreUnavailable
from app.core.readiness import verdict


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_open_after_a_failure_then_one_probe_after_the_cool_down() -> None:
    clock, changes = Clock(), []
    breaker = CircuitBreaker(
        "db", cool_down=5, clock=clock, on_change=lambda n, s: changes.append(s)
    )
    assert breaker.allow() and breaker.state == "closed"
    breaker.record_failure("timeout")
    assert breaker.state == "open" and not breaker.allow() and not breaker.available()
    with pytest.raises(CircuitOpen, match=r"db is unavailable \(timeout\)"):
        breaker.check()
    clock.now += 5
    assert breaker.available()
    assert breaker.allow()  # the probe
    assert breaker.state == "half-open"
    assert not breaker.allow() and not breaker.available()  # one probe at a time
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()
    assert changes == ["open", "half-open", "closed"]


def test_a_failed_probe_opens_again_and_a_lost_probe_is_replaced() -> None:
    clock = Clock()
    breaker = CircuitBreaker("redis", cool_down=5, clock=clock)
    breaker.record_failure("refused")
    clock.now += 5
    assert breaker.allow()
    breaker.record_failure("timeout")
    assert breaker.state == "open" and breaker.cause == "timeout" and not breaker.allow()
    clock.now += 5
    assert breaker.allow()  # probe taken, never reported back (the caller vanished)
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_state_changes_are_logged_once_not_per_call(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker = CircuitBreaker("database reader0", cool_down=5, clock=clock)
    with caplog.at_level(logging.INFO, logger="app.breaker"):
        for _ in range(50):
            breaker.record_failure("timeout")
            breaker.allow()
        breaker.record_success()
    assert caplog.text.count("is unavailable") == 1
    assert caplog.text.count("answers again") == 1


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (TimeoutError("timed out"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (MySQLError(2013, "Lost connection to MySQL server during query (timed out)"), "timeout"),
        (MySQLError(2003, "Can't connect to MySQL server on 'h' ([Errno 111] Connection refused)"),
         "refused"),
        (MySQLError(2013, "Lost connection to MySQL server during query"), "connection lost"),
        (MySQLError(1045, "Access denied for user 'x'@'h'"), "access denied"),
        (redis.TimeoutError("Timeout reading from socket"), "timeout"),
        (redis.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused."),
         "refused"),
        (CircuitOpen("db", "timeout"), "timeout"),
        (RuntimeError("something else"), "unreachable"),
    ],
)  # fmt: skip
def test_causes_are_generic_names(error: BaseException, cause: str) -> None:
    assert cause_of(error) == cause


def test_readiness_verdict_degrades_on_optional_and_fails_on_required() -> None:
    required = {"writer", "shard0", "session_redis"}
    assert verdict({}, required) == ("ready", 200)
    assert verdict({"reader0": "timeout", "redis": "refused"}, required) == ("degraded", 200)
    assert verdict({"reader0": "timeout", "shard0": "timeout"}, required) == ("unavailable", 503)
    assert verdict({"writer": "refused"}, required) == ("unavailable", 503)


def test_redis_store_fails_fast_once_its_breaker_is_open() -> None:
    store = RedisStore.from_url("redis://127.0.0.1:1/0", timeout=0.5, name="redis", cool_down=60)
    with pytest.raises(StoreUnavailable) as first:
        store.get("k")
    assert first.value.logged and store.breaker.state == "open"
    assert store.client.get_retry() is None or store.client.get_retry()._retries == 0
    with pytest.raises(StoreUnavailable, match="not tried until its cool-down ends"):
        store.set("k", "v", 10)
