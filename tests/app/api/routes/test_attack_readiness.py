"""``/health/ready`` under a flood of anonymous requests (found after issue 11's fixes).

Each readiness request used to queue a fresh probe of every dependency on a small thread
pool. A few hundred requests queued thousands of probes, so the answers (the attacker's and
the operator's alike) ran out of their 2 s budget and said "unavailable: timeout" for a
healthy writer and Redis, and kept saying it until the queue drained: anonymous traffic
could make a healthy instance report itself down (a 503 with nothing unavailable), and
every request opened fresh database connections. Now a probe that is still running is
awaited rather than queued again, and a finished answer is reused for a moment.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from app.core.readiness import Check, Readiness
from tests.app.conftest import Api


def test_a_flood_of_readiness_requests_probes_each_dependency_a_few_times() -> None:
    calls = 0
    lock = threading.Lock()

    def slow_but_healthy() -> None:
        nonlocal calls
        with lock:
            calls += 1
        time.sleep(0.3)

    readiness = Readiness([Check("writer", True, slow_but_healthy)], budget=2.0)

    async def flood() -> list[int]:
        answers = await asyncio.gather(*(readiness.report() for _ in range(200)))
        return [code for _, code in answers]

    try:
        started = time.monotonic()
        codes = asyncio.run(flood())
        elapsed = time.monotonic() - started
        assert codes == [200] * 200
        assert elapsed < 2.0, elapsed
        assert calls <= 2, calls
        time.sleep(readiness.reuse_seconds + 0.05)
        body, code = asyncio.run(readiness.report())  # a later answer probes again
        assert code == 200 and body["status"] == "ready" and calls <= 3
    finally:
        readiness.close()


def test_readiness_stays_true_while_flooded_over_http(api: Api) -> None:
    """Through the app: concurrent readiness requests all answer, and say ready."""
    app = api.client.app

    async def flood() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/health/ready") for _ in range(150)))
        return [answer.status_code for answer in answers]

    assert set(asyncio.run(flood())) == {200}
