"""What CloudWatch publishing adds to each request, beside the Prometheus histogram.

Per request the middleware already observes a Prometheus histogram (the baseline); with
METRICS_NAMESPACE set it also records into the in-process window (rounding + a locked
counter increment). Also: the cost of building one interval's datums and splitting them.

    python benchmarks/bench_metric_window.py
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Histogram

from app.core.cloudwatch_datums import Readings, build_datums, dimensions, split_calls
from app.core.metric_window import RequestWindow

N = 200_000


def per_call_us(fn: object, values: list[float]) -> float:
    started = time.perf_counter()
    for value in values:
        fn(value)  # type: ignore[operator]
    return (time.perf_counter() - started) / len(values) * 1e6


def main() -> None:
    rng = random.Random(7)
    values = [rng.lognormvariate(-4, 1) for _ in range(N)]  # ~18 ms median latencies
    histogram = Histogram("h", "h", ["route"], registry=CollectorRegistry())
    child = histogram.labels("/api/jobs")
    window = RequestWindow()
    baseline = per_call_us(child.observe, values)
    added = per_call_us(lambda v: window.record(v, 200), values)
    snapshot = window.drain()
    started = time.perf_counter()
    datums = build_datums(
        Readings(latencies_ms=snapshot.latencies_ms, requests=snapshot.requests),
        dimensions("demo", "api", 2),
        datetime.now(UTC),
    )
    calls = split_calls(datums)
    build_ms = (time.perf_counter() - started) * 1000
    print(f"{N:,} requests, lognormal latencies")
    print(f"prometheus histogram observe (baseline): {baseline:6.2f} us/request")
    print(f"cloudwatch window record (added):        {added:6.2f} us/request")
    print(
        f"one interval: {len(snapshot.latencies_ms)} distinct latency values -> "
        f"{len(datums)} datums in {len(calls)} PutMetricData call(s), built in {build_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()
