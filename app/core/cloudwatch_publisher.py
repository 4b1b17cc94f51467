"""Publish the app's metrics to CloudWatch from a background thread (``METRICS_NAMESPACE``).

Every ``METRICS_INTERVAL_SECONDS`` the thread collects one interval's readings, turns them
into datums and sends them in one ``PutMetricData`` call (more only past the API's limits).
A refused call is logged once for that interval and its datums go out with the next batch;
at most ``MAX_PENDING_DATUMS`` wait (the oldest are dropped first), so an outage of
CloudWatch costs memory in proportion to a few intervals, never more. Requests only touch
in-process counters: publishing can neither block nor fail them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from app.core.cloudwatch_datums import Readings, build_datums, split_calls

log = logging.getLogger("app.metrics")
MAX_PENDING_DATUMS = 3000  # about ten intervals of a phase-3 instance


class CloudWatchPublisher:
    def __init__(
        self,
        *,
        client_factory: Callable[[], Any],
        namespace: str,
        dimensions: list[dict[str, str]],
        interval_seconds: float,
        collect: Callable[[], Readings],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client_factory = client_factory
        self.namespace = namespace
        self.dimensions = dimensions
        self.interval = interval_seconds
        self.collect = collect
        self.clock = clock
        self.pending: list[dict[str, Any]] = []
        self.calls = 0  # PutMetricData calls that succeeded (tests, benchmarks)
        self.failures = 0  # intervals whose batch was refused
        self._client: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="cloudwatch-metrics", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after one last flush (what the final partial interval saw)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()
        self.flush()

    def flush(self) -> bool:
        """Collect and send one interval; True when everything pending went out."""
        try:
            datums = build_datums(self.collect(), self.dimensions, self.clock())
        except Exception:
            log.exception("collecting metrics failed; this interval is skipped")
            datums = []
        batch = (self.pending + datums)[-MAX_PENDING_DATUMS:]
        self.pending = []
        calls = split_calls(batch)
        for index, call in enumerate(calls):
            try:
                if self._client is None:
                    self._client = self.client_factory()
                self._client.put_metric_data(Namespace=self.namespace, MetricData=call)
                self.calls += 1
            except Exception as error:  # botocore errors, no credentials, network
                self.pending = [datum for rest in calls[index:] for datum in rest]
                self.failures += 1
                log.warning(
                    "CloudWatch refused %d metric data (%s); retrying with the next batch",
                    len(self.pending),
                    type(error).__name__ + ": " + str(error)[:200],
                )
                return False
        return True


def cloudwatch_client(region: str) -> Any:
    """A boto3 CloudWatch client with short timeouts (AWS_ENDPOINT_URL is honoured)."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2})
    return boto3.client("cloudwatch", region_name=region or None, config=config)
