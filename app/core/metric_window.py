"""Requests of one publishing interval: latencies as value -> count, status classes.

Kept apart from the Prometheus histogram because CloudWatch computes percentiles from the
raw values (``Values``/``Counts``), which fixed buckets cannot give back.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


def round_latency_ms(seconds: float) -> float:
    """Milliseconds to two significant digits (at least 0.1 ms): bounded distinct values.

    1.234 ms -> 1.2, 47.6 ms -> 48, 1234 ms -> 1200. The rounding error (under 5%) is well
    inside what a p99 alarm can tell apart, and an interval holds a few hundred values at most.
    """
    ms = max(seconds * 1000.0, 0.1)
    return float(f"{ms:.2g}")


@dataclass
class WindowSnapshot:
    """What one interval saw (moved out of the window by ``drain``)."""

    latencies_ms: Counter[float] = field(default_factory=Counter)
    requests: int = 0
    errors_4xx: int = 0
    errors_5xx: int = 0


class RequestWindow:
    """Thread-safe accumulator the request middleware feeds; the publisher drains it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current = WindowSnapshot()

    def record(self, seconds: float, status: int) -> None:
        value = round_latency_ms(seconds)
        with self._lock:
            current = self._current
            current.latencies_ms[value] += 1
            current.requests += 1
            if 400 <= status < 500:
                current.errors_4xx += 1
            elif status >= 500:
                current.errors_5xx += 1

    def drain(self) -> WindowSnapshot:
        with self._lock:
            snapshot, self._current = self._current, WindowSnapshot()
        return snapshot
