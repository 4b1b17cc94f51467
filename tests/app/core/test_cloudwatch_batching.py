"""Datums, call splitting, refused calls and active users (no emulator needed)."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.active_users import ActiveUsers
from app.core.cloudwatch_datums import (
    MAX_DATUMS_PER_CALL,
    MAX_VALUES_PER_DATUM,
    Readings,
    build_datums,
    dimensions,
    split_calls,
)
from app.core.cloudwatch_publisher import MAX_PENDING_DATUMS, CloudWatchPublisher
from app.core.metric_window import RequestWindow, round_latency_ms
from tests.app.conftest import REDIS_HOST, REDIS_PORT, REDIS_TEST_DB, need_service

AT = datetime(2026, 11, 30, tzinfo=UTC)
DIMS = dimensions("demo", "api", 2)


def test_latency_is_rounded_to_two_significant_digits() -> None:
    assert round_latency_ms(0.001234) == 1.2
    assert round_latency_ms(0.0476) == 48.0
    assert round_latency_ms(1.234) == 1200.0
    assert round_latency_ms(0.0) == 0.1


def test_window_counts_status_classes_and_drains() -> None:
    window = RequestWindow()
    for status in (200, 201, 404, 429, 500, 503):
        window.record(0.010, status)
    snapshot = window.drain()
    assert (snapshot.requests, snapshot.errors_4xx, snapshot.errors_5xx) == (6, 2, 2)
    assert snapshot.latencies_ms == Counter({10.0: 6})
    assert window.drain().requests == 0


def test_more_than_150_latency_values_split_into_datums_of_one_metric() -> None:
    latencies = Counter({float(v): 2 for v in range(1, 400)})
    datums = build_datums(Readings(latencies_ms=latencies, requests=798), DIMS, AT)
    latency = [d for d in datums if d["MetricName"] == "Latency"]
    assert [len(d["Values"]) for d in latency] == [150, 150, 99]
    assert all(len(d["Values"]) <= MAX_VALUES_PER_DATUM for d in latency)
    assert sum(sum(d["Counts"]) for d in latency) == 798
    assert len(split_calls(datums)) == 1  # still one call


def test_calls_split_only_past_the_api_limits() -> None:
    datums = build_datums(Readings(), DIMS, AT) * 400  # 1200 datums
    calls = split_calls(datums)
    assert [len(c) for c in calls] == [MAX_DATUMS_PER_CALL, 200]


class FlakyClient:
    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.sent: list[list[dict[str, Any]]] = []

    def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:
        if self.refusals:
            self.refusals -= 1
            raise RuntimeError("Throttling: rate exceeded")
        self.sent.append(MetricData)


def publisher(client: FlakyClient, requests: int = 3) -> CloudWatchPublisher:
    return CloudWatchPublisher(
        client_factory=lambda: client,
        namespace="GreenMatchers",
        dimensions=DIMS,
        interval_seconds=60,
        collect=lambda: Readings(requests=requests),
        clock=lambda: AT,
    )


def test_a_refused_call_is_logged_once_and_retried_with_the_next_batch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = FlakyClient(refusals=1)
    pub = publisher(client)
    with caplog.at_level(logging.WARNING, "app.metrics"):
        assert pub.flush() is False
    assert len(caplog.records) == 1 and "retrying with the next batch" in caplog.text
    first = len(pub.pending)
    assert first > 0
    assert pub.flush() is True
    assert len(client.sent) == 1  # both intervals in one call
    assert len(client.sent[0]) == 2 * first
    assert pub.pending == []


def test_pending_data_is_bounded_while_cloudwatch_refuses() -> None:
    client = FlakyClient(refusals=10_000)
    pub = publisher(client)
    for _ in range(MAX_PENDING_DATUMS):  # each interval adds data; stop once the bound is hit
        pub.flush()
        if len(pub.pending) >= MAX_PENDING_DATUMS:
            break
    assert len(pub.pending) == MAX_PENDING_DATUMS
    for _ in range(5):  # more refused intervals: the oldest data makes room, the bound holds
        pub.flush()
        assert len(pub.pending) == MAX_PENDING_DATUMS


def test_active_users_in_process_forget_after_five_minutes() -> None:
    now = [1000.0]
    users = ActiveUsers(clock=lambda: now[0])
    users.seen("a")
    users.seen("b")
    users.seen("a")
    assert users.count() == 2
    now[0] += 301
    users.seen("c")
    assert users.count() == 1


def test_active_users_are_counted_across_instances_in_redis() -> None:
    need_service("Redis", REDIS_HOST, REDIS_PORT)
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_TEST_DB)
    prefix = f"gmtest-au-{uuid.uuid4().hex[:8]}:"
    now = [6000.0]
    one = ActiveUsers(client, prefix, clock=lambda: now[0])
    two = ActiveUsers(client, prefix, clock=lambda: now[0])
    try:
        for i in range(50):
            one.seen(f"session-{i}")
        for i in range(25, 80):  # 25 sessions seen by both instances
            two.seen(f"session-{i}")
        # HyperLogLog estimates (0.81% standard error): within 3 of the truth here.
        assert abs(one.count() - 50) <= 3
        assert abs(two.count() - 80) <= 3  # the union, not 105
        assert one.count() == two.count()  # both instances report the fleet's figure
        now[0] += 4 * 60
        assert abs(one.count() - 80) <= 3  # still inside five minutes
        now[0] += 2 * 60
        assert one.count() == 0  # the minute they were noted left the window
        assert all(client.ttl(key) <= 360 for key in client.keys(f"{prefix}*"))
    finally:
        keys = client.keys(f"{prefix}*")
        if keys:
            client.delete(*keys)
