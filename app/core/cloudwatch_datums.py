"""CloudWatch ``MetricDatum`` dicts from one interval's readings (pure functions).

Metric names are the contract with the dashboard, the alarms and ``gm-infra metrics``:
they live here and nowhere else on the app side (``infra/components/monitoring.py``
imports ``APP_METRICS``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_VALUES_PER_DATUM = 150  # PutMetricData: up to 150 Values per metric
MAX_DATUMS_PER_CALL = 1000  # PutMetricData: at most 1000 metrics per request
MAX_PAYLOAD_BYTES = 900_000  # the limit is 1 MB per POST; keep a margin for the envelope

# name -> unit; pool metrics get ``.<engine>`` appended (writer, reader-0, shard-1 ...).
APP_METRICS: dict[str, str] = {
    "RequestCount": "Count",
    "Latency": "Milliseconds",
    "Errors4xx": "Count",
    "Errors5xx": "Count",
    "ProcessMemory": "Megabytes",
    "InstanceMemoryUtilization": "Percent",
    "DbPoolCheckedOut": "Count",
    "DbPoolSize": "Count",
    "DbPoolOverflow": "Count",
    "DbPoolSaturation": "Percent",
    "CacheHits": "Count",
    "CacheMisses": "Count",
    "JobsPosted": "Count",
    "ApplicationsSubmitted": "Count",
    "CareerRecommendations": "Count",
    "Matches": "Count",
    "ActiveUsers": "Count",
    # The outbox (deferred work), stack-wide: published with the Stack dimension only.
    "OutboxBacklog": "Count",
    "OutboxOldestAge": "Seconds",
}


@dataclass(frozen=True)
class PoolReading:
    checked_out: int
    size: int
    overflow: int
    max_overflow: int

    @property
    def saturation_percent(self) -> float:
        capacity = self.size + self.max_overflow
        return 100.0 * self.checked_out / capacity if capacity else 0.0


@dataclass
class Readings:
    """Everything one interval publishes; ``None`` means "not measured" (not sent)."""

    latencies_ms: Counter[float] = field(default_factory=Counter)
    requests: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0
    counters: dict[str, float] = field(default_factory=dict)  # JobsPosted ... CacheMisses
    pools: dict[str, PoolReading] = field(default_factory=dict)
    process_memory_mb: float | None = None
    instance_memory_percent: float | None = None
    active_users: int | None = None
    outbox: tuple[int, float] | None = None  # rows waiting, oldest's age in seconds


def dimensions(stack: str, service: str, phase: int) -> list[dict[str, str]]:
    return [
        {"Name": "Stack", "Value": stack},
        {"Name": "Service", "Value": service},
        {"Name": "Phase", "Value": str(phase)},
    ]


def _datum(name: str, dims: list[dict[str, str]], at: datetime, **value: Any) -> dict[str, Any]:
    unit = APP_METRICS[name.split(".", 1)[0]]
    return {"MetricName": name, "Dimensions": dims, "Timestamp": at, "Unit": unit, **value}


def latency_datums(
    latencies: Counter[float], dims: list[dict[str, str]], at: datetime
) -> Iterator[dict[str, Any]]:
    """Values/Counts arrays, 150 distinct values per datum (CloudWatch merges them)."""
    items = sorted(latencies.items())
    for start in range(0, len(items), MAX_VALUES_PER_DATUM):
        chunk = items[start : start + MAX_VALUES_PER_DATUM]
        yield _datum(
            "Latency",
            dims,
            at,
            Values=[value for value, _ in chunk],
            Counts=[float(count) for _, count in chunk],
        )


def build_datums(
    readings: Readings, dims: list[dict[str, str]], at: datetime
) -> list[dict[str, Any]]:
    datums = [
        _datum("RequestCount", dims, at, Value=float(readings.requests)),
        _datum("Errors4xx", dims, at, Value=float(readings.errors_4xx)),
        _datum("Errors5xx", dims, at, Value=float(readings.errors_5xx)),
        *latency_datums(readings.latencies_ms, dims, at),
    ]
    for name, value in sorted(readings.counters.items()):
        datums.append(_datum(name, dims, at, Value=float(value)))
    for engine, pool in sorted(readings.pools.items()):
        datums.append(_datum(f"DbPoolCheckedOut.{engine}", dims, at, Value=float(pool.checked_out)))
        datums.append(_datum(f"DbPoolSize.{engine}", dims, at, Value=float(pool.size)))
        datums.append(_datum(f"DbPoolOverflow.{engine}", dims, at, Value=float(pool.overflow)))
    if readings.pools:
        worst = max(pool.saturation_percent for pool in readings.pools.values())
        datums.append(_datum("DbPoolSaturation", dims, at, Value=round(worst, 2)))
    if readings.process_memory_mb is not None:
        datums.append(_datum("ProcessMemory", dims, at, Value=round(readings.process_memory_mb, 2)))
    if readings.instance_memory_percent is not None:
        datums.append(
            _datum(
                "InstanceMemoryUtilization",
                dims,
                at,
                Value=round(readings.instance_memory_percent, 2),
            )
        )
    if readings.active_users is not None:
        datums.append(_datum("ActiveUsers", dims, at, Value=float(readings.active_users)))
    if readings.outbox is not None:
        stack = [d for d in dims if d["Name"] == "Stack"]
        count, age = readings.outbox
        datums.append(_datum("OutboxBacklog", stack, at, Value=float(count)))
        datums.append(_datum("OutboxOldestAge", stack, at, Value=round(age, 1)))
    return datums


def datum_bytes(datum: dict[str, Any]) -> int:
    """A generous estimate of a datum's size in the query-encoded POST body."""
    return 3 * len(json.dumps(datum, default=str))


def split_calls(datums: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One call unless the API's limits (1000 metrics, 1 MB) force more."""
    calls: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for datum in datums:
        cost = datum_bytes(datum)
        if current and (len(current) >= MAX_DATUMS_PER_CALL or size + cost > MAX_PAYLOAD_BYTES):
            calls.append(current)
            current, size = [], 0
        current.append(datum)
        size += cost
    if current:
        calls.append(current)
    return calls
